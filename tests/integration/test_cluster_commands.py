"""The commands of test_collections.py's script (hashes, sets, strings, bits,
LCS, COPY...) give the same replies through a 3-node cluster as on one node:
each command goes to the next node in turn, so most read what another node
coordinated, and multi-key commands (SINTER, SMOVE, SUNIONSTORE, BITOP, COPY,
LCS) span keys on different replica sets."""

import socket
import unittest

from support import Node, recv_reply, resp_command
from test_cluster import LocalCluster
from differential import command_args, normalize, normalize_scan, parse
from test_collections import SCRIPT

# Left out: RESET's steps (MULTI, a queued SET, EXEC), HELLO and CLIENT are
# about one connection (a transaction, ids, protocol), and the steps go over
# three; test_cluster_transactions.py runs transactions through a cluster.
STEPS = [(text, orderless) for text, orderless in SCRIPT
         if text not in ("MULTI", "SET inmulti 1", "EXEC", "EXISTS inmulti")
         and text.split(" ")[0] not in ("HELLO", "CLIENT", "RESET")]


def run(ports, protocol):
    socks = [socket.create_connection(("127.0.0.1", p)) for p in ports]
    replies = []
    try:
        for s in socks:
            if protocol == 3:
                s.sendall(resp_command("HELLO", "3"))
                recv_reply(s)
        for i, (text, orderless) in enumerate(STEPS):
            s = socks[i % len(socks)]
            s.sendall(resp_command(*command_args(text)))
            reply = parse(recv_reply(s))[0]
            name = text.split(" ")[0].upper()
            if name in ("HSCAN", "SSCAN"):  # a cluster's order is the merged state's
                reply = normalize_scan(reply, name == "HSCAN")
            reply = normalize(reply, orderless)
            replies.append((text, reply))
    finally:
        for s in socks:
            s.close()
    return replies


class ClusterCommandsTest(unittest.TestCase):
    def test_same_replies_as_one_node(self):
        self.assertGreater(len(STEPS), 100)
        for protocol in (2, 3):
            with Node() as node:
                expected = run([node.port], protocol)
            cluster = LocalCluster()
            try:
                got = run(cluster.ports, protocol)
            finally:
                cluster.stop()
            for want, have in zip(expected, got):
                self.assertEqual(want, have, "RESP%d" % protocol)


if __name__ == "__main__":
    unittest.main()
