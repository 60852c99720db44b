#!/usr/bin/env bash
# Requests per second of `mock nxlink` (every request's signature checked) against nginx answering
# a fixed JSON body, with wrk on 127.0.0.1, in one run. Usage: bench/mock.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
duration=${1:-10}
for tool in wrk nginx; do command -v $tool >/dev/null || apt-get install -y -qq wrk nginx-light >/dev/null; done
swift build -c release >/dev/null
bin=$PWD/.build/release/callscope
work=$(mktemp -d)
mock_port=18190; nginx_port=18191
start_nginx "$work" $nginx_port '{"code":0,"message":"success","data":{"total":0,"list":[]}}'
HOME=$work "$bin" --plugins plugins mock nxlink --port $mock_port --quiet 2>"$work/mock.log" &
mock=$!
trap 'kill -INT $mock 2>/dev/null || true; stop_nginx "$work"; rm -rf "$work"' EXIT
sleep 1
body='{"taskId":"t1","pageNumber":1,"pageSize":10}'
signed_nxlink_request "$bin" "$body" "$work/request.lua"
check=$(python3 - "$work/request.lua" "http://127.0.0.1:$mock_port/openapi/aiagent/call/list" "$body" <<'PY'
import re, sys, urllib.request
headers = dict(re.findall(r'\["(.*?)"\] = "(.*?)"', open(sys.argv[1]).read()))
print(urllib.request.urlopen(urllib.request.Request(sys.argv[2], data=sys.argv[3].encode(), headers=headers)).read()[:80].decode())
PY
)
echo "mock answers: $check"
run() { wrk -t2 -c32 -d"${duration}s" -s "$work/request.lua" "$1" | awk '/Requests\/sec/ {print $2}'; }
mock_rps=$(run "http://127.0.0.1:$mock_port/openapi/aiagent/call/list")
nginx_rps=$(run "http://127.0.0.1:$nginx_port/openapi/aiagent/call/list")
mkdir -p bench/out
python3 - "$mock_rps" "$nginx_rps" <<'PY' | tee bench/out/mock.md
import sys
mock, nginx = float(sys.argv[1]), float(sys.argv[2])
print("| server | requests/s | vs nginx |")
print("|:---|---:|---:|")
print(f"| callscope mock nxlink (signature checked, records generated) | {mock:,.0f} | {mock / nginx:.0%} |")
print(f"| nginx, fixed JSON body | {nginx:,.0f} | 100% |")
PY
