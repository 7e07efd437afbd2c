"""Differential tests: the same command stream goes to a ringcache node and to
a redis-server 7 started for the test, and the replies must be the same
(orderless replies compared as sorted)."""

import shutil
import socket
import subprocess
import tempfile
import time

import unittest

from support import Node, free_port, recv_reply, resp_command


def parse(data, pos=0):
    """One RESP reply as Python values; returns (value, next position)."""
    kind = data[pos:pos + 1]
    end = data.index(b"\r\n", pos)
    header = data[pos + 1:end]
    pos = end + 2
    if kind in (b"+", b"-", b":", b",", b"#", b"_"):
        return (kind, header), pos
    if kind in (b"$", b"=", b"!"):
        if header == b"-1":
            return (kind, None), pos
        n = int(header)
        return (kind, data[pos:pos + n]), pos + n + 2
    if header == b"-1":
        return (kind, None), pos
    count = int(header) * (2 if kind in (b"%", b"|") else 1)
    items = []
    for _ in range(count):
        item, pos = parse(data, pos)
        items.append(item)
    return (kind, items), pos


def normalize(reply, orderless):
    kind, value = reply
    if kind == b"~" or (orderless and isinstance(value, list)):
        nested = value and all(v[0] == b"*" for v in value)  # RESP3's [field, value] arrays
        if kind == b"%" or (orderless == "pairs" and kind == b"*" and not nested):
            pairs = [(repr(value[i]), repr(value[i + 1])) for i in range(0, len(value), 2)]
            return (kind, sorted(pairs))
        return (kind, sorted(repr(v) for v in value))
    return reply


def command_args(text):
    return [a.encode().decode("unicode_escape").encode("latin-1") for a in text.split(" ")]


def normalize_scan(reply, pairs):
    kind, value = reply
    if kind != b"*" or len(value) != 2:
        return reply
    items = value[1][1]
    if pairs:
        items = sorted((repr(items[i]), repr(items[i + 1])) for i in range(0, len(items), 2))
    else:
        items = sorted(repr(v) for v in items)
    return (kind, [value[0], items])


class RedisServer:
    def __init__(self, *extra_args):
        self.dir = tempfile.mkdtemp(prefix="redis-")
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--databases", "1",
             "--dir", self.dir, "--bind", "127.0.0.1", *extra_args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)
        shutil.rmtree(self.dir, ignore_errors=True)


def run_script(test, ports, script, protocol):
    """Sends every command of `script` ((text, orderless) pairs; see
    normalize) to the servers at `ports` and has `test` assert that the
    replies agree."""
    socks = [socket.create_connection(("127.0.0.1", port)) for port in ports]
    try:
        for s in socks:
            s.sendall(resp_command("FLUSHALL"))
            recv_reply(s)
            if protocol == 3:
                s.sendall(resp_command("HELLO", "3"))
                recv_reply(s)
        for text, orderless in script:
            replies = []
            for s in socks:
                s.sendall(resp_command(*command_args(text)))
                reply, _ = parse(recv_reply(s))
                if orderless == "hello":  # server names and versions differ
                    reply = (reply[0], None)
                elif orderless in ("scan", "scan-pairs"):
                    reply = normalize_scan(reply, orderless == "scan-pairs")
                else:
                    reply = normalize(reply, orderless)
                replies.append(reply)
            if replies[0][0] == b"-" and replies[1][0] == b"-":
                # Same error prefix and text, up to Redis's own wording
                # of the command name.
                test.assertEqual(replies[0][1].split(b" ")[0], replies[1][1].split(b" ")[0],
                                 text)
            test.assertEqual(replies[0], replies[1], "RESP%d: %s" % (protocol, text))
    finally:
        for s in socks:
            s.close()


@unittest.skipIf(shutil.which("redis-server") is None, "redis-server is not installed")
class AgainstRedisTestCase(unittest.TestCase):
    """A ringcache node and a redis-server for the class, both started with
    `server_args` (settings both know)."""

    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.node = Node(*cls.server_args)
        cls.redis = RedisServer(*cls.server_args)

    @classmethod
    def tearDownClass(cls):
        cls.redis.stop()
        cls.node.stop_and_check()
