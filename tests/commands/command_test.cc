// Command tests: RESP requests through the real Dispatcher, exact reply bytes.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "tests/support/command_runner.h"

using namespace ringcache::testing;

TEST_CASE("unknown commands and arity errors use Redis's text", "[commands]") {
  CommandRunner r;
  REQUIRE(r.Run({"NOSUCH", "a", "b"}) ==
          "-ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' \r\n");
  REQUIRE(r.Run({"GET"}) == "-ERR wrong number of arguments for 'get' command\r\n");
  REQUIRE(r.Run({"CONFIG"}) == "-ERR wrong number of arguments for 'config' command\r\n");
  REQUIRE(r.Run({"CONFIG", "NOPE"}) == "-ERR unknown subcommand 'NOPE'. Try CONFIG HELP.\r\n");
  REQUIRE(r.Run({"config", "get"}) ==
          "-ERR wrong number of arguments for 'config|get' command\r\n");
}

TEST_CASE("SET and GET with every option", "[commands][strings]") {
  CommandRunner r;
  const int64_t now = r.now_ms();
  REQUIRE(r.Run({"SET", "k", "v"}) == kOk);
  REQUIRE(r.Run({"GET", "k"}) == Bulk("v"));
  REQUIRE(r.Run({"GET", "missing"}) == kNil);
  REQUIRE(r.Run({"SET", "k", "v2", "NX"}) == kNil);
  REQUIRE(r.Run({"SET", "k", "v2", "XX"}) == kOk);
  REQUIRE(r.Run({"SET", "new", "v", "XX"}) == kNil);
  REQUIRE(r.Run({"SET", "k", "v3", "GET"}) == Bulk("v2"));
  REQUIRE(r.Run({"SET", "fresh", "v", "NX", "GET"}) == kNil);
  REQUIRE(r.Run({"SET", "k", "v", "EX", "10"}) == kOk);
  REQUIRE(r.Run({"PTTL", "k"}) == Int(10000));
  REQUIRE(r.Run({"SET", "k", "v", "PX", "1500"}) == kOk);
  REQUIRE(r.Run({"TTL", "k"}) == Int(2));  // 1.5 s rounds to 2, as in Redis
  REQUIRE(r.Run({"SET", "k", "v", "KEEPTTL"}) == kOk);
  REQUIRE(r.Run({"PTTL", "k"}) == Int(1500));
  REQUIRE(r.Run({"SET", "k", "v", "EXAT", std::to_string(now / 1000 + 100)}) == kOk);
  REQUIRE(r.Run({"SET", "k", "v", "PXAT", std::to_string(now + 5000)}) == kOk);
  REQUIRE(r.Run({"PEXPIRETIME", "k"}) == Int(now + 5000));
  REQUIRE(r.Run({"SET", "k", "v"}) == kOk);
  REQUIRE(r.Run({"TTL", "k"}) == Int(-1));
}

TEST_CASE("SET rejects bad options", "[commands][strings]") {
  CommandRunner r;
  REQUIRE(r.Run({"SET", "k", "v", "NX", "XX"}) == "-ERR syntax error\r\n");
  REQUIRE(r.Run({"SET", "k", "v", "EX", "10", "PX", "10"}) == "-ERR syntax error\r\n");
  REQUIRE(r.Run({"SET", "k", "v", "EX"}) == "-ERR syntax error\r\n");
  REQUIRE(r.Run({"SET", "k", "v", "KEEPTTL", "EX", "1"}) == "-ERR syntax error\r\n");
  REQUIRE(r.Run({"SET", "k", "v", "BOGUS"}) == "-ERR syntax error\r\n");
  REQUIRE(r.Run({"SET", "k", "v", "EX", "0"}) == "-ERR invalid expire time in 'set' command\r\n");
  REQUIRE(r.Run({"SET", "k", "v", "EX", "-5"}) == "-ERR invalid expire time in 'set' command\r\n");
  REQUIRE(r.Run({"SET", "k", "v", "EX", "abc"}) ==
          "-ERR value is not an integer or out of range\r\n");
  REQUIRE(r.Run({"SET", "k", "v", "EX", "9223372036854775807"}) ==
          "-ERR invalid expire time in 'set' command\r\n");
  REQUIRE(r.Run({"EXISTS", "k"}) == Int(0));
}

