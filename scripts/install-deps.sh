#!/usr/bin/env bash
# Installs the Debian 12 packages ringcache needs to build, test and benchmark,
# skipping apt entirely when they are all present already.
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build pkg-config
  libasio-dev libxxhash-dev librocksdb-dev libspdlog-dev catch2 libjemalloc-dev libcli11-dev
  redis-tools redis-server python3 python3-redis iptables
)

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
