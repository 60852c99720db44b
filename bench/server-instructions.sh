#!/usr/bin/env bash
# Instructions per request of `listen` and `mock nxlink` (valgrind callgrind; counters zeroed once
# the server is up, so start-up is not counted): unlike requests per second, the counts do not
# depend on the machine's load.
# Usage: [CONNECTIONS=N] bench/server-instructions.sh [SECONDS]   (writes bench/out/server-instructions.md;
# 4 connections by default, 32 as in bench/listen.sh and bench/mock.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
duration=${1:-10}
for tool in wrk valgrind; do command -v $tool >/dev/null || apt-get install -y -qq wrk valgrind >/dev/null; done
swift build -c release >/dev/null
work=$(mktemp -d); echo "work: $work" >&2
# valgrind cannot read the executable's packed relocations; a stripped copy it can.
strip --strip-debug -o "$work/cs" .build/release/callscope
export HOME=$work XDG_DATA_HOME=$work XDG_CACHE_HOME=$work/cache
server=
trap '[ -n "$server" ] && kill -INT $server 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

# measure NAME URL WRK_SCRIPT ARGS…: requests answered and instructions per request.
measure() {
    local name=$1 url=$2 script=$3; shift 3
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.$name" "$work/cs" --plugins plugins "$@" \
        2>"$work/$name.log" >/dev/null &
    server=$!
    # "listening on": valgrind's own banner names the command too, so "mock" alone matched at once.
    for _ in $(seq 1 600); do grep -q "listening on" "$work/$name.log" 2>/dev/null && break; sleep 0.1; done
    sleep 2
    # One warm-up request, then counters from zero: only request handling is counted.
    wrk -t1 -c1 -d1s -s "$script" "$url" >/dev/null
    callgrind_control -z $server >/dev/null
    local requests
    requests=$(wrk -t1 -c"${CONNECTIONS:-4}" -d"${duration}s" -s "$script" "$url" | awk '/requests in/ {print $1}')
    callgrind_control -d $server >/dev/null
    kill -INT $server; wait $server 2>/dev/null || true
    server=
    local total
    # The dump taken right after the run (the file written at exit holds the shutdown).
    total=$(awk '/^summary:/ {print $2}' "$work/cg.$name.1")
    echo "$name $requests $total"
}

callback_post plugins/nxlink/fixtures/callback-seed.json "$work/post.lua"
signed_nxlink_request "$work/cs" '{"taskId":"t1","pageNumber":1,"pageSize":10}' "$work/request.lua"

results=()
results+=("$(measure listen http://127.0.0.1:18390/hook "$work/post.lua" listen --port 18390 --quiet)")
results+=("$(measure mock http://127.0.0.1:18391/openapi/aiagent/call/list "$work/request.lua" mock nxlink --port 18391 --quiet)")

mkdir -p bench/out
printf '%s\n' "${results[@]}" | python3 -c '
import sys
print("| server | requests counted | instructions per request |")
print("|:---|---:|---:|")
names = {"listen": "listen (NXLink callback, decoded, stored, synchronous commit)", "mock": "mock nxlink (call/list, signature checked, page of 10)"}
for line in sys.stdin:
    name, requests, total = line.split()
    print(f"| {names[name]} | {int(requests):,} | {int(total) / int(requests):,.0f} |")
' | tee bench/out/server-instructions.md
