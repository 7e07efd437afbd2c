#!/usr/bin/env bash
# Installs what is missing, builds ringcache in Release and starts one node on
# 127.0.0.1:6379 (override with PORT=...), in the foreground. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build/release --target ringcache-server
PORT="${PORT:-6379}"
DIR="${DIR:-$PWD/build/data-$PORT}"
echo "ringcache: starting a node on 127.0.0.1:$PORT (data dir $DIR); try: redis-cli -p $PORT"
exec build/release/ringcache-server --port "$PORT" --dir "$DIR" "$@"
