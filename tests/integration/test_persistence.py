"""Write-behind persistence to RocksDB: a node restarted on its dir finds its
data — every type, with TTLs — after SHUTDOWN, SIGTERM or kill -9 (then less
at most the last flush window); deletes and FLUSHALL stay done; SAVE, BGSAVE,
LASTSAVE and INFO persistence tell the truth; a full backlog makes writers
wait; a data dir that cannot be written makes writes fail with -MISCONF while
reads go on; a foreign dir is refused at start."""

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

import redis

from support import SERVER, Node, free_port


def info(client, section="persistence"):
    return client.info(section)


def wait_loaded(client, timeout=30):
    deadline = time.time() + timeout
    while True:
        try:
            if info(client)["loading"] == 0:
                return
        except redis.exceptions.BusyLoadingError:
            pass
        if time.time() > deadline:
            raise AssertionError("the node is still loading")
        time.sleep(0.05)


def start_loaded(*args, data_dir, port=None):
    """A node on `data_dir` that has loaded it, and a client of it."""
    node = Node(*args, port=port, data_dir=data_dir)
    c = redis.Redis(port=node.port)
    wait_loaded(c)
    return node, c


def fill_every_type(c):
    c.set("string", "value")
    c.set("ttl-string", "soon", ex=1000)
    c.set("short-ttl", "gone", px=300)  # expires while the node is down
    c.incrby("counter", 41)
    c.incr("counter")
    c.hset("small-hash", mapping={"f1": "v1", "f2": "v2"})
    c.hset("big-hash", mapping={"field%d" % i: i for i in range(300)})
    c.hincrby("big-hash", "field7", 5)
    c.sadd("int-set", *range(50))
    c.sadd("big-set", *("member%d" % i for i in range(600)))
    c.srem("big-set", "member3")
    c.rpush("list", *("item%d" % i for i in range(1000)))
    c.lpop("list")
    c.lset("list", 5, "changed")
    c.zadd("zset", {"m%d" % i: i / 3 for i in range(200)})
    c.zincrby("zset", 100, "m1")
    c.set("deleted", "x")
    c.delete("deleted")
    c.append("string", "-appended")
    c.setrange("string", 0, "V")
    c.expire("small-hash", 5000)


def snapshot(c):
    return {
        "string": c.get("string"),
        "ttl-string": c.get("ttl-string"),
        "counter": c.get("counter"),
        "small-hash": c.hgetall("small-hash"),
        "big-hash": c.hgetall("big-hash"),
        "int-set": c.smembers("int-set"),
        "big-set": c.smembers("big-set"),
        "list": c.lrange("list", 0, -1),
        "zset": c.zrange("zset", 0, -1, withscores=True),
        "types": [c.type(k) for k in ("string", "counter", "big-hash", "big-set", "list", "zset")],
        "deleted": c.exists("deleted"),
        "short-ttl": c.exists("short-ttl"),
    }


def contents(c):
    """Every key's type and value."""
    read = {b"string": c.get, b"hash": c.hgetall, b"set": c.smembers,
            b"list": lambda k: c.lrange(k, 0, -1),
            b"zset": lambda k: c.zrange(k, 0, -1, withscores=True)}
    return {k: (c.type(k), read[c.type(k)](k)) for k in c.keys("*")}


class RestartTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ringcache-persist-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def node(self, *args, port=None):
        return start_loaded(*args, data_dir=self.dir, port=port)[0]

    def check_restart(self, stop):
        node = self.node()
        c = redis.Redis(port=node.port)
        fill_every_type(c)
        before = snapshot(c)
        before["short-ttl"] = 0
        ttl_before = c.ttl("ttl-string")
        stop(node)
        time.sleep(0.4)  # short-ttl's time passes while the node is down
        node = self.node(port=node.port)
        try:
            c = redis.Redis(port=node.port)
            self.assertEqual(snapshot(c), before)
            self.assertTrue(0 < c.ttl("ttl-string") <= ttl_before)
            self.assertTrue(0 < c.ttl("small-hash") <= 5000)
            self.assertEqual(c.ttl("string"), -1)
            self.assertEqual(c.dbsize(), 9)
            self.assertEqual(c.object("encoding", "big-hash"), b"hashtable")
            self.assertEqual(c.object("encoding", "int-set"), b"intset")
            self.assertEqual(info(c)["loading_loaded_keys"], 9)
        finally:
            node.stop_and_check()

    def test_shutdown_keeps_every_type_with_its_ttl(self):
        self.check_restart(lambda node: (node.cli("SHUTDOWN"), node.proc.wait(20), node.stop()))

    def test_sigterm_keeps_everything(self):
        self.check_restart(lambda node: self.assertEqual(node.stop(signal.SIGTERM), 0))

    def test_kill9_after_the_flush_window_keeps_everything(self):
        def kill_after_window(node):
            time.sleep(0.5)  # five flush intervals
            node.stop(signal.SIGKILL)
        self.check_restart(kill_after_window)

    def test_kill9_mid_write_loses_only_the_last_flush_window(self):
        node = self.node()
        c = redis.Redis(port=node.port)
        acked = {}  # key -> when its write was acknowledged
        stop = threading.Event()

        def writer():
            i = 0
            try:
                while not stop.is_set():
                    c.set("k%d" % i, "v%d" % i)
                    acked["k%d" % i] = time.time()
                    i += 1
            except redis.exceptions.ConnectionError:
                pass

        t = threading.Thread(target=writer)
        t.start()
        time.sleep(2)
        node.stop(signal.SIGKILL)
        killed_at = time.time()
        stop.set()
        t.join()
        node = self.node(port=node.port)
        try:
            c = redis.Redis(port=node.port)
            keys = list(acked)
            values = c.mget(keys)
            missing = [k for k, v in zip(keys, values) if v is None]
            wrong = [k for k, v in zip(keys, values) if v is not None and v != b"v" + k[1:].encode()]
            self.assertEqual(wrong, [])
            # Only writes acknowledged within the last flush window (100 ms,
            # plus the batch being written) may be missing: 1 s is ten windows.
            old_missing = [k for k in missing if acked[k] < killed_at - 1.0]
            self.assertEqual(old_missing, [], "%d of %d acknowledged keys missing" %
                             (len(missing), len(keys)))
            self.assertGreater(len(keys), 100)
        finally:
            node.stop_and_check()

    def test_deletes_and_flushall_stay_done(self):
        node = self.node()
        c = redis.Redis(port=node.port)
        for i in range(100):
            c.set("old%d" % i, i)
        self.assertTrue(c.save())
        c.flushall()
        c.set("new", "1")
        c.rpush("list", "a", "b")
        c.delete("list")
        node.stop(signal.SIGTERM)
        node = self.node(port=node.port)
        try:
            c = redis.Redis(port=node.port)
            self.assertEqual(c.keys("*"), [b"new"])
        finally:
            node.stop_and_check()

    def test_a_large_collection_writes_only_what_changed(self):
        node = self.node()
        c = redis.Redis(port=node.port)
        c.sadd("set", *("member%d" % i for i in range(20000)))
        self.assertTrue(c.save())
        written = info(c)["bytes_written"]
        c.sadd("set", "one-more")
        c.srem("set", "member5")
        self.assertTrue(c.save())
        # Two elements and the head, not the 20,000-member set (~400 KB).
        self.assertLess(info(c)["bytes_written"] - written, 300)
        # Replaced while kept by element: none of the old elements comes back.
        c.hset("hash", mapping={"old%d" % i: i for i in range(500)})
        c.hset("renamed", mapping={"was%d" % i: i for i in range(500)})
        c.hset("other", mapping={"o%d" % i: i for i in range(500)})
        self.assertTrue(c.save())
        c.delete("hash")
        c.hset("hash", mapping={"new%d" % i: i for i in range(300)})
        c.rename("other", "renamed")
        c.hset("renamed", "changed", "after the rename")
        c.sadd("shrinks", *range(200))
        self.assertTrue(c.save())
        c.srem("shrinks", *range(1, 200))
        c.set("became-string", "x")
        c.zadd("became-string-later", {"m%d" % i: i for i in range(300)})
        self.assertTrue(c.save())
        c.set("became-string-later", "a string now")
        self.assertTrue(c.save())
        expected = contents(c)
        node.stop(signal.SIGKILL)  # after SAVE: nothing to lose
        node = self.node(port=node.port)
        try:
            c = redis.Redis(port=node.port)
            self.assertEqual(c.scard("set"), 20000)
            self.assertTrue(c.sismember("set", "one-more"))
            self.assertFalse(c.sismember("set", "member5"))
            self.assertEqual(sorted(c.hkeys("hash")), sorted(b"new%d" % i for i in range(300)))
            self.assertEqual(c.hlen("renamed"), 501)
            self.assertEqual(c.hget("renamed", "changed"), b"after the rename")
            self.assertIsNone(c.hget("renamed", "was1"))
            self.assertEqual(c.smembers("shrinks"), {b"0"})
            self.assertEqual(contents(c), expected)
        finally:
            node.stop_and_check()

    def test_popped_and_blocked_pops_are_persisted(self):
        node = self.node()
        c = redis.Redis(port=node.port)
        c.rpush("q", "a", "b", "c")
        c.lpop("q")
        got = []
        waiter = threading.Thread(target=lambda: got.append(
            redis.Redis(port=node.port).blpop("empty", timeout=10)))
        waiter.start()
        time.sleep(0.3)
        c.rpush("empty", "x", "y")  # the blocked client takes x
        waiter.join()
        self.assertEqual(got, [(b"empty", b"x")])
        node.stop(signal.SIGTERM)
        node = self.node(port=node.port)
        try:
            c = redis.Redis(port=node.port)
            self.assertEqual(c.lrange("q", 0, -1), [b"b", b"c"])
            self.assertEqual(c.lrange("empty", 0, -1), [b"y"])
        finally:
            node.stop_and_check()


