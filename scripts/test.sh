#!/usr/bin/env bash
# README command 2: build and test. Locally: the release preset. In CI (CI=true or
# --ci): release, then asan (ASan + UBSan). Every preset is built with
# CORIO_WARNINGS_AS_ERRORS=ON, so a warning fails here exactly as it fails in CI.
#
#   scripts/test.sh                  release
#   scripts/test.sh --ci             release + asan
#   scripts/test.sh --preset tsan    just that preset (repeatable)
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
}

ci="${CI:-false}"
presets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --ci) ci=true ;;
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

if [[ ${#presets[@]} -eq 0 ]]; then
  presets=(release)
  if [[ "${ci}" == "true" ]]; then
    presets+=(asan)
  fi
fi

cd "${CORIO_ROOT}"
ensure_packages "${CORIO_PACKAGES[@]}"

if command -v ccache >/dev/null 2>&1; then
  ccache --zero-stats >/dev/null || true
fi

timings=()
for preset in "${presets[@]}"; do
  start="$(now_seconds)"
  echo "== ${preset}: configure"
  cmake --preset "${preset}" -DCORIO_WARNINGS_AS_ERRORS=ON
  echo "== ${preset}: build"
  cmake --build --preset "${preset}" -j 2
  echo "== ${preset}: test"
  ctest --preset "${preset}"
  timings+=("${preset}: $(($(now_seconds) - start)) s")
done

echo
echo "== wall time per preset"
printf '   %s\n' "${timings[@]}"
if command -v ccache >/dev/null 2>&1; then
  ccache --show-stats 2>/dev/null | grep -Ei '^ *(hits|misses|cache hit|cache miss)' || true
fi
