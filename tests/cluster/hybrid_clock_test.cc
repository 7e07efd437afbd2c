#include "cluster/hybrid_clock.h"

#include <catch2/catch.hpp>

using ringcache::cluster::HybridClock;
using ringcache::server::Version;

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
