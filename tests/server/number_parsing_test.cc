#include "server/number_parsing.h"

#include <catch2/catch.hpp>
#include <limits>

using namespace ringcache::server;

TEST_CASE("ParseInt64 accepts exactly Redis's integers", "[number_parsing]") {
  int64_t v = 0;
  REQUIRE(ParseInt64("0", &v));
  REQUIRE(v == 0);
  REQUIRE(ParseInt64("-17", &v));
  REQUIRE(v == -17);
  REQUIRE(ParseInt64("9223372036854775807", &v));
  REQUIRE(v == std::numeric_limits<int64_t>::max());
  REQUIRE(ParseInt64("-9223372036854775808", &v));
  REQUIRE(v == std::numeric_limits<int64_t>::min());
  for (const char* bad : {"", "-", "+1", " 1", "1 ", "01", "-0", "1.0", "9223372036854775808",
                          "-9223372036854775809", "abc", "99999999999999999999"}) {
    INFO(bad);
    REQUIRE_FALSE(ParseInt64(bad, &v));
  }
}

TEST_CASE("ParseLongDouble refuses NaN and spaces", "[number_parsing]") {
  long double v = 0;
  REQUIRE(ParseLongDouble("1.5", &v));
  REQUIRE(v == 1.5L);
  REQUIRE(ParseLongDouble("-3e2", &v));
  REQUIRE(v == -300.0L);
  REQUIRE_FALSE(ParseLongDouble("nan", &v));
  REQUIRE_FALSE(ParseLongDouble(" 1", &v));
  REQUIRE_FALSE(ParseLongDouble("1x", &v));
  REQUIRE_FALSE(ParseLongDouble("", &v));
}

TEST_CASE("FormatLongDouble prints like INCRBYFLOAT", "[number_parsing]") {
  REQUIRE(FormatLongDouble(10.5L + 0.1L) == "10.6");
  REQUIRE(FormatLongDouble(3.0L) == "3");
  REQUIRE(FormatLongDouble(-0.0L) == "0");
  REQUIRE(FormatLongDouble(5.0e3L) == "5000");
  REQUIRE(FormatLongDouble(1.0L / 3) == "0.33333333333333333");
}
