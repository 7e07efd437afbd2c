"""Lists against redis-server 7 itself: every command of a script, edge cases
and errors included, goes to both servers in RESP2 and RESP3 and the replies
must be the same. The cases follow Redis's command documentation (each
command's arguments, options, and replies for missing keys and wrong types).
A second script runs with one-item nodes, so that every node boundary of the
list's encoding is crossed."""

import unittest

from differential import AgainstRedisTestCase, run_script
from support import Node

LONG = "x" * 300  # past a one-byte length

SCRIPT = [
    # pushes
    ("RPUSH l a b c", False), ("LPUSH l z y", False), ("LRANGE l 0 -1", False),
    ("LPUSHX nokey a", False), ("RPUSHX nokey a", False), ("EXISTS nokey", False),
    ("LPUSHX l first", False), ("RPUSHX l last " + LONG, False), ("LLEN l", False),
    ("LLEN nokey", False), ("RPUSH l", False), ("LPUSH", False),
    # ranges and indexes
    ("LRANGE l 0 0", False), ("LRANGE l -3 -1", False), ("LRANGE l -100 100", False),
    ("LRANGE l 5 2", False), ("LRANGE l 100 200", False), ("LRANGE l -1 -3", False),
    ("LRANGE l 2 -2", False), ("LRANGE nokey 0 -1", False), ("LRANGE l x 1", False),
    ("LRANGE l 0 9223372036854775807", False), ("LRANGE l -9223372036854775808 0", False),
    ("LINDEX l 0", False), ("LINDEX l -1", False), ("LINDEX l 3", False), ("LINDEX l 100", False),
    ("LINDEX l -100", False), ("LINDEX nokey 0", False), ("LINDEX l x", False),
    # LSET
    ("LSET l 1 Y", False), ("LSET l -1 LAST", False), ("LSET l 100 v", False),
    ("LSET l -100 v", False), ("LSET nokey 0 v", False), ("LSET l x v", False),
    ("LSET l 0 " + LONG, False), ("LRANGE l 0 -1", False), ("LSET l 0 short", False),
    # LINSERT
    ("LINSERT l BEFORE a A", False), ("LINSERT l after c C", False), ("LINSERT l BEFORE zz q", False),
    ("LINSERT nokey BEFORE a b", False), ("LINSERT l BOGUS a b", False), ("LRANGE l 0 -1", False),
    ("LINSERT l BEFORE short s0", False), ("LINSERT l AFTER LAST end", False),
    ("LRANGE l 0 -1", False),
    # LPOS
    ("RPUSH p a b c 1 2 3 c c", False), ("LPOS p c", False), ("LPOS p c RANK 2", False),
    ("LPOS p c RANK -1", False), ("LPOS p c RANK -3", False), ("LPOS p c RANK 4", False),
    ("LPOS p c COUNT 2", False), ("LPOS p c COUNT 0", False), ("LPOS p c RANK -1 COUNT 2", False),
    ("LPOS p c MAXLEN 2", False), ("LPOS p c COUNT 0 MAXLEN 7", False),
    ("LPOS p c RANK -1 MAXLEN 1", False), ("LPOS p c RANK 0", False), ("LPOS p c COUNT -1", False),
    ("LPOS p c MAXLEN -1", False), ("LPOS p c RANK x", False), ("LPOS p c BOGUS 1", False),
    ("LPOS p c RANK", False), ("LPOS p zz", False), ("LPOS p zz COUNT 1", False),
    ("LPOS nokey a", False), ("LPOS nokey a COUNT 1", False),
    # LREM
    ("RPUSH r a b a c a d a", False), ("LREM r 2 a", False), ("LRANGE r 0 -1", False),
    ("LREM r -1 a", False), ("LRANGE r 0 -1", False), ("LREM r 0 a", False),
    ("LRANGE r 0 -1", False), ("LREM r 0 zz", False), ("LREM nokey 0 a", False),
    ("LREM r x a", False), ("LREM r 0 b", False), ("LREM r 0 c", False), ("LREM r 0 d", False),
    ("EXISTS r", False),
    # LTRIM
    ("RPUSH t 0 1 2 3 4 5 6 7 8 9", False), ("LTRIM t 1 -2", False), ("LRANGE t 0 -1", False),
    ("LTRIM t -3 100", False), ("LRANGE t 0 -1", False), ("LTRIM t 0 0", False),
    ("LRANGE t 0 -1", False), ("LTRIM t 5 1", False), ("EXISTS t", False),
    ("LTRIM nokey 0 1", False), ("LTRIM t x 1", False),
    # pops
    ("RPUSH q 1 2 3 4 5 6", False), ("LPOP q", False), ("RPOP q", False), ("LPOP q 2", False),
    ("RPOP q 0", False), ("LPOP q -1", False), ("LPOP q x", False), ("LPOP q 1 2", False),
    ("RPOP q 10", False), ("EXISTS q", False), ("LPOP nokey", False), ("LPOP nokey 2", False),
    ("RPOP nokey 0", False),
    # LMOVE, RPOPLPUSH
    ("RPUSH m a b c", False), ("LMOVE m m2 LEFT RIGHT", False), ("LMOVE m m2 RIGHT LEFT", False),
    ("LRANGE m2 0 -1", False), ("LMOVE m m LEFT RIGHT", False), ("LRANGE m 0 -1", False),
    ("LMOVE m m2 left left", False), ("EXISTS m", False), ("LMOVE m m2 LEFT LEFT", False),
    ("LMOVE m2 m UP LEFT", False), ("RPOPLPUSH m2 m", False), ("RPOPLPUSH m2 m2", False),
    ("LRANGE m2 0 -1", False), ("RPOPLPUSH nokey m", False), ("RPUSH one x", False),
    ("RPOPLPUSH one one", False), ("LRANGE one 0 -1", False),
    # LMPOP
    ("RPUSH mp1 a b c d", False), ("LMPOP 2 nokey mp1 LEFT", False),
    ("LMPOP 2 nokey mp1 RIGHT COUNT 2", False), ("LMPOP 1 mp1 LEFT COUNT 10", False),
    ("EXISTS mp1", False), ("LMPOP 1 mp1 LEFT", False), ("LMPOP 0 mp1 LEFT", False),
    ("LMPOP -1 mp1 LEFT", False), ("LMPOP 3 a b LEFT", False), ("LMPOP 1 a MIDDLE", False),
    ("LMPOP 1 a LEFT COUNT 0", False), ("LMPOP 1 a LEFT COUNT -1", False),
    ("LMPOP 1 a LEFT COUNT x", False), ("LMPOP 1 a LEFT BOGUS 1", False),
    ("LMPOP 1 a LEFT COUNT 1 COUNT 2", False), ("LMPOP x a LEFT", False),
    ("LMPOP 1 a", False), ("LMPOP 2 a b", False),
    # blocking forms that need not block, or time out
    ("RPUSH bq a b", False), ("BLPOP nokey bq 0", False), ("BRPOP bq 0", False),
    ("EXISTS bq", False), ("BLPOP nokey 0.01", False), ("BLPOP nokey -1", False),
    ("BLPOP nokey x", False), ("BRPOP nokey2 nokey 0.01", False),
    ("BLMOVE nokey d LEFT RIGHT 0.01", False), ("RPUSH bs 1", False),
    ("BLMOVE bs bd LEFT BOGUS 0", False), ("BLMOVE bs bd RIGHT LEFT 0", False),
    ("BRPOPLPUSH bd bs 0", False), ("BRPOPLPUSH nokey bs 0.01", False),
    ("BLMPOP 0.01 1 nokey LEFT", False), ("BLMPOP 0 2 nokey bs RIGHT COUNT 5", False),
    ("BLMPOP 0 0 a LEFT", False), ("BLMPOP x 1 a LEFT", False), ("BLMPOP 0 1 a UP", False),
    ("SET bstr v", False), ("BLPOP bstr 0", False), ("BLMOVE bstr bd LEFT LEFT 0", False),
    ("MULTI", False), ("BLPOP nokey 0", False), ("BRPOPLPUSH nokey x 0", False),
    ("EXEC", False),
    # wrong types, both ways
    ("SET str v", False), ("LPUSH str a", False), ("RPUSHX str a", False), ("LPOP str", False),
    ("LRANGE str 0 -1", False), ("LLEN str", False), ("LINDEX str 0", False),
    ("LSET str 0 v", False), ("LINSERT str BEFORE a b", False), ("LPOS str a", False),
    ("LREM str 0 a", False), ("LTRIM str 0 1", False), ("LMPOP 1 str LEFT", False),
    ("RPUSH lst a", False), ("LMOVE lst str LEFT LEFT", False), ("LRANGE lst 0 -1", False),
    ("LMOVE str lst LEFT LEFT", False), ("LMOVE nokey str LEFT LEFT", False),
    ("GET lst", False), ("SADD lst m", False), ("HGET lst f", False), ("INCR lst", False),
    ("TYPE lst", False), ("OBJECT ENCODING lst", False),
    # generic commands on lists
    ("RENAME lst lst2", False), ("LRANGE lst2 0 -1", False), ("COPY lst2 lst3", False),
    ("RPUSH lst3 b", False), ("LRANGE lst2 0 -1", False), ("LRANGE lst3 0 -1", False),
    ("EXPIRE lst3 100", False), ("TTL lst3", False), ("SCAN 0 TYPE list COUNT 1000", "scan"),
    ("DEL lst2 lst3", False), ("EXISTS lst2", False),
]