def replica_state(port, key):
    """What one node holds for `key` (kind, value, expiry, version)."""
    peer = redis.Redis(port=port)
    peer.execute_command("RC.AUTH", "persist-secret")
    return peer.execute_command("RC.GET", key)


class ClusterRestartTest(unittest.TestCase):
    def test_every_node_killed_comes_back_with_every_type_versions_and_ttls(self):
        dirs = [tempfile.mkdtemp(prefix="ringcache-persist-") for _ in range(3)]
        ports = [free_port() for _ in range(3)]
        args = ("--cluster-nodes", ",".join("127.0.0.1:%d" % p for p in ports),
                "--cluster-secret", "persist-secret", "--anti-entropy-interval", "0",
                "--hinted-handoff-max", "0")

        def start():
            nodes = [Node(*args, port=ports[i], data_dir=dirs[i]) for i in range(3)]
            for n in nodes:
                wait_loaded(redis.Redis(port=n.port))
            return nodes

        nodes = start()
        try:
            c = redis.Redis(port=ports[0])
            fill_every_type(c)
            before = snapshot(c)
            before["short-ttl"] = 0
            states = {k: [replica_state(p, k) for p in ports]
                      for k in ("string", "counter", "big-hash", "list")}
            time.sleep(0.5)  # past the flush window
            for n in nodes:
                n.stop(signal.SIGKILL)
            nodes = start()
            # Anti-entropy and hints are off: what each node holds is its disk's.
            for port in ports:
                self.assertEqual(snapshot(redis.Redis(port=port)), before)
            for k, held in states.items():
                self.assertEqual([replica_state(p, k) for p in ports], held, k)
            self.assertTrue(redis.Redis(port=ports[1]).incr("counter"))
            self.assertEqual(redis.Redis(port=ports[2]).get("counter"), b"43")
            # A replicated set kept by element: one SADD writes one member.
            written = [info(redis.Redis(port=p))["bytes_written"] for p in ports]
            redis.Redis(port=ports[1]).sadd("big-set", "after-restart")
            time.sleep(0.3)  # every replica has it
            for p, before_bytes in zip(ports, written):
                self.assertTrue(redis.Redis(port=p).save())
                self.assertLess(info(redis.Redis(port=p))["bytes_written"] - before_bytes, 400)
            for n in nodes:
                n.stop(signal.SIGKILL)
            nodes = start()
            for port in ports:
                self.assertEqual(redis.Redis(port=port).scard("big-set"), 600)
                self.assertTrue(redis.Redis(port=port).sismember("big-set", "after-restart"))
        finally:
            for n in nodes:
                n.stop()
            for d in dirs:
                shutil.rmtree(d, ignore_errors=True)


