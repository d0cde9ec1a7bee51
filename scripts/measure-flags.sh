#!/usr/bin/env bash
# Measures the flags downloader's three modes against a local corio-flags-server:
# wall time and peak RSS (GNU time) for the 20 default flags at --delay 0.5, and for
# --every (676 requests) at --delay 0.1. Usage: scripts/measure-flags.sh [BIN_DIR]
# (default build/release/bin). The README's fan-out table comes from this script.
set -euo pipefail
bin="${1:-build/release/bin}"
server_out="$(mktemp)"
trap 'rm -f "${server_out}"' EXIT

start_server() { # delay
  "${bin}/corio-flags-server" --port 0 --delay "$1" >"${server_out}" &
  server=$!
  for _ in $(seq 50); do
    [[ -s "${server_out}" ]] && break
    sleep 0.1
  done
  url="$(head -1 "${server_out}" | sed 's/^listening on //')"
}

measure() { # label, downloader arguments...
  local label="$1"
  shift
  local summary
  summary="$({ /usr/bin/time -f '%e s wall, %M KB peak RSS' "${bin}/corio-flags" "$@" --server "${url}" >/dev/null; } 2>&1 | tail -1)"
  printf '%-45s %s\n' "${label}" "${summary}"
}

start_server 0.5
for mode in "sequential" "threadpool --concurrency 20" "coroutine --concurrency 20"; do
  # shellcheck disable=SC2086
  measure "20 flags, delay 0.5: ${mode}" --mode ${mode}
done
kill -TERM "${server}"
wait "${server}" || true

start_server 0.1
for mode in "sequential" "threadpool --concurrency 100" "threadpool --concurrency 676" \
  "coroutine --concurrency 100" "coroutine --concurrency 676"; do
  # shellcheck disable=SC2086
  measure "--every (676), delay 0.1: ${mode}" --every --mode ${mode}
done
kill -TERM "${server}"
wait "${server}" || true
