#!/usr/bin/env bash
# Fuzz corio-flags-server's request handling (fuzz/flags_request_fuzzer.cpp) with
# libFuzzer for a bounded time: configure the asan preset (clang 19, ASan + UBSan) with
# -DCORIO_FUZZ=ON, build the harness there (it reuses that build's libcorio, so after
# the asan tests only the harness compiles), run it over a copy of the seed corpus
# test/fuzz/, print the executions. Exits non-zero on a crash, a failed check, a leak,
# a timeout (-timeout) or too much memory (-rss_limit_mb); the input is then saved in
# build/asan/fuzz-run/artifacts/ and can be replayed with
# `build/asan/bin/corio-flags-fuzzer <file>`. Inputs that once failed belong in
# test/fuzz/ (named regression_*), so every later run replays them first.
#
#   scripts/fuzz.sh                  60 seconds
#   scripts/fuzz.sh --seconds 600    longer
#   scripts/fuzz.sh --build DIR      configure the asan preset in DIR instead of build/asan
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

seconds=60
build_dir="${CORIO_ROOT}/build/asan"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds)
      [[ $# -ge 2 ]] || { usage >&2; exit 2; }
      seconds="$2"
      shift
      ;;
    --seconds=*) seconds="${1#--seconds=}" ;;
    --build)
      [[ $# -ge 2 ]] || { usage >&2; exit 2; }
      build_dir="$2"
      shift
      ;;
    --build=*) build_dir="${1#--build=}" ;;
    -h | --help) usage; exit 0 ;;
    *) log "unknown argument: $1"; usage >&2; exit 2 ;;
  esac
  shift
done
if ! [[ "${seconds}" =~ ^[1-9][0-9]*$ ]]; then
  log "--seconds wants a whole number of seconds, not '${seconds}'"
  exit 2
fi

# clang-19 and its libFuzzer/sanitizer runtimes (libclang-rt-19-dev) are in the list.
ensure_packages "${CORIO_PACKAGES[@]}"

build_dir="$(realpath -m "${build_dir}")" # before the cd below
start="$(now_seconds)"
cd "${CORIO_ROOT}"
echo "== fuzz: configure ${build_dir} (asan preset, CORIO_FUZZ=ON)"
cmake --preset asan -B "${build_dir}" -DCORIO_FUZZ=ON >/dev/null
echo "== fuzz: build"
cmake --build "${build_dir}" --target corio-flags-fuzzer -j 2
built="$(now_seconds)"

# libFuzzer adds what it finds to the corpus directory: work on a copy.
work_dir="${build_dir}/fuzz-run"
corpus="${work_dir}/corpus"
artifacts="${work_dir}/artifacts"
rm -rf "${corpus}" "${artifacts}"
mkdir -p "${corpus}" "${artifacts}"
cp "${CORIO_ROOT}"/test/fuzz/* "${corpus}/"
seeds="$(find "${corpus}" -type f | wc -l)"

echo "== fuzz: ${seconds} s over ${seeds} seed inputs"
log_file="${work_dir}/fuzz.log"
status=0
ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}" \
  "${build_dir}/bin/corio-flags-fuzzer" \
  -max_total_time="${seconds}" \
  -timeout=20 \
  -rss_limit_mb=2048 \
  -max_len=16384 \
  -dict="${CORIO_ROOT}/fuzz/http.dict" \
  -artifact_prefix="${artifacts}/" \
  -print_final_stats=1 \
  "${corpus}" >"${log_file}" 2>&1 || status=$?

grep -vE '^#[0-9]+[[:space:]]+(NEW|REDUCE)' "${log_file}" | tail -n 25
runs="$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "${log_file}" | tail -n 1)"
coverage="$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "${log_file}" | tail -n 1)"
echo
echo "== fuzz: ${runs:-0} executions in ${seconds} s (${coverage:-no coverage line}); corpus" \
  "${seeds} -> $(find "${corpus}" -type f | wc -l) inputs;" \
  "build $((built - start)) s, total $(($(now_seconds) - start)) s"
if [[ "${status}" -ne 0 ]]; then
  echo "== fuzz: FAILED (exit ${status}); the input is in ${artifacts}/:"
  ls -l "${artifacts}"
  echo "   replay: ${build_dir}/bin/corio-flags-fuzzer ${artifacts}/<file>; full log ${log_file}"
  exit 1
fi