class CommandsTest(unittest.TestCase):
    def test_save_bgsave_lastsave_and_info(self):
        with Node() as node:
            c = redis.Redis(port=node.port)
            wait_loaded(c)
            self.assertEqual(c.config_get("persistence"), {"persistence": "write-behind"})
            c.set("a", "1")
            self.assertGreater(info(c)["dirty_keys"], 0)
            self.assertTrue(c.save())
            p = info(c)
            self.assertEqual(p["dirty_keys"], 0)
            self.assertEqual(p["rdb_changes_since_last_save"], 0)
            self.assertGreaterEqual(p["keys_written"], 1)
            self.assertGreater(p["bytes_written"], 0)
            self.assertEqual(p["rdb_last_bgsave_status"], "ok")
            self.assertTrue(os.path.isdir(os.path.join(node.dir, "ringcache-data")))
            self.assertLessEqual(abs(c.lastsave().timestamp() - time.time()), 5)
            c.set("b", "2")
            self.assertTrue(c.bgsave())
            deadline = time.time() + 5
            while info(c)["dirty_keys"] != 0 and time.time() < deadline:
                time.sleep(0.01)
            self.assertEqual(info(c)["dirty_keys"], 0)
            with self.assertRaises(redis.exceptions.ResponseError):
                c.config_set("persistence", "off")  # fixed at start
            c.config_set("flush-interval-ms", "5")
            self.assertEqual(c.config_get("flush-interval-ms"), {"flush-interval-ms": "5"})

    def test_persistence_off_writes_nothing(self):
        with Node("--persistence", "off") as node:
            c = redis.Redis(port=node.port)
            c.set("a", "1")
            self.assertEqual(info(c)["persistence"], "off")
            with self.assertRaisesRegex(redis.exceptions.ResponseError, "persistence is off"):
                c.save()
            self.assertFalse(os.path.exists(os.path.join(node.dir, "ringcache-data")))

    def test_a_foreign_dir_is_refused_with_a_clear_error(self):
        d = tempfile.mkdtemp(prefix="ringcache-foreign-")
        try:
            os.makedirs(os.path.join(d, "ringcache-data"))
            with open(os.path.join(d, "ringcache-data", "notes.txt"), "w") as f:
                f.write("somebody else's")
            r = subprocess.run([SERVER, "--port", str(free_port()), "--dir", d],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 1)
            self.assertIn("is not a ringcache data store", r.stdout + r.stderr)
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_a_full_backlog_makes_writers_wait_and_loses_nothing(self):
        d = tempfile.mkdtemp(prefix="ringcache-persist-")
        try:
            args = ("--max-dirty-keys", "50", "--flush-interval-ms", "60000")
            node, c = start_loaded(*args, data_dir=d)
            pipe = c.pipeline(transaction=False)
            for i in range(3000):
                pipe.hset("h%d" % (i % 700), "f%d" % i, i)
            pipe.execute()
            self.assertGreater(info(c)["writer_waits"], 0)
            node.stop(signal.SIGKILL)  # at most 50 keys were unwritten
            node, c = start_loaded(*args, data_dir=d, port=node.port)
            present = sum(c.hlen("h%d" % i) for i in range(700))
            self.assertGreaterEqual(present, 3000 - 50 * 5)
            node.stop_and_check()
        finally:
            shutil.rmtree(d, ignore_errors=True)


