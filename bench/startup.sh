#!/usr/bin/env bash
# Start-up of the one-shot commands, side by side with sqlite3: hyperfine in one run, and
# instructions under callgrind (independent of the machine's load).
# Usage: bench/startup.sh   (writes bench/out/startup.md and prints it)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine
command -v sqlite3 >/dev/null || apt-get install -y -qq sqlite3
command -v valgrind >/dev/null || apt-get install -y -qq valgrind
scripts/build-release >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# valgrind reads symbols but not the debug information of this build.
cp .build-release/release/callscope "$work/cs" && strip --strip-debug "$work/cs"
export XDG_CACHE_HOME="$work/cache" HOME="$work"
plugins="$PWD/plugins"
"$work/cs" --plugins "$plugins" explain 17 >/dev/null   # writes the adapter cache
mkdir -p bench/out
hyperfine --warmup 10 --runs 100 -N --export-markdown bench/out/startup.md \
    "$work/cs -c help" "$work/cs --plugins $plugins explain 17" "sqlite3 :memory: 'select 1'" >/dev/null
instructions() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | sed -n 's/.*refs: *//p'; }
{
    echo
    echo "| command | instructions (callgrind) |"
    echo "|:---|---:|"
    echo "| \`callscope -c help\` | $(instructions "$work/cs" -c help) |"
    echo "| \`callscope explain 17\` | $(instructions "$work/cs" --plugins "$plugins" explain 17) |"
    echo "| \`sqlite3 :memory: 'select 1'\` | $(instructions sqlite3 :memory: 'select 1') |"
} >> bench/out/startup.md
sed "s|$work/cs|callscope|g; s|--plugins $plugins ||g" bench/out/startup.md
