"""Blocking pops through cluster nodes: a push through any node wakes a
client blocked on any other, each element goes to one waiter, timeouts end
the wait, a blocked client's pipelined commands wait, one that went away
takes nothing, a waiter on a node that holds no replica of its key is
woken by its poll, and a frozen home hands over to the next without taking
elements when it wakes."""

import signal
import socket
import time
import unittest

import redis

from support import recv_exactly, recv_reply, resp_command
from test_cluster import LocalCluster, SharedClusterTestCase


class ClusterBlockingTest(SharedClusterTestCase):
    def client(self, i):
        s = socket.create_connection(("127.0.0.1", self.cluster.ports[i]))
        self.addCleanup(s.close)
        return s

    def call(self, s, *args):
        s.sendall(resp_command(*args))
        return recv_reply(s)

    def blocked_clients(self, i):
        return int(self.cluster.client(i).info("clients")["blocked_clients"])

    def wait_blocked(self, i, n):
        deadline = time.time() + 10
        while self.blocked_clients(i) != n:
            self.assertLess(time.time(), deadline, "node %d never had %d blocked" % (i, n))
            time.sleep(0.02)

    def assert_silent(self, s):
        s.settimeout(0.3)
        with self.assertRaises(socket.timeout):
            s.recv(1)
        s.settimeout(None)

    def test_a_push_through_another_node_wakes_each_kind_of_pop(self):
        pops = [
            (("BLPOP", "bl:a", "bl:b", "0"), ("RPUSH", "bl:b", "x"), b"*2\r\n$4\r\nbl:b\r\n$1\r\nx\r\n"),
            (("BRPOP", "br:a", "0"), ("LPUSH", "br:a", "y", "z"), b"*2\r\n$4\r\nbr:a\r\n$1\r\ny\r\n"),
            (("BZPOPMIN", "bz:a", "0"), ("ZADD", "bz:a", "2", "m"),
             b"*3\r\n$4\r\nbz:a\r\n$1\r\nm\r\n$1\r\n2\r\n"),
            (("BZPOPMAX", "bz:b", "0"), ("ZADD", "bz:b", "1", "p", "3", "q"),
             b"*3\r\n$4\r\nbz:b\r\n$1\r\nq\r\n$1\r\n3\r\n"),
            (("BLMOVE", "bm:src", "bm:dst", "LEFT", "RIGHT", "0"), ("RPUSH", "bm:src", "v"),
             b"$1\r\nv\r\n"),
            (("BLMPOP", "0", "2", "bp:a", "bp:b", "LEFT", "COUNT", "5"),
             ("RPUSH", "bp:b", "1", "2"), b"*2\r\n$4\r\nbp:b\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n"),
            (("BZMPOP", "0", "1", "bzm", "MIN"), ("ZADD", "bzm", "5", "e"),
             b"*2\r\n$3\r\nbzm\r\n*1\r\n*2\r\n$1\r\ne\r\n$1\r\n5\r\n"),
        ]
        for pop, push, want in pops:
            waiter, writer = self.client(0), self.client(1)
            waiter.sendall(resp_command(*pop))
            self.wait_blocked(0, 1)
            self.assert_silent(waiter)
            self.call(writer, *push)
            self.assertEqual(recv_reply(waiter), want, pop)
            self.wait_blocked(0, 0)
        reader = self.cluster.client(2)
        self.assertEqual(reader.lrange("bm:dst", 0, -1), [b"v"])
        self.assertEqual(reader.exists("bl:b", "bm:src", "bz:a", "bp:b", "bzm"), 0)
        self.assertEqual(reader.lrange("br:a", 0, -1), [b"z"])

    def test_waiters_on_every_node_take_each_element_once(self):
        waiters = [self.client(i % 3) for i in range(12)]
        for s in waiters:
            s.sendall(resp_command("BRPOP", "shared", "10"))
        for i in range(3):
            self.wait_blocked(i, 4)
        writers = [self.cluster.client(i) for i in range(3)]
        for n in range(9):  # through every node, three waiters left over
            writers[n % 3].lpush("shared", "item%d" % n)
        got = []
        for s in waiters:
            got.append(recv_reply(s, timeout=20))
        items = sorted(r.split(b"\r\n")[4] for r in got if r != b"*-1\r\n")
        self.assertEqual(items, sorted(b"item%d" % n for n in range(9)))
        self.assertEqual(got.count(b"*-1\r\n"), 3)  # timed out
        self.assertEqual(writers[0].llen("shared"), 0)

    def test_a_timeout_answers_a_null_array(self):
        s = self.client(1)
        start = time.time()
        self.assertEqual(self.call(s, "BLPOP", "never", "0.3"), b"*-1\r\n")
        self.assertGreaterEqual(time.time() - start, 0.29)
        self.assertEqual(self.call(s, "BZPOPMIN", "never", "0.1"), b"*-1\r\n")
        self.assertEqual(self.call(s, "BLMOVE", "never", "d", "LEFT", "LEFT", "0.1"), b"*-1\r\n")
        self.assertEqual(self.call(s, "BLPOP", "never", "-1"), b"-ERR timeout is negative\r\n")

    def test_a_blocked_clients_next_commands_wait(self):
        s, writer = self.client(0), self.client(2)
        s.sendall(resp_command("BLPOP", "pipe", "0") + resp_command("LLEN", "pipe") +
                  resp_command("PING"))
        self.wait_blocked(0, 1)
        self.call(writer, "RPUSH", "pipe", "a", "b")
        want = b"*2\r\n$4\r\npipe\r\n$1\r\na\r\n:1\r\n+PONG\r\n"
        self.assertEqual(recv_exactly(s, len(want)), want)

    def test_a_client_that_went_away_takes_nothing(self):
        gone = socket.create_connection(("127.0.0.1", self.cluster.ports[1]))
        gone.sendall(resp_command("BLPOP", "left", "0"))
        self.wait_blocked(1, 1)
        gone.close()
        self.wait_blocked(1, 0)  # noticed within about a second
        writer = self.client(0)
        self.call(writer, "RPUSH", "left", "kept")
        time.sleep(0.3)
        self.assertEqual(self.cluster.client(2).lrange("left", 0, -1), [b"kept"])

    def test_inside_a_transaction_a_blocking_pop_does_not_block(self):
        s = self.client(2)
        self.call(s, "MULTI")
        self.call(s, "BLPOP", "nothing", "0")
        self.call(s, "BLMOVE", "nothing", "d", "LEFT", "LEFT", "0")
        self.assertEqual(self.call(s, "EXEC"), b"*2\r\n*-1\r\n$-1\r\n")


