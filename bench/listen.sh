#!/usr/bin/env bash
# Durable deliveries per second: wrk POSTing a callback body to `listen` (each synced to the
# store's pending file before the 200, then filled into SQLite), side by side with nginx answering
# 200, in one run, at 4, 32 and 128 connections (or those given).
# Usage: bench/listen.sh [SECONDS [CONNECTIONS...]]   (CALLSCOPE=path runs that binary instead of
# building this checkout: an earlier commit's, side by side)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
duration=${1:-10}
shift || true
counts=(4 32 128)
[ $# -eq 0 ] || counts=("$@")
for tool in wrk nginx; do command -v $tool >/dev/null || apt-get install -y -qq wrk nginx-light >/dev/null; done
if [ -n "${CALLSCOPE:-}" ]; then bin=$(realpath "$CALLSCOPE"); else swift build -c release >/dev/null; bin=$PWD/.build/release/callscope; fi
work=$(mktemp -d)
listen_port=18290; nginx_port=18291
start_nginx "$work" $nginx_port '{"code":0}'
XDG_DATA_HOME=$work HOME=$work "$bin" --plugins plugins listen --port $listen_port --quiet 2>"$work/listen.log" &
listener=$!
trap 'kill -INT $listener 2>/dev/null || true; stop_nginx "$work"; sleep 1; rm -rf "$work"' EXIT
sleep 1
callback_post plugins/nxlink/fixtures/callback-seed.json "$work/post.lua"
run() { wrk -t2 -c"$2" -d"${duration}s" -s "$work/post.lua" "$1" | awk '/Requests\/sec/ {print $2}'; }
# 4 connections: a vendor pushing a few at a time (latency-bound); 32: a burst; 128: many
# pushes at once (group commit's batches grow with them).
results=()
for connections in "${counts[@]}"; do
  results+=("$connections" "$(run "http://127.0.0.1:$listen_port/hook" $connections)" "$(run "http://127.0.0.1:$nginx_port/hook" $connections)")
done
kill -INT $listener; wait $listener 2>/dev/null || true
stored=$(XDG_DATA_HOME=$work HOME=$work "$bin" --plugins plugins captures --limit 1 --json | python3 -c 'import json,sys; c=json.load(sys.stdin)["captures"]; print(c[0]["id"] if c else 0)')
mkdir -p bench/out
python3 - "$stored" "$duration" "${results[@]}" <<'PY' | tee bench/out/listen.md
import sys
stored, seconds, rows = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
print("| connections | callscope listen (decoded, synced to disk before the 200) | nginx answering 200 | listen vs nginx |")
print("|---:|---:|---:|---:|")
for i in range(0, len(rows), 3):
    connections, listen, nginx = int(rows[i]), float(rows[i + 1]), float(rows[i + 2])
    print(f"| {connections} | {listen:,.0f} | {nginx:,.0f} | {listen / nginx:.0%} |")
print(f"\n{stored:,} deliveries in the store after the runs ({seconds} s each).")
PY