# One item per node: pushes, inserts, removals and ranges across node edges.
NODE_EDGES = [
    ("CONFIG SET list-max-listpack-size 1", False), ("RPUSH e 1 2 3 4 5", False),
    ("LPUSH e 0", False), ("LINSERT e BEFORE 3 2.5", False), ("LINSERT e AFTER 5 6", False),
    ("LRANGE e 0 -1", False), ("LRANGE e 2 4", False), ("LINDEX e 3", False),
    ("LSET e 3 three", False), ("LREM e 0 three", False), ("LTRIM e 1 -2", False),
    ("LRANGE e 0 -1", False), ("LPOS e 4 RANK -1", False), ("RPOP e 2", False),
    ("LPOP e 2", False), ("LRANGE e 0 -1", False),
    ("CONFIG SET list-max-listpack-size 3", False), ("RPUSH f a b c d e f g h", False),
    ("LINSERT f BEFORE d x", False), ("LINSERT f AFTER c y", False), ("LRANGE f 0 -1", False),
    ("LREM f -2 x", False), ("LTRIM f 2 5", False), ("LRANGE f 0 -1", False),
    ("CONFIG SET list-max-listpack-size -2", False),
]


class ListsAgainstRedisTest(AgainstRedisTestCase):
    def test_resp2(self):
        run_script(self, (self.node.port, self.redis.port), SCRIPT, 2)

    def test_resp3(self):
        run_script(self, (self.node.port, self.redis.port), SCRIPT, 3)

    def test_across_node_edges(self):
        run_script(self, (self.node.port, self.redis.port), NODE_EDGES, 2)


