#!/usr/bin/env python3
"""Eviction under maxmemory: ringcache vs redis-server 7, in one run.

1. LRU quality. A cache-aside client (GET; on a miss, SET) reads with 80% of
   requests going to a hot 20% of the keys; the hot set fits in maxmemory, the
   whole key set does not. Prints each server's hit ratio next to the hit
   ratio of an exact LRU cache holding as many keys as that server held, fed
   the same requests in the same order (simulated here).
2. SET throughput at the limit (every write evicts) against under it: with
   no limit from an empty node, and with the limit lifted from the same full
   keyspace (which isolates the cost of evicting from that of a keyspace too
   big for the caches). Both servers, alternating, several rounds; prints
   medians and the ratios.

Usage: bench/eviction.py [--rounds 3] [--maxmemory-mb 64]
Each server runs on CPU 0, the clients on CPU 1 (see compare_with_redis.py).
"""

import argparse
import collections
import os
import random
import re
import shutil
import statistics
import subprocess
import sys

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_with_redis import CLIENT_CPU, ROOT, cli, start  # noqa: E402

BATCH = 500  # pipelined GETs per round trip (then the SETs for their misses)


def requests(seed, count, keys, hot_fraction=0.2, hot_share=0.8):
    """The key of each request: hot_share of them uniformly over the first
    hot_fraction of the keys, the rest uniformly over the others."""
    rng = random.Random(seed)
    hot = int(keys * hot_fraction)
    for _ in range(count):
        if rng.random() < hot_share:
            yield rng.randrange(hot)
        else:
            yield hot + rng.randrange(keys - hot)


def batches(seq):
    batch = []
    for item in seq:
        batch.append(item)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def run_cache_aside(port, args):
    """Drives the server; returns (hit ratio after warm-up, keys held at the end)."""
    r = redis.Redis(port=port)
    value = b"v" * args.value_size
    warmup = int(args.requests * args.warmup)
    done = 0
    for batch in batches(requests(args.seed, args.requests, args.keys)):
        if done <= warmup < done + len(batch):
            r.config_resetstat()
        pipe = r.pipeline(transaction=False)
        for k in batch:
            pipe.get(b"k:%d" % k)
        found = pipe.execute()
        pipe = r.pipeline(transaction=False)
        for k, v in zip(batch, found):
            if v is None:
                pipe.set(b"k:%d" % k, value)
        pipe.execute()
        done += len(batch)
    stats = r.info("stats")
    hits, misses = stats["keyspace_hits"], stats["keyspace_misses"]
    return hits / (hits + misses), r.dbsize(), stats["evicted_keys"]


def exact_lru_hit_ratio(capacity, args):
    """The same requests against an exact LRU cache of `capacity` keys."""
    cache = collections.OrderedDict()
    warmup = int(args.requests * args.warmup)
    hits = misses = done = 0
    for batch in batches(requests(args.seed, args.requests, args.keys)):
        missed = []
        for k in batch:
            if k in cache:
                cache.move_to_end(k)
                hit = True
            else:
                missed.append(k)
                hit = False
            if done >= warmup:
                hits += hit
                misses += not hit
            done += 1
        for k in missed:
            cache[k] = True
            cache.move_to_end(k)
            if len(cache) > capacity:
                cache.popitem(last=False)
    return hits / (hits + misses)


