#!/usr/bin/env bash
# Soak test of corio-flags-server (not run by CI; minutes long): a release-built
# server under N concurrent keep-alive clients (corio-flags-soak: one corio task per
# client, random disconnects) for S seconds. Samples the server's open file
# descriptors (/proc/PID/fd) and memory (VmRSS, VmHWM) before, during and after, then
# prints requests served, errors by kind, peak RSS, and the fd count before and after.
# Exits 1 if the server's fd count does not come back to where it started once the
# clients are gone (a leak), or if the server or the client fails.
#
#   scripts/soak.sh                            10,000 clients, 180 s
#   scripts/soak.sh --clients 1000 --seconds 30
#   scripts/soak.sh --build DIR                build in DIR instead of build/release
#   scripts/soak.sh --no-build                 use the binaries already in DIR/bin
#   scripts/soak.sh -- --pause 20 --seed 7     the rest goes to corio-flags-soak
#
# Both processes raise their open-file limit to the hard limit (ulimit -Hn); below
# clients + 64 the script says so and the connects beyond it fail. Traffic stays on
# 127.0.0.1.
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

clients=10000
seconds=180
build_dir="${CORIO_ROOT}/build/release"
build=true
client_options=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --)
      shift
      client_options=("$@")
      break
      ;;
    --clients | --seconds | --build)
      [[ $# -ge 2 ]] || { usage >&2; exit 2; }
      case "$1" in
        --clients) clients="$2" ;;
        --seconds) seconds="$2" ;;
        --build) build_dir="$2" ;;
      esac
      shift
      ;;
    --no-build) build=false ;;
    -h | --help) usage; exit 0 ;;
    *) log "unknown argument: $1"; usage >&2; exit 2 ;;
  esac
  shift
done
for value in "${clients}" "${seconds}"; do
  [[ "${value}" =~ ^[1-9][0-9]*$ ]] || { log "not a positive whole number: ${value}"; exit 2; }
done

if [[ "${build}" == "true" ]]; then
  ensure_packages "${CORIO_PACKAGES[@]}"
  cmake -S "${CORIO_ROOT}" -B "${build_dir}" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "${build_dir}" --target corio-flags-server corio-flags-soak -j 2
fi
server_bin="${build_dir}/bin/corio-flags-server"
soak_bin="${build_dir}/bin/corio-flags-soak"
for binary in "${server_bin}" "${soak_bin}"; do
  [[ -x "${binary}" ]] || { log "no ${binary}; build it or drop --no-build"; exit 1; }
done

hard_limit="$(ulimit -Hn)"
if [[ "${hard_limit}" != unlimited && "${hard_limit}" -lt $((clients + 64)) ]]; then
  log "soak: the hard open-file limit (${hard_limit}) is below ${clients} clients + 64:" \
    "connects beyond it will fail; raise it (e.g. in /etc/security/limits.conf) or use" \
    "fewer --clients"
fi
ulimit -n "${hard_limit}"

work="$(mktemp -d)"
server=""
cleanup() {
  if [[ -n "${server}" ]] && kill -0 "${server}" 2>/dev/null; then
    kill -TERM "${server}" 2>/dev/null || true
  fi
  rm -rf "${work}"
}
trap cleanup EXIT

fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
kib() { sed -nE "s/^$2:[[:space:]]+([0-9]+) kB/\1/p" "/proc/$1/status"; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
sample() { # label
  printf '   %-8s %6ss  server fds %6s  RSS %9s  peak %9s\n' "$1" \
    "$(($(now_seconds) - start))" "$(fds "${server}")" "$(mb "$(kib "${server}" VmRSS)")" \
    "$(mb "$(kib "${server}" VmHWM)")"
}

# Idle connections must survive the pauses; the slot limit must not turn clients away
# while a reconnecting client's old connection is still being closed.
"${server_bin}" --port 0 --max-connections $((clients * 2)) --idle-timeout 60 \
  >"${work}/server.out" 2>"${work}/server.err" &
server=$!
for _ in $(seq 100); do
  [[ -s "${work}/server.out" ]] && break
  sleep 0.1
done
url="$(head -n 1 "${work}/server.out" | sed -n 's/^listening on //p')"
[[ -n "${url}" ]] || { log "soak: the server did not start:"; cat "${work}/server.err" >&2; exit 1; }

start="$(now_seconds)"
echo "== soak: ${clients} clients for ${seconds} s against ${url} (server pid ${server})"
fds_before="$(fds "${server}")"
rss_before="$(kib "${server}" VmRSS)"
sample before

"${soak_bin}" --server "${url}" --clients "${clients}" --seconds "${seconds}" \
  ${client_options[@]+"${client_options[@]}"} >"${work}/soak.out" 2>"${work}/soak.err" &
client=$!
peak_fds="${fds_before}"
next_sample=$((start + 30))
while kill -0 "${client}" 2>/dev/null; do
  sleep 5
  kill -0 "${client}" 2>/dev/null || break
  now_fds="$(fds "${server}")"
  if ((now_fds > peak_fds)); then peak_fds="${now_fds}"; fi
  if (($(now_seconds) >= next_sample)); then
    sample during
    next_sample=$((next_sample + 30))
  fi
done
client_status=0
wait "${client}" || client_status=$?

# The clients are gone: every connection of theirs must close on the server's side.
fds_after="$(fds "${server}")"
for _ in $(seq 60); do
  [[ "${fds_after}" -le "${fds_before}" ]] && break
  sleep 0.5
  fds_after="$(fds "${server}")"
done
sample after
rss_after="$(kib "${server}" VmRSS)"
rss_peak="$(kib "${server}" VmHWM)"

kill -TERM "${server}"
server_status=0
wait "${server}" || server_status=$?
[[ "${server_status}" -eq 143 ]] && server_status=0 # stopped by our SIGTERM: its graceful exit
server=""

echo
echo "== soak client"
cat "${work}/soak.out"
sed 's/^/   stderr: /' "${work}/soak.err"
echo "== server"
tail -n 1 "${work}/server.out"
sed 's/^/   stderr: /' "${work}/server.err"
echo
echo "== soak: server RSS $(mb "${rss_before}") before, $(mb "${rss_peak}") peak," \
  "$(mb "${rss_after}") after; fds ${fds_before} before, ${peak_fds} peak, ${fds_after} after;" \
  "$(($(now_seconds) - start)) s"

status=0
if [[ "${fds_after}" -ne "${fds_before}" ]]; then
  echo "== soak: FAILED: the server holds ${fds_after} fds after the clients left, ${fds_before} before"
  status=1
fi
if [[ "${client_status}" -ne 0 || "${server_status}" -ne 0 ]]; then
  echo "== soak: FAILED: corio-flags-soak exited ${client_status}, corio-flags-server ${server_status}"
  status=1
fi
exit "${status}"
