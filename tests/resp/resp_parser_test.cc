#include "resp/resp_parser.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using ringcache::RespLimits;
using ringcache::RespParser;
using Args = std::vector<std::string>;

namespace {

struct Parsed {
  std::vector<Args> commands;
  bool error = false;
  std::string error_text;
};

// Feeds `stream` to a parser the way a connection does, delivering it in
// pieces that end at the given split points, and collects every command.
Parsed ParseInPieces(const std::string& stream, const std::vector<size_t>& splits,
                     RespLimits limits = {}) {
  RespParser parser;
  parser.set_limits(limits);
  Parsed parsed;
  std::string buffer;
  size_t start = 0;
  size_t delivered = 0;
  std::vector<size_t> ends = splits;
  ends.push_back(stream.size());
  for (size_t end : ends) {
    buffer += stream.substr(delivered, end - delivered);
    delivered = end;
    while (start < buffer.size()) {
      const auto result = parser.Parse(std::string_view(buffer).substr(start));
      if (result == RespParser::Result::kIncomplete) break;
      if (result == RespParser::Result::kError) {
        parsed.error = true;
        parsed.error_text = parser.error();
        return parsed;
      }
      start += parser.consumed();
      if (parser.args().empty()) continue;
      parsed.commands.emplace_back(parser.args().begin(), parser.args().end());
    }
  }
  return parsed;
}

Parsed ParseWhole(const std::string& stream, RespLimits limits = {}) {
  return ParseInPieces(stream, {}, limits);
}

}  // namespace

TEST_CASE("multibulk command parses into its arguments", "[resp_parser]") {
  const Parsed p = ParseWhole("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n");
  REQUIRE_FALSE(p.error);
  REQUIRE(p.commands == std::vector<Args>{{"SET", "k", "hello"}});
}

TEST_CASE("binary-safe bulk payloads keep CR, LF and NUL bytes", "[resp_parser]") {
  const std::string value("a\r\nb\0c", 6);
  const Parsed p = ParseWhole("*2\r\n$4\r\nECHO\r\n$6\r\n" + value + "\r\n");
  REQUIRE(p.commands.size() == 1);
  REQUIRE(p.commands[0][1] == value);
}

TEST_CASE("empty bulk and empty multibulk", "[resp_parser]") {
  REQUIRE(ParseWhole("*2\r\n$3\r\nGET\r\n$0\r\n\r\n").commands == std::vector<Args>{{"GET", ""}});
  // *0 and *-1 are skipped, as Redis does.
  REQUIRE(ParseWhole("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n").commands == std::vector<Args>{{"PING"}});
}

TEST_CASE("inline commands split on spaces and honour quotes", "[resp_parser]") {
  REQUIRE(ParseWhole("PING\r\n").commands == std::vector<Args>{{"PING"}});
  REQUIRE(ParseWhole("set  k   v\n").commands == std::vector<Args>{{"set", "k", "v"}});
  REQUIRE(ParseWhole("SET k \"a b\\x41\\n\"\r\n").commands ==
          std::vector<Args>{{"SET", "k", "a bA\n"}});
  REQUIRE(ParseWhole("SET k 'it\\'s'\r\n").commands == std::vector<Args>{{"SET", "k", "it's"}});
  // Blank lines are skipped.
  REQUIRE(ParseWhole("\r\n\nPING\n").commands == std::vector<Args>{{"PING"}});
}

TEST_CASE("inline protocol errors", "[resp_parser]") {
  Parsed p = ParseWhole("SET k \"unterminated\r\n");
  REQUIRE(p.error);
  REQUIRE(p.error_text == "Protocol error: unbalanced quotes in request");
  p = ParseWhole("SET k \"a\"b\r\n");
  REQUIRE(p.error);
  p = ParseWhole(std::string(70 * 1024, 'x'));
  REQUIRE(p.error);
  REQUIRE(p.error_text == "Protocol error: too big inline request");
}

TEST_CASE("multibulk protocol errors carry Redis's wording", "[resp_parser]") {
  REQUIRE(ParseWhole("*x\r\n").error_text == "Protocol error: invalid multibulk length");
  REQUIRE(ParseWhole("*2\r\n+foo\r\n").error_text == "Protocol error: expected '$', got '+'");
  REQUIRE(ParseWhole("*1\r\n$-1\r\n").error_text == "Protocol error: invalid bulk length");
  REQUIRE(ParseWhole("*1\r\n$abc\r\n").error_text == "Protocol error: invalid bulk length");
  for (const char* bad : {"$", "$01", "$+1", "$1x", "$9999999999999999999", "$ 1"}) {
    INFO(bad);
    REQUIRE(ParseWhole(std::string("*1\r\n") + bad + "\r\n").error_text ==
            "Protocol error: invalid bulk length");
  }
  REQUIRE(ParseWhole("*99999999999\r\n").error_text == "Protocol error: invalid multibulk length");
  REQUIRE(ParseWhole("*1\r\n$" + std::string(70 * 1024, '1')).error_text ==
          "Protocol error: too big bulk count string");
  REQUIRE(ParseWhole("*" + std::string(70 * 1024, '1')).error_text ==
          "Protocol error: too big mbulk count string");
}

