#!/usr/bin/env bash
# README command 2: build and test. Locally: the release preset, nothing else. In CI
# (CI=true or --ci), in this order, stopping at the first failure:
#   lint     scripts/lint.sh: clang-format check, clang-tidy on lib/
#   release  configure, build, every ctest
#   asan     the same under ASan + UBSan (LeakSanitizer on)
#   tsan     TSan build of the test executables that start threads; the ctests
#            labelled `threads` (to_thread, submit, the apps' thread modes, the server)
#   fuzz     scripts/fuzz.sh --seconds 60 (libFuzzer on the flags server)
# and a wall-time table at the end. g++ 12 builds release and tsan, clang 19 asan and
# fuzz. Every preset sets CORIO_WARNINGS_AS_ERRORS=ON (CMakePresets.json), so a warning
# fails here exactly as it fails in CI, and this reuses the quickstart's release build.
#
#   scripts/test.sh                  release
#   scripts/test.sh --ci             lint, release, asan, tsan, fuzz
#   scripts/test.sh --preset tsan    just that preset (repeatable; in the order given)
#   scripts/test.sh --lint           lint, then the presets asked for (or release)
#   scripts/test.sh --fuzz           the presets asked for (or release), then fuzz
#   scripts/test.sh --fuzz-seconds N how long the fuzz step runs (default 60)
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ci="${CI:-false}"
lint=false
fuzz=false
fuzz_seconds=60
presets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --ci) ci=true ;;
    --lint) lint=true ;;
    --fuzz) fuzz=true ;;
    --fuzz-seconds)
      [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || { usage >&2; exit 2; }
      fuzz_seconds="$2"
      shift
      ;;
    --preset)
      [[ $# -ge 2 ]] || { usage >&2; exit 2; }
      presets+=("$2")
      shift
      ;;
    --preset=*) presets+=("${1#--preset=}") ;;
    -h | --help) usage; exit 0 ;;
    *) log "unknown argument: $1"; usage >&2; exit 2 ;;
  esac
  shift
done

if [[ "${ci}" == "true" ]]; then
  lint=true
  fuzz=true
  if [[ ${#presets[@]} -eq 0 ]]; then
    presets=(release asan tsan)
  fi
fi
if [[ ${#presets[@]} -eq 0 ]]; then
  presets=(release)
fi

cd "${CORIO_ROOT}"
ensure_packages "${CORIO_PACKAGES[@]}"

if command -v ccache >/dev/null 2>&1; then
  ccache --zero-stats >/dev/null || true
fi

ctest_log="$(mktemp)"
times_file="$(mktemp)"
trap 'rm -f "${ctest_log}" "${times_file}"' EXIT

# TSan (g++ 12's libtsan) aborts with "FATAL: ThreadSanitizer: unexpected memory
# mapping" on kernels whose ASLR uses more mmap randomisation bits than it expects
# (vm.mmap_rnd_bits > 28, the default of recent distribution kernels). Running the
# tests with ASLR off for their process tree avoids it; setarch -R does that without
# root. Where setarch is missing or refused (seccomp), the tests run as they are.
tsan_launcher=()
if setarch "$(uname -m)" -R true >/dev/null 2>&1; then
  tsan_launcher=(setarch "$(uname -m)" -R)
fi

# The steps run as `step || status=$?`, where bash ignores set -e inside them: each
# command that can fail returns explicitly.
run_preset() {
  local preset="$1"
  echo "== ${preset}: configure"
  cmake --preset "${preset}" || return
  echo "== ${preset}: build"
  cmake --build --preset "${preset}" -j 2 || return
  echo "== ${preset}: test"
  local launcher=()
  if [[ "${preset}" == "tsan" ]]; then
    launcher=(${tsan_launcher[@]+"${tsan_launcher[@]}"})
  fi
  # ${launcher[@]+...}: bash before 4.4 calls an empty array unbound under set -u.
  ${launcher[@]+"${launcher[@]}"} ctest --preset "${preset}" | tee -a "${ctest_log}" || return
}

run_lint() {
  bash scripts/lint.sh
}

run_fuzz() {
  bash scripts/fuzz.sh --seconds "${fuzz_seconds}"
}

steps=()
if [[ "${lint}" == "true" ]]; then
  steps+=(lint)
fi
steps+=("${presets[@]}")
if [[ "${fuzz}" == "true" ]]; then
  steps+=(fuzz)
fi

# cpu_seconds: CPU seconds (user + system) of every child process this shell has
# waited for, the compilers under ninja included; unlike wall time, barely moved by
# other load. Sets `cpu`: `times` must run in this shell, not in a $(...) subshell.
cpu_seconds() {
  times >"${times_file}"
  cpu="$(awk 'NR == 2 {
    split($1, u, /[ms]/); split($2, s, /[ms]/)
    printf "%d\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "${times_file}")"
}

timings=()
failed=""
total_start="$(now_seconds)"
cpu_seconds
total_cpu_start="${cpu}"
for step in "${steps[@]}"; do
  start="$(now_seconds)"
  cpu_seconds
  cpu_start="${cpu}"
  status=0
  case "${step}" in
    lint) run_lint || status=$? ;;
    fuzz) run_fuzz || status=$? ;;
    *) run_preset "${step}" || status=$? ;;
  esac
  elapsed=$(($(now_seconds) - start))
  cpu_seconds
  cpu=$((cpu - cpu_start))
  if [[ ${status} -ne 0 ]]; then
    timings+=("$(printf '%-8s %6d s %7d s  FAILED (exit %d)' "${step}" "${elapsed}" "${cpu}" "${status}")")
    failed="${step}"
    break
  fi
  timings+=("$(printf '%-8s %6d s %7d s' "${step}" "${elapsed}" "${cpu}")")
done

echo
echo "== time per step ($(nproc) cores; load average now $(cut -d' ' -f1-3 /proc/loadavg))"
printf '   %-8s %8s %9s\n' step wall cpu
printf '   %s\n' "${timings[@]}"
cpu_seconds
printf '   %-8s %6d s %7d s\n' total "$(($(now_seconds) - total_start))" \
  "$((cpu - total_cpu_start))"
if command -v ccache >/dev/null 2>&1; then
  ccache --show-stats 2>/dev/null | grep -Ei '^ *(hits|misses|cache hit|cache miss)' || true
fi

if [[ -n "${failed}" ]]; then
  log "== ${failed} failed"
  exit 1
fi

# One closing line over every ctest run above (each ctest's own summary is above it).
read -r passed failed_tests < <(awk '
  / tests passed, [0-9]+ tests? failed out of [0-9]+/ {
    for (i = 1; i <= NF; i++) {
      if ($i == "failed" && $(i + 1) == "out") { f += $(i - 2); n += $(i + 3) }
    }
  }
  END { print n - f, f + 0 }' "${ctest_log}")
echo "tests: ${passed} passed, ${failed_tests} failed"
