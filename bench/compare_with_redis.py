#!/usr/bin/env python3
"""ringcache vs redis-server 7 on this machine, in one run.

Starts both servers, then runs the same redis-benchmark workloads against each,
alternating servers every round, and prints the median requests/s of each, the
ratio ringcache/redis, and median p99 latencies. Each server is pinned to CPU 0
and redis-benchmark to CPU 1, so on a 2-core machine the client competes with
neither server and loads both the same way.

Also loads 1M keys with 64-byte values into each and compares used_memory.

Usage: bench/compare_with_redis.py [--rounds 5] [--server build/release/ringcache-server]
       bench/compare_with_redis.py --cluster 3 --redis-replicas 2   # issue 3's comparison

With --cluster N, ringcache is an N-node local cluster (N=3, W=2, R=2 or
--read-quorum, started with ringcache-cluster) benchmarked through node 1, and with --redis-replicas K
the Redis side is a primary with K replicas (replicaof). All server processes
share CPU 0 either way.
"""

import argparse
import csv
import io
import os
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER_CPU = "0"
CLIENT_CPU = "1"
ALL_CPUS = "0-%d" % (os.cpu_count() - 1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port):
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server on port %d did not start" % port)


def start(name, binary):
    port = free_port()
    data = tempfile.mkdtemp(prefix="bench-%s-" % name)
    args = [binary, "--port", str(port), "--dir", data, "--save", "", "--appendonly", "no"]
    if name.startswith("redis"):
        args += ["--logfile", os.path.join(data, "log")]
    else:
        args += ["--persistence", "off"]  # as Redis's side: bench/compare_persistence.py has it on
    proc = subprocess.Popen(["taskset", "-c", SERVER_CPU] + args,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(port)
    return {"name": name, "port": port, "proc": proc, "dir": data}


def start_cluster(binary, nodes, read_quorum):
    launcher = os.path.join(os.path.dirname(binary), "ringcache-cluster")
    data = tempfile.mkdtemp(prefix="bench-cluster-")
    # A free base port says nothing of the next ones: a node that finds its
    # port taken fails `up`, which stops the others; try another base.
    for _ in range(5):
        base = free_port()
        up = subprocess.run(["taskset", "-c", SERVER_CPU, launcher, "up", "--nodes", str(nodes),
                             "--base-port", str(base), "--dir", data,
                             "--read-quorum", str(read_quorum), "--persistence", "off"],
                            stdout=subprocess.DEVNULL)
        if up.returncode == 0:
            break
    else:
        raise RuntimeError("ringcache-cluster up failed 5 times")
    stop = lambda: subprocess.run([launcher, "down", "--dir", data], stdout=subprocess.DEVNULL)
    return {"name": "ringcache", "port": base, "proc": None, "dir": data, "stop": stop}


def add_redis_replicas(primary, binary, count):
    replicas = []
    for _ in range(count):
        r = start("redis-replica", binary)
        cli(r["port"], "REPLICAOF", "127.0.0.1", str(primary["port"]))
        replicas.append(r)
    for r in replicas:
        for _ in range(200):
            if "master_link_status:up" in cli(r["port"], "INFO", "replication"):
                break
            time.sleep(0.05)
    return replicas


def cli(port, *args):
    return subprocess.run(["redis-cli", "-p", str(port)] + list(args),
                          capture_output=True, text=True, check=True).stdout


def benchmark(port, test, pipeline, requests):
    cmd = ["taskset", "-c", CLIENT_CPU, "redis-benchmark", "-p", str(port), "-t", test,
           "-r", "100000", "-d", "64", "-c", "50", "-P", str(pipeline), "-n", str(requests),
           "--csv"]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), (run.stdout + run.stderr)[-500:]))
    row = next(csv.DictReader(io.StringIO(run.stdout)))
    return float(row["rps"]), float(row["p99_latency_ms"])


