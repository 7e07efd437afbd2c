#!/usr/bin/env python3
"""What write-behind costs: ringcache with `persistence off` and `write-behind`, and
redis-server 7 without persistence and with `appendonly yes appendfsync everysec`, in
one run, alternating the four every round. Each server is pinned to CPU 0 (its flusher
or fsync thread too) and redis-benchmark to CPU 1.

Prints the median requests/s and p99 of SET and HSET (-P 16, -r 1000000) per server,
write-behind/off, and write-behind/redis-AOF; then, for the write-behind node, the keys
and bytes it wrote, bytes on disk per key, and how long a restart takes to load them; and
the bytes it writes per SADD into a 1M-member set.

Usage: bench/compare_persistence.py [--rounds 3] [--requests 1000000]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time

from compare_with_redis import CLIENT_CPU, SERVER_CPU, cli, free_port, wait_ready

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVERS = {
    "ringcache-off": ["--persistence", "off"],
    "ringcache-write-behind": ["--persistence", "write-behind"],
    "redis-none": ["--save", "", "--appendonly", "no"],
    "redis-aof-everysec": ["--save", "", "--appendonly", "yes", "--appendfsync", "everysec"],
}
TESTS = ["set", "hset"]


def start(name, binary, data):
    port = free_port()
    args = [binary, "--port", str(port), "--dir", data] + SERVERS[name]
    proc = subprocess.Popen(["taskset", "-c", SERVER_CPU] + args,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(port)
    return proc, port


def bench(port, test, requests):
    out = subprocess.run(["taskset", "-c", CLIENT_CPU, "redis-benchmark", "-p", str(port), "-t",
                          test, "-n", str(requests), "-r", "1000000", "-P", "16", "--csv"],
                         capture_output=True, text=True, check=True).stdout
    row = out.strip().splitlines()[-1].replace('"', "").split(",")
    return float(row[1]), float(row[6])  # requests/s, p99 ms


def stop(proc, port):
    cli(port, "SHUTDOWN")
    proc.wait(60)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=1000000)
    ap.add_argument("--server", default=os.path.join(ROOT, "build/release/ringcache-server"))
    ap.add_argument("--redis", default="redis-server")
    a = ap.parse_args()
    results = {(n, t): [] for n in SERVERS for t in TESTS}
    for r in range(a.rounds):
        for name in SERVERS:
            binary = a.redis if name.startswith("redis") else a.server
            data = tempfile.mkdtemp(prefix="bench-persist-")
            proc, port = start(name, binary, data)
            for test in TESTS:
                results[(name, test)].append(bench(port, test, a.requests))
            if name == "ringcache-write-behind" and r == a.rounds - 1:
                report_disk(proc, port, binary, data)
            else:
                stop(proc, port)
            shutil.rmtree(data, ignore_errors=True)
    print("%-24s %-5s %12s %9s" % ("server", "test", "requests/s", "p99 ms"))
    med = {}
    for (name, test), runs in results.items():
        med[(name, test)] = statistics.median(x[0] for x in runs)
        p99 = statistics.median(x[1] for x in runs)
        print("%-24s %-5s %12.0f %9.3f" % (name, test, med[(name, test)], p99))
    for test in TESTS:
        wb = med[("ringcache-write-behind", test)]
        print("%s: write-behind/off %.2f, write-behind/redis-aof-everysec %.2f, "
              "redis aof/none %.2f" % (test.upper(), wb / med[("ringcache-off", test)],
                                       wb / med[("redis-aof-everysec", test)],
                                       med[("redis-aof-everysec", test)] /
                                       med[("redis-none", test)]))
    report_sadd(a.server)


def info(port):
    fields = (line.strip().split(":", 1) for line in cli(port, "INFO", "persistence").splitlines())
    return {f[0]: f[1] for f in fields if len(f) == 2}


def report_disk(proc, port, binary, data):
    """Writes the rest, then restarts the node on its dir and times the load."""
    cli(port, "SAVE")
    written = info(port)
    keys = int(cli(port, "DBSIZE").strip().lstrip(":"))
    stop(proc, port)
    start_time = time.time()
    proc, port = start("ringcache-write-behind", binary, data)
    while info(port).get("loading") != "0":
        time.sleep(0.01)
    loaded = time.time() - start_time
    disk = int(info(port)["disk_bytes"])
    print("write-behind: %s keys written, %s bytes; %d keys on disk, %.0f bytes per key; "
          "restart loaded them in %.2f s" % (written["keys_written"], written["bytes_written"], keys,
                                             disk / max(keys, 1), loaded))
    stop(proc, port)


def report_sadd(binary):
    """Bytes write-behind writes per SADD into a 1M-member set."""
    data = tempfile.mkdtemp(prefix="bench-persist-")
    proc, port = start("ringcache-write-behind", binary, data)
    batches = []
    for b in range(1000):  # 1000 SADDs of 1000 members each
        members = ["member:%d" % (b * 1000 + i) for i in range(1000)]
        words = ["SADD", "bigset"] + members
        batches.append("*%d\r\n" % len(words) +
                       "".join("$%d\r\n%s\r\n" % (len(w), w) for w in words))
    subprocess.run(["redis-cli", "-p", str(port), "--pipe"], input="".join(batches), text=True,
                   capture_output=True, check=True)
    cli(port, "SAVE")
    before = int(info(port)["bytes_written"])
    adds = 100000
    subprocess.run(["taskset", "-c", CLIENT_CPU, "redis-benchmark", "-p", str(port), "-n",
                    str(adds), "-r", "100000000", "-P", "16", "-q", "SADD", "bigset",
                    "new:__rand_int__"], capture_output=True, check=True)
    cli(port, "SAVE")
    members = cli(port, "SCARD", "bigset").strip().lstrip(":")
    written = int(info(port)["bytes_written"]) - before
    print("SADD into a set of %s members: %d SADDs wrote %d bytes, %.0f bytes per SADD" %
          (members, adds, written, written / adds))
    stop(proc, port)
    shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
