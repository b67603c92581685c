#!/usr/bin/env bash
# kmsconf load against wrk in the same run, on loopback (docs/benchmarks.md):
#   1. nginx serves a small static JSON; wrk and `kmsconf load --dialect none` (closed loop, same
#      connections and threads, same duration) each measure it; prints both rates and the ratio.
#   2. `kmsconf serve` (throttling lifted) answers a pre-signed Volcengine Encrypt replayed by wrk,
#      and `kmsconf load --dialect volcengine --op Encrypt` signing every request; prints both.
# Each pair runs ROUNDS times, alternating the two tools so drift on a shared machine hits both;
# the medians and their ratio are printed.
# Usage: bench/compare-wrk.sh [BUILD_DIR]   env: THREADS (2) CONNECTIONS (64) DURATION (10s) ROUNDS (3)
set -euo pipefail

BUILD_DIR=${1:-build}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
KMSCONF=$(realpath "$BUILD_DIR/cli/kmsconf")
[ -x "$KMSCONF" ] || { echo "compare-wrk: build first ($BUILD_DIR/cli/kmsconf is missing)" >&2; exit 2; }

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "compare-wrk: nothing listens on 127.0.0.1:$1" >&2; exit 3
}
wrk_rate() { awk '/^Requests\/sec:/ {print $2}'; }
result_rate() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["requests_per_second"])' "$1"; }
median() { python3 -c 'import statistics,sys; print(f"{statistics.median(map(float, sys.argv[1:])):.0f}")' "$@"; }
ratio() { python3 -c 'import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f"{a/b:.3f}" if b else "n/a")' "$1" "$2"; }

echo "compare-wrk: $THREADS threads, $CONNECTIONS connections, $DURATION each, on $(nproc) cores"

# ---- 1. static JSON from nginx: wrk vs kmsconf load --dialect none ----
NGINX_PORT=$(free_port)
mkdir -p "$WORK/html"
printf '{"ResponseMetadata":{"RequestId":"static"},"Result":{"ok":true}}\n' > "$WORK/html/kms.json"
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
daemon off;
error_log $WORK/nginx-error.log;
pid $WORK/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$NGINX_PORT; root $WORK/html; }
}
CONF
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" & PIDS+=($!)
wait_port "$NGINX_PORT"
URL="http://127.0.0.1:$NGINX_PORT/kms.json"
WRK_STATIC=(); KMS_STATIC=()
for round in $(seq 1 "$ROUNDS"); do
  WRK_STATIC+=("$(wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" "$URL" | wrk_rate)")
  "$KMSCONF" load --dialect none --endpoint "$URL" --connections "$CONNECTIONS" --threads "$THREADS" \
    --duration "$DURATION" --out "$WORK/static.json" --progress-every 3600 > "$WORK/static.log"
  KMS_STATIC+=("$(result_rate "$WORK/static.json")")
done
echo "static nginx rounds: wrk ${WRK_STATIC[*]}; kmsconf load ${KMS_STATIC[*]}"
WRK_STATIC=$(median "${WRK_STATIC[@]}"); KMS_STATIC=$(median "${KMS_STATIC[@]}")
echo "static nginx (median): wrk $WRK_STATIC req/s, kmsconf load $KMS_STATIC req/s, ratio $(ratio "$KMS_STATIC" "$WRK_STATIC")"

# ---- 2. kmsconf serve: wrk replaying one signed Encrypt vs kmsconf load signing each ----
SERVE_PORT=$(free_port)
printf '{"default":{"rate":1e9,"burst":1e9},"actions":{"Encrypt":{"rate":1e9,"burst":1e9}}}\n' > "$WORK/quotas.json"
"$KMSCONF" serve --listen "127.0.0.1:$SERVE_PORT" --quotas "$WORK/quotas.json" \
  --credentials-out "$WORK/creds.json" > "$WORK/serve.log" 2>&1 & PIDS+=($!)
wait_port "$SERVE_PORT"
# --credentials-out writes kmsconf test's credentials format, which kmsconf load reads too.
SERVE_URL="http://127.0.0.1:$SERVE_PORT"
"$KMSCONF" load --endpoint "$SERVE_URL" --credentials "$WORK/creds.json" --op Encrypt \
  --connections 1 --duration 1s --save-request "$WORK/request.json" > /dev/null
python3 - "$WORK/request.json" "$WORK/replay.lua" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
lua = lambda s: '"' + s.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n') + '"'
path = r["path"] + ("?" + r["query"] if r["query"] else "")
lines = [f'wrk.method = {lua(r["method"])}', f'wrk.path = {lua(path)}', f'wrk.body = {lua(r["body"])}']
lines += [f'wrk.headers[{lua(k)}] = {lua(v)}' for k, v in r["headers"].items() if k.lower() != "host"]
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PY
WRK_SIGNED=(); KMS_SIGNED=()
for round in $(seq 1 "$ROUNDS"); do
  WRK_SIGNED+=("$(wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" -s "$WORK/replay.lua" "$SERVE_URL" | wrk_rate)")
  "$KMSCONF" load --endpoint "$SERVE_URL" --credentials "$WORK/creds.json" --op Encrypt \
    --connections "$CONNECTIONS" --threads "$THREADS" --duration "$DURATION" \
    --out "$WORK/signed.json" --progress-every 3600 > "$WORK/signed.log"
  KMS_SIGNED+=("$(result_rate "$WORK/signed.json")")
done
OK_SIGNED=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["outcomes"]["ok"])' "$WORK/signed.json")
echo "signed Encrypt rounds: wrk ${WRK_SIGNED[*]}; kmsconf load ${KMS_SIGNED[*]} (last run: $OK_SIGNED ok)"
WRK_SIGNED=$(median "${WRK_SIGNED[@]}"); KMS_SIGNED=$(median "${KMS_SIGNED[@]}")
echo "signed Encrypt (median): wrk replay $WRK_SIGNED req/s, kmsconf load $KMS_SIGNED req/s, ratio $(ratio "$KMS_SIGNED" "$WRK_SIGNED")"
