#!/usr/bin/env bash
# decode --json and decode --summary throughput and peak memory on ~200 MB of NDJSON per vendor,
# side by side with jq -c . and Python's orjson (parse only: the ceiling) over the same files in
# one run; plus one-shot explain start-up against sqlite3. Usage: bench/decode.sh [SIZE_MB]   (writes bench/out/decode-*.md)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-200}
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine
command -v jq >/dev/null || apt-get install -y -qq jq
python3 -c 'import orjson' 2>/dev/null || pip install -q orjson
scripts/build-release >/dev/null
bin=$PWD/.build-release/release/callscope
mkdir -p bench/out
export HOME=$(mktemp -d)
peak() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1; }
report=bench/out/decode.md
echo "| vendor | file MB | decode --json MB/s | decode (rows, summary) MB/s | decode --summary MB/s | jq -c . MB/s | orjson MB/s | --json / jq | --summary / --json | peak RSS --json MB | peak RSS jq MB |" > "$report"
echo "|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" >> "$report"
for vendor in nxlink nxcloud-callbot itniotech alibaba-aiccs; do
    file=bench/out/$vendor-$size.ndjson
    [ -f "$file" ] || python3 bench/gen_ndjson.py "$vendor" "$size" "$file"
    mb=$(du -m "$file" | cut -f1)
    # decode exits 1 when records carry warnings; that is an answer, not a failure here.
    # One warm-up: a new binary first rebuilds its adapter cache, and the file must be in the page cache.
    hyperfine --warmup 1 --runs 2 -i --output=null --export-json bench/out/decode-$vendor.json \
        "$bin decode @$file --json" "$bin decode @$file" "$bin decode @$file --summary" "jq -c . $file" \
        "python3 -c 'import orjson,sys
for l in open(sys.argv[1],\"rb\"): orjson.loads(l)' $file" >/dev/null
    read -r ours rows summary theirs py < <(python3 -c "
import json; r=json.load(open('bench/out/decode-$vendor.json'))['results']
print(' '.join(str(x['mean']) for x in r))")
    mem_ours=$(peak "$bin" decode @"$file" --json)
    mem_jq=$(peak jq -c . "$file")
    python3 - "$vendor" "$mb" "$ours" "$rows" "$summary" "$theirs" "$py" "$mem_ours" "$mem_jq" >> "$report" <<'PY'
import sys
v, mb, o, r, s, j, p, mo, mj = sys.argv[1], float(sys.argv[2]), *map(float, sys.argv[3:8]), int(sys.argv[8]), int(sys.argv[9])
print(f"| {v} | {mb:.0f} | {mb/o:.1f} | {mb/r:.1f} | {mb/s:.1f} | {mb/j:.1f} | {mb/p:.1f} | {j/o:.2f}x | {o/s:.1f}x | {mo/1024:.0f} | {mj/1024:.0f} |")
PY
done
hyperfine --warmup 5 --runs 50 -N --export-markdown bench/out/explain-startup.md \
    "$bin explain 17" "sqlite3 :memory: 'select 1'" >/dev/null
cat "$report" bench/out/explain-startup.md
