#include "resp/reply_builder.h"

#include <catch2/catch.hpp>

using ringcache::ReplyBuilder;
using ringcache::Status;

TEST_CASE("RESP2 encodings", "[reply_builder]") {
  std::string out;
  ReplyBuilder r(&out, 2);
  r.SimpleString("OK");
  r.Error("ERR bad\r\nthing");
  r.Integer(-42);
  r.Bulk("hi");
  r.Null();
  r.NullArray();
  r.MapHeader(1);
  r.SetHeader(2);
  r.Double(1.5);
  r.Bool(true);
  r.Verbatim("a:b");
  REQUIRE(out ==
          "+OK\r\n-ERR bad  thing\r\n:-42\r\n$2\r\nhi\r\n$-1\r\n*-1\r\n*2\r\n*2\r\n"
          "$3\r\n1.5\r\n:1\r\n$3\r\na:b\r\n");
}

TEST_CASE("RESP3 encodings", "[reply_builder]") {
  std::string out;
  ReplyBuilder r(&out, 3);
  r.Null();
  r.NullArray();
  r.MapHeader(1);
  r.SetHeader(2);
  r.Double(1.5);
  r.Bool(false);
  r.Verbatim("a:b");
  REQUIRE(out == "_\r\n_\r\n%1\r\n~2\r\n,1.5\r\n#f\r\n=7\r\ntxt:a:b\r\n");
}

TEST_CASE("status codes map to Redis error prefixes", "[reply_builder]") {
  REQUIRE(ringcache::ToRespError(Status::WrongType()) ==
          "WRONGTYPE Operation against a key holding the wrong kind of value");
  REQUIRE(ringcache::ToRespError(Status::InvalidArgument("syntax error")) == "ERR syntax error");
  REQUIRE(ringcache::ToRespError(Status::OutOfMemory("x")) == "OOM x");
}
