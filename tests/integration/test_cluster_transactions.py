"""MULTI/EXEC through a cluster node: the queued commands run in order at
EXEC (each sees what those before it did), EXEC replies as one node does,
nothing runs before EXEC, and a client's commands pipelined after EXEC see
the transaction. redis-py's pipeline() (a MULTI/EXEC) works through every
node; once, a cluster node refused MULTI and ran the queued commands at once."""

import socket
import unittest

import redis

from support import Node, recv_reply, resp_command
from test_cluster import LocalCluster
from differential import parse

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


class ClusterTransactionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = LocalCluster()

    @classmethod
    def tearDownClass(cls):
        cls.cluster.stop()

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


if __name__ == "__main__":
    unittest.main()
