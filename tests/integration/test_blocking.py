"""Blocking pops on one node, with several clients: a push wakes the client
that blocked first, one element serves one waiter, a client that went away
takes nothing, a blocked client's pipelined commands wait, timeouts end the
wait, and a BLMOVE's push wakes the next waiter."""

import socket
import time
import unittest

from support import NodeTestCase, recv_exactly, recv_reply, resp_command


class BlockingPopTest(NodeTestCase):
    def client(self):
        s = socket.create_connection(("127.0.0.1", self.node.port))
        self.addCleanup(s.close)
        return s

    def send(self, s, *args):
        s.sendall(resp_command(*args))

    def call(self, s, *args):
        self.send(s, *args)
        return recv_reply(s)

    def blocked_clients(self):
        info = self.node.cli("INFO", "clients")[0]
        return int(info.split("blocked_clients:")[1].split()[0])

    def wait_blocked(self, n):
        deadline = time.time() + 10
        while self.blocked_clients() != n:
            self.assertLess(time.time(), deadline, "never %d blocked" % n)
            time.sleep(0.02)

    def assert_silent(self, s):
        s.settimeout(0.2)
        with self.assertRaises(socket.timeout):
            s.recv(1)

    def test_a_push_wakes_the_first_waiter_with_one_element_each(self):
        first, second, writer = self.client(), self.client(), self.client()
        self.send(first, "BLPOP", "q", "other", "0")
        self.wait_blocked(1)
        self.send(second, "BRPOP", "q", "0")
        self.wait_blocked(2)
        self.assertEqual(self.call(writer, "RPUSH", "q", "one"), b":1\r\n")
        self.assertEqual(recv_reply(first), b"*2\r\n$1\r\nq\r\n$3\r\none\r\n")
        self.assert_silent(second)  # the element went to the first waiter only
        self.assertEqual(self.call(writer, "RPUSH", "q", "two", "three"), b":2\r\n")
        self.assertEqual(recv_reply(second), b"*2\r\n$1\r\nq\r\n$5\r\nthree\r\n")
        self.assertEqual(self.call(writer, "LRANGE", "q", "0", "-1"), b"*1\r\n$3\r\ntwo\r\n")
        self.assertEqual(self.blocked_clients(), 0)

    def test_a_client_that_went_away_takes_nothing(self):
        gone = socket.create_connection(("127.0.0.1", self.node.port))
        gone.sendall(resp_command("BLPOP", "q", "0"))
        self.wait_blocked(1)
        gone.close()
        writer = self.client()
        self.call(writer, "RPUSH", "q", "kept")
        self.assertEqual(self.call(writer, "LLEN", "q"), b":1\r\n")
        self.wait_blocked(0)  # the cron forgets it

    def test_pipelined_commands_wait_for_the_blocked_one(self):
        blocked, writer = self.client(), self.client()
        blocked.sendall(resp_command("BLPOP", "q", "0") + resp_command("SET", "after", "1") +
                        resp_command("PING"))
        self.wait_blocked(1)
        self.assert_silent(blocked)
        self.assertEqual(self.call(writer, "EXISTS", "after"), b":0\r\n")
        self.call(writer, "LPUSH", "q", "x")
        expected = b"*2\r\n$1\r\nq\r\n$1\r\nx\r\n+OK\r\n+PONG\r\n"
        self.assertEqual(recv_exactly(blocked, len(expected)), expected)

    def test_timeouts(self):
        s = self.client()
        start = time.time()
        self.assertEqual(self.call(s, "BLPOP", "q", "0.2"), b"*-1\r\n")
        self.assertEqual(self.call(s, "BZPOPMIN", "z", "0.1"), b"*-1\r\n")
        self.assertEqual(self.call(s, "BLMOVE", "q", "d", "LEFT", "LEFT", "0.1"), b"*-1\r\n")
        elapsed = time.time() - start
        self.assertGreaterEqual(elapsed, 0.4)
        self.assertLess(elapsed, 3)
        self.call(s, "HELLO", "3")
        self.assertEqual(self.call(s, "BLMPOP", "0.05", "1", "q", "LEFT"), b"_\r\n")

    def test_a_blmove_push_wakes_the_next_waiter(self):
        mover, popper, writer = self.client(), self.client(), self.client()
        self.send(mover, "BLMOVE", "src", "dst", "RIGHT", "LEFT", "0")
        self.wait_blocked(1)
        self.send(popper, "BLPOP", "dst", "0")
        self.wait_blocked(2)
        self.call(writer, "RPUSH", "src", "item")
        self.assertEqual(recv_reply(mover), b"$4\r\nitem\r\n")
        self.assertEqual(recv_reply(popper), b"*2\r\n$3\r\ndst\r\n$4\r\nitem\r\n")
        self.assertEqual(self.call(writer, "EXISTS", "src", "dst"), b":0\r\n")

    def test_sorted_sets_renames_and_multi(self):
        zpop, mpop, lpop, writer = self.client(), self.client(), self.client(), self.client()
        self.send(zpop, "BZPOPMAX", "z", "0")
        self.send(mpop, "BZMPOP", "0", "2", "nokey", "z2", "MIN", "COUNT", "2")
        self.send(lpop, "BLPOP", "renamed", "0")
        self.wait_blocked(3)
        self.call(writer, "ZADD", "z", "1", "a", "2", "b")
        self.assertEqual(recv_reply(zpop), b"*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\n2\r\n")
        self.call(writer, "ZADD", "z2", "1", "a", "2", "b", "3", "c")
        self.assertEqual(recv_reply(mpop),
                         b"*2\r\n$2\r\nz2\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"
                         b"*2\r\n$1\r\nb\r\n$1\r\n2\r\n")
        self.call(writer, "RPUSH", "tmp", "moved")
        self.call(writer, "RENAME", "tmp", "renamed")
        self.assertEqual(recv_reply(lpop), b"*2\r\n$7\r\nrenamed\r\n$5\r\nmoved\r\n")
        # Inside a transaction a blocking pop answers at once.
        self.assertEqual(self.call(writer, "MULTI"), b"+OK\r\n")
        self.call(writer, "BLPOP", "nothing", "0")
        self.assertEqual(self.call(writer, "EXEC"), b"*1\r\n*-1\r\n")


if __name__ == "__main__":
    unittest.main()
