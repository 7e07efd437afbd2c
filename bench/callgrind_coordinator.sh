#!/usr/bin/env bash
# Instructions a cluster coordinator spends, counted by callgrind: a 3-node
# cluster (N=3 W=2 R=2) with node 1 under callgrind, 100k SET + 200k GET at
# -P 16 through node 1. Stable under machine load, unlike requests/s.
#
# Usage: bench/callgrind_coordinator.sh [--get-only] [build/release/ringcache-server]
#   --get-only: load the keys first, then count 200k GETs alone
set -euo pipefail
cd "$(dirname "$0")/.."
GET_ONLY=0
if [[ "${1:-}" == "--get-only" ]]; then GET_ONLY=1; shift; fi
BIN="${1:-build/release/ringcache-server}"
OUT="$(mktemp -d)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P1="$(free_port)"; P2="$(free_port)"; P3="$(free_port)"
SEEDS="127.0.0.1:$P1,127.0.0.1:$P2,127.0.0.1:$P3"
# Anti-entropy off: a round compares every key at a moment that varies from
# run to run, which moved the count by up to 20%; requests are what is measured.
node() {
  echo --port "$1" --dir "$OUT" --cluster-seeds "$SEEDS" --cluster-secret bench \
    --anti-entropy-interval 0
}
# shellcheck disable=SC2046
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT/cg.out" \
  "$BIN" $(node "$P1") >"$OUT/n1.log" 2>&1 &
V=$!
# shellcheck disable=SC2046
"$BIN" $(node "$P2") >"$OUT/n2.log" 2>&1 &
N2=$!
# shellcheck disable=SC2046
"$BIN" $(node "$P3") >"$OUT/n3.log" 2>&1 &
N3=$!
trap 'kill $V $N2 $N3 2>/dev/null || true; rm -rf "$OUT"' EXIT
until redis-cli -p "$P1" set warm x 2>/dev/null | grep -q OK; do sleep 0.5; done
if (( GET_ONLY )); then
  redis-benchmark -p "$P1" -t set -r 100000 -d 64 -c 50 -n 300000 -P 16 -q >/dev/null
  callgrind_control -i on "$V" >/dev/null 2>&1
else
  redis-benchmark -p "$P1" -t set -r 100000 -d 64 -n 20000 -P 16 -q >/dev/null  # warm up
  callgrind_control -i on "$V" >/dev/null 2>&1
  redis-benchmark -p "$P1" -t set -r 100000 -d 64 -c 50 -n 100000 -P 16 -q >/dev/null
fi
redis-benchmark -p "$P1" -t get -r 100000 -d 64 -c 50 -n 200000 -P 16 -q >/dev/null
callgrind_control -i off "$V" >/dev/null 2>&1
callgrind_control -d "$V" >/dev/null 2>&1
kill "$V" "$N2" "$N3"; wait 2>/dev/null || true
if (( GET_ONLY )); then WHAT="200k GET"; N=200000; else WHAT="100k SET + 200k GET"; N=300000; fi
cat "$OUT"/cg.out* | awk -v what="$WHAT" -v n="$N" '/^totals:/ {s+=$2} END {printf "coordinator: %.3fG instructions for %s (%.0f per request)\n", s/1e9, what, s/n}'
