#!/usr/bin/env bash
# Installs what is missing, builds ringcache in Release and starts a local
# 3-node cluster (N=3 W=2 R=2) on 127.0.0.1:7001-7003, then waits; Ctrl-C stops
# it. NODES=1 starts a single node instead; BASE_PORT=... moves the ports.
# Extra arguments go to `ringcache-cluster up` (e.g. --write-quorum 3).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build/release --target ringcache-server ringcache-cluster
NODES="${NODES:-3}"
BASE_PORT="${BASE_PORT:-7001}"
DIR="${DIR:-$PWD/build/cluster-${NODES}x$BASE_PORT}"
CLUSTER=build/release/ringcache-cluster
"$CLUSTER" down --dir "$DIR" >/dev/null 2>&1 || true
"$CLUSTER" up --nodes "$NODES" --base-port "$BASE_PORT" --dir "$DIR" "$@"
trap 'kill $! 2>/dev/null; "$CLUSTER" down --dir "$DIR"; exit 0' INT TERM HUP
echo
echo "ringcache: $NODES node(s) up (logs in $DIR/node-*/ringcache.log). Try:"
echo "  redis-cli -p $BASE_PORT set greeting hello; redis-cli -p $((BASE_PORT + NODES - 1)) get greeting"
echo "  redis-benchmark -p $BASE_PORT -t set,get -r 100000"
echo "  $CLUSTER status --dir $DIR"
echo "Ctrl-C stops the cluster."
# `wait` (unlike a foreground sleep) returns as soon as a signal arrives.
while true; do sleep 3600 & wait $!; done
