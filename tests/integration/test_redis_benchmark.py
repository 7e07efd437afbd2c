"""The real redis-benchmark against a real node must run without a single error."""

import re
import subprocess
import unittest

from support import Node


def info_field(node, section, name):
    out = node.cli("INFO", section)[0]
    match = re.search(r"^%s:(\S+)" % re.escape(name), out, re.M)
    return match.group(1) if match else None


class RedisBenchmarkTest(unittest.TestCase):
    def run_benchmark(self, node, *args):
        cmd = ["redis-benchmark", "-p", str(node.port)] + list(args)
        r = subprocess.run(cmd, capture_output=True, timeout=300)
        out = r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")
        self.assertEqual(r.returncode, 0, out)
        self.assertNotRegex(out.lower(), r"error|warning|unexpected", out)
        return out

    def test_issue_workload_runs_clean(self):
        with Node() as node:
            out = self.run_benchmark(node, "-t", "ping,set,get,incr,mset", "-r", "100000",
                                     "-n", "20000", "-q")
            for name in ("PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)"):
                self.assertIn(name + ":", out)
            self.assertEqual(info_field(node, "stats", "total_error_replies"), "0")
            # redis-benchmark asked for these at start-up and got answers.
            stats = node.cli("INFO", "commandstats")[0]
            self.assertIn("cmdstat_config|get", stats)
            keys = int(node.cli("DBSIZE")[0])
            self.assertGreater(keys, 10000)

    def test_pipelined_and_large_values(self):
        with Node() as node:
            self.run_benchmark(node, "-t", "set,get", "-r", "100000", "-d", "64", "-c", "50",
                               "-P", "16", "-n", "100000", "-q")
            self.run_benchmark(node, "-t", "set,get", "-d", "100000", "-n", "2000", "-q")
            self.assertEqual(info_field(node, "stats", "total_error_replies"), "0")

    def test_csv_output_has_every_test(self):
        with Node() as node:
            out = self.run_benchmark(node, "-t", "set,get,incr", "-n", "5000", "--csv")
            self.assertIn('"SET"', out)
            self.assertIn('"INCR"', out)


if __name__ == "__main__":
    unittest.main()
