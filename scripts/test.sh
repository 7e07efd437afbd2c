#!/usr/bin/env bash
# Installs what is missing, builds with AddressSanitizer + UndefinedBehaviorSanitizer
# (Debug), and runs every test: Catch2 unit tests and the integration tests that
# drive the real server with redis-cli, redis-benchmark and redis-py.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DRINGCACHE_SANITIZE=ON >/dev/null
cmake --build build/asan
cd build/asan
ctest --output-on-failure --timeout 900 -j2
