#!/usr/bin/env bash
# The schedule fuzzer's long run (CI runs seeds 1-500 through ctest): builds
# corio-test-schedule with a preset and runs many seeds, optionally in parallel shards.
# A failing seed prints "schedule fuzzer: seed N failed: ...; replay with <command>".
#
#   scripts/schedule-fuzz.sh                          seeds 1-100000, release, 1 process
#   scripts/schedule-fuzz.sh --seeds 5000 --preset asan --jobs 2
#   scripts/schedule-fuzz.sh --first 200001 --seeds 50000 --debug   (CORIO_DEBUG=1)
#   scripts/schedule-fuzz.sh --seed 322               replay one seed, plan printed
#   scripts/schedule-fuzz.sh --seed 322 --trace       ... and every step as it runs
#   scripts/schedule-fuzz.sh --seeds 20000 --loops 3  multi-loop mode (three loop threads)
#   scripts/schedule-fuzz.sh --seeds 500 --loops 3 --preset tsan
#   scripts/schedule-fuzz.sh --seeds 5000 --real-time  one loop on the real clock (by
#                                                     default one loop is on virtual time)
#
# Options: --seeds N, --first N, --seed N, --loops N (multi-loop mode; a replay of a
# multi-loop seed runs the same plan but may interleave differently), --trace, --real-time,
# --max-failures N (per process, default 10), --preset release|asan|tsan|debug, --jobs N
# (processes over disjoint seed ranges), --debug, --no-build. A seed that hangs (60 s)
# is reported and skipped.
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

seeds=100000
first=1
suite=schedule_fuzz
preset=release
jobs=1
build=true
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seeds | --first | --seed | --preset | --jobs | --max-failures | --loops)
      [[ $# -ge 2 ]] || { usage >&2; exit 2; }
      case "$1" in
        --seeds) seeds="$2" ;;
        --first) first="$2" ;;
        --seed) first="$2"; seeds=1; extra+=(--print-plan) ;;
        --preset) preset="$2" ;;
        --jobs) jobs="$2" ;;
        --max-failures) extra+=(--max-failures "$2") ;;
        --loops) extra+=(--loops "$2"); suite=schedule_fuzz_loops ;;
      esac
      shift
      ;;
    --trace) extra+=(--trace) ;;
    --real-time) extra+=(--real-time) ;;
    --debug) export CORIO_DEBUG=1 ;;
    --no-build) build=false ;;
    -h | --help) usage; exit 0 ;;
    *) log "unknown argument: $1"; usage >&2; exit 2 ;;
  esac
  shift
done

cd "${CORIO_ROOT}"
binary="build/${preset}/bin/corio-test-schedule"
if [[ "${build}" == "true" ]]; then
  ensure_packages "${CORIO_PACKAGES[@]}"
  cmake --preset "${preset}" >/dev/null
  cmake --build --preset "${preset}" --target corio-test-schedule -j 2
fi
[[ -x "${binary}" ]] || { log "no ${binary}; build it or drop --no-build"; exit 1; }

if [[ "${preset}" == asan ]]; then # as the asan test preset in CMakePresets.json
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
  export BOOST_TEST_CATCH_SYSTEM_ERRORS=no
fi
launcher=()
if [[ "${preset}" == tsan ]]; then # as the tsan test preset and scripts/test.sh
  export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1} suppressions=${CORIO_ROOT}/test/tsan.supp"
  export BOOST_TEST_CATCH_SYSTEM_ERRORS=no
  if setarch "$(uname -m)" -R true >/dev/null 2>&1; then # ASLR off: see scripts/test.sh
    launcher=(setarch "$(uname -m)" -R)
  fi
fi

# run_range FIRST COUNT: seeds FIRST .. FIRST+COUNT-1, one process at a time. A seed
# that hangs ends its process with status 3 (naming the seed); the range goes on after it.
run_range() {
  local from="$1" end=$(($1 + $2)) status=0 hung output
  output="$(mktemp)"
  while ((from < end)); do
    set +e
    ${launcher[@]+"${launcher[@]}"} "${binary}" --run_test="${suite}/seeds" --report_level=no -- --first "${from}" \
      --seeds $((end - from)) ${extra[@]+"${extra[@]}"} 2>&1 | tee "${output}"
    local run_status="${PIPESTATUS[0]}"
    set -e
    [[ "${run_status}" -eq 0 ]] || status=1
    hung="$(sed -n 's/^schedule fuzzer: seed \([0-9]*\) failed: no end after.*/\1/p' "${output}")"
    [[ "${run_status}" -eq 3 && -n "${hung}" ]] || break
    from=$((hung + 1))
  done
  rm -f "${output}"
  return "${status}"
}

start="$(now_seconds)"
status=0
if [[ "${jobs}" -le 1 || "${seeds}" -lt "${jobs}" ]]; then
  run_range "${first}" "${seeds}" || status=$?
else
  share=$(((seeds + jobs - 1) / jobs))
  pids=()
  for ((shard = 0; shard < jobs; ++shard)); do
    from=$((first + shard * share))
    count=$((seeds - shard * share < share ? seeds - shard * share : share))
    [[ "${count}" -gt 0 ]] || break
    run_range "${from}" "${count}" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do
    wait "${pid}" || status=1
  done
fi
echo "schedule-fuzz.sh: seeds ${first}..$((first + seeds - 1)), preset ${preset}," \
  "${jobs} job(s), CORIO_DEBUG=${CORIO_DEBUG:-0}: $(($(now_seconds) - start)) s," \
  "$([[ ${status} -eq 0 ]] && echo "no failure" || echo "FAILURES above")"
exit "${status}"
