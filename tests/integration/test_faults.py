"""Fault test: concurrent writers of SET, INCRBY, HSET, HINCRBY, ZADD, ZINCRBY, SADD,
SREM, LPUSH, RPUSH, LPOP, RPOP, BLPOP and BRPOP through every node of a 3-node
cluster (N=3 W=2 R=2) while one node at a time is killed -9 and restarted, cut off from the others (a partition), or
frozen (SIGSTOP); a killed node restarts on its own data dir (write-behind persistence
on), with what its disk kept. Afterwards no acknowledged operation may be missing and
every replica must hold the same state; it prints how many acknowledged
SREMs left their member (a remove only takes what its read observed).

Partitions on loopback: every node runs under a group id of its own, and an
iptables rule on the OUTPUT chain of lo (owner match) drops what the cut-off
node sends to its peers' ports and what they send to its port. Every rule is
removed again, whatever happens. Needs root and iptables (the project's
install script installs it); without them the partition phase is skipped and
says so.

    python3 -m unittest test_faults          # the CI form, ~2 minutes
    FAULT_SECONDS=120 python3 -m unittest test_faults   # a longer soak
"""

import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

import redis

from support import Node, free_port

SECRET = "fault-secret"
SECONDS = float(os.environ.get("FAULT_SECONDS", "40"))
GID_BASE = 47000


def iptables_usable():
    if os.geteuid() != 0:
        return False
    try:
        probe = ["-o", "lo", "-m", "owner", "--gid-owner", str(GID_BASE + 99), "-j", "DROP"]
        subprocess.run(["iptables", "-A", "OUTPUT"] + probe, check=True, capture_output=True)
        subprocess.run(["iptables", "-D", "OUTPUT"] + probe, check=True, capture_output=True)
        return True
    except (OSError, subprocess.CalledProcessError):
        return False


class Cluster:
    def __init__(self):
        self.ports = [free_port() for _ in range(3)]
        # Each node's own dir, kept across its restarts: a killed node comes back
        # with what its disk held and catches up from there.
        self.dirs = [tempfile.mkdtemp(prefix="ringcache-faults-") for _ in range(3)]
        self.nodes = [None] * 3
        self.rules = []
        for i in range(3):
            self.start(i)
        self.wait_all_up()

    def start(self, i):
        gid = GID_BASE + i

        def own_group():
            if os.geteuid() == 0:
                os.setgid(gid)

        self.nodes[i] = Node("--cluster-seeds", ",".join("127.0.0.1:%d" % p for p in self.ports),
                             "--cluster-secret", SECRET, "--cluster-timeout", "300",
                             "--cluster-node-timeout", "1000", "--anti-entropy-interval", "2",
                             port=self.ports[i], preexec_fn=own_group, data_dir=self.dirs[i])

    def client(self, i, timeout=2):
        return redis.Redis(port=self.ports[i], socket_timeout=timeout,
                           single_connection_client=True)

    def wait_all_up(self, timeout=30):
        deadline = time.time() + timeout
        for i in range(3):
            while True:
                try:
                    states = [n[2] for n in self.client(i).execute_command("RING", "NODES")]
                    if len(states) == 3 and b"down" not in states:
                        break
                except redis.RedisError:
                    pass
                if time.time() > deadline:
                    raise AssertionError("node %d does not see every member up" % i)
                time.sleep(0.1)

    # --- faults ---------------------------------------------------------

    def kill_and_restart(self, i, down_for):
        self.nodes[i].stop(sig=signal.SIGKILL)
        time.sleep(down_for)
        self.start(i)

    def freeze(self, i, frozen_for):
        os.kill(self.nodes[i].proc.pid, signal.SIGSTOP)
        try:
            time.sleep(frozen_for)
        finally:
            os.kill(self.nodes[i].proc.pid, signal.SIGCONT)

    def partition(self, i, cut_for):
        others = [p for j, p in enumerate(self.ports) if j != i]
        rules = [["-o", "lo", "-p", "tcp", "-m", "owner", "--gid-owner", str(GID_BASE + i),
                  "-m", "multiport", "--dports", ",".join(map(str, others)), "-j", "DROP"]]
        for j in range(3):
            if j != i:
                rules.append(["-o", "lo", "-p", "tcp", "-m", "owner", "--gid-owner",
                              str(GID_BASE + j), "--dport", str(self.ports[i]), "-j", "DROP"])
        try:
            for rule in rules:
                subprocess.run(["iptables", "-I", "OUTPUT"] + rule, check=True)
                self.rules.append(rule)
            time.sleep(cut_for)
        finally:
            self.heal()

    def heal(self):
        while self.rules:
            subprocess.run(["iptables", "-D", "OUTPUT"] + self.rules.pop(), check=False)

    def stop(self):
        self.heal()
        for node in self.nodes:
            if node is not None:
                node.stop()
        for d in self.dirs:
            shutil.rmtree(d, ignore_errors=True)


