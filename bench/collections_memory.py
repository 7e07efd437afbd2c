#!/usr/bin/python3
"""Memory of hashes and sets, ringcache against redis-server: used_memory
growth for 1M small hashes (5 fields, 10-byte values) and for one set of
1M members, per hash and per member, and the ratio to Redis's.

Usage: bench/collections_memory.py [--server build/release/ringcache-server]
       [--hashes 1000000] [--members 1000000]
"""

import argparse
import shutil
import subprocess

import redis

from compare_with_redis import start


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


def measure(server, args):
    r = redis.Redis(host="127.0.0.1", port=server["port"])
    out = {}
    for name, load, n in (("hash", load_hashes, args.hashes), ("set member", load_set, args.members)):
        r.flushall()
        before = used_memory(r)
        load(r, n)
        out[name] = (used_memory(r) - before) / n
    r.close()
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", default="build/release/ringcache-server")
    parser.add_argument("--redis", default=shutil.which("redis-server"))
    parser.add_argument("--hashes", type=int, default=1000000)
    parser.add_argument("--members", type=int, default=1000000)
    args = parser.parse_args()
    results = {}
    for name, binary in (("ringcache", args.server), ("redis", args.redis)):
        server = start(name, binary)
        try:
            results[name] = measure(server, args)
        finally:
            server["proc"].terminate()
            server["proc"].wait()
            shutil.rmtree(server["dir"], ignore_errors=True)
    print("%-12s %12s %12s %7s" % ("bytes per", "ringcache", "redis", "ratio"))
    for what in results["redis"]:
        rc, rd = results["ringcache"][what], results["redis"][what]
        print("%-12s %12.1f %12.1f %7.2f" % (what, rc, rd, rc / rd))


if __name__ == "__main__":
    main()
