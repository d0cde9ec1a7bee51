#!/usr/bin/env bash
# Shared by the README commands (quickstart.sh, test.sh): the repository root, the
# Debian packages corio needs, and a check that installs them (as root) or says how.
# Source it; do not run it.

# shellcheck disable=SC2034 # used by the scripts that source this file
CORIO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Everything the build needs; all Debian 12 packages, nothing downloaded at build time.
CORIO_PACKAGES=(
  g++
  cmake
  ninja-build
  ccache
  pkg-config
  libboost1.81-dev
  libboost-test1.81-dev
  libspdlog-dev
  libfmt-dev
  libcli11-dev
  nlohmann-json3-dev
  libboost-url1.81-dev
  python3
  clang-19
  libclang-rt-19-dev
)

log() {
  printf '%s\n' "$*" >&2
}

# usage: prints the running script's header comment (its --help text), from the line
# after the #! to the first line that is not a comment.
usage() {
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"
}

# ensure_packages [PACKAGE...]: defaults to CORIO_PACKAGES. Installs what is missing
# when run as root; otherwise prints the exact command and fails.
ensure_packages() {
  local packages=("$@")
  if [[ ${#packages[@]} -eq 0 ]]; then
    packages=("${CORIO_PACKAGES[@]}")
  fi
  local missing=()
  local pkg status
  for pkg in "${packages[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "${pkg}" 2>/dev/null || true)"
    if [[ "${status}" != "install ok installed" ]]; then
      missing+=("${pkg}")
    fi
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    return 0
  fi
  if [[ "$(id -u)" -eq 0 ]]; then
    log "== installing missing packages: ${missing[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  else
    log "corio needs these Debian packages: ${missing[*]}"
    log "install them with:"
    log "  sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
}

# now_seconds: wall clock in seconds, for timing steps.
now_seconds() {
  date +%s
}
