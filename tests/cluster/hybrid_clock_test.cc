#include "cluster/hybrid_clock.h"

#include <catch2/catch.hpp>

using ringcache::Version;
using ringcache::cluster::HybridClock;

namespace {
int64_t wall_ms = 1000;
int64_t FakeWall() { return wall_ms; }
}  // namespace

TEST_CASE("stamps increase strictly, also when the wall clock stalls or steps back", "[clock]") {
  wall_ms = 1000;
  HybridClock clock(7, &FakeWall);
  const Version a = clock.Tick();
  const Version b = clock.Tick();
  REQUIRE(a < b);
  REQUIRE(a.physical_ms() == 1000);
  REQUIRE(b.node == 7);
  wall_ms = 900;  // NTP stepped the clock back
  const Version c = clock.Tick();
  REQUIRE(b < c);
  wall_ms = 5000;
  const Version d = clock.Tick();
  REQUIRE(d.physical_ms() == 5000);
  REQUIRE(c < d);
}

TEST_CASE("a stamp seen from a node ahead in time orders later writes after it", "[clock]") {
  wall_ms = 1000;
  HybridClock slow(1, &FakeWall);
  const Version from_fast_node{static_cast<uint64_t>(9000) << 16, 2};
  slow.Observe(from_fast_node);
  REQUIRE(from_fast_node < slow.Tick());
}

TEST_CASE("versions order by stamp, then node, and round-trip their wire form", "[clock]") {
  REQUIRE(Version{5, 1} < Version{6, 0});
  REQUIRE(Version{5, 1} < Version{5, 2});
  Version parsed;
  REQUIRE(Version::Parse(Version{123456789, 42}.ToString(), &parsed));
  REQUIRE(parsed == Version{123456789, 42});
  REQUIRE_FALSE(Version::Parse("12-", &parsed));
  REQUIRE_FALSE(Version::Parse("x-1", &parsed));
  REQUIRE_FALSE(Version::Parse("1-70000", &parsed));
}

TEST_CASE("versions travel as text and come back equal", "[clock]") {
  for (const Version v : {Version{0, 0}, Version{1, 2}, Version{UINT64_MAX, UINT16_MAX},
                          Version{(uint64_t{1730000000000} << 16) | 7, 4242}}) {
    Version back;
    REQUIRE(Version::Parse(v.Format().view(), &back));
    REQUIRE(back == v);
    REQUIRE(v.ToString() == std::string(v.Format().view()));
  }
  Version out;
  REQUIRE(Version::Parse("18446744073709551615-65535", &out));
  REQUIRE_FALSE(Version::Parse("12", &out));
  REQUIRE_FALSE(Version::Parse("1-70000", &out));
}
