#!/usr/bin/env bash
# Lint, the first step of CI (scripts/test.sh --ci): a clang-format check of every
# C++ file under lib/ apps/ test/ fuzz/, then clang-tidy 14 with the checked-in
# .clang-tidy on lib/src/*.cpp and on the header check's TU of <corio/corio.hpp>,
# which together reach every header under lib/include/corio. Any finding fails:
# .clang-tidy makes every warning an error.
#
#   scripts/lint.sh                 format check, then clang-tidy
#   scripts/lint.sh --format        the format check only (seconds)
#   scripts/lint.sh --tidy          clang-tidy only
#   scripts/lint.sh --fix-format    rewrite the files clang-format would change
#   scripts/lint.sh --jobs N        clang-tidy processes at once (default 2)
#   scripts/lint.sh --tidy FILE...  clang-tidy on these lib/src files only
#
# clang-tidy reads build/lint/compile_commands.json, configured here from the `lint`
# preset (Debug, so assert() bodies are linted; nothing is compiled).
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

run_format=true
run_tidy=true
fix_format=false
jobs=2
files=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --format) run_format=true; run_tidy=false ;;
    --tidy) run_format=false; run_tidy=true ;;
    --fix-format) run_format=true; run_tidy=false; fix_format=true ;;
    --jobs)
      [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || { usage >&2; exit 2; }
      jobs="$2"
      shift
      ;;
    --jobs=*)
      jobs="${1#--jobs=}"
      [[ "${jobs}" =~ ^[1-9][0-9]*$ ]] || { usage >&2; exit 2; }
      ;;
    -h | --help) usage; exit 0 ;;
    -*) log "unknown argument: $1"; usage >&2; exit 2 ;;
    *) files+=("$1") ;;
  esac
  shift
done

cd "${CORIO_ROOT}"

# The LLVM 14 tools of Debian 12 (what .clang-tidy's check list was chosen against);
# an unversioned clang-format/clang-tidy is used only if it is version 14 too.
find_llvm_tool() {
  local name="$1"
  if command -v "${name}-14" >/dev/null 2>&1; then
    echo "${name}-14"
  elif command -v "${name}" >/dev/null 2>&1 &&
    "${name}" --version 2>/dev/null | grep -q 'version 14\.'; then
    echo "${name}"
  else
    return 1
  fi
}

# C++ files under lib/ apps/ test/ fuzz/: git's (tracked and new, not ignored) in a checkout,
# else every file on disk.
cxx_files() {
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files --cached --others --exclude-standard -- \
      'lib/*.hpp' 'lib/*.cpp' 'apps/*.hpp' 'apps/*.cpp' 'test/*.hpp' 'test/*.cpp' \
      'fuzz/*.hpp' 'fuzz/*.cpp' |
      while IFS= read -r f; do [[ -f "${f}" ]] && printf '%s\n' "${f}"; done
  else
    find lib apps test fuzz -type f \( -name '*.hpp' -o -name '*.cpp' \) | sort
  fi
}

status=0

if [[ "${run_format}" == "true" ]]; then
  ensure_packages clang-format-14
  clang_format="$(find_llvm_tool clang-format)"
  mapfile -t sources < <(cxx_files)
  start="$(now_seconds)"
  if [[ "${fix_format}" == "true" ]]; then
    echo "== clang-format: rewriting ${#sources[@]} files in place"
    "${clang_format}" -i "${sources[@]}"
  else
    echo "== clang-format --dry-run --Werror: ${#sources[@]} files"
    if ! "${clang_format}" --dry-run --Werror "${sources[@]}"; then
      mapfile -t unformatted < <("${clang_format}" --dry-run "${sources[@]}" 2>&1 |
        sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: warning: code should be clang-formatted.*/\1/p' |
        sort -u)
      log "clang-format: ${#unformatted[@]} file(s) differ from .clang-format:"
      printf '  %s\n' "${unformatted[@]}" >&2
      log "fix with: scripts/lint.sh --fix-format"
      status=1
    fi
  fi
  echo "== clang-format: $(($(now_seconds) - start)) s"
fi

if [[ "${run_tidy}" == "true" ]]; then
  ensure_packages clang-tidy-14 cmake ninja-build
  clang_tidy="$(find_llvm_tool clang-tidy)"
  start="$(now_seconds)"
  cmake --preset lint >/dev/null
  database="build/lint"
  if [[ ${#files[@]} -eq 0 ]]; then
    # Every library source the build knows (new files join by themselves).
    mapfile -t files < <(python3 -c '
import json, os, sys
root = os.path.realpath(sys.argv[2])
for entry in json.load(open(sys.argv[1])):
    path = os.path.realpath(os.path.join(entry["directory"], entry["file"]))
    rel = os.path.relpath(path, root)
    if rel.startswith("lib/src/") and rel.endswith(".cpp"):
        print(rel)
    elif path.endswith("/header_check/corio_corio_hpp.cpp"):
        print(path)  # the umbrella header alone: every public header, used or not
' "${database}/compile_commands.json" "${CORIO_ROOT}" | sort -u)
  fi
  if [[ ${#files[@]} -eq 0 ]]; then
    log "clang-tidy: no lib/src files in ${database}/compile_commands.json"
    exit 1
  fi
  echo "== ${clang_tidy}: ${#files[@]} files, ${jobs} at a time"
  logs="$(mktemp -d)"
  trap 'rm -rf "${logs}"' EXIT
  # One log per file, printed whole afterwards, so parallel runs do not interleave.
  # clang 14 cannot parse libstdc++ 12's std::source_location: the shim supplies it.
  # shellcheck disable=SC2016 # the $ expressions are the inner sh's
  printf '%s\n' "${files[@]}" |
    xargs -P "${jobs}" -I{} sh -c '
      log="$1/$(printf "%s" "$2" | tr / _).log"
      t0=$(date +%s)
      if "$3" -p "$4" --quiet --use-color=false \
          --extra-arg=-include --extra-arg="$5" "$2" >"${log}" 2>&1; then
        echo "ok $(( $(date +%s) - t0 ))s $2" >>"${log}.status"
      else
        echo "FAILED $(( $(date +%s) - t0 ))s $2" >>"${log}.status"
      fi' sh "${logs}" {} "${clang_tidy}" "${database}" \
    "${CORIO_ROOT}/scripts/lint/clang14-source-location.hpp" || true
  failed=0
  for f in "${files[@]}"; do
    log_file="${logs}/$(printf '%s' "${f}" | tr / _).log"
    result="$(cat "${log_file}.status" 2>/dev/null || echo "FAILED ? ${f}")"
    echo "   ${result}"
    if [[ "${result}" != ok* ]]; then
      failed=$((failed + 1))
      # The findings, without clang-tidy's "N warnings generated" chatter.
      grep -vE '^[0-9]+ (warning|error)s? (and [0-9]+ errors? )?generated\.$' "${log_file}" >&2 || true
    fi
  done
  echo "== clang-tidy: $(($(now_seconds) - start)) s, ${failed} of ${#files[@]} files with findings"
  if [[ ${failed} -gt 0 ]]; then
    status=1
  fi
fi

exit "${status}"
