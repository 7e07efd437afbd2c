#!/usr/bin/python3
"""Memory of collections, ringcache against redis-server: used_memory
growth for 1M small hashes (5 fields, 10-byte values), one set of 1M
members, 1M small lists (5 items of 10 bytes) and one sorted set of 1M
members, per hash, member or list, and the ratio to Redis's. (Lists and
sorted sets are measured on a single node only: a cluster refuses them.)

With --cluster 3, ringcache is a 3-node cluster (N=3: every node holds a
replica of every key) loaded through node 1, and its figure is the growth
per replica (the nodes' total over 3): what the replicated collections'
metadata (per-writer add and removal stamps) costs beside Redis's one copy.

Usage: bench/collections_memory.py [--server build/release/ringcache-server]
       [--hashes 1000000] [--members 1000000] [--cluster 3]
"""

import argparse
import shutil
import subprocess

import redis

from compare_with_redis import start, start_cluster


def used_memory(r):
    return int(r.info("memory")["used_memory"])


def load_hashes(r, count):
    pipe = r.pipeline(transaction=False)
    for i in range(count):
        pipe.hset("hash:%d" % i, mapping={"field%d" % f: "%010d" % (i + f) for f in range(5)})
        if i % 1000 == 999:
            pipe.execute()
    pipe.execute()


def load_set(r, count):
    pipe = r.pipeline(transaction=False)
    for i in range(0, count, 1000):
        pipe.sadd("set", *("member:%d" % j for j in range(i, min(count, i + 1000))))
        if i % 100000 == 0:
            pipe.execute()
    pipe.execute()


def load_lists(r, count):
    pipe = r.pipeline(transaction=False)
    for i in range(count):
        pipe.rpush("list:%d" % i, *("%010d" % (i + k) for k in range(5)))
        if i % 1000 == 999:
            pipe.execute()
    pipe.execute()


def load_zset(r, count):
    pipe = r.pipeline(transaction=False)
    for i in range(0, count, 1000):
        pipe.zadd("zset", {"member:%d" % j: j * 0.5 for j in range(i, min(count, i + 1000))})
        if i % 100000 == 0:
            pipe.execute()
    pipe.execute()


def measure(server, args, nodes=1):
    clients = [redis.Redis(host="127.0.0.1", port=server["port"] + i) for i in range(nodes)]
    total = lambda: sum(used_memory(c) for c in clients)
    out = {}
    loads = [("hash", load_hashes, args.hashes), ("set member", load_set, args.members)]
    if nodes == 1:
        loads += [("small list", load_lists, args.hashes), ("zset member", load_zset, args.members)]
    for name, load, n in loads:
        clients[0].flushall()
        before = total()
        load(clients[0], n)
        out[name] = (total() - before) / nodes / n
    for c in clients:
        c.close()
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", default="build/release/ringcache-server")
    parser.add_argument("--redis", default=shutil.which("redis-server"))
    parser.add_argument("--hashes", type=int, default=1000000)
    parser.add_argument("--members", type=int, default=1000000)
    parser.add_argument("--cluster", type=int, default=0,
                        help="measure a ringcache cluster of N nodes (N replicas), per replica")
    args = parser.parse_args()
    results = {}
    for name, binary in (("ringcache", args.server), ("redis", args.redis)):
        cluster = args.cluster if name == "ringcache" else 0
        server = start_cluster(binary, cluster, 2) if cluster else start(name, binary)
        try:
            results[name] = measure(server, args, cluster or 1)
        finally:
            if cluster:
                server["stop"]()
            else:
                server["proc"].terminate()
                server["proc"].wait()
            shutil.rmtree(server["dir"], ignore_errors=True)
    print("%-12s %12s %12s %7s" % ("bytes per", "ringcache", "redis", "ratio"))
    for what in results["redis"]:
        rc, rd = results["ringcache"][what], results["redis"][what]
        print("%-12s %12.1f %12.1f %7.2f" % (what, rc, rd, rc / rd))


if __name__ == "__main__":
    main()