TEST_CASE("bulk length is bounded by proto-max-bulk-len", "[resp_parser]") {
  RespLimits limits;
  limits.max_bulk_len = 10;
  REQUIRE(ParseWhole("*1\r\n$11\r\nhello world\r\n", limits).error_text ==
          "Protocol error: invalid bulk length");
  REQUIRE_FALSE(ParseWhole("*1\r\n$10\r\nhelloworld\r\n", limits).error);
}

TEST_CASE("unauthenticated clients get tiny limits", "[resp_parser]") {
  RespLimits limits;
  limits.authenticated = false;
  REQUIRE(ParseWhole("*11\r\n", limits).error_text ==
          "Protocol error: unauthenticated multibulk length");
  REQUIRE(ParseWhole("*1\r\n$16385\r\n", limits).error_text ==
          "Protocol error: unauthenticated bulk length");
}

TEST_CASE("every split point of a pipelined stream yields the same commands", "[resp_parser]") {
  const std::string stream =
      "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$10\r\n0123456789\r\n"
      "PING\r\n"
      "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"
      "*0\r\n"
      "ECHO \"x y\"\n"
      "*1\r\n$4\r\nPING\r\n";
  const std::vector<Args> expected = {
      {"SET", "key", "0123456789"}, {"PING"}, {"GET", "key"}, {"ECHO", "x y"}, {"PING"}};
  REQUIRE(ParseWhole(stream).commands == expected);
  for (size_t a = 0; a <= stream.size(); ++a) {
    INFO("single split at " << a);
    REQUIRE(ParseInPieces(stream, {a}).commands == expected);
  }
  for (size_t a = 0; a <= stream.size(); a += 3) {
    for (size_t b = a; b <= stream.size(); b += 5) {
      INFO("splits at " << a << " and " << b);
      REQUIRE(ParseInPieces(stream, {a, b}).commands == expected);
    }
  }
  std::vector<size_t> every_byte;
  for (size_t i = 1; i < stream.size(); ++i) every_byte.push_back(i);
  REQUIRE(ParseInPieces(stream, every_byte).commands == expected);
}

TEST_CASE("parser asks for the rest of a large bulk", "[resp_parser]") {
  RespParser parser;
  const std::string head = "*2\r\n$3\r\nSET\r\n$1000\r\nabc";
  REQUIRE(parser.Parse(head) == RespParser::Result::kIncomplete);
  // 997 payload bytes and CRLF are still missing.
  REQUIRE(parser.MinBytesWanted(head.size()) == 999);
}

TEST_CASE("PeekKeys finds the second argument of each complete request", "[resp_parser]") {
  using ringcache::PeekKeys;
  const std::string stream =
      "*2\r\n$3\r\nGET\r\n$2\r\nk1\r\n"
      "*1\r\n$4\r\nPING\r\n"
      "*3\r\n$3\r\nSET\r\n$2\r\nk2\r\n$5\r\nv\r\n\r\n\r\n"
      "*2\r\n$3\r\nGET\r\n$4\r\nk3";  // incomplete
  std::string_view keys[8];
  REQUIRE(PeekKeys(stream, keys) == 3);
  REQUIRE(keys[0] == "k1");
  REQUIRE(keys[1].empty());  // no key: a place held, nothing to load
  REQUIRE(keys[2] == "k2");

  // Never more than asked for, and nothing past inline or malformed input.
  REQUIRE(PeekKeys(stream, std::span(keys, 1)) == 1);
  REQUIRE(PeekKeys("PING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", keys) == 0);
  REQUIRE(PeekKeys("*2\r\n$3\r\nGET\r\n:1\r\n", keys) == 0);
  REQUIRE(PeekKeys("*2\r\n$-1\r\n", keys) == 0);
  REQUIRE(PeekKeys("*x\r\n", keys) == 0);
  REQUIRE(PeekKeys("", keys) == 0);
  // A bulk length beyond the input stops it, whatever its size.
  REQUIRE(PeekKeys("*2\r\n$3\r\nGET\r\n$999999999999999\r\nk\r\n", keys) == 0);
}
