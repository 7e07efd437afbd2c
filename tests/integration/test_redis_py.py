"""redis-py (Debian's python3-redis 4.3) for everyday calls, in RESP2."""

import time
import unittest

import redis

from support import Node, NodeTestCase


class RedisPyTest(NodeTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.r = redis.Redis(host="127.0.0.1", port=cls.node.port)

    @classmethod
    def tearDownClass(cls):
        cls.r.close()
        super().tearDownClass()

    def test_strings(self):
        r = self.r
        self.assertTrue(r.set("k", "v"))
        self.assertEqual(r.get("k"), b"v")
        self.assertIsNone(r.get("missing"))
        self.assertIsNone(r.set("k", "x", nx=True))
        self.assertTrue(r.set("k", "y", xx=True, ex=100))
        self.assertEqual(r.ttl("k"), 100)
        self.assertEqual(r.getset("k", "z"), b"y")
        self.assertEqual(r.ttl("k"), -1)
        self.assertTrue(r.mset({"a": 1, "b": 2}))
        self.assertEqual(r.mget("a", "b", "c"), [b"1", b"2", None])
        self.assertEqual(r.incr("counter"), 1)
        self.assertEqual(r.incrby("counter", 10), 11)
        self.assertEqual(r.decr("counter"), 10)
        self.assertAlmostEqual(r.incrbyfloat("fl", 2.5), 2.5)
        self.assertEqual(r.append("s", "abc"), 3)
        self.assertEqual(r.strlen("s"), 3)
        self.assertEqual(r.getrange("s", 1, -1), b"bc")
        self.assertEqual(r.setrange("s", 1, "ZZ"), 3)
        self.assertEqual(r.get("s"), b"aZZ")
        self.assertEqual(r.getdel("s"), b"aZZ")
        self.assertTrue(r.setex("t", 50, "v"))
        self.assertTrue(r.psetex("t2", 5000, "v"))
        self.assertEqual(r.getex("t", persist=True), b"v")
        self.assertEqual(r.ttl("t"), -1)
        self.assertTrue(r.setnx("n", "1"))
        self.assertTrue(r.msetnx({"m1": "1", "m2": "2"}))

    def test_binary_values_round_trip(self):
        blob = bytes(range(256)) * 1000 + b"\r\n\x00"
        self.r.set(b"bin\x00key", blob)
        self.assertEqual(self.r.get(b"bin\x00key"), blob)

    def test_keys_and_ttl(self):
        r = self.r
        for i in range(50):
            r.set("user:%d" % i, i)
        self.assertEqual(len(r.keys("user:*")), 50)
        self.assertEqual(sorted(r.scan_iter(match="user:1*", count=5)),
                         sorted(b"user:%d" % i for i in range(50) if str(i).startswith("1")))
        self.assertEqual(r.exists("user:1", "user:2", "nope"), 2)
        self.assertEqual(r.delete("user:1", "user:2"), 2)
        self.assertEqual(r.unlink("user:3"), 1)
        self.assertEqual(r.type("user:4"), b"string")
        self.assertTrue(r.expire("user:4", 100))
        self.assertTrue(r.pexpire("user:5", 100000))
        self.assertGreater(r.pttl("user:5"), 99000)
        self.assertTrue(r.expireat("user:6", int(time.time()) + 100))
        self.assertTrue(r.persist("user:4"))
        self.assertTrue(r.rename("user:7", "renamed"))
        self.assertFalse(r.renamenx("renamed", "user:8"))
        self.assertEqual(r.touch("renamed", "nope"), 1)
        self.assertIsNotNone(r.randomkey())
        self.assertEqual(r.dbsize(), 47)

    def test_errors_are_exceptions(self):
        self.r.set("s", "abc")
        with self.assertRaises(redis.ResponseError) as cm:
            self.r.incr("s")
        self.assertIn("not an integer", str(cm.exception))
        with self.assertRaises(redis.ResponseError):
            self.r.execute_command("NOSUCHCOMMAND")
        with self.assertRaises(redis.ResponseError):
            self.r.rename("missing", "x")
        self.assertTrue(self.r.ping())  # the connection survives errors

    def test_pipeline_without_transaction(self):
        pipe = self.r.pipeline(transaction=False)
        for i in range(1000):
            pipe.set("p:%d" % i, i)
            pipe.incr("pc")
        results = pipe.execute()
        self.assertEqual(len(results), 2000)
        self.assertEqual(results[-1], 1000)
        self.assertEqual(self.r.get("p:999"), b"999")

    def test_transaction_pipeline(self):
        pipe = self.r.pipeline()  # transaction=True: MULTI ... EXEC
        pipe.set("t", 1).incr("t").get("t")
        self.assertEqual(pipe.execute(), [True, 2, b"2"])
        pipe = self.r.pipeline()
        pipe.set("u", "x").incr("u")
        with self.assertRaises(redis.ResponseError):
            pipe.execute()
        self.assertEqual(self.r.get("u"), b"x")  # the rest of the transaction ran

    def test_server_and_connection_calls(self):
        r = self.r
        self.assertTrue(r.ping())
        self.assertEqual(r.echo("hi"), b"hi")
        info = r.info()
        self.assertEqual(info["redis_version"], "7.0.0")
        self.assertIn("used_memory", r.info("memory"))
        self.assertEqual(r.config_get("maxclients"), {"maxclients": "10000"})
        self.assertTrue(r.config_set("timeout", 0))
        self.assertTrue(r.client_setname("pytest"))
        self.assertEqual(r.client_getname(), "pytest")
        self.assertTrue(any(c["name"] == "pytest" for c in r.client_list()))
        self.assertIsInstance(r.client_id(), int)
        self.assertEqual(len(r.time()), 2)
        self.assertTrue(r.config_resetstat())
        self.assertEqual(r.command_count(), len(r.command()))

    def test_many_connections(self):
        pool = redis.ConnectionPool(host="127.0.0.1", port=self.node.port, max_connections=200)
        clients = [redis.Redis(connection_pool=pool) for _ in range(5)]
        conns = [pool.get_connection("PING") for _ in range(150)]
        for c in conns:
            c.send_command("PING")
        for c in conns:
            self.assertEqual(c.read_response(), b"PONG")
        for c in conns:
            pool.release(c)
        self.assertGreaterEqual(int(clients[0].info("clients")["connected_clients"]), 150)
        pool.disconnect()


class RedisPyAuthTest(unittest.TestCase):
    def test_requirepass(self):
        with Node("--requirepass", "s3cret") as node:
            anonymous = redis.Redis(host="127.0.0.1", port=node.port)
            with self.assertRaises(redis.AuthenticationError):
                anonymous.get("k")
            wrong = redis.Redis(host="127.0.0.1", port=node.port, password="nope")
            # redis-py 4.3 surfaces WRONGPASS as a plain ResponseError.
            with self.assertRaisesRegex(redis.ResponseError, "WRONGPASS"):
                wrong.ping()
            good = redis.Redis(host="127.0.0.1", port=node.port, password="s3cret")
            self.assertTrue(good.set("k", "v"))
            named = redis.Redis(host="127.0.0.1", port=node.port, username="default",
                                password="s3cret", client_name="app")
            self.assertEqual(named.get("k"), b"v")
            self.assertEqual(named.client_getname(), "app")


if __name__ == "__main__":
    unittest.main()