TEST_CASE("keys with a TTL disappear when it passes", "[commands][ttl]") {
  CommandRunner r;
  REQUIRE(r.Run({"SETEX", "k", "2", "v"}) == kOk);
  REQUIRE(r.Run({"TTL", "k"}) == Int(2));
  r.SetTimeMs(r.now_ms() + 1999);
  REQUIRE(r.Run({"GET", "k"}) == Bulk("v"));
  r.SetTimeMs(r.now_ms() + 1);
  REQUIRE(r.Run({"GET", "k"}) == kNil);
  REQUIRE(r.Run({"TTL", "k"}) == Int(-2));
  REQUIRE(r.Run({"PSETEX", "k", "100", "v"}) == kOk);
  REQUIRE(r.Run({"PTTL", "k"}) == Int(100));
  REQUIRE(r.Run({"SETEX", "k", "0", "v"}) == "-ERR invalid expire time in 'setex' command\r\n");
  REQUIRE(r.Run({"PSETEX", "k", "-1", "v"}) == "-ERR invalid expire time in 'psetex' command\r\n");
}

TEST_CASE("GETSET, GETDEL, GETEX, SETNX", "[commands][strings]") {
  CommandRunner r;
  REQUIRE(r.Run({"GETSET", "k", "1"}) == kNil);
  REQUIRE(r.Run({"GETSET", "k", "2"}) == Bulk("1"));
  REQUIRE(r.Run({"GETDEL", "k"}) == Bulk("2"));
  REQUIRE(r.Run({"GETDEL", "k"}) == kNil);
  REQUIRE(r.Run({"SETNX", "k", "a"}) == Int(1));
  REQUIRE(r.Run({"SETNX", "k", "b"}) == Int(0));
  REQUIRE(r.Run({"GETEX", "k", "EX", "100"}) == Bulk("a"));
  REQUIRE(r.Run({"TTL", "k"}) == Int(100));
  REQUIRE(r.Run({"GETEX", "k", "PERSIST"}) == Bulk("a"));
  REQUIRE(r.Run({"TTL", "k"}) == Int(-1));
  REQUIRE(r.Run({"GETEX", "k", "PX", "10", "PERSIST"}) == "-ERR syntax error\r\n");
  REQUIRE(r.Run({"GETEX", "k", "EX", "0"}) == "-ERR invalid expire time in 'getex' command\r\n");
  REQUIRE(r.Run({"GETEX", "k", "PXAT", std::to_string(r.now_ms() - 1)}) == Bulk("a"));
  REQUIRE(r.Run({"EXISTS", "k"}) == Int(0));
  REQUIRE(r.Run({"GETEX", "missing"}) == kNil);
}

TEST_CASE("MSET, MSETNX, MGET", "[commands][strings]") {
  CommandRunner r;
  REQUIRE(r.Run({"MSET", "a", "1", "b", "2"}) == kOk);
  REQUIRE(r.Run({"MGET", "a", "b", "c"}) == "*3\r\n" + Bulk("1") + Bulk("2") + kNil);
  REQUIRE(r.Run({"MSET", "a", "1", "b"}) ==
          "-ERR wrong number of arguments for 'mset' command\r\n");
  REQUIRE(r.Run({"MSETNX", "c", "3", "a", "x"}) == Int(0));
  REQUIRE(r.Run({"GET", "c"}) == kNil);
  REQUIRE(r.Run({"MSETNX", "c", "3", "d", "4"}) == Int(1));
  REQUIRE(r.Run({"MGET", "c", "d"}) == "*2\r\n" + Bulk("3") + Bulk("4"));
}

