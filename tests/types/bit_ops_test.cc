// BITCOUNT's and BITPOS's range arithmetic against a bit-by-bit reference.
#include "types/bit_ops.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>

namespace ringcache {

TEST_CASE("bit counts and positions match a bit-by-bit walk", "[bit_ops]") {
  std::mt19937 random(3);
  for (int round = 0; round < 2000; ++round) {
    std::string value(random() % 6, '\0');
    for (char& c : value) c = static_cast<char>(random() % 4 == 0 ? 0xff : random());
    BitRange range;
    range.in_bits = random() % 2 == 0;
    const auto unit = static_cast<int64_t>(range.in_bits ? value.size() * 8 : value.size());
    range.start = static_cast<int64_t>(random() % 20) - 10;
    range.end = static_cast<int64_t>(random() % 20) - 10;
    // The reference: clip as Redis does, then walk every bit.
    int64_t start = range.start < 0 ? range.start + unit : range.start;
    int64_t end = range.end < 0 ? range.end + unit : range.end;
    start = std::max<int64_t>(start, 0);
    end = std::min<int64_t>(std::max<int64_t>(end, 0), unit - 1);
    const int64_t first = range.in_bits ? start : start * 8;
    const int64_t last = range.in_bits ? end : end * 8 + 7;
    int64_t count = 0;
    int64_t first_one = -1;
    int64_t first_zero = -1;
    for (int64_t bit = first; unit > 0 && start <= end && bit <= last; ++bit) {
      const int b = GetBit(value, static_cast<uint64_t>(bit));
      count += b;
      if (b == 1 && first_one < 0) first_one = bit;
      if (b == 0 && first_zero < 0) first_zero = bit;
    }
    INFO(round);
    REQUIRE(CountBits(value, range) == count);
    REQUIRE(FindBit(value, 1, range, true) == first_one);
    REQUIRE(FindBit(value, 0, range, true) == first_zero);
  }
}

TEST_CASE("bit operations pad shorter strings with zeros", "[bit_ops]") {
  const std::string_view a = "\xf0\x0f";
  const std::string_view b = "\xff";
  const std::string_view both[] = {a, b};
  REQUIRE(CombineBits(BitOp::kAnd, both) == std::string("\xf0\x00", 2));
  REQUIRE(CombineBits(BitOp::kOr, both) == "\xff\x0f");
  REQUIRE(CombineBits(BitOp::kXor, both) == std::string("\x0f\x0f", 2));
  const std::string_view one[] = {a};
  REQUIRE(CombineBits(BitOp::kNot, one) == std::string("\x0f\xf0", 2));
}

}  // namespace ringcache
