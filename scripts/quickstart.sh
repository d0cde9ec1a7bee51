#!/usr/bin/env bash
# README command 1: install what is missing, build the release preset, and show the
# spinner twice: as a corio task on one thread, then the classic OS-thread version.
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "${CORIO_ROOT}"

ensure_packages "${CORIO_PACKAGES[@]}"

cmake --preset release
cmake --build --preset release -j 2

spinner="build/release/bin/corio-spinner"
if [[ ! -x "${spinner}" ]]; then
  log "error: ${spinner} was not built"
  exit 1
fi

echo
echo "== coroutine: one thread; the spinner is a task cancelled with cancel() when slow() returns"
"${spinner}" --mode coroutine
echo
echo "== thread: the classic version; the spinner runs on a second OS thread, told to stop through a shared flag"
"${spinner}" --mode thread