TEST_CASE("counters", "[commands][strings]") {
  CommandRunner r;
  REQUIRE(r.Run({"INCR", "n"}) == Int(1));
  REQUIRE(r.Run({"INCRBY", "n", "41"}) == Int(42));
  REQUIRE(r.Run({"DECR", "n"}) == Int(41));
  REQUIRE(r.Run({"DECRBY", "n", "50"}) == Int(-9));
  REQUIRE(r.Run({"GET", "n"}) == Bulk("-9"));
  REQUIRE(r.Run({"INCRBY", "n", "x"}) == "-ERR value is not an integer or out of range\r\n");
  REQUIRE(r.Run({"DECRBY", "n", "-9223372036854775808"}) == "-ERR decrement would overflow\r\n");
  REQUIRE(r.Run({"SET", "n", "9223372036854775807"}) == kOk);
  REQUIRE(r.Run({"INCR", "n"}) == "-ERR increment or decrement would overflow\r\n");
  REQUIRE(r.Run({"SET", "s", " 1"}) == kOk);
  REQUIRE(r.Run({"INCR", "s"}) == "-ERR value is not an integer or out of range\r\n");
  REQUIRE(r.Run({"SET", "f", "10.50"}) == kOk);
  REQUIRE(r.Run({"INCRBYFLOAT", "f", "0.1"}) == Bulk("10.6"));
  // redis-server 7.0 prints exactly this (80-bit long double, 17 decimals).
  REQUIRE(r.Run({"INCRBYFLOAT", "f", "-5.0e3"}) == Bulk("-4989.39999999999999991"));
  REQUIRE(r.Run({"INCRBYFLOAT", "f", "abc"}) == "-ERR value is not a valid float\r\n");
  // A value it wrote itself, however long, reads back (1e300 is 301 digits).
  REQUIRE(r.Run({"INCRBYFLOAT", "huge", "1e300"}).size() > 300);
  REQUIRE(r.Run({"INCRBYFLOAT", "huge", "1"}).rfind("$301\r\n1000", 0) == 0);
  REQUIRE(r.Run({"INCRBYFLOAT", "s", "1"}) == "-ERR value is not a valid float\r\n");
  REQUIRE(r.Run({"INCRBYFLOAT", "g", "inf"}) == "-ERR increment would produce NaN or Infinity\r\n");
}

TEST_CASE("APPEND, STRLEN, GETRANGE, SETRANGE", "[commands][strings]") {
  CommandRunner r;
  REQUIRE(r.Run({"APPEND", "s", "Hello"}) == Int(5));
  REQUIRE(r.Run({"APPEND", "s", " World"}) == Int(11));
  REQUIRE(r.Run({"STRLEN", "s"}) == Int(11));
  REQUIRE(r.Run({"STRLEN", "missing"}) == Int(0));
  REQUIRE(r.Run({"GETRANGE", "s", "0", "4"}) == Bulk("Hello"));
  REQUIRE(r.Run({"GETRANGE", "s", "-5", "-1"}) == Bulk("World"));
  REQUIRE(r.Run({"GETRANGE", "missing", "0", "-1"}) == Bulk(""));
  REQUIRE(r.Run({"GETRANGE", "s", "a", "1"}) == "-ERR value is not an integer or out of range\r\n");
  REQUIRE(r.Run({"SETRANGE", "s", "6", "Redis"}) == Int(11));
  REQUIRE(r.Run({"GET", "s"}) == Bulk("Hello Redis"));
  REQUIRE(r.Run({"SETRANGE", "s", "-1", "x"}) == "-ERR offset is out of range\r\n");
  REQUIRE(r.Run({"SETRANGE", "s", "536870911", "xx"}) ==
          "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
}

TEST_CASE("DEL, UNLINK, EXISTS, TYPE, TOUCH", "[commands][keys]") {
  CommandRunner r;
  r.Run({"MSET", "a", "1", "b", "2"});
  REQUIRE(r.Run({"EXISTS", "a", "a", "zz"}) == Int(2));
  REQUIRE(r.Run({"TYPE", "a"}) == "+string\r\n");
  REQUIRE(r.Run({"TYPE", "zz"}) == "+none\r\n");
  REQUIRE(r.Run({"TOUCH", "a", "zz"}) == Int(1));
  REQUIRE(r.Run({"DEL", "a", "zz"}) == Int(1));
  REQUIRE(r.Run({"UNLINK", "b"}) == Int(1));
  REQUIRE(r.Run({"DBSIZE"}) == Int(0));
}

TEST_CASE("KEYS and SCAN", "[commands][keys]") {
  CommandRunner r;
  for (int i = 0; i < 100; ++i) r.Run({"SET", "user:" + std::to_string(i), "x"});
  r.Run({"SET", "other", "x"});
  REQUIRE(r.Run({"KEYS", "other"}) == "*1\r\n" + Bulk("other"));
  REQUIRE(r.Run({"KEYS", "user:1?"}).substr(0, 5) == "*10\r\n");
  REQUIRE(r.Run({"KEYS", "*"}).substr(0, 6) == "*101\r\n");
  // Walk SCAN to the end and count distinct user keys.
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    const std::string reply = r.Run({"SCAN", cursor, "MATCH", "user:*", "COUNT", "7"});
    // *2\r\n$<n>\r\n<cursor>\r\n*<k>\r\n then k bulks.
    size_t pos = reply.find("\r\n", 4) + 2;
    const size_t cursor_end = reply.find("\r\n", pos);
    cursor = reply.substr(pos, cursor_end - pos);
    pos = reply.find("\r\n", cursor_end + 2) + 2;
    while (pos < reply.size()) {
      const size_t header_end = reply.find("\r\n", pos);
      const size_t len = std::stoul(reply.substr(pos + 1, header_end - pos - 1));
      seen.insert(reply.substr(header_end + 2, len));
      pos = header_end + 2 + len + 2;
    }
    ++calls;
  } while (cursor != "0" && calls < 1000);
  REQUIRE(seen.size() == 100);
  REQUIRE(r.Run({"SCAN", "x"}) == "-ERR invalid cursor\r\n");
  REQUIRE(r.Run({"SCAN", "0", "COUNT", "0"}) == "-ERR syntax error\r\n");
  REQUIRE(r.Run({"SCAN", "0", "TYPE", "hash"}).substr(0, 4) == "*2\r\n");
}

