#!/usr/bin/env bash
# 200 signed sends from one callscope -f script against nginx on 127.0.0.1, side by side in one
# hyperfine run with 200 curl processes and 200 HTTPie runs sending the same request (unsigned:
# they cannot sign). Usage: bench/send.sh [COUNT]   (writes bench/out/send.md)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
count=${1:-200}
for tool in hyperfine nginx http curl; do
    command -v $tool >/dev/null || apt-get install -y -qq hyperfine nginx-light httpie curl >/dev/null
done
swift build -c release >/dev/null
bin=$PWD/.build/release/callscope
work=$(mktemp -d)
port=18089
start_nginx "$work" $port '{"code":0,"message":"success","data":{"total":0,"list":[]}}'
trap 'stop_nginx "$work"; rm -rf "$work"' EXIT
body='{"taskId":"t1","pageNumber":1,"pageSize":10}'
url=http://127.0.0.1:$port
# The same request for every tool: signed once by callscope, sent as is by curl and HTTPie.
headers=$("$bin" --plugins plugins sign nxlink call/list "$body" --cred accessKey=AK-bench --cred accessSecret=bench-secret --json |
    python3 -c 'import json,sys; print("\n".join(f"{k}: {v}" for k, v in json.load(sys.stdin)["headers"].items()))')
{
    echo "send nxlink call/list '$body' --base-url $url --cred accessKey=AK-bench --cred accessSecret=bench-secret --json"
    for _ in $(seq 2 "$count"); do echo "send nxlink call/list '$body' --base-url $url --json"; done
} > "$work/sends.cs"
curl_args=(); http_args=()
while IFS= read -r h; do curl_args+=(-H "$h"); http_args+=("${h%%: *}:${h#*: }"); done <<< "$headers"
printf '%q ' curl -s -o /dev/null -X POST "$url/openapi/aiagent/call/list" "${curl_args[@]}" --data-binary "$body" > "$work/curl1.sh"
printf '%q ' http --ignore-stdin -q POST "$url/openapi/aiagent/call/list" "${http_args[@]}" --raw "$body" > "$work/http1.sh"
for tool in curl http; do
    { echo "for i in \$(seq $count); do"; cat "$work/${tool}1.sh"; echo; echo "done"; } > "$work/$tool.sh"
done
mkdir -p bench/out
HOME=$work hyperfine --runs 3 -N --export-markdown bench/out/send.md --export-json bench/out/send.json \
    "$bin --plugins plugins -f $work/sends.cs" "bash $work/curl.sh" >/dev/null
HOME=$work hyperfine --runs 1 -N --export-json bench/out/send-httpie.json "bash $work/http.sh" >/dev/null
COUNT=$count python3 - <<'PY'
import json
r = json.load(open("bench/out/send.json"))["results"]
h = json.load(open("bench/out/send-httpie.json"))["results"][0]
ours, curl = r[0]["mean"], r[1]["mean"]
import os; n = int(os.environ.get("COUNT", "200"))
print(f"| tool | {n} requests, s | per request, ms | vs callscope |")
print("|:---|---:|---:|---:|")
for name, t in [("callscope -f (signs each)", ours), ("curl processes", curl), ("HTTPie processes", h["mean"])]:
    print(f"| {name} | {t:.2f} | {t / n * 1000:.2f} | {t / ours:.1f}x |")
PY
