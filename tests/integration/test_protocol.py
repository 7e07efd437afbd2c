"""RESP over real sockets: pipelining, arbitrary TCP splits, inline requests,
RESP3, protocol errors and the limits that protect the node."""

import resource
import socket
import time
import unittest

from support import (Node, NodeTestCase, read_until_closed, recv_exactly, recv_reply,
                     resp_command)


class ProtocolTest(NodeTestCase):
    def setUp(self):
        super().setUp()
        self.node.cli("CONFIG", "SET", "maxclients", "10000", "timeout", "0",
                      "proto-max-bulk-len", "512mb", "client-query-buffer-limit", "1gb",
                      "client-output-buffer-limit", "normal 0 0 0")

    def roundtrip(self, sock, payload, expected):
        sock.sendall(payload)
        self.assertEqual(recv_exactly(sock, len(expected)), expected)

    def test_pipeline_replies_in_order(self):
        with self.node.connect() as s:
            payload = b"".join(resp_command("INCR", "n") for _ in range(5000))
            expected = b"".join(b":%d\r\n" % i for i in range(1, 5001))
            self.roundtrip(s, payload, expected)

    def test_request_split_at_every_byte(self):
        with self.node.connect() as s:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            payload = resp_command("SET", "split", "a b\r\nc") + b"GET split\r\n"
            for i in range(len(payload)):
                s.sendall(payload[i:i + 1])
                time.sleep(0.001)
            expected = b"+OK\r\n$6\r\na b\r\nc\r\n"
            self.assertEqual(recv_exactly(s, len(expected)), expected)

    def test_inline_requests(self):
        with self.node.connect() as s:
            self.roundtrip(s, b'SET k "hello world"\r\nGET k\nPING\r\n',
                           b"+OK\r\n$11\r\nhello world\r\n+PONG\r\n")

    def test_large_binary_value(self):
        blob = bytes(range(256)) * (20 * 4096)  # 20 MB, every byte value
        with self.node.connect() as s:
            self.roundtrip(s, resp_command("SET", "blob", blob), b"+OK\r\n")
            s.sendall(resp_command("GET", "blob"))
            header = b"$%d\r\n" % len(blob)
            self.assertEqual(recv_exactly(s, len(header)), header)
            self.assertEqual(recv_exactly(s, len(blob) + 2, timeout=30), blob + b"\r\n")

    def test_protocol_error_closes_only_that_connection(self):
        with self.node.connect() as bystander, self.node.connect() as offender:
            self.roundtrip(bystander, resp_command("SET", "k", "v"), b"+OK\r\n")
            offender.sendall(b"*1\r\n$x\r\n")
            self.assertEqual(read_until_closed(offender),
                             b"-ERR Protocol error: invalid bulk length\r\n")
            self.roundtrip(bystander, resp_command("GET", "k"), b"$1\r\nv\r\n")

    def test_quotes_error_on_inline(self):
        with self.node.connect() as s:
            s.sendall(b'SET k "oops\r\n')
            self.assertEqual(read_until_closed(s),
                             b"-ERR Protocol error: unbalanced quotes in request\r\n")

    def test_proto_max_bulk_len(self):
        self.node.cli("CONFIG", "SET", "proto-max-bulk-len", "1mb")
        with self.node.connect() as s:
            s.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n")
            self.assertEqual(read_until_closed(s), b"-ERR Protocol error: invalid bulk length\r\n")

    def test_query_buffer_limit(self):
        self.node.cli("CONFIG", "SET", "client-query-buffer-limit", "1mb")
        with self.node.connect() as s:
            try:
                s.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n" + b"x" * 2_000_000)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.assertEqual(read_until_closed(s), b"")
        self.assertIn("client_query_buffer_limit_disconnections:1",
                      self.node.cli("INFO", "stats")[0])

    def test_announced_huge_bulks_take_memory_only_as_bytes_arrive(self):
        """A 40-byte request announcing a 512 MB value, then silence, must
        not make the node allocate the 512 MB (four such clients once took
        4.3 GB and stalled every other client for 2 s)."""
        def rss_kb():
            with open("/proc/%d/status" % self.node.proc.pid) as f:
                return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))

        def used_memory():
            return int(self.node.cli("INFO", "memory")[0].split("used_memory:")[1].split()[0])

        before_rss, before_used = rss_kb(), used_memory()
        hanging = [self.node.connect() for _ in range(4)]
        try:
            for s in hanging:
                s.sendall(b"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$536870912\r\n" + b"x" * 1000)
            with self.node.connect() as bystander:
                # The node has read the four headers once it answers after them.
                for _ in range(3):
                    self.roundtrip(bystander, resp_command("PING"), b"+PONG\r\n")
            self.assertLess(used_memory() - before_used, 8 << 20)
            self.assertLess(rss_kb() - before_rss, 64 << 10)
            # The buffer then grows with the data: 3 MB more of one value.
            hanging[0].sendall(b"y" * 3_000_000)
            with self.node.connect() as bystander:
                while "qbuf=3001" not in self.node.cli("CLIENT", "LIST")[0]:
                    self.roundtrip(bystander, resp_command("PING"), b"+PONG\r\n")
            self.assertLess(used_memory() - before_used, 16 << 20)
        finally:
            for s in hanging:
                s.close()

    def test_query_buffer_limit_bounds_an_announced_bulk(self):
        self.node.cli("CONFIG", "SET", "client-query-buffer-limit", "1mb")
        with self.node.connect() as s:
            s.sendall(b"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$536870912\r\n")
            try:
                for _ in range(20):
                    s.sendall(b"x" * 100_000)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.assertEqual(read_until_closed(s), b"")

    def test_output_buffer_limit(self):
        with self.node.connect() as s:
            self.roundtrip(s, resp_command("SET", "big", "x" * 3_000_000), b"+OK\r\n")
        self.node.cli("CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0")
        with self.node.connect() as s:
            s.sendall(resp_command("GET", "big"))
            self.assertEqual(read_until_closed(s), b"")

    def test_maxclients(self):
        self.node.cli("CONFIG", "SET", "maxclients", "3")
        socks = [self.node.connect() for _ in range(3)]
        try:
            for s in socks:
                self.roundtrip(s, resp_command("PING"), b"+PONG\r\n")
            with self.node.connect() as extra:
                self.assertEqual(read_until_closed(extra),
                                 b"-ERR max number of clients reached\r\n")
        finally:
            for s in socks:
                s.close()

    def test_idle_timeout(self):
        self.node.cli("CONFIG", "SET", "timeout", "1")
        with self.node.connect() as s:
            self.roundtrip(s, resp_command("PING"), b"+PONG\r\n")
            start = time.time()
            self.assertEqual(read_until_closed(s, timeout=10), b"")
            self.assertLess(time.time() - start, 5)

    def test_resp3_hello(self):
        with self.node.connect() as s:
            s.sendall(resp_command("HELLO", "3"))
            reply = recv_reply(s)
            self.assertTrue(reply.startswith(b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n"), reply)
            self.roundtrip(s, resp_command("GET", "missing"), b"_\r\n")
            self.roundtrip(s, resp_command("CONFIG", "GET", "hz"), b"%1\r\n$2\r\nhz\r\n$2\r\n10\r\n")

    def test_client_kill_and_quit(self):
        with self.node.connect() as victim, self.node.connect() as killer:
            victim.sendall(resp_command("CLIENT", "ID"))
            victim_id = int(recv_reply(victim)[1:-2])
            self.roundtrip(killer, resp_command("CLIENT", "KILL", "ID", str(victim_id)), b":1\r\n")
            self.assertEqual(read_until_closed(victim), b"")
            killer.sendall(resp_command("QUIT"))
            self.assertEqual(read_until_closed(killer), b"+OK\r\n")


class FileDescriptorLimitTest(unittest.TestCase):
    def test_maxclients_is_lowered_to_what_the_descriptor_limit_allows(self):
        def low_limit():
            resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))

        with Node("--maxclients", "10000", preexec_fn=low_limit) as node:
            self.assertIn("maxclients has been reduced to 224", node.read_log())
            self.assertEqual(node.cli("CONFIG", "GET", "maxclients")[0], "maxclients\n224\n")
            out = node.cli("CONFIG", "SET", "maxclients", "1000")[0]
            self.assertIn("not able to handle the specified number of clients, try with 224", out)
            self.assertEqual(node.cli("CONFIG", "SET", "maxclients", "100")[0], "OK\n")

    def test_out_of_descriptors_the_node_waits_instead_of_spinning(self):
        with Node() as node:
            # Fewer descriptors than the clients about to connect: accept()
            # fails with EMFILE while they wait in the listen queue.
            soft, hard = resource.prlimit(node.proc.pid, resource.RLIMIT_NOFILE)
            resource.prlimit(node.proc.pid, resource.RLIMIT_NOFILE, (48, hard))
            socks = []
            try:
                for _ in range(100):
                    socks.append(socket.create_connection(("127.0.0.1", node.port), timeout=10))
                cpu_before, log_before = node.cpu_seconds(), len(node.read_log())
                time.sleep(2)
                # A spinning accept loop used a whole core and wrote ~50 MB a second.
                self.assertLess(node.cpu_seconds() - cpu_before, 0.5)
                self.assertLess(len(node.read_log()) - log_before, 10_000)
            finally:
                for s in socks:
                    s.close()
            resource.prlimit(node.proc.pid, resource.RLIMIT_NOFILE, (soft, hard))
            deadline = time.time() + 20
            while True:  # back to normal once descriptors are free
                try:
                    with node.connect() as s:
                        s.sendall(resp_command("PING"))
                        if recv_reply(s, timeout=2) == b"+PONG\r\n":
                            break
                except OSError:
                    pass
                self.assertLess(time.time(), deadline)
                time.sleep(0.05)