TEST_CASE("RANDOMKEY, RENAME, RENAMENX", "[commands][keys]") {
  CommandRunner r;
  REQUIRE(r.Run({"RANDOMKEY"}) == kNil);
  r.Run({"SET", "a", "1"});
  REQUIRE(r.Run({"RANDOMKEY"}) == Bulk("a"));
  REQUIRE(r.Run({"RENAME", "missing", "b"}) == "-ERR no such key\r\n");
  REQUIRE(r.Run({"RENAME", "a", "b"}) == kOk);
  REQUIRE(r.Run({"GET", "b"}) == Bulk("1"));
  REQUIRE(r.Run({"RENAME", "b", "b"}) == kOk);
  r.Run({"SET", "c", "2"});
  REQUIRE(r.Run({"RENAMENX", "b", "c"}) == Int(0));
  REQUIRE(r.Run({"RENAMENX", "b", "d"}) == Int(1));
  REQUIRE(r.Run({"MGET", "b", "d"}) == "*2\r\n" + kNil + Bulk("1"));
}

TEST_CASE("EXPIRE family with NX, XX, GT, LT", "[commands][ttl]") {
  CommandRunner r;
  const int64_t now = r.now_ms();
  r.Run({"SET", "k", "v"});
  REQUIRE(r.Run({"EXPIRE", "missing", "10"}) == Int(0));
  REQUIRE(r.Run({"EXPIRE", "k", "100", "XX"}) == Int(0));
  REQUIRE(r.Run({"EXPIRE", "k", "100", "GT"}) == Int(0));  // no TTL counts as infinite
  REQUIRE(r.Run({"EXPIRE", "k", "100", "NX"}) == Int(1));
  REQUIRE(r.Run({"EXPIRE", "k", "200", "NX"}) == Int(0));
  REQUIRE(r.Run({"EXPIRE", "k", "50", "GT"}) == Int(0));
  REQUIRE(r.Run({"EXPIRE", "k", "200", "GT"}) == Int(1));
  REQUIRE(r.Run({"EXPIRE", "k", "300", "LT"}) == Int(0));
  REQUIRE(r.Run({"PEXPIRE", "k", "1000", "LT"}) == Int(1));
  REQUIRE(r.Run({"PTTL", "k"}) == Int(1000));
  REQUIRE(r.Run({"EXPIREAT", "k", std::to_string(now / 1000 + 60)}) == Int(1));
  REQUIRE(r.Run({"EXPIRETIME", "k"}) == Int(now / 1000 + 60));
  REQUIRE(r.Run({"PEXPIREAT", "k", std::to_string(now + 123)}) == Int(1));
  REQUIRE(r.Run({"PEXPIRETIME", "k"}) == Int(now + 123));
  REQUIRE(r.Run({"PERSIST", "k"}) == Int(1));
  REQUIRE(r.Run({"PERSIST", "k"}) == Int(0));
  REQUIRE(r.Run({"EXPIRETIME", "k"}) == Int(-1));
  REQUIRE(r.Run({"EXPIRETIME", "missing"}) == Int(-2));
  REQUIRE(r.Run({"EXPIRE", "k", "10", "NX", "XX"}) ==
          "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n");
  REQUIRE(r.Run({"EXPIRE", "k", "10", "GT", "LT"}) ==
          "-ERR GT and LT options at the same time are not compatible\r\n");
  REQUIRE(r.Run({"EXPIRE", "k", "10", "YY"}) == "-ERR Unsupported option YY\r\n");
  REQUIRE(r.Run({"EXPIRE", "k", "9223372036854775807"}) ==
          "-ERR invalid expire time in 'expire' command\r\n");
  // A time in the past deletes the key at once.
  REQUIRE(r.Run({"EXPIRE", "k", "-1"}) == Int(1));
  REQUIRE(r.Run({"EXISTS", "k"}) == Int(0));
}