class StalledFlusherTest(unittest.TestCase):
    """The flusher thread alone frozen (a cgroup-v1 freezer of the test's
    own, holding that one thread), as a disk that stops answering would
    hold it: writers must stop being acknowledged once the oldest unwritten
    change has waited max-flush-lag-ms, so that a kill -9 then loses only
    what was acknowledged about that long before the stall."""

    FREEZER = "/sys/fs/cgroup/freezer"

    def setUp(self):
        self.cgroup = None
        if not os.path.isdir(self.FREEZER) or not os.access(self.FREEZER, os.W_OK):
            self.skipTest("no writable cgroup-v1 freezer here")
        self.cgroup = tempfile.mkdtemp(prefix="ringcache-flusher-", dir=self.FREEZER)

    def thaw(self):
        with open(os.path.join(self.cgroup, "freezer.state"), "w") as f:
            f.write("THAWED")

    def tearDown(self):
        if self.cgroup is None:
            return
        self.thaw()
        for _ in range(100):  # its threads leave as the killed node goes
            try:
                os.rmdir(self.cgroup)
                return
            except OSError:
                time.sleep(0.05)

    def flusher_tid(self, pid):
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                if f.read().strip() == "rc-flusher":
                    return tid
        raise AssertionError("no rc-flusher thread in %d" % pid)

    def test_writers_wait_for_a_stalled_flusher_and_a_kill_loses_only_the_lag(self):
        d = tempfile.mkdtemp(prefix="ringcache-persist-")
        try:
            args = ("--max-flush-lag-ms", "500", "--flush-interval-ms", "50")
            node, c = start_loaded(*args, data_dir=d)
            acked = []  # (key, time acknowledged)
            stop = threading.Event()

            def write():
                w = redis.Redis(port=node.port, socket_timeout=30)
                i = 0
                while not stop.is_set():
                    try:
                        w.set("k%d" % i, i)
                    except redis.RedisError:
                        return  # the kill
                    acked.append(("k%d" % i, time.time()))
                    i += 1
            writer = threading.Thread(target=write)
            writer.start()
            time.sleep(0.5)
            with open(os.path.join(self.cgroup, "tasks"), "w") as f:
                f.write(self.flusher_tid(node.proc.pid))
            with open(os.path.join(self.cgroup, "freezer.state"), "w") as f:
                f.write("FROZEN")
            frozen_at = time.time()
            time.sleep(3)
            last_ack = acked[-1][1]
            waited = info(c)["writers_waiting"]
            node.proc.send_signal(signal.SIGKILL)
            self.thaw()  # a frozen thread dies only once thawed (running nothing more)
            node.stop(signal.SIGKILL)
            stop.set()
            writer.join()
            # Without the bound the writer would have gone on to the kill.
            self.assertLess(last_ack - frozen_at, 0.5 + 1.0)
            self.assertEqual(waited, 1)
            node, c = start_loaded(*args, data_dir=d, port=node.port)
            pipe = c.pipeline(transaction=False)
            for key, _ in acked:
                pipe.exists(key)
            missing = [t for (key, t), there in zip(acked, pipe.execute()) if not there]
            # Lost: at most what was acknowledged from one flush interval
            # (and the batch in flight) before the stall to when writers waited.
            self.assertTrue(all(t > frozen_at - 1.0 for t in missing), missing[:3])
            node.stop_and_check()
        finally:
            shutil.rmtree(d, ignore_errors=True)


class DiskErrorTest(unittest.TestCase):
    """The data dir on a small tmpfs of the test's own, filled up (skipped
    where the test may not mount one)."""

    def setUp(self):
        self.mount = tempfile.mkdtemp(prefix="ringcache-tmpfs-")
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", self.mount],
                           capture_output=True)
        if r.returncode != 0:
            os.rmdir(self.mount)
            self.skipTest("cannot mount a tmpfs here: %s" % r.stderr.decode().strip())

    def tearDown(self):
        subprocess.run(["umount", "-l", self.mount], capture_output=True)
        os.rmdir(self.mount)

    def wait_refused(self, c, refused, timeout=15):
        deadline = time.time() + timeout
        while info(c)["writes_refused"] != refused:
            if time.time() > deadline:
                raise AssertionError("writes_refused did not become %d: %r" % (refused, info(c)))
            time.sleep(0.05)

    def test_full_disk_refuses_writes_serves_reads_and_recovers(self):
        filler = os.path.join(self.mount, "filler")
        with open(filler, "wb") as f:
            f.write(b"\0" * (12 << 20))  # leaves about 4 MB
        data = os.path.join(self.mount, "data")
        node = Node("--flush-interval-ms", "10", data_dir=data)
        try:
            c = redis.Redis(port=node.port)
            wait_loaded(c)
            value = os.urandom(2000).hex()  # incompressible
            acked = 0
            with self.assertRaisesRegex(redis.exceptions.ResponseError, "^MISCONF"):
                for i in range(20000):
                    c.set("k%d" % i, value)
                    acked = i + 1
            self.assertGreater(acked, 0)
            self.wait_refused(c, 1)
            self.assertGreater(info(c)["write_errors"], 0)
            self.assertEqual(c.get("k0"), value.encode())  # reads go on
            self.assertEqual(c.dbsize(), acked)
            os.remove(filler)  # room again: the kept batch goes out, writes resume
            self.wait_refused(c, 0)
            self.assertTrue(c.set("after", "1"))
            self.assertEqual(node.stop(signal.SIGTERM), 0)
            node = Node(port=node.port, data_dir=data)
            c = redis.Redis(port=node.port)
            wait_loaded(c)
            self.assertEqual(c.dbsize(), acked + 1)
            self.assertEqual(c.get("k%d" % (acked - 1)), value.encode())
        finally:
            node.stop()


if __name__ == "__main__":
    unittest.main()