def default_run(port):
    """redis-benchmark's full default run (every test, -r 100000 -n 100000):
    {test name: (rps, p99)} in its order."""
    cmd = ["taskset", "-c", CLIENT_CPU, "redis-benchmark", "-p", str(port), "-r", "100000",
           "-n", "100000", "--csv"]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0 or "rror" in run.stderr:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), (run.stdout + run.stderr)[-500:]))
    return {row["test"]: (float(row["rps"]), float(row["p99_latency_ms"]))
            for row in csv.DictReader(io.StringIO(run.stdout))}


def used_memory(port):
    return int(re.search(r"^used_memory:(\d+)", cli(port, "INFO", "memory"), re.M).group(1))


def load_keys(port, count, value_size):
    value = "v" * value_size
    chunks = []
    for i in range(count):
        key = "key:%012d" % i
        chunks.append("*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" %
                      (len(key), key, value_size, value))
    r = subprocess.run(["redis-cli", "-p", str(port), "--pipe"], input="".join(chunks).encode(),
                       capture_output=True, check=True)
    assert b"errors: 0" in r.stdout, r.stdout


def memory_per_key(servers, count=1_000_000, value_size=64):
    rows = []
    for s in servers:
        cli(s["port"], "FLUSHALL")
        time.sleep(0.5)
        before = used_memory(s["port"])
        load_keys(s["port"], count, value_size)
        after = used_memory(s["port"])
        rows.append((s["name"], after, (after - before) / count))
        cli(s["port"], "FLUSHALL")
    return rows