TEST_CASE("AUTH, HELLO and RESP3", "[commands][connection]") {
  CommandRunner r;
  REQUIRE(r.Run({"AUTH", "x"}).rfind("-ERR AUTH <password> called without any password", 0) == 0);
  REQUIRE(r.Run({"CONFIG", "SET", "requirepass", "secret"}) == kOk);
  r.session().authenticated = false;
  REQUIRE(r.Run({"GET", "k"}) == "-NOAUTH Authentication required.\r\n");
  REQUIRE(r.Run({"AUTH", "wrong"}) ==
          "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  REQUIRE(r.Run({"HELLO", "3"}).rfind("-NOAUTH HELLO must be called", 0) == 0);
  const std::string hello = r.Run({"HELLO", "3", "AUTH", "default", "secret", "SETNAME", "me"});
  REQUIRE(hello.rfind("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n", 0) == 0);
  REQUIRE(hello.find("$5\r\nproto\r\n:3\r\n") != std::string::npos);
  REQUIRE(r.session().authenticated);
  REQUIRE(r.session().name == "me");
  REQUIRE(r.Run({"GET", "missing"}) == "_\r\n");
  REQUIRE(r.Run({"HELLO", "4"}) == "-NOPROTO unsupported protocol version\r\n");
  REQUIRE(r.Run({"HELLO", "2"}).rfind("*14\r\n", 0) == 0);
  REQUIRE(r.Run({"GET", "missing"}) == kNil);
  REQUIRE(r.Run({"AUTH", "default", "secret"}) == kOk);
}

TEST_CASE("PING, ECHO, SELECT, QUIT", "[commands][connection]") {
  CommandRunner r;
  REQUIRE(r.Run({"PING"}) == "+PONG\r\n");
  REQUIRE(r.Run({"PING", "hi"}) == Bulk("hi"));
  REQUIRE(r.Run({"ECHO", "x"}) == Bulk("x"));
  REQUIRE(r.Run({"SELECT", "0"}) == kOk);
  REQUIRE(r.Run({"SELECT", "1"}) == "-ERR DB index is out of range\r\n");
  REQUIRE(r.Run({"SELECT", "x"}) == "-ERR value is not an integer or out of range\r\n");
  REQUIRE(r.Run({"QUIT"}) == kOk);
  REQUIRE(r.session().close_after_reply);
}

TEST_CASE("CLIENT subcommands", "[commands][connection]") {
  CommandRunner r;
  REQUIRE(r.Run({"CLIENT", "ID"}) == Int(static_cast<int64_t>(r.session().id)));
  REQUIRE(r.Run({"CLIENT", "GETNAME"}) == kNil);
  REQUIRE(r.Run({"CLIENT", "SETNAME", "worker-1"}) == kOk);
  REQUIRE(r.Run({"CLIENT", "GETNAME"}) == Bulk("worker-1"));
  REQUIRE(r.Run({"CLIENT", "SETNAME", "bad name"}) ==
          "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
  REQUIRE(r.Run({"CLIENT", "SETINFO", "LIB-NAME", "redis-py"}) == kOk);
  REQUIRE(r.Run({"CLIENT", "LIST"}).find("name=worker-1") != std::string::npos);
  REQUIRE(r.Run({"CLIENT", "INFO"}).find("lib-name=redis-py") != std::string::npos);
  REQUIRE(r.Run({"CLIENT", "KILL", "1.2.3.4:5"}) == "-ERR No such client\r\n");
  REQUIRE(r.Run({"CLIENT", "KILL", "ID", "999"}) == Int(0));
  REQUIRE(r.Run({"CLIENT", "KILL", "ID", std::to_string(r.session().id), "SKIPME", "no"}) ==
          Int(1));
  REQUIRE(r.session().close_after_reply);
}

TEST_CASE("CONFIG GET, SET and RESETSTAT", "[commands][server]") {
  CommandRunner r;
  REQUIRE(r.Run({"CONFIG", "GET", "save"}) == "*2\r\n" + Bulk("save") + Bulk(""));
  REQUIRE(r.Run({"CONFIG", "GET", "appendonly"}) == "*2\r\n" + Bulk("appendonly") + Bulk("no"));
  REQUIRE(
      r.Run({"CONFIG", "SET", "appendonly", "yes"})
          .rfind("-ERR CONFIG SET failed (possibly related to argument 'appendonly') - ringcache "
                 "takes no RDB",
                 0) == 0);
  REQUIRE(r.Run({"CONFIG", "SET", "save", ""}) == kOk);
  REQUIRE(r.Run({"CONFIG", "GET", "nothing-like-this"}) == "*0\r\n");
  REQUIRE(r.Run({"CONFIG", "SET", "timeout", "30", "hz", "20"}) == kOk);
  REQUIRE(r.Run({"CONFIG", "GET", "hz"}) == "*2\r\n" + Bulk("hz") + Bulk("20"));
  REQUIRE(r.Run({"CONFIG", "SET", "lazyfree-lazy-user-del", "yes"}) == kOk);
  REQUIRE(r.Run({"CONFIG", "GET", "lazyfree-lazy-user-del"}) ==
          "*2\r\n" + Bulk("lazyfree-lazy-user-del") + Bulk("yes"));
  REQUIRE(r.Run({"CONFIG", "SET", "hz", "abc"}) ==
          "-ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be "
          "parsed into an integer\r\n");
  REQUIRE(r.Run({"CONFIG", "SET", "nope", "1"}) ==
          "-ERR Unknown option or number of arguments for CONFIG SET - 'nope'\r\n");
  REQUIRE(r.Run({"CONFIG", "SET", "port", "1"}) ==
          "-ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable "
          "config\r\n");
  REQUIRE(r.Run({"CONFIG", "RESETSTAT"}) == kOk);
}

TEST_CASE("housekeeping commands answer like a Redis without the feature", "[commands][server]") {
  CommandRunner r;
  REQUIRE(r.Run({"FUNCTION", "FLUSH"}) == kOk);
  REQUIRE(r.Run({"FUNCTION", "LIST"}) == "*0\r\n");
  REQUIRE(r.Run({"SCRIPT", "FLUSH"}) == kOk);
  REQUIRE(r.Run({"DEBUG", "SLEEP", "0"}).rfind("-ERR DEBUG command not allowed", 0) == 0);
  REQUIRE(r.Run({"ROLE"}) == "*3\r\n" + Bulk("master") + Int(0) + "*0\r\n");
  r.Run({"SET", "a", "1"});
  REQUIRE(r.Run({"FLUSHALL", "ASYNC"}) == kOk);
  REQUIRE(r.Run({"DBSIZE"}) == Int(0));
  REQUIRE(r.Run({"FLUSHDB", "LATER"}) == "-ERR syntax error\r\n");
  REQUIRE(r.Run({"TIME"}).rfind("*2\r\n", 0) == 0);
}

TEST_CASE("COMMAND is answered from the table", "[commands][server]") {
  CommandRunner r;
  const std::string count = r.Run({"COMMAND", "COUNT"});
  REQUIRE(count == Int(static_cast<int64_t>(r.state().commands.size())));
  const std::string info = r.Run({"COMMAND", "INFO", "get", "nosuch"});
  REQUIRE(
      info.rfind("*2\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n",
                 0) == 0);
  REQUIRE(info.find("*-1\r\n") != std::string::npos);
  const std::string docs = r.Run({"COMMAND", "DOCS", "set"});
  REQUIRE(docs.rfind("*2\r\n$3\r\nset\r\n*6\r\n$7\r\nsummary\r\n", 0) == 0);
  REQUIRE(
      r.Run({"COMMAND", "DOCS"}).rfind("*" + std::to_string(2 * r.state().commands.size()), 0) ==
      0);
  const std::string list = r.Run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "config*"});
  REQUIRE(list.find("config|get") != std::string::npos);
  REQUIRE(r.Run({"COMMAND"}).rfind("*" + std::to_string(r.state().commands.size()) + "\r\n", 0) ==
          0);
}