class LargeListTest(unittest.TestCase):
    def test_a_long_list_keeps_its_order_from_both_ends(self):
        import redis
        with Node() as node:
            r = redis.Redis(host="127.0.0.1", port=node.port)
            model = []
            pipe = r.pipeline(transaction=False)
            for i in range(20000):
                item = ("%d-" % i) + "v" * (i % 40)
                if i % 3 == 0:
                    pipe.lpush("big", item)
                    model.insert(0, item.encode())
                else:
                    pipe.rpush("big", item)
                    model.append(item.encode())
            pipe.execute()
            self.assertEqual(r.llen("big"), len(model))
            self.assertEqual(r.lrange("big", 0, -1), model)
            for index in (0, 1, 4999, 10000, 15001, -1, -7000):
                self.assertEqual(r.lindex("big", index), model[index])
            self.assertEqual(r.lrange("big", 9000, 9100), model[9000:9101])
            r.lset("big", 12345, "changed")
            model[12345] = b"changed"
            r.linsert("big", "BEFORE", model[7000], "inserted")
            model.insert(7000, b"inserted")
            self.assertEqual(r.lpop("big", 100), model[:100])
            self.assertEqual(r.rpop("big", 100), model[-100:][::-1])
            model = model[100:-100]
            self.assertEqual(r.lrange("big", 0, -1), model)
            self.assertGreater(r.memory_usage("big"), sum(len(m) for m in model))
            r.close()


if __name__ == "__main__":
    unittest.main()