class Writers:
    """Six writers, two per node. Each SET key, HSET field and ZADD member
    belongs to one writer, so its final value (score) must be that writer's
    last acknowledged one or a later attempt; counters (INCRBY keys, HINCRBY
    fields, ZINCRBY members) and sets are shared by all, each writer adding
    members of its own and removing some of them again; lists are shared,
    each push an item of its own, and pops say which item they took."""

    COUNTERS = ["ctr:%d" % i for i in range(8)]
    HASHES = ["hash:%d" % i for i in range(3)]
    FIELD_COUNTERS = [(h, "count:%d" % i) for h in HASHES for i in range(2)]
    BOARDS = ["board:%d" % i for i in range(2)]
    SCORES = [("zset", b, "player:%d" % i) for b in BOARDS for i in range(3)]  # ZINCRBY
    SETS = ["members:%d" % i for i in range(3)]
    LISTS = ["list:%d" % i for i in range(2)]

    def __init__(self, cluster):
        self.cluster = cluster
        self.stop = threading.Event()
        self.lock = threading.Lock()
        counters = self.COUNTERS + self.FIELD_COUNTERS + self.SCORES
        self.acked = {k: 0 for k in counters}     # increments acknowledged
        self.unsure = {k: 0 for k in counters}    # failed: may or may not have landed
        self.sets = {}   # key or (hash, field) -> (last acknowledged value, [later attempts])
        self.added = {}    # (set, member) -> acknowledged ("yes") or unsure ("maybe")
        self.removed = {}  # (set, member) -> the same, for its removal
        self.pushed = {}   # (list, item) -> ("L" or "R", "yes" or "maybe")
        self.popped = []   # (list, item) an acknowledged pop took
        self.unsure_pops = {k: 0 for k in self.LISTS}  # pops that failed: may have taken one
        self.ops = 0
        self.threads = [threading.Thread(target=self.run, args=(w,)) for w in range(6)]

    def run(self, w):
        rnd = random.Random(w)
        node = w % 3
        r = self.cluster.client(node)
        seq = 0
        mine = []  # members this writer's SADDs were acknowledged for, not yet removed
        while not self.stop.is_set() and r is not None:
            seq += 1
            op = rnd.random()
            try:
                if op < 0.3:
                    self.count(r, rnd.choice(self.COUNTERS), rnd.randint(1, 5))
                elif op < 0.38:
                    self.count(r, rnd.choice(self.FIELD_COUNTERS), rnd.randint(1, 5))
                elif op < 0.45:
                    self.count(r, rnd.choice(self.SCORES), rnd.randint(1, 5))
                elif op < 0.65:
                    key = "set:%d:%d" % (w, rnd.randrange(20))
                    self.overwrite(key, "%d:%d" % (w, seq), lambda k, v: r.set(k, v))
                elif op < 0.72:
                    field = (rnd.choice(self.HASHES), "field:%d:%d" % (w, rnd.randrange(10)))
                    self.overwrite(field, "%d:%d" % (w, seq), lambda k, v: r.hset(k[0], k[1], v))
                elif op < 0.75:  # a member of its own, ZADD's last score wins
                    member = ("zadd", rnd.choice(self.BOARDS), "own:%d:%d" % (w, rnd.randrange(5)))
                    self.overwrite(member, str(seq), lambda k, v: r.zadd(k[1], {k[2]: int(v)}))
                elif op < 0.81:
                    self.push(r, rnd.choice(self.LISTS), "%d:%d" % (w, seq), rnd.choice("LR"))
                elif op < 0.84:
                    self.pop(r, rnd.choice(self.LISTS), rnd.choice("LR"), rnd.random() < 0.5)
                elif op < 0.92 or not mine:
                    member = (rnd.choice(self.SETS), "%d:%d" % (w, seq))
                    self.record(self.added, member, lambda: r.sadd(*member))
                    if self.added[member] == "yes":
                        mine.append(member)
                else:
                    member = mine.pop(rnd.randrange(len(mine)))
                    self.record(self.removed, member, lambda: r.srem(*member))
            except redis.RedisError:
                r = self.reconnect(node)

    def count(self, r, key, by):
        try:
            if isinstance(key, str):
                r.incrby(key, by)
            elif key[0] == "zset":
                r.zincrby(key[1], by, key[2])
            else:
                r.hincrby(key[0], key[1], by)
        except redis.RedisError:
            with self.lock:
                self.unsure[key] += by
            raise
        with self.lock:
            self.acked[key] += by
            self.ops += 1

    def push(self, r, key, item, side):
        with self.lock:
            self.pushed[(key, item)] = (side, "maybe")
        (r.lpush if side == "L" else r.rpush)(key, item)
        with self.lock:
            self.pushed[(key, item)] = (side, "yes")
            self.ops += 1

    def pop(self, r, key, side, blocking):
        try:
            if blocking:  # BLPOP/BRPOP that may wait a little
                got = (r.blpop if side == "L" else r.brpop)(key, timeout=0.1)
                item = got[1] if got else None
            else:
                item = (r.lpop if side == "L" else r.rpop)(key)
        except redis.RedisError:
            with self.lock:
                self.unsure_pops[key] += 1
            raise
        with self.lock:
            if item is not None:
                self.popped.append((key, item.decode()))
            self.ops += 1

    def overwrite(self, key, value, write):
        try:
            write(key, value)
        except redis.RedisError:
            with self.lock:
                self.sets.setdefault(key, (None, []))[1].append(value)
            raise
        with self.lock:
            self.sets[key] = (value, [])
            self.ops += 1

    def record(self, outcomes, member, write):
        outcomes[member] = "maybe"
        write()
        with self.lock:
            outcomes[member] = "yes"
            self.ops += 1

    def reconnect(self, node):
        while not self.stop.is_set():
            time.sleep(0.05)
            try:
                return self.cluster.client(node)
            except redis.RedisError:
                pass  # the node is down: try again
        return None  # stopping

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join()


