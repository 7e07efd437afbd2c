"""ringcache-cluster: up, status, kill, restart and down of a local cluster."""

import os
import socket
import subprocess
import tempfile
import unittest

import redis

from support import SERVER

LAUNCHER = os.environ.get("RINGCACHE_CLUSTER",
                          os.path.join(os.path.dirname(SERVER), "ringcache-cluster"))


def consecutive_free_ports(count):
    """A base port whose next `count` ports are all free right now."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + count > 65535:
            continue
        try:
            for p in range(base, base + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
    raise RuntimeError("no free port range")


class LauncherTest(unittest.TestCase):
    def launcher(self, *args):
        r = subprocess.run([LAUNCHER] + [str(a) for a in args], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout

    def test_lifecycle(self):
        d = tempfile.mkdtemp(prefix="ringcache-cluster-")
        base = consecutive_free_ports(3)
        # Options the launcher does not know are settings for every node.
        out = self.launcher("up", "--nodes", 3, "--base-port", base, "--dir", d,
                            "--maxmemory", "64mb")
        try:
            self.assertEqual(out.count(" up "), 3, out)
            r1 = redis.Redis(port=base)
            r3 = redis.Redis(port=base + 2)
            self.assertEqual(r3.config_get("maxmemory")["maxmemory"], str(64 * 1024 * 1024))
            self.assertTrue(r1.set("k", "v"))
            self.assertEqual(r3.get("k"), b"v")
            out = self.launcher("kill", "--dir", d, "--node", 2)
            self.assertIn("down", out.splitlines()[3])
            self.assertTrue(r1.set("k2", "v2"))  # W=2 of the two left
            out = self.launcher("restart", "--dir", d, "--node", 2)
            self.assertEqual(out.count(" up "), 3, out)
            self.assertEqual(redis.Redis(port=base + 1).get("k2"), b"v2")
            # node address pid state owns keys memory evictions sees-up
            rows = [line.split() for line in out.splitlines()[2:]]
            self.assertAlmostEqual(sum(float(r[4].rstrip("%")) for r in rows), 100, delta=0.5)
            for row in rows:
                # Keys it stores: a number (the restarted node may still be empty).
                self.assertGreaterEqual(int(row[5]), 0, out)
                self.assertNotEqual(row[6], "-", out)  # used memory
                self.assertEqual(row[7], "0", out)  # evictions
                self.assertEqual(row[8], "3", out)  # members it sees up
        finally:
            out = self.launcher("down", "--dir", d)
        self.assertEqual(out.count(" down"), 3, out)

    def test_a_cluster_that_fails_to_come_up_is_not_left_half_running(self):
        d = tempfile.mkdtemp(prefix="ringcache-cluster-")
        base = consecutive_free_ports(3)
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", base + 1))  # node 2 cannot listen
            r = subprocess.run([LAUNCHER, "up", "--nodes", "3", "--base-port", str(base),
                                "--dir", d], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("node 2 exited at start", r.stderr)
        # Node 1 had started; it was stopped again.
        with self.assertRaises(redis.exceptions.ConnectionError):
            redis.Redis(port=base).ping()


if __name__ == "__main__":
    unittest.main()