class NonReplicaBlockingTest(unittest.TestCase):
    """With one replica per key, most keys live on another node than the
    waiter's: the push never reaches the waiter's node, its poll finds it."""

    def test_a_poll_finds_a_push_to_another_replica_set(self):
        cluster = LocalCluster("--replicas", "1", "--write-quorum", "1", "--read-quorum", "1")
        try:
            node0 = cluster.client(0)
            me = "127.0.0.1:%d" % cluster.ports[0]
            key = next(k for k in ("far%d" % n for n in range(100))
                       if node0.execute_command("RING", "REPLICAS", k)[0].decode() != me)
            s = socket.create_connection(("127.0.0.1", cluster.ports[0]))
            try:
                s.sendall(resp_command("BLPOP", key, "10"))
                time.sleep(0.3)
                start = time.time()
                cluster.client(1).rpush(key, "found")
                self.assertEqual(recv_reply(s, timeout=10),
                                 b"*2\r\n$%d\r\n%s\r\n$5\r\nfound\r\n" % (len(key), key.encode()))
                self.assertLess(time.time() - start, 2)
            finally:
                s.close()
        finally:
            cluster.stop()


class FrozenHomeTest(unittest.TestCase):
    """Pops go to the key's home; freeze it (SIGSTOP) while clients pop."""

    def test_pops_fail_over_and_a_waking_home_takes_nothing(self):
        cluster = LocalCluster()
        home_port = None
        try:
            r = [redis.Redis(port=p, socket_timeout=15) for p in cluster.ports]
            home = r[0].execute_command("RING", "REPLICAS", "queue")[0].decode()
            home_i = [i for i, p in enumerate(cluster.ports) if "127.0.0.1:%d" % p == home][0]
            waiter_i, pusher_i = [i for i in range(3) if i != home_i]
            waiters = []
            for _ in range(5):
                s = socket.create_connection(("127.0.0.1", cluster.ports[waiter_i]))
                s.sendall(resp_command("BLPOP", "queue", "0"))
                waiters.append(s)
            time.sleep(0.3)
            home_port = cluster.ports[home_i]
            cluster.nodes[home_i].proc.send_signal(signal.SIGSTOP)
            start = time.time()
            # A pop the frozen home cannot answer tells the client so.
            with self.assertRaises(redis.RedisError):
                r[waiter_i].lpop("queue")
            self.assertLess(time.time() - start, 10)
            for n in range(5):
                r[pusher_i].rpush("queue", "item%d" % n)
            got = sorted(recv_reply(s, timeout=20).split(b"\r\n")[4] for s in waiters)
            self.assertEqual(got, [b"item%d" % n for n in range(5)])  # served by the next home
            for n in range(3):
                r[pusher_i].rpush("queue", "kept%d" % n)
            cluster.nodes[home_i].proc.send_signal(signal.SIGCONT)
            home_port = None
            time.sleep(2)  # the pops that waited in its socket are past their time
            self.assertEqual(r[pusher_i].lrange("queue", 0, -1), [b"kept0", b"kept1", b"kept2"])
            for s in waiters:
                s.close()
        finally:
            if home_port is not None:
                cluster.nodes[home_i].proc.send_signal(signal.SIGCONT)
            cluster.stop()


if __name__ == "__main__":
    unittest.main()
