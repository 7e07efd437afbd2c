"""ioredis and node-redis, as Node.js applications use them: multi() (a
MULTI/EXEC) and pipelines against a single node and through every node of
a 3-node cluster (tests/integration/node/multi.js does the checks).

The clients are installed by scripts/install-deps.sh (npm, into
tests/integration/node/node_modules); without them the test is skipped."""

import os
import shutil
import subprocess
import unittest

from support import Node
from test_cluster import LocalCluster

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "node", "multi.js")
MODULES = os.path.join(HERE, "node", "node_modules")


@unittest.skipIf(shutil.which("node") is None or not os.path.isdir(os.path.join(MODULES, "ioredis"))
                 or not os.path.isdir(os.path.join(MODULES, "redis")),
                 "node, ioredis or node-redis is not installed (scripts/install-deps.sh)")
class NodeClientsTest(unittest.TestCase):
    def run_clients(self, ports):
        run = subprocess.run(["node", SCRIPT] + [str(p) for p in ports], capture_output=True,
                             text=True, timeout=120)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        for port in ports:
            self.assertIn("ok ioredis %d" % port, run.stdout)
            self.assertIn("ok node-redis %d" % port, run.stdout)

    def test_single_node(self):
        with Node() as node:
            self.run_clients([node.port])

    def test_every_node_of_a_cluster(self):
        cluster = LocalCluster()
        try:
            self.run_clients(cluster.ports)
        finally:
            cluster.stop()


if __name__ == "__main__":
    unittest.main()
