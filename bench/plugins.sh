#!/usr/bin/env bash
# Start-up cost of loading every bundled plugin (`plugins` forces the load; other commands load lazily), and resident memory at the interactive prompt,
# side by side with sqlite3. Usage: bench/plugins.sh (writes bench/out/plugins*.md)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine
command -v tmux >/dev/null || apt-get install -y -qq tmux
scripts/build-release >/dev/null
work=$(mktemp -d)
trap 'tmux kill-session -t csbench 2>/dev/null || true; rm -rf "$work"' EXIT
# A copy with no plugins beside it (and none in a source tree above it) loads nothing.
cp .build-release/release/callscope "$work/callscope"
export HOME="$work" XDG_DATA_HOME="$work/data" XDG_STATE_HOME="$work/state"
mkdir -p bench/out
hyperfine --warmup 5 --runs 100 -N --export-markdown bench/out/plugins-startup.md \
    "$work/callscope -c plugins" \
    "$work/callscope --plugins $PWD/plugins -c plugins" \
    "sqlite3 :memory: 'select 1'"

rss_at_prompt() {  # $1: command line; prints VmRSS in kB once the program waits at its prompt
    tmux kill-session -t csbench 2>/dev/null || true
    tmux new-session -d -s csbench -x 120 -y 40 "$1"
    sleep 1
    local pid
    pid=$(tmux list-panes -t csbench -F '#{pane_pid}')
    grep VmRSS "/proc/$pid/status" | awk '{print $2}'
    tmux kill-session -t csbench
}
with=$(rss_at_prompt "$work/callscope --plugins $PWD/plugins")
without=$(rss_at_prompt "$work/callscope")
sqlite=$(rss_at_prompt "sqlite3 :memory:")
{
    echo "| program at its interactive prompt | VmRSS (kB) |"
    echo "|:---|---:|"
    echo "| callscope with all bundled plugins | $with |"
    echo "| callscope with no plugins | $without |"
    echo "| sqlite3 :memory: | $sqlite |"
} > bench/out/plugins-rss.md
cat bench/out/plugins-startup.md bench/out/plugins-rss.md
