#!/usr/bin/env bash
# The decoder's inner loop in instructions per input byte (valgrind callgrind: the count does not
# depend on the machine's load, so it shows regressions a timing would hide), side by side with
# jq -c . and Python's orjson over the same 4 MB of NDJSON per vendor.
# Usage: bench/decode-instructions.sh   (writes bench/out/decode-instructions.md)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || apt-get install -y -qq valgrind
command -v jq >/dev/null || apt-get install -y -qq jq
python3 -c 'import orjson' 2>/dev/null || pip install -q orjson
scripts/build-release >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# valgrind cannot read the executable's packed relocations; a stripped copy it can.
strip -o "$work/callscope" .build-release/release/callscope
export HOME=$work XDG_CACHE_HOME=$work/cache
# (decode exits 1 when records carry warnings: an answer, not a failure here.)
count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>"$work/valgrind.log" >/dev/null || true
    sed -n 's/.*Collected : //p' "$work/valgrind.log"
}
# The interpreter itself: valgrind does not follow pyenv's shim script into it.
python=$(python3 -c 'import sys; print(sys.executable)')
report=bench/out/decode-instructions.md
mkdir -p bench/out
echo "| vendor | MB | decode --json instr/byte | decode --summary instr/byte | jq -c . instr/byte | orjson instr/byte | jq / decode --json |" > "$report"
echo "|:---|---:|---:|---:|---:|---:|---:|" >> "$report"
for vendor in nxlink nxcloud-callbot itniotech alibaba-aiccs; do
    full=bench/out/$vendor-200.ndjson
    [ -f "$full" ] || python3 bench/gen_ndjson.py "$vendor" 200 "$full"
    file=$work/$vendor.ndjson
    head -c 4000000 "$full" | sed '$d' > "$file"
    bytes=$(stat -c %s "$file")
    # Each program's start-up is measured on the first two lines and subtracted.
    head -n 2 "$file" > "$work/base.ndjson"
    base=$(( $(stat -c %s "$work/base.ndjson") ))
    "$work/callscope" --plugins "$PWD/plugins" decode @"$file" --json >/dev/null || true   # writes the adapter cache first
    per_byte() {  # per_byte COMMAND… (the input file is substituted for FILE)
        local a b
        a=$(count "${@/FILE/$file}"); b=$(count "${@/FILE/$work/base.ndjson}")
        python3 -c "print(f'{(${a//,/} - ${b//,/}) / ($bytes - $base):.1f}')"
    }
    ours=$(per_byte "$work/callscope" --plugins "$PWD/plugins" decode @FILE --json)
    summary=$(per_byte "$work/callscope" --plugins "$PWD/plugins" decode @FILE --summary)
    jqs=$(per_byte jq -c . FILE)
    py=$(per_byte "$python" -c 'import orjson,sys
for l in open(sys.argv[1],"rb"): orjson.loads(l)' FILE)
    ratio=$(python3 -c "print(f'{$jqs / $ours:.2f}')")
    echo "| $vendor | $(python3 -c "print(f'{$bytes/1e6:.1f}')") | $ours | $summary | $jqs | $py | ${ratio}x |" >> "$report"
done
cat "$report"
