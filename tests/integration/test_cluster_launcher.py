"""ringcache-cluster: up, status, kill, restart and down of a local cluster."""

import os
import socket
import subprocess
import tempfile
import time
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
    def run_launcher(self, *args):
        return subprocess.run([LAUNCHER] + [str(a) for a in args], capture_output=True,
                              text=True, timeout=60)

    def launcher(self, *args):
        r = self.run_launcher(*args)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout

    def test_help_and_bad_options(self):
        r = self.run_launcher("--help")
        self.assertEqual(r.returncode, 0, r.stderr)
        for sub in ("up", "status", "kill", "restart", "down"):
            self.assertIn(sub, r.stdout)
        r = self.run_launcher("up", "--help")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("--write-quorum", r.stdout)
        r = self.run_launcher("status")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--dir is required", r.stderr)
        r = self.run_launcher("up", "--dir", tempfile.mkdtemp(), "--nodes", "many")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--nodes", r.stderr)

    def test_up_refuses_a_running_cluster_and_restarts_a_stopped_one(self):
        d = tempfile.mkdtemp(prefix="ringcache-cluster-")
        base = consecutive_free_ports(3)
        self.launcher("up", "--nodes", 3, "--base-port", base, "--dir", d, "--vnodes", 64)
        try:
            with open(os.path.join(d, "cluster.conf")) as f:
                conf = f.read()
            r = self.run_launcher("up", "--nodes", 3, "--base-port", base, "--dir", d)
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn("is running", r.stderr)
            with open(os.path.join(d, "cluster.conf")) as f:
                self.assertEqual(f.read(), conf)  # same secret: restarts can rejoin
            # Shares as the nodes compute them (64 vnodes), not the default.
            status = self.launcher("status", "--dir", d)
            shares = {row.split()[1]: row.split()[4] for row in status.splitlines()[2:]}
            for n in redis.Redis(port=base).execute_command("RING", "NODES"):
                self.assertEqual(shares[n[0].decode()], n[1].decode() + "%")
            self.assertTrue(redis.Redis(port=base).set("k", "v"))
            self.launcher("down", "--dir", d)
            out = self.launcher("up", "--dir", d, "--nodes", 3)  # the same cluster again
            self.assertEqual(out.count(" up "), 3, out)
            with open(os.path.join(d, "cluster.conf")) as f:
                self.assertEqual(f.read(), conf)
            self.assertEqual(redis.Redis(port=base + 1).get("k"), b"v")  # from the nodes' disks
            self.assertTrue(redis.Redis(port=base + 2).set("k2", "v2"))
            r = self.run_launcher("down", "--dir", d)
            r = self.run_launcher("up", "--dir", d, "--nodes", 5)
            self.assertEqual(r.returncode, 1)
            self.assertIn("--nodes 3; it cannot change", r.stderr)
        finally:
            self.run_launcher("down", "--dir", d)

    def test_a_port_held_by_another_server_fails_up(self):
        d = tempfile.mkdtemp(prefix="ringcache-cluster-")
        base = consecutive_free_ports(3)
        other = subprocess.Popen(["redis-server", "--port", str(base + 1), "--save", "",
                                  "--appendonly", "no"], stdout=subprocess.DEVNULL)
        try:
            deadline = time.time() + 10
            while True:
                try:
                    redis.Redis(port=base + 1).ping()
                    break
                except redis.exceptions.ConnectionError:
                    self.assertLess(time.time(), deadline)
                    time.sleep(0.05)
            r = self.run_launcher("up", "--nodes", 3, "--base-port", base, "--dir", d)
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn("already in use", r.stderr)
            with self.assertRaises(redis.exceptions.ConnectionError):
                redis.Redis(port=base).ping()  # node 1 was stopped again
        finally:
            other.terminate()
            other.wait()

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
        self.assertIn("node 2", r.stderr)
        # Node 1 had started; it was stopped again.
        with self.assertRaises(redis.exceptions.ConnectionError):
            redis.Redis(port=base).ping()
        # Nothing of it is left: the same dir takes a new cluster elsewhere.
        self.assertFalse(os.path.exists(os.path.join(d, "cluster.conf")))
        base = consecutive_free_ports(3)
        self.launcher("up", "--nodes", 3, "--base-port", base, "--dir", d)
        self.launcher("down", "--dir", d)


if __name__ == "__main__":
    unittest.main()
