"""Sorted sets against redis-server 7 itself: every command of a script, edge
cases and errors included, goes to both servers in RESP2 and RESP3 and the
replies must be the same. The cases follow Redis's command documentation.
The script runs twice: with Redis's listpack limits, and with limits of zero
so that every sorted set takes the large encoding."""

import unittest

from differential import AgainstRedisTestCase, run_script

SCRIPT = [
    # ZADD and its flags
    ("ZADD z 1 a 2 b 3 c", False), ("ZADD z 1.5 a", False), ("ZADD z CH 1 a 9 new", False),
    ("ZADD z NX 100 a 4 d", False), ("ZADD z XX 100 zz 10 d", False), ("ZADD z XX CH 11 d", False),
    ("ZADD z GT 0 a", False), ("ZADD z GT CH 50 a", False), ("ZADD z LT CH 60 a 0 b", False),
    ("ZADD z INCR 5 a", False), ("ZADD z INCR NX 5 a", False), ("ZADD z INCR XX 5 nope", False),
    ("ZADD z INCR GT -100 a", False), ("ZADD z NX XX 1 a", False), ("ZADD z GT LT 1 a", False),
    ("ZADD z NX GT 1 a", False), ("ZADD z INCR 1 a 2 b", False), ("ZADD z 1", False),
    ("ZADD z 1 a 2", False), ("ZADD z x a", False), ("ZADD z nan a", False),
    ("ZADD z 1 a x b", False), ("ZADD z BOGUS 1 a", False), ("ZADD z inf top -inf bottom", False),
    ("ZADD z +inf top2", False), ("ZADD z 0.1 tenth 1e3 thousand -0 negzero", False),
    ("ZADD nokey XX 1 a", False), ("ZADD nokey XX INCR 1 a", False), ("EXISTS nokey", False),
    ("ZINCRBY z 2.5 b", False), ("ZINCRBY z 1 fresh", False), ("ZINCRBY z x b", False),
    ("ZINCRBY z -inf top", False), ("ZADD z INCR -inf top", False),
    ("ZRANGE z 0 -1 WITHSCORES", False),
    # single-member reads
    ("ZSCORE z a", False), ("ZSCORE z nope", False), ("ZSCORE nokey a", False),
    ("ZSCORE z top", False), ("ZSCORE z tenth", False), ("ZMSCORE z a nope b", False),
    ("ZMSCORE nokey a", False), ("ZCARD z", False), ("ZCARD nokey", False),
    ("ZRANK z a", False), ("ZRANK z nope", False), ("ZREVRANK z a", False),
    ("ZRANK nokey a", False), ("ZRANK z bottom", False), ("ZREVRANK z top", False),
    # ranges by rank
    ("ZRANGE z 0 2", False), ("ZRANGE z -3 -1 WITHSCORES", False), ("ZRANGE z 5 2", False),
    ("ZRANGE z 0 100", False), ("ZRANGE z 0 -1 REV", False), ("ZRANGE z 0 1 REV WITHSCORES", False),
    ("ZRANGE z x 1", False), ("ZRANGE z 0 1 LIMIT 0 1", False), ("ZRANGE nokey 0 -1", False),
    ("ZREVRANGE z 0 2", False), ("ZREVRANGE z 0 2 WITHSCORES", False),
    ("ZREVRANGE z 0 2 BOGUS", False), ("ZRANGE z 0 -1 BOGUS", False),
    # ranges by score
    ("ZRANGE z 1 10 BYSCORE", False), ("ZRANGE z (1.5 10 BYSCORE WITHSCORES", False),
    ("ZRANGE z -inf +inf BYSCORE LIMIT 2 3", False), ("ZRANGE z -inf +inf BYSCORE LIMIT 2 -1", False),
    ("ZRANGE z -inf +inf BYSCORE LIMIT -1 2", False), ("ZRANGE z 10 1 BYSCORE REV", False),
    ("ZRANGE z +inf -inf BYSCORE REV LIMIT 1 2 WITHSCORES", False),
    ("ZRANGE z (10 (1 BYSCORE REV", False), ("ZRANGE z 5 1 BYSCORE", False),
    ("ZRANGE z x 1 BYSCORE", False), ("ZRANGE z (x 1 BYSCORE", False),
    ("ZRANGEBYSCORE z 1 10", False), ("ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 1 2", False),
    ("ZRANGEBYSCORE z -inf +inf LIMIT 1 2 WITHSCORES", False), ("ZRANGEBYSCORE z 1 x", False),
    ("ZRANGEBYSCORE z 1 10 LIMIT 1", False), ("ZRANGEBYSCORE z 1 10 BYLEX", False),
    ("ZREVRANGEBYSCORE z 10 1", False), ("ZREVRANGEBYSCORE z +inf -inf WITHSCORES LIMIT 0 2", False),
    ("ZCOUNT z 1 10", False), ("ZCOUNT z (1 (10", False), ("ZCOUNT z -inf +inf", False),
    ("ZCOUNT z 10 1", False), ("ZCOUNT z x 1", False), ("ZCOUNT nokey 0 1", False),
    # ranges by lex
    ("ZADD lex 0 a 0 b 0 c 0 d 0 e 0 f", False), ("ZRANGE lex [b (e BYLEX", False),
    ("ZRANGE lex - + BYLEX LIMIT 1 2", False), ("ZRANGE lex + - BYLEX REV", False),
    ("ZRANGE lex (e [b BYLEX REV", False), ("ZRANGE lex [b (e BYLEX WITHSCORES", False),
    ("ZRANGE lex b e BYLEX", False), ("ZRANGEBYLEX lex - [c", False),
    ("ZRANGEBYLEX lex [aa (d LIMIT 0 1", False), ("ZREVRANGEBYLEX lex + (c", False),
    ("ZRANGEBYLEX lex [a [c WITHSCORES", False), ("ZLEXCOUNT lex - +", False),
    ("ZLEXCOUNT lex [b [d", False), ("ZLEXCOUNT lex (b (d", False), ("ZLEXCOUNT lex x y", False),
    ("ZLEXCOUNT nokey - +", False),
    # ZRANGESTORE
    ("ZRANGESTORE dst z 0 2", False), ("ZRANGE dst 0 -1 WITHSCORES", False),
    ("ZRANGESTORE dst z 1 10 BYSCORE LIMIT 0 2", False), ("ZRANGE dst 0 -1 WITHSCORES", False),
    ("ZRANGESTORE dst lex [b [d BYLEX REV", False), ("ZRANGE dst 0 -1", False),
    ("ZRANGESTORE dst z 5 1 BYSCORE", False), ("EXISTS dst", False),
    ("ZRANGESTORE dst nokey 0 -1", False), ("ZRANGESTORE dst z 0 -1 WITHSCORES", False),
    ("ZRANGESTORE z z 0 1", False), ("ZRANGE z 0 -1", False),
    # removals
    ("ZADD r 1 a 2 b 3 c 4 d 5 e 6 f", False), ("ZREM r a nope", False), ("ZREM nokey a", False),
    ("ZREMRANGEBYRANK r 0 0", False), ("ZREMRANGEBYRANK r -1 -1", False),
    ("ZREMRANGEBYSCORE r (3 5", False), ("ZRANGE r 0 -1", False), ("ZREMRANGEBYSCORE r x 1", False),
    ("ZREMRANGEBYLEX lex [a [b", False), ("ZREMRANGEBYLEX lex x y", False),
    ("ZRANGE lex 0 -1", False), ("ZREMRANGEBYRANK r 0 -1", False), ("EXISTS r", False),
    # pops
    ("ZADD p 1 a 2 b 3 c 4 d", False), ("ZPOPMIN p", False), ("ZPOPMAX p", False),
    ("ZPOPMIN p 0", False), ("ZPOPMIN p -1", False), ("ZPOPMIN p x", False),
    ("ZPOPMIN p 1 2", False), ("ZPOPMAX p 10", False), ("EXISTS p", False), ("ZPOPMIN nokey", False),
    ("ZPOPMAX nokey 3", False),
    ("ZADD mp 1 a 2 b 3 c", False), ("ZMPOP 2 nokey mp MIN", False),
    ("ZMPOP 1 mp MAX COUNT 10", False), ("ZMPOP 1 mp MIN", False), ("ZMPOP 0 mp MIN", False),
    ("ZMPOP 2 mp MIN", False), ("ZMPOP 1 mp BOGUS", False), ("ZMPOP 1 mp MIN COUNT 0", False),
    ("ZMPOP 1 mp MIN COUNT x", False), ("ZMPOP 1 mp MIN LIMIT 1", False), ("ZMPOP 3 a b MIN", False),
    # blocking forms that need not block, or time out
    ("ZADD bz 1 a 2 b", False), ("BZPOPMIN nokey bz 0", False), ("BZPOPMAX bz 0", False),
    ("BZPOPMIN nokey 0.01", False), ("ZADD bz2 1 a 2 b 3 c", False),
    ("BZMPOP 0 1 bz2 MAX COUNT 2", False), ("BZMPOP 0.01 1 nokey MIN", False),
    ("BZMPOP 0 1 bz2 BOGUS", False), ("BZPOPMIN bz -1", False), ("SET bzs v", False),
    ("BZPOPMIN bzs 0", False), ("MULTI", False), ("BZPOPMAX nokey 0", False), ("EXEC", False),
    # ZRANDMEMBER, ZSCAN
    ("ZADD rnd 1 a 2 b 3 c", False), ("ZRANDMEMBER rnd 0", False), ("ZRANDMEMBER nokey", False),
    ("ZRANDMEMBER nokey 2", False), ("ZRANDMEMBER rnd 10", True),
    ("ZRANDMEMBER rnd 10 WITHSCORES", "pairs"), ("ZRANDMEMBER rnd 1 BOGUS", False),
    ("ZRANDMEMBER rnd x", False), ("ZSCAN rnd 0", "scan-pairs"),
    ("ZSCAN rnd 0 MATCH a*", "scan-pairs"), ("ZSCAN nokey 0", False), ("ZSCAN rnd x", False),
    # combinations (sets count as score 1)
    ("ZADD za 1 a 2 b 3 c", False), ("ZADD zb 10 b 20 c 30 d", False), ("SADD sa c d e", False),
    ("ZUNION 2 za zb", False), ("ZUNION 2 za zb WITHSCORES", False),
    ("ZUNION 3 za zb sa WEIGHTS 1 2 3 WITHSCORES", False),
    ("ZUNION 2 za zb AGGREGATE MAX WITHSCORES", False),
    ("ZUNION 2 za zb AGGREGATE MIN WITHSCORES", False), ("ZINTER 2 za zb WITHSCORES", False),
    ("ZINTER 3 za zb sa WITHSCORES", False), ("ZINTER 2 za nokey", False),
    ("ZDIFF 2 za zb WITHSCORES", False), ("ZDIFF 3 zb za sa", False), ("ZDIFF 1 nokey", False),
    ("ZUNIONSTORE out 2 za zb WEIGHTS 2 0.5", False), ("ZRANGE out 0 -1 WITHSCORES", False),
    ("ZINTERSTORE out 2 za zb AGGREGATE MAX", False), ("ZRANGE out 0 -1 WITHSCORES", False),
    ("ZDIFFSTORE out 2 za zb", False), ("ZRANGE out 0 -1 WITHSCORES", False),
    ("ZINTERSTORE out 2 za nokey", False), ("EXISTS out", False),
    ("ZINTERCARD 2 za zb", False), ("ZINTERCARD 2 za zb LIMIT 1", False),
    ("ZINTERCARD 0 za", False), ("ZINTERCARD 3 za zb", False), ("ZINTERCARD 1 za LIMIT -1", False),
    ("ZUNION 0 za", False), ("ZUNION 3 za zb", False), ("ZUNION 2 za zb WEIGHTS 1", False),
    ("ZUNION 2 za zb WEIGHTS 1 x", False), ("ZUNION 2 za zb AGGREGATE AVG", False),
    ("ZDIFF 2 za zb WEIGHTS 1 2", False), ("ZUNIONSTORE out 2 za zb WITHSCORES", False),
    ("ZADD inf1 inf a", False), ("ZADD inf2 -inf a", False),
    ("ZUNION 2 inf1 inf2 WITHSCORES", False), ("ZUNION 2 inf1 za WEIGHTS 0 1 WITHSCORES", False),
    # wrong types, both ways
    ("SET str v", False), ("ZADD str 1 a", False), ("ZSCORE str a", False),
    ("ZRANGE str 0 -1", False), ("ZCARD str", False), ("ZPOPMIN str", False),
    ("ZUNION 2 za str", False), ("ZUNIONSTORE out 2 za str", False), ("ZMPOP 1 str MIN", False),
    ("ZRANGESTORE out str 0 1", False), ("GET za", False), ("SADD za m", False),
    ("LPUSH za x", False), ("TYPE za", False), ("OBJECT ENCODING za", False),
    # generic commands
    ("COPY za zc", False), ("ZADD zc 7 q", False), ("ZCARD za", False), ("RENAME zc zd", False),
    ("ZRANGE zd 0 -1 WITHSCORES", False), ("SCAN 0 TYPE zset COUNT 1000", "scan"),
]


class ZSetsAgainstRedisTest(AgainstRedisTestCase):
    def test_resp2(self):
        run_script(self, (self.node.port, self.redis.port), SCRIPT, 2)

    def test_resp3(self):
        run_script(self, (self.node.port, self.redis.port), SCRIPT, 3)


class SmallZSetsTest(ZSetsAgainstRedisTest):
    pass


class LargeZSetsTest(ZSetsAgainstRedisTest):
    server_args = ("--zset-max-listpack-entries", "0")


del ZSetsAgainstRedisTest  # run only through the two subclasses

if __name__ == "__main__":
    unittest.main()
