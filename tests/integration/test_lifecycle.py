"""Starting and stopping a node: config file, flags, signals, SHUTDOWN."""

import os
import signal
import subprocess
import tempfile
import time
import unittest

from support import SERVER, Node, free_port


class LifecycleTest(unittest.TestCase):
    def test_sigterm_and_sigint_exit_cleanly(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            node = Node()
            self.assertEqual(node.cli("PING")[0], "PONG\n")
            self.assertEqual(node.stop(sig), 0)
            self.assertIn("bye bye", node.read_log())

    def test_settings_that_do_nothing_are_warned_about(self):
        with Node("--appendonly", "yes", "--save", "900 1") as node:
            log = node.read_log()
            self.assertIn("setting 'appendonly yes' is accepted but has no effect", log)
            self.assertIn("setting 'save 900 1' is accepted but has no effect", log)
            # What a Redis client reads back is the truth: no snapshots, no AOF.
            self.assertEqual(node.cli("CONFIG", "GET", "appendonly")[0], "appendonly\nno\n")
            self.assertEqual(node.cli("CONFIG", "GET", "save")[0], "save\n\n")
            out = node.cli("CONFIG", "SET", "appendonly", "yes")[0]
            self.assertIn("ERR CONFIG SET failed (possibly related to argument 'appendonly')", out)
            self.assertIn("write", out)
            node.cli("CONFIG", "SET", "appendfsync", "always")
            node.cli("CONFIG", "SET", "save", "")  # the inert default: not worth a warning
            log = node.read_log()
            self.assertIn("CONFIG SET appendfsync always: accepted, but ringcache does not", log)
            self.assertNotIn("CONFIG SET save", log)

    def test_shutdown_command(self):
        node = Node()
        try:
            out, _, _ = node.cli("SHUTDOWN")
            self.assertEqual(node.proc.wait(timeout=10), 0)
        finally:
            node.stop()

    def test_config_file_with_overrides(self):
        conf = tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False)
        conf.write("# ringcache test config\nrequirepass filepass\nmaxclients 77\nhz 20\n")
        conf.close()
        node = Node("--maxclients", "88", config_file=conf.name)
        try:
            out, _, _ = node.cli("-a", "filepass", "--no-auth-warning", "CONFIG", "GET", "maxclients")
            self.assertEqual(out, "maxclients\n88\n")
            out, _, _ = node.cli("-a", "filepass", "--no-auth-warning", "CONFIG", "GET", "hz")
            self.assertEqual(out, "hz\n20\n")
            out, _, _ = node.cli("CONFIG", "GET", "hz")
            self.assertIn("NOAUTH", out)
            info = node.cli("-a", "filepass", "--no-auth-warning", "INFO", "server")[0]
            self.assertIn("config_file:" + conf.name, info)
        finally:
            node.stop()
            os.unlink(conf.name)

    def test_bad_configuration_fails_fast(self):
        r = subprocess.run([SERVER, "--port", "notaport"], capture_output=True, timeout=10)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"FATAL CONFIG", r.stderr)
        r = subprocess.run([SERVER, "--no-such-setting", "1"], capture_output=True, timeout=10)
        self.assertEqual(r.returncode, 1)
        r = subprocess.run([SERVER, "/nonexistent/ringcache.conf"], capture_output=True, timeout=10)
        self.assertEqual(r.returncode, 1)

    def test_port_in_use_fails(self):
        with Node() as first:
            d = tempfile.mkdtemp()
            r = subprocess.run([SERVER, "--port", str(first.port), "--dir", d],
                               capture_output=True, timeout=10)
            self.assertEqual(r.returncode, 1)
            self.assertIn(b"listening socket", r.stdout + r.stderr)

    def test_dir_is_created_and_pidfile_written(self):
        base = tempfile.mkdtemp()
        data_dir = os.path.join(base, "a", "b")
        pidfile = os.path.join(base, "node.pid")
        port = free_port()
        proc = subprocess.Popen([SERVER, "--port", str(port), "--dir", data_dir,
                                 "--pidfile", pidfile], stdout=subprocess.DEVNULL)
        try:
            deadline = time.time() + 10
            while not os.path.exists(pidfile) and time.time() < deadline:
                time.sleep(0.05)
            self.assertTrue(os.path.isdir(data_dir))
            with open(pidfile) as f:
                self.assertEqual(int(f.read()), proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        self.assertFalse(os.path.exists(pidfile))


if __name__ == "__main__":
    unittest.main()
