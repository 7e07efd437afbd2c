"""The real redis-cli against a real node: one-shot commands, output modes,
-x, --scan, --bigkeys, --stat, --latency and the interactive prompt."""

import os
import pty
import select
import signal
import subprocess
import time
import unittest

from support import NodeTestCase


class RedisCliTest(NodeTestCase):
    def test_commands_and_output_modes(self):
        n = self.node
        self.assertEqual(n.cli("SET", "greeting", "hello world")[0], "OK\n")
        self.assertEqual(n.cli("GET", "greeting")[0], "hello world\n")
        self.assertEqual(n.cli("--no-raw", "GET", "greeting")[0], '"hello world"\n')
        self.assertEqual(n.cli("--no-raw", "GET", "missing")[0], "(nil)\n")
        self.assertEqual(n.cli("--no-raw", "INCR", "counter")[0], "(integer) 1\n")
        n.cli("MSET", "a", "1", "b", "2")
        self.assertEqual(n.cli("--no-raw", "MGET", "a", "b", "zz")[0],
                         '1) "1"\n2) "2"\n3) (nil)\n')
        self.assertEqual(n.cli("--raw", "MGET", "a", "b")[0], "1\n2\n")
        out, _, _ = n.cli("--no-raw", "NOSUCHCOMMAND", "x")
        self.assertIn("(error) ERR unknown command 'NOSUCHCOMMAND'", out)
        self.assertEqual(n.cli("--no-raw", "TTL", "a")[0], "(integer) -1\n")

    def test_stdin_as_last_argument(self):
        payload = bytes(range(256)) * 40
        out, _, rc = self.node.cli("-x", "SET", "blob", input=payload)
        self.assertEqual((out, rc), ("OK\n", 0))
        out = subprocess.run(["redis-cli", "-p", str(self.node.port), "--raw", "GET", "blob"],
                             capture_output=True).stdout
        self.assertEqual(out, payload + b"\n")
        self.assertEqual(self.node.cli("STRLEN", "blob")[0], "%d\n" % len(payload))

    def test_scan(self):
        for i in range(300):
            self.node.cli("SET", "user:%d" % i, "x")
        self.node.cli("SET", "other", "x")
        out, _, rc = self.node.cli("--scan")
        self.assertEqual(rc, 0)
        self.assertEqual(len(out.split()), 301)
        out, _, _ = self.node.cli("--scan", "--pattern", "user:1*")
        self.assertEqual(sorted(out.split()),
                         sorted("user:%d" % i for i in range(300) if str(i).startswith("1")))

    def test_bigkeys(self):
        self.node.cli("SET", "small", "x")
        self.node.cli("SET", "big", "y" * 5000)
        out, err, rc = self.node.cli("--bigkeys")
        self.assertEqual(rc, 0, err)
        self.assertIn('Biggest string found \'"big"\' has 5000 bytes', out.replace("so far ", ""))
        self.assertIn("2 strings", out)

    def _run_for(self, seconds, *args):
        """Runs redis-cli on a terminal for a while, then interrupts it like Ctrl-C."""
        session = PtySession(["redis-cli", "-p", str(self.node.port)] + list(args))
        try:
            session.read_until(b"never", timeout=seconds)
        finally:
            session.close()
        return session.transcript.decode(errors="replace")

    def test_stat(self):
        self.node.cli("SET", "k", "v")
        out = self._run_for(1.5, "--stat", "-i", "0.2")
        self.assertIn("keys", out)
        self.assertIn("requests", out)
        self.assertNotIn("error", out.lower())

    def test_latency(self):
        out = self._run_for(1.5, "--latency")
        self.assertIn("min:", out)
        self.assertIn("samples", out)
        # Without a terminal it samples for a second, prints the bare figures
        # (min max avg samples) and exits.
        out, err, rc = self.node.cli("--latency", timeout=20)
        fields = out.split()
        self.assertEqual(len(fields), 4, out + err)
        self.assertGreater(int(fields[3]), 0)

    def test_interactive_prompt(self):
        """A person typing into redis-cli: it asks COMMAND DOCS first, then runs commands."""
        before = self.node.cli("INFO", "commandstats")[0]
        self.assertNotIn("cmdstat_command|docs", before)
        session = PtySession(["redis-cli", "-p", str(self.node.port)])
        try:
            port = str(self.node.port).encode()
            self.assertTrue(session.read_until(b"127.0.0.1:" + port + b">"), session.transcript)
            session.type(b"set typed value\r")
            self.assertTrue(session.read_until(b"OK"), session.transcript)
            session.type(b"get typed\r")
            self.assertTrue(session.read_until(b'"value"'), session.transcript)
            session.type(b"quit\r")
        finally:
            session.close()
        after = self.node.cli("INFO", "commandstats")[0]
        self.assertIn("cmdstat_command|docs:calls=1", after)


class PtySession:
    """A program on a pseudo-terminal, as a person at a terminal runs it."""

    def __init__(self, argv):
        self.transcript = b""
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            # A dumb terminal: linenoise then prints its prompt without
            # querying the cursor position.
            os.environ["TERM"] = "dumb"
            os.execvp(argv[0], argv)

    def type(self, text):
        os.write(self.fd, text)

    def read_until(self, marker, timeout=10):
        deadline = time.time() + timeout
        while marker not in self.transcript and time.time() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    self.transcript += os.read(self.fd, 4096)
                except OSError:
                    break
        return marker in self.transcript

    def close(self):
        try:
            os.kill(self.pid, signal.SIGINT)
            self.read_until(b"never", timeout=0.5)
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)


if __name__ == "__main__":
    unittest.main()
