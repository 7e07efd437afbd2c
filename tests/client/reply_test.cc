#include "client/reply.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

using ringcache::client::Reply;
using ringcache::client::ReplyParser;

namespace {

Reply ParseAll(const std::string& wire) {
  Reply reply;
  size_t consumed = 0;
  REQUIRE(ReplyParser::Parse(wire, &reply, &consumed) == ReplyParser::Result::kComplete);
  REQUIRE(consumed == wire.size());
  return reply;
}

}  // namespace

TEST_CASE("RESP2 replies", "[client][reply]") {
  REQUIRE(ParseAll("+OK\r\n").ToString() == "OK");
  REQUIRE(ParseAll("-ERR bad\r\n").ToString() == "(error) ERR bad");
  REQUIRE(ParseAll(":-5\r\n").integer == -5);
  REQUIRE(ParseAll("$3\r\na\r\n\r\n").str == "a\r\n");
  REQUIRE(ParseAll("$-1\r\n").is_nil());
  REQUIRE(ParseAll("*-1\r\n").is_nil());
  REQUIRE(ParseAll("*2\r\n$1\r\na\r\n*1\r\n:1\r\n").ToString() == "[a, [(integer) 1]]");
}

TEST_CASE("RESP3 replies", "[client][reply]") {
  REQUIRE(ParseAll("_\r\n").is_nil());
  REQUIRE(ParseAll("%1\r\n+k\r\n:2\r\n").elements.size() == 2);
  REQUIRE(ParseAll("~2\r\n+a\r\n+b\r\n").ToString() == "[a, b]");
  REQUIRE(ParseAll(",1.5\r\n").str == "1.5");
  REQUIRE(ParseAll("#t\r\n").integer == 1);
  REQUIRE(ParseAll("=7\r\ntxt:abc\r\n").str == "abc");
}

TEST_CASE("incomplete and broken input", "[client][reply]") {
  const std::string wire = "*2\r\n$5\r\nhello\r\n:42\r\n";
  for (size_t cut = 0; cut < wire.size(); ++cut) {
    Reply reply;
    size_t consumed = 0;
    INFO("cut at " << cut);
    REQUIRE(ReplyParser::Parse(wire.substr(0, cut), &reply, &consumed) ==
            ReplyParser::Result::kIncomplete);
  }
  Reply reply;
  size_t consumed = 0;
  REQUIRE(ReplyParser::Parse("?what\r\n", &reply, &consumed) == ReplyParser::Result::kError);
}

TEST_CASE("the scanner finds each reply's end as bytes arrive", "[client][reply]") {
  using ringcache::client::ReplyScanner;
  const std::string replies[] = {
      "+OK\r\n",
      ":12\r\n",
      "$-1\r\n",
      "*-1\r\n",
      "*0\r\n",
      "$5\r\nab\r\nc\r\n",  // CRLF inside a bulk is data
      "*3\r\n*-1\r\n*4\r\n$6\r\nstring\r\n$1\r\nv\r\n:0\r\n$5\r\n1-200\r\n*2\r\n*0\r\n:1\r\n",
      "%2\r\n+a\r\n:1\r\n+b\r\n*1\r\n$0\r\n\r\n",
  };
  for (const std::string& reply : replies) {
    INFO(reply);
    // Whole replies back to back, fed one byte at a time: complete exactly at
    // each end, and never before.
    const std::string stream = reply + reply;
    ReplyScanner scanner;
    size_t start = 0;
    int complete = 0;
    for (size_t fed = 1; fed <= stream.size(); ++fed) {
      size_t end = 0;
      const auto result = scanner.Scan(std::string_view(stream).substr(start, fed - start), &end);
      REQUIRE(result != ReplyParser::Result::kError);
      if (result == ReplyParser::Result::kComplete) {
        REQUIRE(end == reply.size());
        REQUIRE(fed - start == reply.size());
        start = fed;
        ++complete;
      }
    }
    REQUIRE(complete == 2);
  }
  ReplyScanner scanner;
  size_t end = 0;
  REQUIRE(scanner.Scan("$x\r\n", &end) == ReplyParser::Result::kError);
}

TEST_CASE("integers in replies", "[client][reply]") {
  REQUIRE(ParseAll(":9223372036854775807\r\n").integer == INT64_MAX);
  REQUIRE(ParseAll(":-9223372036854775808\r\n").integer == INT64_MIN);
  size_t consumed = 0;
  Reply reply;
  for (const char* bad :
       {":9223372036854775808\r\n", ":-9223372036854775809\r\n", ":99999999999999999999999\r\n",
        ":\r\n", ":-\r\n", ":1x\r\n", ":+1\r\n"}) {
    INFO(bad);
    REQUIRE(ReplyParser::Parse(bad, &reply, &consumed) == ReplyParser::Result::kError);
  }
  // A CR alone is part of the line; the line ends at CRLF.
  REQUIRE(ParseAll("+a\rb\r\n").str == "a\rb");
  REQUIRE(ReplyParser::Parse("+a\r", &reply, &consumed) == ReplyParser::Result::kIncomplete);
}

TEST_CASE("the cursor reads a reply of known shape from its bytes", "[client][reply]") {
  using ringcache::client::RespCursor;
  RespCursor cursor("*3\r\n$6\r\nstring\r\n:-7\r\n*2\r\n$0\r\n\r\n*-1\r\n");
  int64_t count = 0;
  std::string_view bulk;
  int64_t integer = 0;
  std::string_view element;
  REQUIRE(cursor.ArrayHeader(&count));
  REQUIRE(count == 3);
  REQUIRE_FALSE(cursor.Integer(&integer));  // a bulk is next: nothing read
  REQUIRE(cursor.Bulk(&bulk));
  REQUIRE(bulk == "string");
  REQUIRE(cursor.Integer(&integer));
  REQUIRE(integer == -7);
  REQUIRE(cursor.Element(&element));
  REQUIRE(element == "*2\r\n$0\r\n\r\n*-1\r\n");
  REQUIRE(cursor.at_end());
  RespCursor truncated("$5\r\nab");
  REQUIRE_FALSE(truncated.Bulk(&bulk));
  RespCursor nil("$-1\r\n");
  REQUIRE_FALSE(nil.Bulk(&bulk));
}
