"""Hashes and sets against redis-server 7 itself: every command of a script,
edge cases and errors included, goes to both servers in RESP2 and RESP3 and
the replies must be the same (orderless replies compared as sorted). Random
commands (SPOP, SRANDMEMBER, HRANDFIELD) are checked for their properties."""

import unittest

from differential import AgainstRedisTestCase, run_script
from support import Node


# (command, orderless): orderless True sorts the elements, "pairs" sorts
# field-value pairs.
SCRIPT = [
    # hashes
    ("HSET h f1 v1 f2 v2", False), ("HSET h f1 x", False), ("HSET h", False),
    ("HSET h f1", False), ("HSET h f1 v f2", False), ("HMSET h f3 v3 f4 v4", False),
    ("HMSET h f3", False), ("HSETNX h f1 y", False), ("HSETNX h f9 y", False),
    ("HGET h f1", False), ("HGET h nope", False), ("HGET nokey f", False),
    ("HMGET h f1 nope f2", False), ("HMGET nokey a b", False), ("HGETALL h", "pairs"),
    ("HGETALL nokey", False), ("HKEYS h", True), ("HVALS h", True), ("HLEN h", False),
    ("HLEN nokey", False), ("HEXISTS h f1", False), ("HEXISTS h nope", False),
    ("HSTRLEN h f1", False), ("HSTRLEN h nope", False), ("HSTRLEN nokey f", False),
    ("HINCRBY h n 5", False), ("HINCRBY h n -7", False), ("HINCRBY h f1 1", False),
    ("HINCRBY h n x", False), ("HSET h big 9223372036854775807", False),
    ("HINCRBY h big 1", False), ("HINCRBYFLOAT h fl 1.5", False),
    ("HINCRBYFLOAT h fl 1e2", False), ("HINCRBYFLOAT h f1 1", False),
    ("HINCRBYFLOAT h fl x", False), ("HINCRBYFLOAT h n 0.25", False),
    ("HINCRBYFLOAT h fl inf", False), ("HDEL h f1 nope f2", False), ("HDEL nokey f", False),
    ("HDEL h f3 f4 f9 n big fl", False), ("EXISTS h", False), ("TYPE h", False),
    ("HINCRBY fresh a x", False), ("EXISTS fresh", False),
    ("HSCAN nokey 0", False), ("HSET hs a 1 b 2 c 3", False), ("HSCAN hs 0", "scan-pairs"),
    ("HSCAN hs 0 MATCH a", "scan-pairs"), ("HSCAN hs 0 COUNT 0", False),
    ("HSCAN hs x", False), ("HSCAN hs 0 BOGUS 1", False), ("HRANDFIELD hs 0", False),
    ("HRANDFIELD nokey", False), ("HRANDFIELD nokey 3", False), ("HRANDFIELD hs 5", True),
    ("HRANDFIELD hs 5 WITHVALUES", "pairs"), ("HRANDFIELD hs 1 BOGUS", False),
    ("HRANDFIELD hs x", False), ("OBJECT ENCODING hs", False),
    # sets
    ("SADD s 3 1 2", False), ("SADD s 2 4", False),
    ("SADD s 007", False), ("SADD s a b", False),
    ("SMEMBERS s", True), ("SMEMBERS nokey", False), ("SISMEMBER s a", False),
    ("SISMEMBER s zz", False), ("SISMEMBER nokey a", False), ("SMISMEMBER s a zz 1", False),
    ("SMISMEMBER nokey a", False), ("SCARD s", False), ("SCARD nokey", False),
    ("SREM s a zz", False), ("SREM nokey a", False), ("SADD t 1 2 x y", False),
    ("SADD u 2 y z", False), ("SINTER s t", True), ("SINTER s t u", True),
    ("SINTER s nokey", False), ("SUNION s t u", True), ("SUNION nokey", False),
    ("SDIFF s t", True), ("SDIFF t s u", True), ("SDIFF nokey s", False), ("SDIFF s s", False),
    ("SINTERSTORE d s t", False), ("SMEMBERS d", True), ("SUNIONSTORE d s t u", False),
    ("SCARD d", False), ("SDIFFSTORE d s s", False), ("EXISTS d", False),
    ("SET str v", False), ("SINTERSTORE str s t", False), ("TYPE str", False),
    ("SINTERCARD 2 s t", False), ("SINTERCARD 2 s t LIMIT 1", False),
    ("SINTERCARD 0 s", False), ("SINTERCARD 3 s t", False), ("SINTERCARD 1 s LIMIT -1", False),
    ("SINTERCARD x s", False), ("SINTERCARD 1 s BOGUS 1", False),
    ("SMOVE s t 1", False), ("SMOVE s t zz", False), ("SMOVE nokey t 1", False),
    ("SMOVE t newset x", False), ("SMEMBERS newset", True), ("SMOVE s s 2", False),
    ("SPOP nokey", False), ("SPOP nokey 2", False), ("SPOP s -1", False),
    ("SPOP s 0", False), ("SRANDMEMBER nokey", False), ("SRANDMEMBER nokey 5", False),
    ("SRANDMEMBER s 0", False), ("SRANDMEMBER s 100", True), ("SRANDMEMBER s x", False),
    ("SSCAN nokey 0", False), ("SSCAN s 0", "scan"), ("SSCAN s 0 MATCH 0*", "scan"),
    ("SADD one only", False), ("SREM one only", False), ("EXISTS one", False),
    # wrong types, both ways
    ("SET str v", False), ("HSET str f v", False), ("HGET str f", False),
    ("SADD str m", False), ("SMEMBERS str", False), ("SINTER s str", False),
    ("SMOVE s str 1", False), ("SMOVE str s 1", False), ("GET s", False), ("GET hs", False),
    ("APPEND hs x", False), ("INCR s", False), ("STRLEN hs", False), ("HGET s f", False),
    ("SCARD hs", False), ("TYPE s", False), ("TYPE hs", False),
    ("RENAME hs hs2", False), ("HGETALL hs2", "pairs"), ("EXISTS hs", False),
    ("SET hs2 plain", False), ("GET hs2", False), ("EXPIRE s 100", False), ("TTL s", False),
    # bits
    ("SETBIT b 7 1", False), ("SETBIT b 7 0", False), ("SETBIT b 100 1", False),
    ("GET b", False), ("GETBIT b 100", False), ("GETBIT b 99", False), ("GETBIT b 99999", False),
    ("GETBIT nokey 3", False), ("SETBIT b -1 1", False), ("SETBIT b 4294967296 1", False),
    ("SETBIT b 1 2", False), ("SETBIT b 1 x", False), ("GETBIT b x", False),
    ("SET bc foobar", False), ("BITCOUNT bc", False), ("BITCOUNT bc 0 0", False),
    ("BITCOUNT bc 1 1", False), ("BITCOUNT bc -2 -1", False), ("BITCOUNT bc 5 30 BIT", False),
    ("BITCOUNT bc 1 1 BYTE", False), ("BITCOUNT bc 3 1", False), ("BITCOUNT bc 0", False),
    ("BITCOUNT bc 0 1 BOGUS", False), ("BITCOUNT nokey", False), ("BITCOUNT bc x 1", False),
    ("SET bp \xff\xf0\x00", False), ("BITPOS bp 0", False), ("BITPOS bp 1 2", False),
    ("BITPOS bp 1 2 -1 BYTE", False), ("BITPOS bp 0 7 15 BIT", False), ("BITPOS bp 1 0 -1", False),
    ("SET allones \xff\xff", False), ("BITPOS allones 0", False), ("BITPOS allones 0 0 -1", False),
    ("BITPOS nokey 1", False), ("BITPOS nokey 0", False), ("BITPOS bp 2", False),
    ("SET empty \x00", False), ("BITPOS empty 1", False), ("BITPOS bc 1 3 1", False),
    ("BITPOS bc 0 1 2 BIT", False), ("BITPOS bc 1 -3 -2 BIT", False),
    ("BITOP AND dest bc bp", False), ("GET dest", False), ("BITOP OR dest bc bp nokey", False),
    ("GET dest", False), ("BITOP XOR dest bc bc", False), ("GET dest", False),
    ("BITOP NOT dest bc", False), ("GET dest", False), ("BITOP NOT dest bc bp", False),
    ("BITOP BOGUS dest bc", False), ("BITOP AND dest nokey", False), ("EXISTS dest", False),
    ("SADD bset m", False), ("BITOP AND dest bc bset", False), ("GETBIT bset 0", False),
    ("SETBIT bset 0 1", False), ("BITCOUNT bset", False),
    # BITFIELD
    ("BITFIELD bf SET i8 0 100 GET i8 0", False), ("BITFIELD bf INCRBY i8 0 100", False),
    ("BITFIELD bf OVERFLOW SAT INCRBY i8 0 100", False),
    ("BITFIELD bf OVERFLOW FAIL INCRBY i8 0 100 GET i8 0", False),
    ("BITFIELD bf OVERFLOW WRAP INCRBY u2 100 1 INCRBY u2 100 1 INCRBY u2 100 1", False),
    ("BITFIELD bf SET u8 #2 255 GET u8 #2 GET u4 16 GET i4 16", False), ("GET bf", False),
    ("BITFIELD bf SET u8 0 -1 OVERFLOW SAT SET u8 8 -1 OVERFLOW FAIL SET u8 16 256", False),
    ("BITFIELD bf SET i64 0 -9223372036854775808 INCRBY i64 0 -1", False),
    ("BITFIELD bf OVERFLOW SAT INCRBY i64 0 -1 INCRBY i64 0 9223372036854775807", False),
    ("BITFIELD bf GET u63 1 SET i1 3 1 GET i1 3 GET u1 3", False),
    ("BITFIELD bfnew GET u8 0", False), ("EXISTS bfnew", False),
    ("BITFIELD bfnew OVERFLOW FAIL SET u2 0 7", False), ("GET bfnew", False),
    ("BITFIELD bf GET u64 0", False), ("BITFIELD bf GET i65 0", False),
    ("BITFIELD bf GET x8 0", False), ("BITFIELD bf GET u8 -1", False),
    ("BITFIELD bf GET u8 #x", False), ("BITFIELD bf SET u8 0 x", False),
    ("BITFIELD bf OVERFLOW BOGUS", False), ("BITFIELD bf GET u8", False),
    ("BITFIELD bf BOGUS 1", False), ("BITFIELD bf", False), ("BITFIELD bset GET u8 0", False),
    ("BITFIELD bf GET u8 4294967295", False), ("BITFIELD bf GET u8 4294967288", False),
    ("BITFIELD_RO bf GET i8 0 GET u4 #1", False), ("BITFIELD_RO bf SET u8 0 1", False),
    ("BITFIELD_RO nokey GET u8 0", False),
    # LCS
    ("SET la ohmytext", False), ("SET lb mynewtext", False), ("LCS la lb", False),
    ("LCS la lb LEN", False), ("LCS la lb IDX", False), ("LCS la lb IDX MINMATCHLEN 4", False),
    ("LCS la lb IDX WITHMATCHLEN", False), ("LCS la lb LEN IDX", False), ("LCS la nokey", False),
    ("LCS nokey nokey2 IDX", False), ("LCS la bset", False), ("LCS la lb BOGUS", False),
    ("LCS la lb IDX MINMATCHLEN x", False), ("SET lc aaaa", False), ("SET ld aa", False),
    ("LCS lc ld IDX WITHMATCHLEN", False), ("LCS ld lc IDX", False),
    # COPY of every type, and RESET
    ("SADD cs a b", False), ("HSET ch f v", False), ("SET cstr v EX 100", False),
    ("COPY cs cs2", False), ("SMEMBERS cs2", True), ("SADD cs2 c", False), ("SCARD cs", False),
    ("COPY ch ch2", False), ("HGETALL ch2", "pairs"), ("COPY cstr cstr2", False),
    ("TTL cstr2", False), ("COPY cs ch", False), ("COPY cs ch REPLACE", False),
    ("TYPE ch", False), ("COPY nokey x", False), ("COPY cs cs", False),
    ("COPY cs x DB 1", False), ("COPY cs x DB 0", False), ("COPY cs y BOGUS", False),
    ("COPY cs z DB", False), ("DEL s hs2 t u", False),
    ("CLIENT SETNAME before", False), ("MULTI", False), ("SET inmulti 1", False),
    ("RESET", False), ("EXEC", False), ("EXISTS inmulti", False), ("CLIENT GETNAME", False),
    ("HELLO 3", "hello"), ("RESET", False), ("HGETALL ch2", "pairs"),
]


