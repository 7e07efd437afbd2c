"""Cluster mode with three or five real nodes on loopback, joined through a seed: writes
through one node are read through the others, the cluster stays writable with
W of N replicas up and says so clearly when it is not, and read repair fixes a
replica that missed writes."""

import os
import random
import signal
import threading
import time
import unittest

import redis

from support import Node, free_port

SECRET = "integration-secret"


class LocalCluster:
    def __init__(self, *extra, count=3):
        self.ports = [free_port() for _ in range(count)]
        self.members = ",".join("127.0.0.1:%d" % p for p in self.ports)
        self.extra = extra
        self.nodes = []
        try:
            for i in range(count):
                self.nodes.append(self.start(i))
            for i in range(count):
                self.wait_for_members(i)
        except BaseException:
            for node in self.nodes:  # a cluster that never formed leaves no process behind
                node.stop()
            raise

    def start(self, i):
        # Every node is told only of the first: the rest it learns by gossip.
        node = Node("--cluster-seeds", "127.0.0.1:%d" % self.ports[0], "--cluster-secret", SECRET,
                    *self.extra, port=self.ports[i])
        return node

    def restart(self, i):
        self.nodes[i] = self.start(i)
        self.wait_for_members(i)
        for j in range(len(self.ports)):
            if self.nodes[j] is not None:
                self.wait_for_state(j, i, "myself" if i == j else "up")

    def ring_nodes(self, i):
        return {n[0].decode(): n[2].decode()
                for n in self.client(i).execute_command("RING", "NODES")}

    def wait_for_members(self, i, timeout=15):
        deadline = time.time() + timeout
        while len(self.ring_nodes(i)) < len(self.ports):
            if time.time() > deadline:
                raise AssertionError("node %d did not learn every member" % i)
            time.sleep(0.05)

    def wait_for_state(self, observer, node, state, timeout=15):
        """Waits until `observer` sees `node` in `state`; returns the seconds it took."""
        start = time.time()
        member = "127.0.0.1:%d" % self.ports[node]
        while self.ring_nodes(observer)[member] != state:
            if time.time() - start > timeout:
                raise AssertionError("node %d never saw node %d %s" % (observer, node, state))
            time.sleep(0.05)
        return time.time() - start

    def sync_round_everywhere(self, deadline):
        """One anti-entropy round per node, one after another: each ends
        holding the newest state any replica had."""
        for i in range(len(self.ports)):
            r = self.client(i)
            rounds = r.info("cluster")["ring_sync_rounds"]
            r.execute_command("RING", "SYNC")
            while r.info("cluster")["ring_sync_rounds"] == rounds:
                if time.time() > deadline:
                    raise AssertionError("sync round of node %d did not end" % i)
                time.sleep(0.05)

    def client(self, i):
        return redis.Redis(host="127.0.0.1", port=self.ports[i], single_connection_client=True)

    def replica_value(self, i, key):
        """What node i itself stores for `key`, read over the cluster bus."""
        r = self.client(i)
        r.execute_command("RC.AUTH", SECRET)
        return r.execute_command("RC.GET", key)

    def stop(self):
        # Every node is stopped even when one of them failed (a crashed node
        # raises): the failure is raised after, with no process left behind.
        failures = []
        for node in self.nodes:
            if node is not None:
                try:
                    node.stop_and_check()
                except AssertionError as e:
                    failures.append(e)
        if failures:
            raise failures[0]


class SharedClusterTestCase(unittest.TestCase):
    """One 3-node LocalCluster for all the tests of a class."""

    @classmethod
    def setUpClass(cls):
        cls.cluster = LocalCluster()

    @classmethod
    def tearDownClass(cls):
        cls.cluster.stop()


