#!/usr/bin/env bash
# Instructions per SET on one node, counted by callgrind: with no limit, and
# at a full 16 MB limit where every SET evicts a key (allkeys-lru, -P 16,
# random keys). The difference is what an eviction costs.
#
# Usage: bench/callgrind_eviction.sh [build/release/ringcache-server]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-build/release/ringcache-server}"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
for mode in under at; do
  OUT="$(mktemp -d)"; P="$(free_port)"
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT/cg.out" "$BIN" \
    --port "$P" --dir "$OUT" --maxmemory-policy allkeys-lru >"$OUT/log" 2>&1 &
  V=$!
  until redis-cli -p "$P" ping >/dev/null 2>&1; do sleep 0.2; done
  if [ "$mode" = at ]; then redis-cli -p "$P" config set maxmemory 16mb >/dev/null; fi
  redis-benchmark -p "$P" -t set -r 10000000 -d 64 -n 200000 -P 16 -q >/dev/null  # fill
  callgrind_control -i on "$V" >/dev/null 2>&1
  redis-benchmark -p "$P" -t set -r 10000000 -d 64 -c 50 -n 100000 -P 16 -q >/dev/null
  callgrind_control -i off "$V" >/dev/null 2>&1
  callgrind_control -d "$V" >/dev/null 2>&1
  kill "$V"; wait "$V" 2>/dev/null || true
  echo "$mode the limit: $(cat "$OUT"/cg.out* | awk '/^totals:/ {s+=$2} END {print int(s/100000)}') instructions per SET"
  rm -rf "$OUT"
done