class CollectionsAgainstRedisTest(AgainstRedisTestCase):
    def run_script(self, protocol):
        run_script(self, (self.node.port, self.redis.port), SCRIPT, protocol)

    def test_resp2(self):
        self.run_script(2)

    def test_resp3(self):
        self.run_script(3)


class RandomMembersTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = Node()

    @classmethod
    def tearDownClass(cls):
        cls.node.stop_and_check()

    def test_random_commands_keep_their_promises(self):
        import redis
        r = redis.Redis(host="127.0.0.1", port=self.node.port)
        for encoding_size in (5, 300):  # packed and table encodings
            r.flushall()
            members = {str(i).encode() + b"m" for i in range(encoding_size)}
            r.sadd("s", *members)
            r.hset("h", mapping={m: b"v" + m for m in members})
            self.assertEqual(r.srandmember("s", 3).__len__(), 3)
            self.assertEqual(len(set(r.srandmember("s", 3))), 3)
            self.assertEqual(set(r.srandmember("s", encoding_size + 10)), members)
            self.assertEqual(len(r.srandmember("s", -20)), 20)
            self.assertTrue(set(r.srandmember("s", -20)) <= members)
            self.assertIn(r.srandmember("s"), members)
            fields = r.hrandfield("h", 4, withvalues=True)
            self.assertEqual(len(fields), 8)
            for i in range(0, 8, 2):
                self.assertEqual(fields[i + 1], b"v" + fields[i])
            self.assertEqual(len(r.hrandfield("h", -10)), 10)
            popped = set(r.spop("s", 2))
            self.assertEqual(len(popped), 2)
            self.assertEqual(r.scard("s"), encoding_size - 2)
            self.assertFalse(any(r.sismember("s", m) for m in popped))
            rest = set(r.spop("s", encoding_size))
            self.assertEqual(rest | popped, members)
            self.assertEqual(r.exists("s"), 0)
            # A full scan sees every member and field.
            self.assertEqual({f for f, _ in r.hscan_iter("h", count=7)}, members)
        r.close()


class LcsLimitTest(unittest.TestCase):
    def test_an_lcs_over_its_memory_limit_is_refused(self):
        import redis
        with Node("--lcs-max-memory", "1mb") as node:
            r = redis.Redis(host="127.0.0.1", port=node.port)
            r.set("a", "x" * 1000)
            r.set("b", "y" * 1000)
            with self.assertRaisesRegex(redis.ResponseError, "lcs-max-memory"):
                r.execute_command("LCS", "a", "b")
            r.set("b", "x" * 400)  # 1.6 MB table: still refused; 200 bytes: fine
            with self.assertRaises(redis.ResponseError):
                r.execute_command("LCS", "a", "b")
            r.set("b", "x" * 200)
            self.assertEqual(r.execute_command("LCS", "a", "b", "LEN"), 200)
            r.close()


if __name__ == "__main__":
    unittest.main()