class ClusterTest(unittest.TestCase):
    def test_five_nodes_three_replicas(self):
        c = LocalCluster("--cluster-timeout", "300", count=5)
        try:
            for i in range(100):
                self.assertTrue(c.client(i % 5).set("k%d" % i, "v%d" % i))
            for i in range(100):
                key = "k%d" % i
                self.assertEqual(c.client((i + 2) % 5).get(key), b"v%d" % i)
                # Exactly the three nodes of the preference list store it.
                holders = [n for n in range(5) if c.replica_value(n, key) is not None]
                replicas = [x.decode() for x in
                            c.client(0).execute_command("RING", "REPLICAS", key)]
                self.assertEqual(sorted("127.0.0.1:%d" % c.ports[n] for n in holders),
                                 sorted(replicas))
            # Two of a key's three replicas down: W=2 cannot be met for it.
            victims = [x.decode() for x in c.client(0).execute_command("RING", "REPLICAS", "k0")]
            down = [c.ports.index(int(v.split(":")[1])) for v in victims[:2]]
            coordinator = next(n for n in range(5) if n not in down)
            for n in down:
                c.nodes[n].stop(sig=9)
                c.nodes[n] = None
            with self.assertRaisesRegex(redis.ResponseError, "NOQUORUM 1 of 3"):
                c.client(coordinator).set("k0", "x")
        finally:
            c.stop()

    def test_ttl_expires_on_every_replica_and_deletes_stay_deleted(self):
        c = LocalCluster()
        try:
            self.assertTrue(c.client(0).set("short", "v", px=300))
            self.assertTrue(c.client(0).set("gone", "v"))
            self.assertEqual(c.client(1).delete("gone"), 1)
            time.sleep(0.5)
            for i in range(3):
                self.assertIsNone(c.client(i).get("short"))
                self.assertIsNone(c.replica_value(i, "short"))  # expired on every replica
                self.assertEqual(c.replica_value(i, "gone")[0], b"tombstone")
            # A stale replica write of the deleted value (older version) is ignored.
            r = c.client(2)
            r.execute_command("RC.AUTH", SECRET)
            self.assertEqual(r.execute_command("RC.PUT", "gone", "v", 0, "1-1"), 0)
            self.assertIsNone(c.client(0).get("gone"))
        finally:
            c.stop()

    def test_read_your_writes_through_any_node(self):
        self.check_read_your_writes(count=3)

    def test_read_your_writes_with_five_nodes_three_replicas(self):
        self.check_read_your_writes(count=5)

    def check_read_your_writes(self, count):
        c = LocalCluster(count=count)
        try:
            w, r2, r3 = c.client(0), c.client(1), c.client(count - 1)
            self.assertTrue(w.set("k", "v1"))
            self.assertEqual(r2.get("k"), b"v1")
            self.assertEqual(r3.get("k"), b"v1")
            self.assertTrue(w.mset({"a": "1", "b": "2", "c": "3"}))
            self.assertEqual(r2.mget("a", "b", "c", "zz"), [b"1", b"2", b"3", None])
            self.assertEqual(r3.exists("a", "b", "zz"), 2)
            self.assertEqual(r2.delete("a", "zz"), 1)
            self.assertIsNone(r3.get("a"))
            self.assertTrue(w.set("t", "v", ex=100))
            self.assertEqual(r3.ttl("t"), 100)
            self.assertTrue(w.setex("t2", 50, "v"))
            self.assertEqual(r2.ttl("t2"), 50)
            self.assertEqual(r2.ttl("nothing"), -2)
            # Every replica stores each key.
            for replica in c.client(0).execute_command("RING", "REPLICAS", "k"):
                i = c.ports.index(int(replica.split(b":")[1]))
                self.assertEqual(c.replica_value(i, "k")[1], b"v1")
            for replica in c.client(0).execute_command("RING", "REPLICAS", "a"):
                i = c.ports.index(int(replica.split(b":")[1]))
                self.assertEqual(c.replica_value(i, "a")[0], b"tombstone")
            # Read-modify-write commands, each read back through the other nodes.
            self.assertEqual(w.incr("n"), 1)
            self.assertEqual(r2.incrby("n", 10), 11)
            self.assertEqual(r3.decrby("n", 2), 9)
            self.assertEqual(r2.incrbyfloat("f", 1.5), 1.5)
            self.assertEqual(r3.get("f"), b"1.5")
            self.assertEqual(w.append("s", "hello"), 5)
            self.assertEqual(r2.append("s", " world"), 11)
            self.assertEqual(r3.strlen("s"), 11)
            self.assertEqual(r2.getrange("s", 0, 4), b"hello")
            self.assertEqual(w.setrange("s", 0, "J"), 11)
            self.assertEqual(r3.get("s"), b"Jello world")
            self.assertIsNone(w.set("s", "x", nx=True))
            self.assertEqual(w.set("s", "y", xx=True, get=True), b"Jello world")
            self.assertEqual(r3.getset("s", "z"), b"y")
            self.assertEqual(r2.getdel("s"), b"z")
            self.assertEqual(r3.exists("s"), 0)
            self.assertTrue(w.setnx("nx", "1"))
            self.assertFalse(r2.setnx("nx", "2"))
            self.assertTrue(w.expire("nx", 100))
            self.assertEqual(r2.ttl("nx"), 100)
            self.assertTrue(r3.persist("nx"))
            self.assertEqual(w.ttl("nx"), -1)
            expire_at_ms = int(time.time() * 1000) + 50000
            self.assertTrue(r2.pexpireat("nx", expire_at_ms))
            self.assertGreater(r3.pttl("nx"), 40000)
            # From the one timestamp: reading the clock again could cross a second.
            self.assertEqual(r3.expiretime("nx"), expire_at_ms // 1000)
            self.assertEqual(w.getex("nx", ex=30), b"1")
            self.assertEqual(r2.ttl("nx"), 30)
            self.assertEqual(r3.type("nx"), b"string")
            self.assertEqual(r3.touch("nx", "n", "missing"), 2)
            self.assertTrue(w.set("nx2", "1x"))
            with self.assertRaisesRegex(redis.ResponseError, "not an integer"):
                r2.incr("nx2")
            self.assertEqual(r3.get("nx2"), b"1x")  # the failed INCR changed nothing
            # Multi-key commands over keys on different replica sets.
            self.assertTrue(w.msetnx({"m1": "1", "m2": "2"}))
            self.assertFalse(r2.msetnx({"m2": "x", "m3": "3"}))
            self.assertEqual(r3.mget("m1", "m2", "m3"), [b"1", b"2", None])
            self.assertTrue(r2.rename("m1", "renamed"))
            self.assertIsNone(r3.get("m1"))
            self.assertEqual(w.get("renamed"), b"1")
            self.assertFalse(r3.renamenx("renamed", "m2"))
            with self.assertRaisesRegex(redis.ResponseError, "no such key"):
                w.rename("m1", "x")
            # Transactions run in order (more in test_cluster_transactions.py).
            with w.pipeline() as p:
                p.set("tx", "1")
                p.incr("tx")
                self.assertEqual(p.execute(), [True, 2])
            self.assertEqual(r3.get("tx"), b"2")
        finally:
            c.stop()

    def test_concurrent_increments_through_every_node_are_all_counted(self):
        c = LocalCluster()
        try:
            pipes = []
            for i in range(3):
                pipe = c.client(i).pipeline(transaction=False)
                for _ in range(300):
                    pipe.incr("counter")
                pipes.append(pipe)
            threads = [threading.Thread(target=p.execute) for p in pipes]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            for i in range(3):
                self.assertEqual(c.client(i).get("counter"), b"900")
            # Every replica holds the same counter: base and three writers' shards.
            deadline = time.time() + 10
            while len({bytes(c.replica_value(i, "counter")[1]) for i in range(3)}) != 1:
                self.assertLess(time.time(), deadline, "replicas of the counter differ")
                time.sleep(0.05)
            self.assertEqual(c.replica_value(0, "counter")[0], b"counter")
        finally:
            c.stop()

    def test_replicas_converge_after_concurrent_writers_and_a_crash(self):
        c = LocalCluster("--cluster-timeout", "300")
        keys = ["conv:%d" % i for i in range(200)]
        stop = threading.Event()
        acknowledged = [0]

        def writer(node, seed):
            rnd = random.Random(seed)
            while not stop.is_set():
                try:
                    r = c.client(node)
                    while not stop.is_set():
                        key, op = rnd.choice(keys), rnd.random()
                        if op < 0.6:
                            r.set(key, "%d:%d" % (node, rnd.randrange(10**9)))
                        elif op < 0.75:
                            r.delete(key)
                        elif op < 0.9:
                            r.append(key, "+")
                        else:
                            r.set(key, "t", px=60000)
                        acknowledged[0] += 1
                except (redis.ConnectionError, redis.ResponseError):
                    time.sleep(0.05)  # the node is down or cannot reach W: retry

        threads = [threading.Thread(target=writer, args=(n % 3, n)) for n in range(6)]
        # Written once, before the crash: only anti-entropy can refill them on
        # the restarted node (no hints, no reads).
        untouched = {"still:%d" % i: "v%d" % i for i in range(100)}
        try:
            c.client(0).mset(untouched)
            for t in threads:
                t.start()
            time.sleep(1.5)
            c.nodes[1].stop(sig=9)  # mid-write: some writes it coordinated are half done
            c.nodes[1] = None
            time.sleep(1.5)
            c.restart(1)  # back empty
            time.sleep(1.5)
            stop.set()
            for t in threads:
                t.join()
            self.assertGreater(acknowledged[0], 500)
            clients = [c.client(i) for i in range(3)]
            deadline = time.time() + 30
            while any(r.info("cluster")["ring_hints_pending"] for r in clients):
                self.assertLess(time.time(), deadline, "hints not delivered")
                time.sleep(0.1)
            c.sync_round_everywhere(deadline)
            for key in keys + list(untouched):
                states = [c.replica_value(i, key) for i in range(3)]
                self.assertEqual(states[0], states[1], key)
                self.assertEqual(states[0], states[2], key)
            self.assertEqual(c.replica_value(1, "still:7")[1], b"v7")
        finally:
            stop.set()
            c.stop()

    def test_replicas_holding_one_version_with_different_values_converge(self):
        """Two nodes whose version tags collide can stamp one version on two
        writes: anti-entropy must still settle every replica on the same
        state, whichever order the writes came in. (Reads and read repair of
        such ties: coordinator_test.)"""
        c = LocalCluster()
        try:
            peers = [c.client(i) for i in range(3)]
            for r in peers:
                r.execute_command("RC.AUTH", SECRET)
            for key, values in (("tie:a", ("apple", "cherry", "banana")),
                                ("tie:b", ("cherry", "banana", "apple"))):
                for r, value in zip(peers, values):
                    self.assertEqual(r.execute_command("RC.PUT", key, value, 0, "5000-9"), 1)
            # Anti-entropy sees that replicas with one version differ.
            deadline = time.time() + 30
            c.sync_round_everywhere(deadline)
            for key in ("tie:a", "tie:b"):
                while [c.replica_value(i, key)[1] for i in range(3)] != [b"cherry"] * 3:
                    self.assertLess(time.time(), deadline, "replicas of %s differ" % key)
                    time.sleep(0.05)
        finally:
            c.stop()

    def test_large_values_leave_no_memory_behind(self):
        """One 10 MB SET and DEL through a node once left 52 MB used on it and
        10 MB on each replica for good (buffers kept at their peak, and the
        tombstone holding the value's block). Without disk: the test build's
        memory count (ASan's) includes RocksDB's memtables."""
        c = LocalCluster("--persistence", "off")
        try:
            def used(i):
                return c.client(i).info("memory")["used_memory"]

            for i in range(3):  # every bus connection opened and warm
                c.client(i).set("warm%d" % i, "x")
                c.client(i).get("warm%d" % ((i + 1) % 3))
            before = [used(i) for i in range(3)]
            r = c.client(0)
            self.assertTrue(r.set("big", "x" * (10 << 20)))
            self.assertEqual(len(r.get("big")), 10 << 20)
            self.assertEqual(r.delete("big"), 1)
            for i in range(3):
                r = c.client(i)
                r.get("warm0")  # a small request after the big ones
                grown = used(i) - before[i]
                self.assertLess(grown, 2 << 20, "node %d kept %d bytes" % (i, grown))
        finally:
            c.stop()

    def test_keyspace_wide_commands_see_every_node(self):
        c = LocalCluster(count=5)
        try:
            keys = {"key:%d" % i for i in range(500)}
            pipe = c.client(0).pipeline(transaction=False)
            for key in keys:
                pipe.set(key, "v")
            pipe.execute()
            for i in range(5):
                r = c.client(i)
                self.assertEqual(r.dbsize(), 500)
                self.assertEqual({k.decode() for k in r.keys("key:*")}, keys)
                self.assertEqual(len(r.keys("key:1?")), 10)
                scanned = [k.decode() for k in r.scan_iter(match="key:*", count=50)]
                self.assertEqual(len(scanned), 500)  # each key once
                self.assertEqual(set(scanned), keys)
            self.assertTrue(c.client(1).randomkey().startswith(b"key:"))
            # redis-cli's own SCAN loop agrees.
            out, _, _ = c.nodes[3].cli("--scan", "--pattern", "key:*")
            self.assertEqual(set(out.split()), keys)
            # With a member down, its keys are listed by the next replica.
            c.nodes[4].stop(sig=9)
            c.nodes[4] = None
            for i in range(4):
                c.wait_for_state(i, 4, "down")
            self.assertEqual(c.client(0).dbsize(), 500)
            self.assertEqual(len(list(c.client(0).scan_iter(count=100))), 500)
            self.assertTrue(c.client(2).flushall())
            for i in range(4):
                self.assertEqual(c.client(i).dbsize(), 0)
                self.assertIsNone(c.client(i).get("key:1"))
        finally:
            c.stop()

    def test_ring_introspection_and_per_connection_quorum(self):
        c = LocalCluster("--cluster-timeout", "300")
        try:
            r = c.client(0)
            nodes = r.execute_command("RING", "NODES")
            self.assertEqual(sorted(n[0].decode() for n in nodes),
                             sorted("127.0.0.1:%d" % p for p in c.ports))
            self.assertAlmostEqual(sum(float(n[1]) for n in nodes), 100, delta=0.1)
            self.assertEqual(len(r.execute_command("RING", "REPLICAS", "k")), 3)
            info = r.info("cluster")
            self.assertEqual(info["cluster_enabled"], 0)
            self.assertEqual(info["ring_size"], 3)
            self.assertEqual(info["ring_write_quorum"], 2)
            c.nodes[2].stop(sig=9)
            c.nodes[2] = None
            strict = c.client(0)
            strict.execute_command("RING", "QUORUM", 3, 2)
            with self.assertRaisesRegex(redis.ResponseError, "NOQUORUM"):
                strict.set("k", "v")
            self.assertTrue(c.client(0).set("k", "v"))  # other connections keep W=2
            with self.assertRaisesRegex(redis.ResponseError, "between 0"):
                strict.execute_command("RING", "QUORUM", 4, 1)
        finally:
            c.stop()

    def test_pipelined_commands_keep_their_order(self):
        c = LocalCluster()
        try:
            pipe = c.client(1).pipeline(transaction=False)
            for i in range(200):
                pipe.set("p", "v%d" % i).get("p").delete("p").get("p").set("p", "w%d" % i)
            results = pipe.execute()
            for i in range(200):
                self.assertEqual(results[5 * i:5 * i + 5],
                                 [True, b"v%d" % i, 1, None, True])
            self.assertEqual(c.client(2).get("p"), b"w199")
            # Reads go to replicas in batches; a read-modify-write sent after
            # a read must still not be seen by it.
            pipe = c.client(1).pipeline(transaction=False)
            for i in range(100):
                pipe.get("n").incr("n").get("n")
            results = pipe.execute()
            for i in range(100):
                self.assertEqual(results[3 * i:3 * i + 3],
                                 [None if i == 0 else b"%d" % i, i + 1, b"%d" % (i + 1)])
        finally:
            c.stop()

    def test_writable_with_w_of_n_and_clear_error_without(self):
        c = LocalCluster("--cluster-timeout", "300")
        try:
            c.nodes[2].stop(sig=9)
            c.nodes[2] = None
            w = c.client(0)
            self.assertTrue(w.set("k", "v"))  # W=2: the two live replicas suffice
            self.assertEqual(c.client(1).get("k"), b"v")
        finally:
            c.stop()
        c = LocalCluster("--write-quorum", "3", "--cluster-timeout", "300")
        try:
            c.nodes[2].stop(sig=9)
            c.nodes[2] = None
            with self.assertRaisesRegex(redis.ResponseError,
                                        "NOQUORUM 2 of 3 replicas acknowledged the write"):
                c.client(0).set("k", "v")
        finally:
            c.stop()

    def test_a_frozen_replica_times_out_reads_and_writes(self):
        # SIGSTOP: the connection stays open and requests are never answered,
        # so only the coordinator's deadline can end them.
        c = LocalCluster("--cluster-timeout", "300", "--cluster-node-timeout", "60000")
        try:
            r = c.client(0)
            self.assertTrue(r.set("k", "v"))
            os.kill(c.nodes[2].proc.pid, signal.SIGSTOP)
            try:
                strict = c.client(0)
                strict.execute_command("RING", "QUORUM", 3, 3)
                started = time.time()
                with self.assertRaisesRegex(redis.ResponseError,
                                            "NOQUORUM 2 of 3 replicas acknowledged the write in time"):
                    strict.set("k", "v2")
                with self.assertRaisesRegex(redis.ResponseError,
                                            "NOQUORUM 2 of 3 replicas answered the read in time"):
                    strict.get("k")
                self.assertLess(time.time() - started, 30)  # they did end
            finally:
                os.kill(c.nodes[2].proc.pid, signal.SIGCONT)
            # Thawed, it answers what was queued for it: the write reached all three.
            self.assertEqual(c.client(2).get("k"), b"v2")
            self.assertEqual(c.replica_value(2, "k")[1], b"v2")
        finally:
            c.stop()

    def test_gossip_detects_a_killed_node_and_its_return(self):
        c = LocalCluster()
        try:
            views = [sorted(c.client(i).execute_command("RING", "NODES")) for i in range(3)]
            for view in views[1:]:  # the same members and shares everywhere
                self.assertEqual([n[:2] for n in view], [n[:2] for n in views[0]])
            c.nodes[1].stop(sig=9)
            c.nodes[1] = None
            took = c.wait_for_state(0, 1, "down", timeout=10)
            c.wait_for_state(2, 1, "down", timeout=10)
            self.assertLess(took, 10)
            self.assertEqual(c.client(0).info("cluster")["ring_nodes_up"], 2)
            c.restart(1)
            self.assertEqual(c.ring_nodes(1)["127.0.0.1:%d" % c.ports[0]], "up")
        finally:
            c.stop()

    def test_hinted_handoff_delivers_missed_writes(self):
        c = LocalCluster("--cluster-timeout", "300")
        try:
            c.nodes[2].stop(sig=9)
            w = c.client(0)
            pipe = w.pipeline(transaction=False)
            for i in range(200):
                pipe.set("h:%d" % i, "v%d" % i)
            pipe.delete("h:0")
            self.assertTrue(all(pipe.execute()))
            self.assertEqual(w.info("cluster")["ring_hints_pending"], 201)
            c.restart(2)
            deadline = time.time() + 10
            while w.info("cluster")["ring_hints_pending"] > 0 and time.time() < deadline:
                time.sleep(0.1)
            info = w.info("cluster")
            self.assertEqual(info["ring_hints_pending"], 0)
            self.assertEqual(info["ring_hints_delivered"], 201)
            # Read node 3's own replica directly: no cluster read could have repaired it.
            self.assertEqual(c.replica_value(2, "h:0")[0], b"tombstone")
            for i in range(1, 200):
                self.assertEqual(c.replica_value(2, "h:%d" % i)[1], b"v%d" % i)
        finally:
            c.stop()

    def test_read_repair_fills_a_restarted_replica(self):
        # No hints and no anti-entropy: only read repair can bring node 3 the
        # write it missed.
        c = LocalCluster("--cluster-timeout", "300", "--hinted-handoff-max", "0",
                         "--anti-entropy-interval", "0")
        try:
            c.nodes[2].stop(sig=9)
            self.assertTrue(c.client(0).set("k", "v"))  # node 3 misses it
            c.restart(2)  # comes back empty (no persistence yet)
            self.assertIsNone(c.replica_value(2, "k"))
            # A read with R=2 through node 3 sees the value on a peer and
            # repairs node 3 in the background.
            self.assertEqual(c.client(2).get("k"), b"v")
            deadline = time.time() + 5
            while c.replica_value(2, "k") is None and time.time() < deadline:
                time.sleep(0.05)
            self.assertEqual(c.replica_value(2, "k")[1], b"v")
        finally:
            c.stop()


if __name__ == "__main__":
    unittest.main()
