"""MULTI/EXEC through a cluster node: the queued commands run in order at
EXEC (each sees what those before it did), EXEC replies as one node does,
nothing runs before EXEC, and a client's commands pipelined after EXEC see
the transaction. redis-py's pipeline() (a MULTI/EXEC) works through every
node; once, a cluster node refused MULTI and ran the queued commands at once.
WATCH through cluster nodes behaves as on one node, and optimistic locking
through several nodes loses no increment."""

import socket
import unittest

import redis

from support import Node, recv_reply, resp_command
from test_cluster import SharedClusterTestCase
from differential import parse
from test_watch import SCENARIOS as WATCH_SCENARIOS, run as run_watch, watched_increments

# One connection's stream, as a client would send it, and what it checks.
STREAM = [
    ("MULTI",), ("SET", "t:a", "1"), ("INCR", "t:a"), ("INCRBY", "t:a", "5"),
    ("SADD", "t:s", "x", "y", "x"), ("SREM", "t:s", "y"), ("SMEMBERS", "t:s"),
    ("HSET", "t:h", "f", "10"), ("HINCRBY", "t:h", "f", "3"), ("HGETALL", "t:h"),
    ("GET", "t:a"), ("INCR", "t:s"), ("EXEC",),  # WRONGTYPE inside: the rest stands
    ("GET", "t:a"),                        # pipelined after EXEC: sees it
    ("MULTI",), ("INCR", "t:a"), ("DISCARD",), ("GET", "t:a"),
    ("MULTI",), ("EXEC",),                 # empty
    ("MULTI",), ("MULTI",), ("INCR", "t:a"), ("NOSUCH",), ("EXEC",),  # aborted
    ("GET", "t:a"), ("EXEC",), ("DISCARD",),
    ("MULTI",), ("INCR", "t:a"), ("EXEC",), ("MULTI",), ("INCR", "t:a"), ("EXEC",),  # in turn
    ("MULTI",), ("INCR", "t:a"), ("SET", "t:a", "x"), ("INCR", "t:a"), ("GET", "t:a"), ("EXEC",),
]


def recv_replies(sock, count):
    """`count` replies, parsed, however the bytes arrive."""
    sock.settimeout(10)
    buf = b""
    while True:
        try:
            out, pos = [], 0
            for _ in range(count):
                reply, pos = parse(buf, pos)
                out.append(reply)
            if pos <= len(buf):
                return out
        except (ValueError, IndexError):
            pass
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError("connection closed: %r" % buf)
        buf += chunk


def replies(port, protocol):
    with socket.create_connection(("127.0.0.1", port)) as s:
        if protocol == 3:
            s.sendall(resp_command("HELLO", "3"))
            recv_reply(s)
        # All at once, as a pipelining client sends it.
        s.sendall(b"".join(resp_command(*c) for c in STREAM))
        return recv_replies(s, len(STREAM))


class ClusterTransactionsTest(SharedClusterTestCase):
    def setUp(self):
        for i in range(3):
            self.cluster.client(i).delete("t:a", "t:s", "t:h", "cnt", "k1", "k2", "k3")

    def test_same_replies_as_one_node(self):
        for protocol in (2, 3):
            with Node() as node:
                want = replies(node.port, protocol)
            for i, port in enumerate(self.cluster.ports):
                self.setUp()
                got = replies(port, protocol)
                # SMEMBERS/HGETALL of one member/field: no order to normalize.
                self.assertEqual(want, got, "node %d, RESP%d" % (i, protocol))

    def test_nothing_runs_before_exec(self):
        c = self.cluster.client(0)
        with socket.create_connection(("127.0.0.1", self.cluster.ports[0])) as s:
            s.sendall(resp_command("MULTI") + resp_command("SET", "k1", "queued"))
            self.assertEqual(recv_replies(s, 2), [(b"+", b"OK"), (b"+", b"QUEUED")])
            for i in range(3):
                self.assertIsNone(self.cluster.client(i).get("k1"))
            s.sendall(resp_command("EXEC"))
            self.assertEqual(recv_reply(s), b"*1\r\n+OK\r\n")
        self.assertEqual(c.get("k1"), b"queued")

    def test_redis_py_pipeline_through_every_node(self):
        for i in range(3):
            r = self.cluster.client(i)
            with r.pipeline() as p:  # transaction=True: MULTI ... EXEC
                for _ in range(50):
                    p.incr("cnt")
                p.sadd("k2", "m%d" % i)
                p.hset("k3", "node%d" % i, "x")
                p.get("cnt")
                out = p.execute()
            self.assertEqual(out[:50], list(range(50 * i + 1, 50 * i + 51)))
            self.assertEqual(out[-1], str(50 * (i + 1)).encode())
            other = self.cluster.client((i + 1) % 3)
            self.assertEqual(other.get("cnt"), str(50 * (i + 1)).encode())
        self.assertEqual(self.cluster.client(1).scard("k2"), 3)
        self.assertEqual(self.cluster.client(2).hlen("k3"), 3)

    def test_transaction_keys_on_different_nodes(self):
        r = self.cluster.client(1)
        keys = ["spread:%d" % n for n in range(40)]  # on every replica set
        with r.pipeline() as p:
            for n, k in enumerate(keys):
                p.set(k, n)
                p.incr(k)
            out = p.execute()
        self.assertEqual(out[1::2], [n + 1 for n in range(40)])
        self.assertEqual(self.cluster.client(2).mget(keys), [str(n + 1).encode() for n in range(40)])
        self.cluster.client(0).delete(*keys)

    def test_a_failing_command_does_not_stop_the_rest(self):
        r = self.cluster.client(2)
        r.set("k1", "text")
        with r.pipeline() as p:
            p.incr("k1")
            p.set("k2", "after")
            with self.assertRaises(redis.ResponseError):
                p.execute()
        self.assertEqual(r.get("k2"), b"after")  # as in Redis: no rollback

    # WATCH: test_watch.py's scenarios with the watching client on one node
    # and the other client on another give one node's replies.
    def test_watch_scenarios_give_one_nodes_replies(self):
        with Node() as node:
            for name, steps in WATCH_SCENARIOS.items():
                with self.subTest(name):
                    want = run_watch(node.port, steps)
                    got = run_watch(self.cluster.ports[:2], steps)
                    self.assertEqual(want, got)

    # Optimistic increments through three nodes at once lose none.
    def test_watched_increments_through_every_node_lose_none(self):
        self.assertEqual(watched_increments(self.cluster.ports, 6, 40), 240)

    def test_a_watched_key_changed_through_another_node_aborts(self):
        a, b = self.cluster.client(0), self.cluster.client(2)
        a.set("w:k", "1")
        with a.pipeline() as p:
            p.watch("w:k")
            b.incr("w:k")
            p.multi()
            p.set("w:k", "mine")
            with self.assertRaises(redis.WatchError):
                p.execute()
        self.assertEqual(b.get("w:k"), b"2")
        b.sadd("w:s", "x")
        with a.pipeline() as p:
            p.watch("w:s")
            b.sadd("w:s", "y")
            p.multi()
            p.delete("w:s")
            with self.assertRaises(redis.WatchError):
                p.execute()
        self.assertEqual(a.scard("w:s"), 2)


if __name__ == "__main__":
    unittest.main()
