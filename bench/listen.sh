#!/usr/bin/env bash
# Durable deliveries per second: wrk POSTing a callback body to `listen` (each stored in SQLite,
# synchronous commit, before the 200), side by side with nginx answering 200, in one run.
# Usage: bench/listen.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
duration=${1:-10}
for tool in wrk nginx; do command -v $tool >/dev/null || apt-get install -y -qq wrk nginx-light >/dev/null; done
swift build -c release >/dev/null
bin=$PWD/.build/release/callscope
work=$(mktemp -d)
listen_port=18290; nginx_port=18291
start_nginx "$work" $nginx_port '{"code":0}'
XDG_DATA_HOME=$work HOME=$work "$bin" --plugins plugins listen --port $listen_port --quiet 2>"$work/listen.log" &
listener=$!
trap 'kill -INT $listener 2>/dev/null || true; stop_nginx "$work"; sleep 1; rm -rf "$work"' EXIT
sleep 1
callback_post plugins/nxlink/fixtures/callback-seed.json "$work/post.lua"
run() { wrk -t2 -c32 -d"${duration}s" -s "$work/post.lua" "$1" | awk '/Requests\/sec/ {print $2}'; }
listen_rps=$(run "http://127.0.0.1:$listen_port/hook")
nginx_rps=$(run "http://127.0.0.1:$nginx_port/hook")
kill -INT $listener; wait $listener 2>/dev/null || true
stored=$(XDG_DATA_HOME=$work HOME=$work "$bin" --plugins plugins captures --limit 1 --json | python3 -c 'import json,sys; c=json.load(sys.stdin)["captures"]; print(c[0]["id"] if c else 0)')
mkdir -p bench/out
python3 - "$listen_rps" "$nginx_rps" "$stored" "$duration" <<'PY' | tee bench/out/listen.md
import sys
listen, nginx, stored, seconds = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print("| server | requests/s | vs nginx |")
print("|:---|---:|---:|")
print(f"| callscope listen (each delivery decoded and stored, synchronous commit, before the 200) | {listen:,.0f} | {listen / nginx:.0%} |")
print(f"| nginx answering 200 | {nginx:,.0f} | 100% |")
print(f"\n{stored:,} deliveries in the store after the {seconds} s run.")
PY