class FaultTest(unittest.TestCase):
    def test_no_acknowledged_operation_is_lost_under_single_faults(self):
        c = Cluster()
        can_partition = iptables_usable()
        if not can_partition:
            print("\npartitions skipped: needs root and iptables with the owner match")
        try:
            with Writers(c) as writers:
                end = time.time() + SECONDS
                rnd = random.Random(1)
                while time.time() < end:
                    victim = rnd.randrange(3)
                    fault = rnd.choice(["kill", "freeze"] + (["partition"] if can_partition
                                                             else []))
                    if fault == "kill":
                        c.kill_and_restart(victim, 1.0)
                    elif fault == "freeze":
                        c.freeze(victim, 1.5)
                    else:
                        c.partition(victim, 1.5)
                    c.wait_all_up()
                    time.sleep(1.0)
            self.assertGreater(writers.ops, 200)
            self.settle(c)
            self.check(c, writers)
        finally:
            c.stop()

    def settle(self, c):
        """Hints delivered, then one anti-entropy round per node."""
        deadline = time.time() + 60
        clients = [c.client(i, timeout=10) for i in range(3)]
        while any(r.info("cluster")["ring_hints_pending"] for r in clients):
            self.assertLess(time.time(), deadline, "hints not delivered")
            time.sleep(0.1)
        for r in clients:
            rounds = r.info("cluster")["ring_sync_rounds"]
            r.execute_command("RING", "SYNC")
            while r.info("cluster")["ring_sync_rounds"] == rounds:
                self.assertLess(time.time(), deadline, "sync round did not end")
                time.sleep(0.05)

    def check(self, c, writers):
        peers = []
        for i in range(3):
            r = c.client(i, timeout=10)
            r.execute_command("RC.AUTH", SECRET)
            peers.append(r)
        reader = c.client(0, timeout=10)
        lost = []
        for key in writers.COUNTERS:
            value = int(reader.get(key) or 0)
            low, high = writers.acked[key], writers.acked[key] + writers.unsure[key]
            if not low <= value <= high:
                lost.append("%s = %d, acknowledged %d (+%d unsure)" % (key, value, low,
                                                                        writers.unsure[key]))
        for (h, f) in writers.FIELD_COUNTERS:
            value = int(reader.hget(h, f) or 0)
            low, high = writers.acked[(h, f)], writers.acked[(h, f)] + writers.unsure[(h, f)]
            if not low <= value <= high:
                lost.append("%s %s = %d, acknowledged %d (+%d unsure)" % (
                    h, f, value, low, writers.unsure[(h, f)]))
        for key in writers.SCORES:
            value = int(reader.zscore(key[1], key[2]) or 0)
            low, high = writers.acked[key], writers.acked[key] + writers.unsure[key]
            if not low <= value <= high:
                lost.append("%s %s = %d, acknowledged %d (+%d unsure)" % (
                    key[1], key[2], value, low, writers.unsure[key]))
        for key, (acked, later) in writers.sets.items():
            if isinstance(key, str):
                value = reader.get(key)
            elif key[0] == "zadd":
                value = reader.zscore(key[1], key[2])
                value = str(int(value)).encode() if value is not None else None
            else:
                value = reader.hget(*key)
            value = value.decode() if value is not None else None
            if value != acked and value not in later:
                lost.append("%s = %s, last acknowledged %s" % (key, value, acked))
        members = {s: {m.decode() for m in reader.smembers(s)} for s in writers.SETS}
        kept = 0
        for (s, m), added in writers.added.items():
            removed = writers.removed.get((s, m))
            present = m in members[s]
            if added == "yes" and removed is None and not present:
                lost.append("%s lost acknowledged member %s" % (s, m))
            # A remove takes what its quorum read observed. During a fault that
            # read can miss a member (a replica that acknowledged the SADD lost
            # it in a kill -9, the other missed it): the member then stays.
            # Guaranteed is the add's survival, above; counted and shown here.
            kept += removed == "yes" and present
        removes = sum(1 for v in writers.removed.values() if v == "yes")
        print("\nSREMs acknowledged: %d, whose member stayed: %d" % (removes, kept))
        lost += self.check_lists(reader, writers)
        self.assertEqual(lost, [], "acknowledged operations lost")
        for key in (writers.COUNTERS + writers.HASHES + writers.SETS + writers.BOARDS +
                    writers.LISTS +
                    [k for k in writers.sets if not isinstance(k, tuple)]):
            states = [p.execute_command("RC.GET", key) for p in peers]
            self.assertTrue(states[0] == states[1] == states[2], "%s diverged: %r" % (key, states))

    def check_lists(self, reader, writers):
        """Every acknowledged push is in its list or was taken by a pop (or by
        a pop that failed, which may have taken one); an acknowledged pop's
        item is gone; every head push is before every tail push, and one
        writer's pushes at one end keep their order."""
        lost = []
        popped = {}
        for key, item in writers.popped:
            popped.setdefault((key, item), 0)
            popped[(key, item)] += 1
        twice = sum(1 for n in popped.values() if n > 1)
        for key in writers.LISTS:
            items = [i.decode() for i in reader.lrange(key, 0, -1)]
            if len(set(items)) != len(items):
                lost.append("%s holds an item twice" % key)
            present = set(items)
            missing = [i for (k, i), (side, status) in writers.pushed.items()
                       if k == key and status == "yes" and i not in present
                       and (k, i) not in popped]
            if len(missing) > writers.unsure_pops[key]:
                lost.append("%s lost %d acknowledged pushes (%d pops unsure): %s" % (
                    key, len(missing), writers.unsure_pops[key], missing[:5]))
            for (k, i) in popped:
                if k == key and i in present:
                    lost.append("%s still holds %s, which a pop took" % (key, i))
            sides = [writers.pushed[(key, i)][0] for i in items]
            if "".join(sides) != "L" * sides.count("L") + "R" * sides.count("R"):
                lost.append("%s: a tail push before a head push" % key)
            for w in range(6):
                for side, step in (("L", -1), ("R", 1)):
                    seqs = [int(i.split(":")[1]) for i, s in zip(items, sides)
                            if s == side and i.startswith("%d:" % w)]
                    if seqs != sorted(seqs)[::step]:
                        lost.append("%s: writer %d's %s pushes out of order" % (key, w, side))
        pushes = sum(1 for _, status in writers.pushed.values() if status == "yes")
        print("pushes acknowledged: %d, pops: %d, items two pops returned: %d" % (
            pushes, len(writers.popped), twice))
        return lost


if __name__ == "__main__":
    unittest.main()
