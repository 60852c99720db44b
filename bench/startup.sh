#!/usr/bin/env bash
# Start-up time of a one-shot command, side by side with sqlite3 in one hyperfine run.
# Usage: bench/startup.sh   (writes bench/out/startup.md and prints the table)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get install -y -qq hyperfine; }
command -v sqlite3 >/dev/null || { apt-get install -y -qq sqlite3; }
swift build -c release --static-swift-stdlib --scratch-path .build-release >/dev/null
bin=.build-release/release/callscope
mkdir -p bench/out
HOME=$(mktemp -d) hyperfine --warmup 5 --runs 50 -N \
    --export-markdown bench/out/startup.md \
    "$bin -c help" \
    "sqlite3 :memory: 'select 1'"
cat bench/out/startup.md
