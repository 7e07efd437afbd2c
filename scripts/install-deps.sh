#!/usr/bin/env bash
# Installs the Debian 12 packages ringcache needs to build, test and benchmark,
# skipping apt entirely when they are all present already.
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build pkg-config
  libasio-dev libxxhash-dev librocksdb-dev libspdlog-dev catch2 libjemalloc-dev libcli11-dev
  redis-tools redis-server python3 python3-redis iptables
)
# Node.js runs the ioredis and node-redis tests; any node and npm will do
# (Debian's nodejs and npm packages are installed only when neither is there).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# The Debian redis-server package starts a service on 6379; ringcache runs its
# own nodes, and the benchmark starts its own redis-server.
if command -v systemctl >/dev/null && systemctl is-active --quiet redis-server 2>/dev/null; then
  systemctl stop redis-server || true
elif command -v service >/dev/null && service redis-server status >/dev/null 2>&1; then
  service redis-server stop || true
fi

# ioredis and node-redis from the npm registry, at the versions the lock file
# pins; without them (no registry reachable) those tests are skipped, saying so.
node_dir="$(dirname "$0")/../tests/integration/node"
if [[ ! -d "$node_dir/node_modules/ioredis" || ! -d "$node_dir/node_modules/redis" ]]; then
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error) ||
    echo "npm could not install ioredis and node-redis: their tests will be skipped"
fi