def set_throughput(port, requests_count):
    cmd = ["taskset", "-c", CLIENT_CPU, "redis-benchmark", "-p", str(port), "-t", "set",
           "-r", "10000000", "-d", "64", "-c", "50", "-P", "16", "-n", str(requests_count),
           "--csv"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return float(re.search(r'"SET","([\d.]+)"', out).group(1))


def fill_to_limit(port, limit):
    cli(port, "CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
    cli(port, "CONFIG", "SET", "maxmemory", str(limit))
    while int(re.search(r"evicted_keys:(\d+)", cli(port, "INFO", "stats")).group(1)) == 0:
        set_throughput(port, 200_000)


def quality(servers, args):
    print("LRU quality: %d requests over %d keys (80%% to the first 20%%), %d-byte values, "
          "maxmemory %d MB allkeys-lru, hit ratio after the first %d%%" %
          (args.requests, args.keys, args.value_size, args.maxmemory_mb, args.warmup * 100))
    for s in servers:
        cli(s["port"], "FLUSHALL")
        cli(s["port"], "CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
        cli(s["port"], "CONFIG", "SET", "maxmemory", str(args.maxmemory_mb * 2**20))
        ratio, held, evicted = run_cache_aside(s["port"], args)
        exact = exact_lru_hit_ratio(held, args)
        print("  %-10s hit ratio %.4f | exact LRU of %d keys %.4f | difference %+.2f%% "
              "(evicted %d)" % (s["name"], ratio, held, exact, (ratio - exact) * 100, evicted),
              flush=True)


def throughput(servers, args):
    limit = args.maxmemory_mb * 2**20
    print("SET -P 16 -r 10000000 -d 64 -c 50, %d requests: under the limit (maxmemory 0, "
          "from empty) vs at it (maxmemory %d MB, full, every write evicts) vs the same full "
          "keyspace with the limit lifted, %d rounds" %
          (args.set_requests, args.maxmemory_mb, args.rounds))
    results = collections.defaultdict(list)
    for rnd in range(args.rounds):
        order = servers if rnd % 2 == 0 else list(reversed(servers))
        for s in order:
            cli(s["port"], "CONFIG", "SET", "maxmemory", "0")
            cli(s["port"], "FLUSHALL")
            results[(s["name"], "under")].append(set_throughput(s["port"], args.set_requests))
            cli(s["port"], "FLUSHALL")
            fill_to_limit(s["port"], limit)
            results[(s["name"], "at")].append(set_throughput(s["port"], args.set_requests))
            # The same full keyspace with the limit lifted: what is left is the
            # cost of evicting, not of a bigger keyspace than the empty start.
            cli(s["port"], "CONFIG", "SET", "maxmemory", "0")
            results[(s["name"], "lifted")].append(set_throughput(s["port"], args.set_requests))
        print("  round %d/%d done" % (rnd + 1, args.rounds), flush=True)
    medians = {k: statistics.median(v) for k, v in results.items()}
    for s in servers:
        under, at = medians[(s["name"], "under")], medians[(s["name"], "at")]
        lifted = medians[(s["name"], "lifted")]
        print("  %-10s under %10.0f/s   at limit %10.0f/s   at/under %.2f   "
              "full, limit lifted %10.0f/s   at/lifted %.2f" %
              (s["name"], under, at, at / under, lifted, at / lifted))
    print("  ringcache/redis: under %.2f, at the limit %.2f" % (
        medians[("ringcache", "under")] / medians[("redis", "under")],
        medians[("ringcache", "at")] / medians[("redis", "at")]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--server", default=os.path.join(ROOT, "build/release/ringcache-server"))
    parser.add_argument("--redis", default=shutil.which("redis-server"))
    parser.add_argument("--maxmemory-mb", type=int, default=64)
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2_000_000)
    parser.add_argument("--value-size", type=int, default=100)
    parser.add_argument("--warmup", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--samples", type=int, default=5, help="maxmemory-samples, both servers")
    parser.add_argument("--set-requests", type=int, default=2_000_000)
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()

    servers = [start("ringcache", args.server), start("redis", args.redis)]
    for s in servers:
        cli(s["port"], "CONFIG", "SET", "maxmemory-samples", str(args.samples))
    print("maxmemory-samples %d" % args.samples)
    try:
        if not args.skip_quality:
            quality(servers, args)
        if not args.skip_throughput:
            throughput(servers, args)
    finally:
        for s in servers:
            s["proc"].terminate()
            s["proc"].wait()
            shutil.rmtree(s["dir"], ignore_errors=True)


if __name__ == "__main__":
    main()
