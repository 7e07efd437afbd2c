"""maxmemory on real nodes: a writer pushing several times the limit through a
node never takes it past the limit, every policy keeps what it promises, and
the limit, its policy and the counters are visible where Redis shows them."""

import subprocess
import time
import unittest

import redis

from support import Node
from test_cluster import LocalCluster

MB = 1024 * 1024
OOM = "OOM command not allowed when used memory > 'maxmemory'."

# The test build counts memory with ASan's allocator, which sees every
# thread's allocations, RocksDB's memtables among them; the release build
# counts the event loop's thread only. Eviction is measured without disk.
MEMORY_ONLY = ("--persistence", "off")


def info(r, section):
    return r.info(section)


def push(node_port, total_bytes, value_size, key_space=10_000_000):
    """SETs random keys with values of `value_size` bytes until about
    `total_bytes` of values were written, through the real redis-benchmark."""
    requests = max(1000, total_bytes // (value_size + 80))  # 80: a key's own cost
    cmd = ["redis-benchmark", "-p", str(node_port), "-t", "set", "-n", str(requests),
           "-r", str(key_space), "-d", str(value_size), "-P", "16", "-c", "8", "-q"]
    r = subprocess.run(cmd, capture_output=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert b"error" not in r.stdout.lower(), r.stdout


class WithinTheLimitTest(unittest.TestCase):
    limit = 16 * MB

    def assert_stays_within(self, value_size):
        with Node(*MEMORY_ONLY, "--maxmemory", str(self.limit),
                  "--maxmemory-policy", "allkeys-lru") as node:
            r = redis.Redis(port=node.port)
            push(node.port, 4 * self.limit, value_size)
            mem = info(r, "memory")
            stats = info(r, "stats")
            self.assertEqual(mem["maxmemory"], self.limit)
            self.assertEqual(mem["maxmemory_policy"], "allkeys-lru")
            self.assertGreater(stats["evicted_keys"], 0)
            # Eviction runs before each write: the limit is overshot by at most
            # one write (and what the clients' buffers hold), never more than 2%.
            self.assertLessEqual(mem["used_memory_peak"], self.limit * 1.02, mem)
            self.assertLessEqual(mem["used_memory"], self.limit * 1.02, mem)
            # ... and it is used: most of the budget holds keys.
            self.assertGreater(r.dbsize() * value_size, self.limit * 0.4)

    def test_64_byte_values(self):
        self.assert_stays_within(64)

    def test_16_kb_values(self):
        self.assert_stays_within(16 * 1024)


class CollectionsTest(unittest.TestCase):
    """Hashes and sets count against the limit like strings, and go the same way."""

    def test_hashes_and_sets_are_evicted_within_the_limit(self):
        limit = 16 * MB
        with Node(*MEMORY_ONLY, "--maxmemory", str(limit),
                  "--maxmemory-policy", "allkeys-lru") as node:
            r = redis.Redis(port=node.port)
            pipe = r.pipeline(transaction=False)
            for i in range(150_000):  # ~4x the limit
                pipe.hset("h:%d" % i, mapping={"f%d" % f: "v" * 40 for f in range(4)})
                pipe.sadd("s:%d" % i, *("member-%d" % m for m in range(6)))
                if i % 500 == 499:
                    pipe.execute()
            pipe.execute()
            mem = info(r, "memory")
            self.assertGreater(info(r, "stats")["evicted_keys"], 100_000)
            self.assertLessEqual(mem["used_memory_peak"], limit * 1.02, mem)
            self.assertLessEqual(mem["used_memory"], limit * 1.02, mem)
            self.assertEqual(r.hlen("h:149999"), 4)  # the newest survive
            self.assertEqual(r.scard("s:149999"), 6)
            r.close()

    def test_noeviction_refuses_collection_writes_but_not_removals(self):
        with Node(*MEMORY_ONLY, "--maxmemory", "4mb") as node:
            r = redis.Redis(port=node.port)
            i = 0
            with self.assertRaisesRegex(redis.exceptions.ResponseError, "OOM"):
                while True:
                    r.hset("h:%d" % i, "f", "x" * 500)
                    r.sadd("s:%d" % i, "x" * 500)
                    i += 1
            with self.assertRaisesRegex(redis.exceptions.ResponseError, "OOM"):
                r.sadd("s:0", "another")
            self.assertEqual(r.hdel("h:0", "f"), 1)
            self.assertEqual(r.srem("s:1", "x" * 500), 1)
            self.assertEqual(r.exists("h:0", "s:1"), 0)
            r.close()


class PoliciesTest(unittest.TestCase):
    def fill_until_oom(self, r, prefix, value, ex=None):
        """Writes keys until the node refuses one; returns how many it took."""
        for i in range(1_000_000):
            try:
                r.set("%s:%d" % (prefix, i), value, ex=ex)
            except redis.exceptions.ResponseError as e:
                self.assertEqual(str(e), OOM)
                return i
        self.fail("never refused a write")

    def test_noeviction_refuses_writes_and_keeps_serving_the_rest(self):
        with Node(*MEMORY_ONLY, "--maxmemory", "8mb") as node:
            r = redis.Redis(port=node.port, decode_responses=True)
            self.assertEqual(r.config_get("maxmemory-policy")["maxmemory-policy"], "noeviction")
            stored = self.fill_until_oom(r, "k", "x" * 1000)
            self.assertGreater(stored, 1000)
            # Writes that need memory fail, and leave the data as it was ...
            for write in (lambda: r.set("k:0", "y"), lambda: r.append("k:1", "z"),
                          lambda: r.incr("counter"), lambda: r.mset({"a": 1, "b": 2})):
                with self.assertRaises(redis.exceptions.ResponseError) as ctx:
                    write()
                self.assertEqual(str(ctx.exception), OOM)
            self.assertEqual(r.get("k:0"), "x" * 1000)
            self.assertIsNone(r.get("a"))
            # ... while reads, deletes and TTL changes go on.
            self.assertEqual(r.dbsize(), stored)
            self.assertTrue(r.expire("k:2", 100))
            self.assertEqual(r.delete(*["k:%d" % i for i in range(3, 503)]), 500)
            self.assertTrue(r.set("k:new", "fits again"))
            self.assertEqual(r.info("stats")["evicted_keys"], 0)

    def test_volatile_lru_evicts_only_keys_with_a_ttl(self):
        with Node(*MEMORY_ONLY, "--maxmemory", "8mb", "--maxmemory-policy", "volatile-lru") as node:
            r = redis.Redis(port=node.port)
            for i in range(2000):
                r.set("keep:%d" % i, "p" * 1000)
            pipe = r.pipeline(transaction=False)
            for i in range(20000):
                pipe.set("temp:%d" % i, "t" * 1000, ex=3600)
            pipe.execute()
            self.assertGreater(r.info("stats")["evicted_keys"], 0)
            self.assertEqual(sum(r.exists("keep:%d" % i) for i in range(2000)), 2000)
            # With no key left that has a TTL, the node refuses like noeviction.
            r.config_set("maxmemory-policy", "volatile-lru")
            r.delete(*r.keys("temp:*"))
            self.fill_until_oom(r, "more", "m" * 1000)
            self.assertEqual(sum(r.exists("keep:%d" % i) for i in range(2000)), 2000)

    def test_volatile_ttl_evicts_the_soonest_expiring(self):
        with Node(*MEMORY_ONLY, "--maxmemory", "8mb", "--maxmemory-policy", "volatile-ttl") as node:
            r = redis.Redis(port=node.port)
            pipe = r.pipeline(transaction=False)
            for i in range(12000):
                # Key i expires after 10000 + i seconds: low i goes first.
                pipe.set("t:%d" % i, "v" * 1000, ex=10000 + i)
            pipe.execute()
            evicted = r.info("stats")["evicted_keys"]
            self.assertGreater(evicted, 1000)
            early = sum(r.exists("t:%d" % i) for i in range(0, 1000))
            late = sum(r.exists("t:%d" % i) for i in range(11000, 12000))
            self.assertLess(early, 200)
            self.assertEqual(late, 1000)

    def test_config_set_lowers_the_limit_and_evicts_at_once(self):
        with Node(*MEMORY_ONLY) as node:
            r = redis.Redis(port=node.port, decode_responses=True)
            pipe = r.pipeline(transaction=False)
            for i in range(30000):
                pipe.set("k:%d" % i, "v" * 500)
            pipe.execute()
            used = r.info("memory")["used_memory"]
            self.assertTrue(r.config_set("maxmemory-policy", "allkeys-random"))
            self.assertTrue(r.config_set("maxmemory", str(used // 2)))
            deadline = time.time() + 2
            while r.info("memory")["used_memory"] > used // 2:
                self.assertLess(time.time(), deadline, "eviction did not catch up within 2 s")
                time.sleep(0.05)
            self.assertLess(r.dbsize(), 20000)
            self.assertEqual(r.info("stats")["evicted_keys"], 30000 - r.dbsize())
            # Units as in redis.conf, and Redis's error for a bad policy.
            self.assertTrue(r.config_set("maxmemory", "1gb"))
            self.assertEqual(r.config_get("maxmemory")["maxmemory"], str(1024 ** 3))
            self.assertEqual(r.info("memory")["maxmemory_human"], "1.00G")
            with self.assertRaises(redis.exceptions.ResponseError) as ctx:
                r.config_set("maxmemory-policy", "most-recent")
            self.assertIn("must be one of the following", str(ctx.exception))
            self.assertEqual(r.config_get("maxmemory-policy")["maxmemory-policy"], "allkeys-random")


class IntrospectionTest(unittest.TestCase):
    def test_info_memory_and_stats_fields(self):
        with Node(*MEMORY_ONLY, "--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lfu") as node:
            r = redis.Redis(port=node.port)
            r.set("a", "1")
            r.get("a")
            r.get("a")
            r.get("missing")
            mem = r.info("memory")
            for field in ("used_memory", "used_memory_human", "used_memory_peak",
                          "used_memory_rss", "maxmemory", "maxmemory_policy",
                          "mem_fragmentation_ratio", "mem_allocator"):
                self.assertIn(field, mem)
            self.assertEqual(mem["maxmemory"], 100 * MB)
            self.assertEqual(mem["maxmemory_policy"], "allkeys-lfu")
            self.assertGreater(mem["used_memory"], 0)
            self.assertGreaterEqual(mem["used_memory_peak"], mem["used_memory"])
            stats = r.info("stats")
            self.assertEqual(stats["keyspace_hits"], 2)
            self.assertEqual(stats["keyspace_misses"], 1)
            self.assertEqual(stats["evicted_keys"], 0)

    def test_a_big_request_does_not_pin_its_buffer(self):
        with Node(*MEMORY_ONLY) as node:
            r = redis.Redis(port=node.port)
            base = r.info("memory")["used_memory"]
            r.set("big", "x" * (8 * MB))
            r.delete("big")
            r.ping()
            # The 8 MB query buffer was given back once the request was done.
            self.assertLess(r.info("clients")["client_recent_max_input_buffer"], 1 * MB)
            self.assertLess(r.info("memory")["used_memory"], base + 1 * MB)

    def test_memory_usage(self):
        with Node(*MEMORY_ONLY) as node:
            r = redis.Redis(port=node.port)
            r.set("big", "x" * 1000)
            usage = r.memory_usage("big")
            self.assertGreaterEqual(usage, 1000 + len("big"))
            self.assertLess(usage, 1400)  # the allocator rounds up to its size classes
            self.assertIsNone(r.memory_usage("missing"))
            self.assertEqual(r.execute_command("MEMORY", "USAGE", "big", "SAMPLES", "5"), usage)

    def test_object_idletime_and_freq(self):
        with Node(*MEMORY_ONLY) as node:
            r = redis.Redis(port=node.port, decode_responses=True)
            r.set("k", "v")
            time.sleep(1.2)
            self.assertGreaterEqual(r.object("idletime", "k"), 1)
            self.assertGreaterEqual(r.object("idletime", "k"), 1)  # asking is not an access
            r.get("k")
            self.assertEqual(r.object("idletime", "k"), 0)
            self.assertIsNone(r.object("idletime", "missing"))
            self.assertEqual(r.object("encoding", "k"), "embstr")
            r.set("n", "12345")
            self.assertEqual(r.object("encoding", "n"), "int")
            with self.assertRaises(redis.exceptions.ResponseError) as ctx:
                r.object("freq", "k")
            self.assertIn("LFU maxmemory policy is not selected", str(ctx.exception))
            r.config_set("maxmemory-policy", "allkeys-lfu")
            before = r.object("freq", "k")
            for _ in range(200):
                r.get("k")
            self.assertGreater(r.object("freq", "k"), before)


class ClusterLimitTest(unittest.TestCase):
    def test_each_node_keeps_its_limit_and_eviction_leaves_no_tombstone(self):
        limit = 16 * MB
        c = LocalCluster(*MEMORY_ONLY, "--maxmemory", str(limit), "--maxmemory-policy", "allkeys-lru")
        try:
            push(c.ports[0], 3 * limit, 1024, key_space=200_000)
            # Reads with R=2 repair evicted copies from other replicas: that
            # must evict on the repaired node, not overshoot its limit. (Short
            # pipelines: the values of reads in flight and their replies count
            # as used memory too, and only the next command evicts for them.)
            r = c.client(1)
            for start in range(0, 20000, 100):
                pipe = r.pipeline(transaction=False)
                for i in range(start, start + 100):
                    pipe.get("key:%012d" % i)
                pipe.execute()
            self.assertGreater(r.info("cluster")["ring_read_repairs"], 0)
            for i in range(3):
                mem = c.client(i).info("memory")
                self.assertLessEqual(mem["used_memory_peak"], limit * 1.02, (i, mem))
                evicted = c.client(i).info("stats")["evicted_keys"]
                self.assertGreater(evicted, 0)
            # An evicted key is simply gone from that node: no tombstone.
            peers = []
            for i in range(3):
                p = c.client(i)
                p.execute_command("RC.AUTH", "integration-secret")
                peers.append(p)
            keys = ["key:%012d" % i for i in range(3000)]
            states = [[p.execute_command("RC.GET", key) for key in keys] for p in peers]
            partly_evicted = [k for k in range(len(keys))
                              if any(s[k] is None for s in states)
                              and any(s[k] is not None for s in states)]
            self.assertGreater(len(partly_evicted), 0)
            for k in partly_evicted:
                for s in states:
                    self.assertTrue(s[k] is None or s[k][0] == b"string", (keys[k], s[k]))
        finally:
            c.stop()


if __name__ == "__main__":
    unittest.main()
