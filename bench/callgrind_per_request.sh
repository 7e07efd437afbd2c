#!/usr/bin/env bash
# Instructions per request, ringcache vs redis-server, counted by callgrind.
# Instruction counts do not depend on machine load, so unlike requests/s they
# compare the two servers' own work exactly (user-space work; the kernel's
# share of each syscall is not counted).
#
# Usage: bench/callgrind_per_request.sh [requests] [pipeline]
#        TESTS="lpush lpop zadd" bench/callgrind_per_request.sh   (default: set get)
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS="${1:-200000}"
PIPELINE="${2:-16}"
RINGCACHE="${RINGCACHE:-build/release/ringcache-server}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Runs one server under callgrind with instrumentation off, turns counting on
# only around the benchmark, and prints instructions per request.
measure() {
  local name="$1" test="$2"; shift 2
  local port; port="$(free_port)"
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT/$name.$test.out" \
    "$@" --port "$port" --dir "$OUT" --save "" --appendonly no >"$OUT/$name.log" 2>&1 &
  local pid=$!
  until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.2; done
  # Warm up, and fill mylist for the pops (200k items: LPOP/RPOP never run dry).
  redis-benchmark -p "$port" -t set,lpush,rpush -r 100000 -d 64 -n 100000 -P 16 -q >/dev/null
  callgrind_control -i on "$pid" >/dev/null 2>&1
  redis-benchmark -p "$port" -t "$test" -r 100000 -d 64 -c 50 -P "$PIPELINE" -n "$REQUESTS" -q >/dev/null
  callgrind_control -i off "$pid" >/dev/null 2>&1
  callgrind_control -d "$pid" >/dev/null 2>&1
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local total
  total="$(cat "$OUT/$name.$test.out"* | awk '/^totals:/ {s+=$2} END {printf "%d", s}')"
  echo "$((total / REQUESTS))"
}

printf '%-6s %12s %12s %7s   (instructions per request, -P %s, %s requests)\n' \
  test ringcache redis ratio "$PIPELINE" "$REQUESTS"
for test in ${TESTS:-set get}; do
  rc="$(measure ringcache "$test" "$RINGCACHE")"
  rd="$(measure redis "$test" redis-server)"
  printf '%-6s %12s %12s %7.2f\n' "$test" "$rc" "$rd" "$(echo "$rc / $rd" | bc -l)"
done