def compare_default_runs(servers, rounds):
    """Alternates full default runs of every server; prints per-test medians."""
    runs = {s["name"]: [] for s in servers}
    for rnd in range(rounds):
        order = servers if rnd % 2 == 0 else list(reversed(servers))
        for s in order:
            runs[s["name"]].append(default_run(s["port"]))
        print("round %d/%d done" % (rnd + 1, rounds), flush=True)
    print()
    others = [s["name"] for s in servers[1:]]
    print("%-36s %10s" % ("test", "ringcache") +
          "".join(" %10s %6s" % (name, "ratio") for name in others) + "  p99 rc / redis ms")
    for test in runs["ringcache"][0]:
        rc = statistics.median(run[test][0] for run in runs["ringcache"])
        rc_p99 = statistics.median(run[test][1] for run in runs["ringcache"])
        line = "%-36s %10.0f" % (test[:36], rc)
        for name in others:
            rps = statistics.median(run[test][0] for run in runs[name])
            line += " %10.0f %6.2f" % (rps, rc / rps)
        line += "  %.3f / %.3f" % (rc_p99, statistics.median(run[test][1] for run in runs[others[0]]))
        print(line)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--server", default=os.path.join(ROOT, "build/release/ringcache-server"))
    parser.add_argument("--redis", default=shutil.which("redis-server"))
    parser.add_argument("--p1-requests", type=int, default=300_000)
    parser.add_argument("--p16-requests", type=int, default=2_000_000)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--memory-only", action="store_true",
                        help="only compare bytes per key (1M keys, 64-byte values)")
    parser.add_argument("--cluster", type=int, default=0,
                        help="benchmark an N-node ringcache cluster instead of one node")
    parser.add_argument("--redis-replicas", type=int, default=0,
                        help="give the redis primary this many replicas")
    parser.add_argument("--read-quorum", type=int, default=2,
                        help="R of the cluster (the issue's figures are for 2; 1 shows "
                             "what reading a second copy costs)")
    parser.add_argument("--unpinned", action="store_true",
                        help="let servers and redis-benchmark run on any CPU (the scheduler "
                             "spreads a cluster's nodes over both cores)")
    parser.add_argument("--workloads", default="set-1,get-1,set-16,get-16",
                        help="comma-separated test-pipeline pairs to run")
    parser.add_argument("--default-run", action="store_true",
                        help="instead of --workloads, redis-benchmark's full default run "
                             "(-r 100000 -n 100000, every test), a ratio per test")
    args = parser.parse_args()
    if args.unpinned:
        global SERVER_CPU, CLIENT_CPU
        SERVER_CPU = CLIENT_CPU = ALL_CPUS

    version = subprocess.run([args.redis, "--version"], capture_output=True, text=True).stdout
    print("redis: %s" % version.strip())
    print("ringcache: %s" % args.server)
    print("settings: -r 100000 -d 64 -c 50, rounds=%d, P1 n=%d, P16 n=%d, server on CPU %s, "
          "redis-benchmark on CPU %s" % (args.rounds, args.p1_requests, args.p16_requests,
                                        SERVER_CPU, CLIENT_CPU))
    if args.cluster:
        ringcache = start_cluster(args.server, args.cluster, args.read_quorum)
    else:
        ringcache = start("ringcache", args.server)
    servers = [ringcache, start("redis", args.redis)]
    extra = []
    if args.redis_replicas:
        # The two yardsticks: one plain Redis, and a primary with
        # replicas (the same number of copies, replicated asynchronously).
        primary = start("redis", args.redis)
        primary["name"] = "redis+%dr" % args.redis_replicas
        servers.append(primary)
        extra = add_redis_replicas(primary, args.redis, args.redis_replicas)
    print("ringcache: %s; against: %s" % (
        "%d-node cluster (N=3 W=2 R=%d)" % (args.cluster, args.read_quorum) if args.cluster
        else "one node",
        ", ".join(s["name"] for s in servers[1:])))
    try:
        workloads = []
        for name in args.workloads.split(","):
            test, pipeline = name.split("-")
            n = args.p1_requests if pipeline == "1" else args.p16_requests
            workloads.append((test, int(pipeline), n))
        if args.memory_only:
            workloads, args.rounds = [], 0
        if args.default_run:
            compare_default_runs(servers, args.rounds)
            workloads, args.rounds, args.skip_memory = [], 0, True
        results = {}
        for rnd in range(args.rounds):
            # Alternate which server goes first, so drift in machine load
            # affects both alike.
            order = servers if rnd % 2 == 0 else list(reversed(servers))
            for test, pipeline, n in workloads:
                for s in order:
                    rps, p99 = benchmark(s["port"], test, pipeline, n)
                    results.setdefault((test, pipeline, s["name"]), []).append((rps, p99))
            print("round %d/%d done" % (rnd + 1, args.rounds), flush=True)

        print()
        others = [s["name"] for s in servers[1:]]
        header = "%-10s %12s" % ("workload", "ringcache")
        for name in others:
            header += " %12s %7s" % (name, "ratio")
        header += " %10s" % "p99 rc ms"
        for name in others:
            header += " %10s" % ("p99 " + name)
        print(header)
        for test, pipeline, _ in workloads:
            rc = results[(test, pipeline, "ringcache")]
            rc_rps = statistics.median(r for r, _ in rc)
            line = "%-10s %12.0f" % ("%s -P %d" % (test.upper(), pipeline), rc_rps)
            for name in others:
                rps = statistics.median(r for r, _ in results[(test, pipeline, name)])
                line += " %12.0f %7.2f" % (rps, rc_rps / rps)
            line += " %10.3f" % statistics.median(p for _, p in rc)
            for name in others:
                line += " %10.3f" % statistics.median(p for _, p in results[(test, pipeline, name)])
            print(line)

        if not args.skip_memory and not args.cluster:
            print()
            print("memory after loading 1M keys with 64-byte values (used_memory):")
            rows = memory_per_key(servers)
            for name, total, per_key in rows:
                print("  %-10s %8.1f MB  %6.1f bytes/key" % (name, total / 2**20, per_key))
            print("  ratio ringcache/redis bytes per key: %.2f" % (rows[0][2] / rows[1][2]))
    finally:
        for s in servers + extra:
            if s.get("stop"):
                s["stop"]()
            else:
                s["proc"].terminate()
                s["proc"].wait()
            shutil.rmtree(s["dir"], ignore_errors=True)


if __name__ == "__main__":
    main()