TEST_CASE("INFO reports sections and commandstats", "[commands][server]") {
  CommandRunner r;
  r.Run({"SET", "k", "v"});
  r.Run({"GET", "k"});
  r.Run({"GET", "nope"});
  r.Run({"INCR", "k"});
  const std::string all = r.Run({"INFO", "all"});
  REQUIRE(all.find("# Server\r\nredis_version:7.0.0") != std::string::npos);
  REQUIRE(all.find("keyspace_hits:1\r\n") != std::string::npos);
  REQUIRE(all.find("keyspace_misses:1\r\n") != std::string::npos);
  REQUIRE(all.find("cmdstat_get:calls=2,") != std::string::npos);
  REQUIRE(all.find("cmdstat_incr:calls=1,") != std::string::npos);
  REQUIRE(all.find("failed_calls=1") != std::string::npos);
  REQUIRE(all.find("db0:keys=1,expires=0,avg_ttl=0") != std::string::npos);
  REQUIRE(all.find("used_memory:") != std::string::npos);
  const std::string keyspace = r.Run({"INFO", "keyspace"});
  REQUIRE(keyspace.find("# Server") == std::string::npos);
  REQUIRE(keyspace.find("# Keyspace") != std::string::npos);
}

TEST_CASE("RING needs cluster mode; INFO says the node is not a Redis Cluster", "[commands]") {
  CommandRunner r;
  REQUIRE(r.Run({"RING", "NODES"}) == "-ERR this node is not in cluster mode\r\n");
  REQUIRE(r.Run({"RING", "QUORUM", "1", "1"}) == "-ERR this node is not in cluster mode\r\n");
  const std::string info = r.Run({"INFO", "cluster"});
  REQUIRE(info.find("cluster_enabled:0\r\nring_enabled:0\r\n") != std::string::npos);
}

