#include "types/string_ops.h"

#include <catch2/catch.hpp>
#include <limits>

using namespace ringcache;

TEST_CASE("increment keeps the TTL and refuses overflow", "[string_ops]") {
  Keyspace ks;
  ks.set_now_ms(1000);
  ks.SetString("n", "41", 9000);
  REQUIRE(*IncrementBy(ks, "n", 1) == 42);
  REQUIRE(ks.Find("n")->expire_at_ms == 9000);
  ks.SetString("n", "9223372036854775807", 0);
  Result<int64_t> r = IncrementBy(ks, "n", 1);
  REQUIRE(r.status().message() == "increment or decrement would overflow");
  ks.SetString("s", "abc", 0);
  REQUIRE(IncrementBy(ks, "s", 1).status().message() == "value is not an integer or out of range");
  REQUIRE(*IncrementBy(ks, "fresh", -5) == -5);
}

TEST_CASE("increment by float", "[string_ops]") {
  Keyspace ks;
  ks.SetString("f", "10.50", 0);
  REQUIRE(*IncrementByFloat(ks, "f", 0.1L) == "10.6");
  REQUIRE(ks.Find("f")->value() == "10.6");
  ks.SetString("f", "1.7976931348623157e308", 0);
  REQUIRE(IncrementByFloat(ks, "f", 1.7e308L).ok());  // long double has the room
  ks.SetString("bad", "x", 0);
  REQUIRE(IncrementByFloat(ks, "bad", 1).status().message() == "value is not a valid float");
}

TEST_CASE("append grows values and respects the size limit", "[string_ops]") {
  Keyspace ks;
  REQUIRE(*Append(ks, "a", "hello", 100) == 5);
  REQUIRE(*Append(ks, "a", " world", 100) == 11);
  REQUIRE(ks.Find("a")->value() == "hello world");
  REQUIRE_FALSE(Append(ks, "a", std::string(90, 'x'), 100).ok());
  REQUIRE(ks.Find("a")->value() == "hello world");  // unchanged after the error
  std::string expected;
  for (int i = 0; i < 2000; ++i) {
    REQUIRE(Append(ks, "b", "xyz", 1 << 20).ok());
    expected += "xyz";
  }
  REQUIRE(ks.Find("b")->value() == expected);
}

TEST_CASE("setrange pads with zero bytes", "[string_ops]") {
  Keyspace ks;
  REQUIRE(*SetRange(ks, "k", 5, "ab", 100) == 7);
  REQUIRE(ks.Find("k")->value() == std::string("\0\0\0\0\0ab", 7));
  REQUIRE(*SetRange(ks, "k", 0, "XY", 100) == 7);
  REQUIRE(ks.Find("k")->value() == std::string("XY\0\0\0ab", 7));
  REQUIRE(*SetRange(ks, "missing", 3, "", 100) == 0);
  REQUIRE(ks.Find("missing") == nullptr);
  REQUIRE(SetRange(ks, "k", -1, "x", 100).status().message() == "offset is out of range");
  REQUIRE_FALSE(SetRange(ks, "k", 99, "xy", 100).ok());
}

TEST_CASE("substring index arithmetic matches GETRANGE", "[string_ops]") {
  const std::string_view v = "This is a string";
  REQUIRE(Substring(v, 0, 3) == "This");
  REQUIRE(Substring(v, -3, -1) == "ing");
  REQUIRE(Substring(v, 0, -1) == v);
  REQUIRE(Substring(v, 10, 100) == "string");
  REQUIRE(Substring(v, 5, 3).empty());
  REQUIRE(Substring(v, -1, -5).empty());
  REQUIRE(Substring("", 0, -1).empty());
}

TEST_CASE("SET conditions", "[string_ops]") {
  Keyspace ks;
  SetOptions nx;
  nx.condition = SetOptions::Condition::kIfAbsent;
  REQUIRE(SetWithOptions(ks, "k", "1", nx)->written);
  REQUIRE_FALSE(SetWithOptions(ks, "k", "2", nx)->written);
  SetOptions xx;
  xx.condition = SetOptions::Condition::kIfPresent;
  REQUIRE_FALSE(SetWithOptions(ks, "other", "1", xx)->written);
  xx.want_old_value = true;
  Result<SetOutcome> r = SetWithOptions(ks, "k", "3", xx);
  REQUIRE(r->written);
  REQUIRE(r->old_value == "1");
  REQUIRE(ks.Find("k")->value() == "3");
}
