"""Helpers for integration tests: start the real ringcache-server on a free
loopback port, and run the real redis-cli / redis-benchmark against it."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

SERVER = os.environ.get("RINGCACHE_SERVER", os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "ringcache-server"))


def free_port():
    """A TCP port nobody listens on right now (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """A ringcache-server process; use as a context manager so it always stops."""

    def __init__(self, *extra_args, config_file=None, port=None, preexec_fn=None, data_dir=None):
        self.port = port or free_port()
        # A dir of the test's own outlives the node (a restart reuses it);
        # one made here goes when the node stops cleanly.
        self.own_dir = data_dir is None
        self.dir = data_dir or tempfile.mkdtemp(prefix="ringcache-test-")
        os.makedirs(self.dir, exist_ok=True)
        self.log_path = os.path.join(self.dir, "server.log")
        args = [SERVER]
        if config_file:
            args.append(config_file)
        args += ["--port", str(self.port), "--dir", self.dir] + list(extra_args)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                     preexec_fn=preexec_fn)
        self._wait_ready()

    def _wait_ready(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited early: " + self.read_log())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not start: " + self.read_log())

    def read_log(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Stops the server; returns its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def stop_and_check(self):
        """Stops the server and fails if it did not exit cleanly, or if a
        sanitizer reported anything (the test build runs with ASan/UBSan)."""
        code = self.stop()
        log = self.read_log()
        if code != 0 or "Sanitizer" in log or "runtime error:" in log:
            raise AssertionError("server exited with %s:\n%s" % (code, log[-5000:]))
        if self.own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            self.stop_and_check()
        else:
            self.stop()

    def cli(self, *args, input=None, timeout=60, extra=()):
        """Runs redis-cli against this node; returns (stdout, stderr, rc)."""
        cmd = ["redis-cli", "-p", str(self.port)] + list(extra) + [str(a) for a in args]
        r = subprocess.run(cmd, input=input, capture_output=True, timeout=timeout)
        return r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace"), r.returncode

    def cpu_seconds(self):
        """User plus system CPU time the server has used so far."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def connect(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        return s


def resp_command(*args):
    """Encodes a command as a RESP multibulk request."""
    out = b"*%d\r\n" % len(args)
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def read_until_closed(sock, timeout=10):
    sock.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        data += chunk
    return data


def recv_exactly(sock, n, timeout=10):
    sock.settimeout(timeout)
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def recv_reply(sock, timeout=10):
    """Reads exactly one RESP2/RESP3 reply and returns its bytes (waits for
    all of it, however it is split)."""
    sock.settimeout(timeout)
    buf = bytearray()

    def fill(n):
        while len(buf) < n:
            chunk = sock.recv(65536 if n - len(buf) < 65536 else n - len(buf))
            if not chunk:
                raise AssertionError("connection closed mid-reply: %r" % bytes(buf))
            buf.extend(chunk)

    def line_end(pos):
        while True:
            end = buf.find(b"\r\n", pos)
            if end >= 0:
                return end
            fill(len(buf) + 1)

    def element(pos):
        fill(pos + 1)
        end = line_end(pos)
        kind, header = buf[pos:pos + 1], bytes(buf[pos + 1:end])
        pos = end + 2
        if kind in (b"$", b"=", b"!") and header != b"-1":
            pos += int(header) + 2
            fill(pos)
        elif kind in (b"*", b"~", b">", b"%", b"|") and header != b"-1":
            count = int(header) * (2 if kind in (b"%", b"|") else 1)
            for _ in range(count):
                pos = element(pos)
        return pos

    end = element(0)
    if len(buf) > end:
        raise AssertionError("more than one reply arrived: %r" % bytes(buf))
    return bytes(buf)


class NodeTestCase(unittest.TestCase):
    """Tests that share one node per class; the keyspace is flushed before each."""

    node_args = ()

    @classmethod
    def setUpClass(cls):
        cls.node = Node(*cls.node_args)

    @classmethod
    def tearDownClass(cls):
        cls.node.stop_and_check()

    def setUp(self):
        self.node.cli("FLUSHALL")