TEST_CASE("MULTI queues commands and EXEC runs them together", "[commands][transactions]") {
  CommandRunner r;
  REQUIRE(r.Run({"EXEC"}) == "-ERR EXEC without MULTI\r\n");
  REQUIRE(r.Run({"DISCARD"}) == "-ERR DISCARD without MULTI\r\n");
  REQUIRE(r.Run({"MULTI"}) == kOk);
  REQUIRE(r.Run({"MULTI"}) == "-ERR MULTI calls can not be nested\r\n");
  REQUIRE(r.Run({"SET", "a", "1"}) == "+QUEUED\r\n");
  REQUIRE(r.Run({"INCR", "a"}) == "+QUEUED\r\n");
  REQUIRE(r.Run({"GET", "a"}) == "+QUEUED\r\n");
  REQUIRE(r.Run({"GET", "a"}) == "+QUEUED\r\n");
  REQUIRE(r.Run({"EXEC"}) == "*4\r\n" + kOk + Int(2) + Bulk("2") + Bulk("2"));
  // Runtime errors stay inside the reply; queueing errors abort the whole.
  r.Run({"MULTI"});
  r.Run({"SET", "s", "x"});
  r.Run({"INCR", "s"});
  REQUIRE(r.Run({"EXEC"}) == "*2\r\n" + kOk + "-ERR value is not an integer or out of range\r\n");
  r.Run({"MULTI"});
  r.Run({"SET", "b", "1"});
  REQUIRE(r.Run({"GET"}) == "-ERR wrong number of arguments for 'get' command\r\n");
  REQUIRE(r.Run({"EXEC"}) == "-EXECABORT Transaction discarded because of previous errors.\r\n");
  REQUIRE(r.Run({"EXISTS", "b"}) == Int(0));
  r.Run({"MULTI"});
  r.Run({"SET", "c", "1"});
  REQUIRE(r.Run({"DISCARD"}) == kOk);
  REQUIRE(r.Run({"EXISTS", "c"}) == Int(0));
  // A write to a watched key, even this client's own, makes EXEC run nothing.
  REQUIRE(r.Run({"WATCH", "k"}) == kOk);
  r.Run({"SET", "k", "1"});
  r.Run({"MULTI"});
  r.Run({"SET", "d", "1"});
  REQUIRE(r.Run({"EXEC"}) == "*-1\r\n");
  REQUIRE(r.Run({"EXISTS", "d"}) == Int(0));
}
