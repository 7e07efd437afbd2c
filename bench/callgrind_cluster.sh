#!/usr/bin/env bash
# Instructions a 3-node cluster spends per request, counted by callgrind on
# all three nodes (N=3 W=2 R=2): N requests of one redis-benchmark test
# (-r 100000, -P P) through node 1, after a warm-up. Prints each node's
# instructions per request: the coordinator first. Stable under machine load,
# unlike requests/s. KEEP=DIR keeps the callgrind files there.
#
# Usage: bench/callgrind_cluster.sh [build/release/ringcache-server] [N=50000] [P=16] [TEST=incr]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-build/release/ringcache-server}"; N="${2:-50000}"; P="${3:-16}"; TEST="${4:-incr}"
OUT="$(mktemp -d)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P1="$(free_port)"; P2="$(free_port)"; P3="$(free_port)"
SEEDS="127.0.0.1:$P1,127.0.0.1:$P2,127.0.0.1:$P3"
pids=()
for p in "$P1" "$P2" "$P3"; do
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT/cg.$p" \
    "$BIN" --port "$p" --dir "$OUT" --cluster-seeds "$SEEDS" --cluster-secret bench \
    --anti-entropy-interval 0 --persistence off >"$OUT/n$p.log" 2>&1 &
  pids+=($!)
done
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] && cp "$OUT"/cg.* "$KEEP"/; rm -rf "$OUT"' EXIT
until redis-cli -p "$P1" set warm x 2>/dev/null | grep -q OK; do sleep 0.5; done
sleep 2  # gossip settles: every node sees the others up
redis-benchmark -p "$P1" -t "$TEST" -r 100000 -n 5000 -P "$P" -q >/dev/null
for v in "${pids[@]}"; do callgrind_control -i on "$v" >/dev/null 2>&1; done
redis-benchmark -p "$P1" -t "$TEST" -r 100000 -c 50 -n "$N" -P "$P" -q >/dev/null
for v in "${pids[@]}"; do
  callgrind_control -i off "$v" >/dev/null 2>&1
  callgrind_control -d "$v" >/dev/null 2>&1
done
for p in "$P1" "$P2" "$P3"; do
  cat "$OUT"/cg."$p"* | awk -v p="$p" -v n="$N" '/^totals:/ {s+=$2} END {printf "node %s: %.0f per request\n", p, s/n}'
done
