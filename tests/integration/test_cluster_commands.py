"""The commands of test_collections.py's script (hashes, sets, strings, bits,
LCS, COPY...) give the same replies through a 3-node cluster as on one node:
each command goes to the next node in turn, so most read what another node
coordinated, and multi-key commands (SINTER, SMOVE, SUNIONSTORE, BITOP, COPY,
LCS) span keys on different replica sets."""

import socket
import threading
import time
import unittest

from support import Node, recv_reply, resp_command
from test_cluster import LocalCluster
from differential import command_args, normalize, normalize_scan, parse
from test_collections import SCRIPT
from test_lists import SCRIPT as LIST_SCRIPT
from test_zsets import SCRIPT as ZSET_SCRIPT

# Left out: RESET's steps (MULTI, a queued SET, EXEC), HELLO and CLIENT are
# about one connection (a transaction, ids, protocol), and the steps go over
# three; test_cluster_transactions.py runs transactions through a cluster.
STEPS = [(text, orderless) for text, orderless in SCRIPT
         if text not in ("MULTI", "SET inmulti 1", "EXEC", "EXISTS inmulti")
         and text.split(" ")[0] not in ("HELLO", "CLIENT", "RESET")]


def outside_transactions(script):
    """The steps of `script` without SCAN (a cluster's cursor walks node by
    node: test_scan_type_sees_every_type) and without its transactions
    (MULTI..EXEC, whose blocking pops do not block: outside one they would)."""
    steps, queued = [], False
    for text, orderless in script:
        if text == "MULTI" or text == "EXEC":
            queued = text == "MULTI"
        elif not queued and not text.startswith("SCAN"):
            steps.append((text, orderless))
    return steps


ZSET_STEPS = outside_transactions(ZSET_SCRIPT)
LIST_STEPS = outside_transactions(LIST_SCRIPT)


def run(ports, protocol, steps=STEPS):
    socks = [socket.create_connection(("127.0.0.1", p)) for p in ports]
    replies = []
    try:
        for s in socks:
            if protocol == 3:
                s.sendall(resp_command("HELLO", "3"))
                recv_reply(s)
        for i, (text, orderless) in enumerate(steps):
            # Two writes through two nodes within one millisecond are ordered
            # by their hybrid clocks' counters, not by which came first, when
            # the second node has not seen the first write yet (README,
            # "Ordering across nodes"); a client that waits a millisecond gets
            # its order from the clocks.
            if len(socks) > 1:
                time.sleep(0.002)
            s = socks[i % len(socks)]
            s.sendall(resp_command(*command_args(text)))
            reply = parse(recv_reply(s))[0]
            name = text.split(" ")[0].upper()
            if name in ("HSCAN", "SSCAN", "ZSCAN"):  # a cluster's order is the merged state's
                reply = normalize_scan(reply, name != "SSCAN")
            reply = normalize(reply, orderless)
            replies.append((text, reply))
    finally:
        for s in socks:
            s.close()
    return replies


