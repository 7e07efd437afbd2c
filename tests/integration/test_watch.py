"""WATCH on one node against redis-server 7 itself: scenarios of two clients
(one watches and runs a transaction, the other writes) go to both servers
and every reply must be the same. Then optimistic locking as redis-py's
transaction() does it: concurrent WATCH/GET/MULTI/SET increments lose none."""

import socket
import threading
import time
import unittest

import redis

from differential import AgainstRedisTestCase, command_args, parse
from support import Node, recv_reply, resp_command

# (client, command) steps; "sleep" waits 0.3 s.
SCENARIOS = {
    "another client's write": [
        (0, "SET k 1"), (0, "WATCH k"), (1, "SET k 2"), (0, "MULTI"), (0, "INCR k"), (0, "EXEC"),
        (0, "GET k")],
    "no write": [(0, "SET k 1"), (0, "WATCH k nokey"), (0, "MULTI"), (0, "INCR k"), (0, "EXEC")],
    "a write to another key": [
        (0, "WATCH k"), (1, "SET other 1"), (0, "MULTI"), (0, "SET k v"), (0, "EXEC")],
    "its own write": [(0, "WATCH k"), (0, "SET k mine"), (0, "MULTI"), (0, "GET k"), (0, "EXEC")],
    "a key created meanwhile": [
        (0, "WATCH fresh"), (1, "LPUSH fresh x"), (0, "MULTI"), (0, "LLEN fresh"), (0, "EXEC")],
    "a key deleted meanwhile": [
        (0, "HSET h f v"), (0, "WATCH h"), (1, "DEL h"), (0, "MULTI"), (0, "HLEN h"), (0, "EXEC")],
    "an expiry": [
        (0, "SET t 1 PX 100"), (0, "WATCH t"), ("sleep",), (0, "MULTI"), (0, "GET t"),
        (0, "EXEC")],
    "UNWATCH": [
        (0, "WATCH k"), (0, "UNWATCH"), (1, "SET k 3"), (0, "MULTI"), (0, "GET k"), (0, "EXEC")],
    "DISCARD forgets the watch": [
        (0, "WATCH k"), (0, "MULTI"), (0, "DISCARD"), (1, "SET k 4"), (0, "MULTI"),
        (0, "GET k"), (0, "EXEC")],
    "EXEC forgets the watch": [
        (0, "WATCH k"), (0, "MULTI"), (0, "EXEC"), (1, "SET k 5"), (0, "MULTI"), (0, "GET k"),
        (0, "EXEC")],
    "WATCH inside MULTI": [
        (0, "MULTI"), (0, "WATCH k"), (0, "SET k 6"), (0, "EXEC"), (0, "GET k")],
    "a write inside the transaction": [
        (0, "WATCH k"), (0, "MULTI"), (0, "SET k 7"), (0, "EXEC"), (0, "GET k")],
    "EXECABORT": [(0, "WATCH k"), (0, "MULTI"), (0, "NOSUCH"), (0, "EXEC"), (0, "WATCH")],
    "a collection written in place": [
        (0, "SADD s a"), (0, "WATCH s"), (1, "SADD s b"), (0, "MULTI"), (0, "SCARD s"),
        (0, "EXEC")],
    "FLUSHALL": [(0, "SET k 1"), (0, "WATCH k"), (1, "FLUSHALL"), (0, "MULTI"), (0, "EXEC")],
    "RESET forgets the watch": [
        (0, "WATCH k"), (0, "RESET"), (1, "SET k 8"), (0, "MULTI"), (0, "EXEC")],
}


def run(ports, steps):
    """The replies of `steps`; client i talks to ports[i] (one port: both to it)."""
    ports = ports if isinstance(ports, list) else [ports, ports]
    clients = [socket.create_connection(("127.0.0.1", port)) for port in ports]
    try:
        clients[0].sendall(resp_command("FLUSHALL"))
        recv_reply(clients[0])
        out = []
        for step in steps:
            if step[0] == "sleep":
                time.sleep(0.3)
                continue
            s = clients[step[0]]
            s.sendall(resp_command(*command_args(step[1])))
            out.append(parse(recv_reply(s))[0])
        return out
    finally:
        for s in clients:
            s.close()


class WatchAgainstRedisTest(AgainstRedisTestCase):
    def test_scenarios(self):
        for name, steps in SCENARIOS.items():
            with self.subTest(name):
                ours, theirs = run(self.node.port, steps), run(self.redis.port, steps)
                for (got, want), step in zip(zip(ours, theirs), [s for s in steps if s[0] != "sleep"]):
                    if got[0] == b"-" and want[0] == b"-":
                        got, want = got[1].split(b" ")[0], want[1].split(b" ")[0]
                    self.assertEqual(got, want, "%s: %s" % (name, step))


def watched_increments(ports, threads, times):
    """redis-py's optimistic locking: `threads` clients, client i through
    ports[i % len(ports)], each adding 1 `times` times with WATCH/GET/MULTI/SET."""
    redis.Redis(port=ports[0]).set("counter", 0)

    def add(port):
        r = redis.Redis(port=port)

        def increment(pipe):
            value = int(pipe.get("counter"))
            pipe.multi()
            pipe.set("counter", value + 1)

        for _ in range(times):
            r.transaction(increment, "counter")
        r.close()

    workers = [threading.Thread(target=add, args=(ports[i % len(ports)],)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return int(redis.Redis(port=ports[-1]).get("counter"))


class OptimisticLockingTest(unittest.TestCase):
    def test_concurrent_watched_increments_lose_none(self):
        with Node() as node:
            self.assertEqual(watched_increments([node.port], 4, 200), 800)


if __name__ == "__main__":
    unittest.main()
