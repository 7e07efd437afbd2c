#include "common/number_parsing.h"

#include <catch2/catch.hpp>
#include <charconv>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

using namespace ringcache;

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
  for (const char* bad :
       {"", "-", "+1", " 1", "1 ", "01", "-0", "1.0", "9223372036854775808", "-9223372036854775809",
        "abc", "99999999999999999999", "9999999999999999999", "-9999999999999999999",
        "18446744073709551616", "18446744073709551615", "1/", "1:"}) {
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

TEST_CASE("ParseLongDouble reads back what FormatLongDouble writes", "[number_parsing]") {
  for (const long double value : {1e300L, -1e300L, 1e4000L, 1234.25L}) {
    const std::string text = FormatLongDouble(value);
    long double parsed = 0;
    INFO(text.size());
    REQUIRE(ParseLongDouble(text, &parsed));
    REQUIRE(parsed == value);
  }
  long double ignored = 0;
  REQUIRE_FALSE(ParseLongDouble(std::string(6000, '1'), &ignored));  // Redis's 5 KB bound
}

TEST_CASE("FormatLongDouble prints like INCRBYFLOAT", "[number_parsing]") {
  REQUIRE(FormatLongDouble(10.5L + 0.1L) == "10.6");
  REQUIRE(FormatLongDouble(3.0L) == "3");
  REQUIRE(FormatLongDouble(-0.0L) == "0");
  REQUIRE(FormatLongDouble(5.0e3L) == "5000");
  REQUIRE(FormatLongDouble(1.0L / 3) == "0.33333333333333333");
}

TEST_CASE("decimal formatting matches std::to_chars at every length", "[numbers]") {
  std::vector<uint64_t> values = {0, 1, 9, std::numeric_limits<uint64_t>::max()};
  for (uint64_t power = 10; power != 0 && power <= 10000000000000000000ULL; power *= 10) {
    values.insert(values.end(), {power - 1, power, power + 1});
    if (power > std::numeric_limits<uint64_t>::max() / 10) break;
  }
  for (uint64_t value : values) {
    char expected[24];
    char got[24];
    const char* expected_end = std::to_chars(expected, expected + sizeof(expected), value).ptr;
    const char* got_end = WriteUint64(value, got);
    REQUIRE(std::string_view(got, static_cast<size_t>(got_end - got)) ==
            std::string_view(expected, static_cast<size_t>(expected_end - expected)));
  }
  for (int64_t value : {int64_t{0}, int64_t{-1}, int64_t{-10}, int64_t{1234567},
                        std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}) {
    char buf[24];
    REQUIRE(std::string(buf, FormatInt64(value, buf)) == std::to_string(value));
  }
}