class ClusterCommandsTest(unittest.TestCase):
    def check_same_replies_as_one_node(self, steps):
        self.assertGreater(len(steps), 100)
        for protocol in (2, 3):
            with Node() as node:
                expected = run([node.port], protocol, steps)
            cluster = LocalCluster()
            try:
                got = run(cluster.ports, protocol, steps)
            finally:
                cluster.stop()
            for want, have in zip(expected, got):
                self.assertEqual(want, have, "RESP%d" % protocol)

    def test_same_replies_as_one_node(self):
        self.check_same_replies_as_one_node(STEPS)

    def test_sorted_sets_give_the_same_replies_as_one_node(self):
        self.check_same_replies_as_one_node(ZSET_STEPS)

    def test_lists_give_the_same_replies_as_one_node(self):
        self.check_same_replies_as_one_node(LIST_STEPS)

    def test_concurrent_pops_through_one_node_take_different_elements(self):
        # Read-modify-writes on one key take turns through a node: 20 clients
        # popping at once through node 0 never get the same element twice.
        cluster = LocalCluster()
        try:
            r = cluster.client(0)
            items = ["i%d" % i for i in range(1500)]
            r.rpush("queue", *items)
            r.zadd("ranks", {m: i for i, m in enumerate(items)})
            r.sadd("bag", *items)
            taken = {"queue": [], "ranks": [], "bag": []}
            lock = threading.Lock()

            def drain(pop, key):
                c = cluster.client(0)
                while True:
                    got = pop(c, key)
                    if got is None:
                        return
                    with lock:
                        taken[key].append(got)
            pops = (
                (lambda c, k: c.lpop(k) if c.llen(k) else None, "queue"),
                (lambda c, k: (c.zpopmin(k) or [(None,)])[0][0], "ranks"),
                (lambda c, k: c.spop(k), "bag"),
            )
            for pop, key in pops:
                threads = [threading.Thread(target=drain, args=(pop, key)) for _ in range(20)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                self.assertEqual(sorted(x.decode() for x in taken[key] if x is not None),
                                 sorted(items), key)
        finally:
            cluster.stop()

    def test_pipelined_pops_through_every_node_take_each_element_once_in_order(self):
        # A client's pipelined pops of one key do not wait for each other
        # (they take their turns in order at the key's home): six clients,
        # two per node, pipelining 40 pops at a time, take every element
        # once, and a client's pops come back in its order.
        cluster = LocalCluster()
        try:
            items = ["i%d" % i for i in range(1200)]
            r = cluster.client(0)
            r.rpush("queue", *items)
            r.zadd("ranks", {m: i for i, m in enumerate(items)})
            r.sadd("bag", *items)
            for key, pop in (("queue", "LPOP"), ("ranks", "ZPOPMIN"), ("bag", "SPOP")):
                taken, errors = [], []
                lock = threading.Lock()

                def member(got):  # ZPOPMIN's [member, score] (or [(member, score)])
                    while isinstance(got, (list, tuple)):
                        got = got[0]
                    return got

                def drain(node):
                    c = cluster.client(node)
                    while True:
                        p = c.pipeline(transaction=False)
                        for _ in range(40):
                            p.execute_command(pop, key)
                        got = [g for g in p.execute() if g]
                        if key == "queue" and got != sorted(got, key=lambda g: int(g[1:])):
                            errors.append(got)  # one client's LPOPs, out of its order
                        with lock:
                            taken.extend(member(g) for g in got)
                        if not got:
                            return
                threads = [threading.Thread(target=drain, args=(i % 3,)) for i in range(6)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                self.assertEqual(errors, [], key)
                self.assertEqual(sorted(x.decode() for x in taken), sorted(items), key)
            # Pipelined after its own writes and before its own reads, a pop
            # sees the first and is seen by the second.
            for node in range(3):
                p = cluster.client(node).pipeline(transaction=False)
                mine = "mine%d" % node
                p.sadd(mine, "a", "b").spop(mine).spop(mine).spop(mine).scard(mine)
                p.rpush(mine + "q", "x", "y").lpop(mine + "q").lpop(mine + "q").exists(mine + "q")
                got = p.execute()
                self.assertEqual(sorted(got[1:3]), [b"a", b"b"])
                self.assertEqual(got[3:5], [None, 0])
                self.assertEqual(got[5:], [2, b"x", b"y", 0])
        finally:
            cluster.stop()

    def test_concurrent_zincrby_through_every_node_counts_every_increment(self):
        cluster = LocalCluster()
        try:
            def add(i):
                r = cluster.client(i)
                for n in range(150):
                    r.zincrby("board", 1.5, "player")
                    r.zadd("board", {"p%d-%d" % (i, n % 5): n}, incr=True)
            threads = [threading.Thread(target=add, args=(i,)) for i in range(3)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            for i in range(3):
                r = cluster.client(i)
                self.assertEqual(r.zscore("board", "player"), 3 * 150 * 1.5)
                # Each p<i>-<k> got the n with n % 5 == k: 30 of them, summed.
                self.assertEqual(r.zscore("board", "p%d-0" % i), sum(range(0, 150, 5)))
                self.assertEqual(r.zcard("board"), 16)
        finally:
            cluster.stop()

    def test_scan_type_sees_every_type(self):
        cluster = LocalCluster()
        try:
            r = cluster.client(0)
            for i in range(20):
                r.zadd("z%d" % i, {"m": i})
                r.sadd("s%d" % i, "m")
                r.hset("h%d" % i, "f", "v")
                r.set("k%d" % i, "v")
            for kind, prefix in (("zset", "z"), ("set", "s"), ("hash", "h"), ("string", "k")):
                keys = {k.decode() for k in r.scan_iter(_type=kind, count=7)}
                self.assertEqual(keys, {"%s%d" % (prefix, i) for i in range(20)}, kind)
        finally:
            cluster.stop()


if __name__ == "__main__":
    unittest.main()