class AuthLimitsTest(unittest.TestCase):
    def test_a_client_pipelining_password_guesses_is_closed(self):
        with Node("--requirepass", "right") as node, node.connect() as s:
            guesses = b"".join(resp_command("AUTH", "guess%d" % i) for i in range(10000))
            try:
                s.sendall(guesses)
            except (BrokenPipeError, ConnectionResetError):
                pass
            answered = read_until_closed(s)
            # Closed after about 1 KB of replies: some dozens of guesses, not 10000.
            self.assertLess(answered.count(b"WRONGPASS"), 100)
            self.assertGreater(answered.count(b"WRONGPASS"), 0)
            log = node.read_log()
            self.assertIn("failed AUTH from client", log)
            self.assertIn("closing unauthenticated client", log)
            self.assertLess(log.count("failed AUTH"), 5)  # rate-limited
            # A client that authenticates first may pipeline as much as it likes.
            with node.connect() as ok:
                ok.sendall(resp_command("AUTH", "right") +
                           b"".join(resp_command("PING") for _ in range(5000)))
                self.assertEqual(recv_exactly(ok, 5 + 7 * 5000), b"+OK\r\n" + b"+PONG\r\n" * 5000)

    def test_unauthenticated_clients_cannot_send_big_requests(self):
        with Node("--requirepass", "pw") as node, node.connect() as s:
            s.sendall(b"*20\r\n")
            self.assertEqual(read_until_closed(s),
                             b"-ERR Protocol error: unauthenticated multibulk length\r\n")


if __name__ == "__main__":
    unittest.main()
