#include "core/expiry.h"

#include <catch2/catch.hpp>
#include <string>

using ringcache::ActiveExpiry;
using ringcache::Keyspace;

namespace {
int64_t fake_us = 0;
// Time advances 1 us per reading: a budget bounds the number of slices.
int64_t TickingClock() { return ++fake_us; }
}  // namespace

TEST_CASE("active expiry removes keys nobody reads", "[expiry]") {
  Keyspace ks;
  ks.set_now_ms(1000);
  for (int i = 0; i < 100000; ++i) ks.SetString("ttl:" + std::to_string(i), "v", 2000);
  for (int i = 0; i < 1000; ++i) ks.SetString("keep:" + std::to_string(i), "v", 0);
  ActiveExpiry expiry(&TickingClock);
  ks.set_now_ms(1999);
  REQUIRE(expiry.RunCycle(ks, 1'000'000) == 0);
  ks.set_now_ms(2000);
  size_t deleted = 0;
  for (int cycle = 0; cycle < 100 && ks.expires_count() > 0; ++cycle) {
    deleted += expiry.RunCycle(ks, 1'000'000);
  }
  REQUIRE(deleted == 100000);
  REQUIRE(ks.size() == 1000);
  REQUIRE(ks.stats().expired_keys == 100000);
}

TEST_CASE("active expiry does little when few keys are stale", "[expiry]") {
  Keyspace ks;
  ks.set_now_ms(1000);
  for (int i = 0; i < 50000; ++i) ks.SetString("k" + std::to_string(i), "v", 1'000'000);
  ActiveExpiry expiry(&TickingClock);
  const int64_t before = fake_us;
  expiry.RunCycle(ks, 1'000'000);
  // One slice: a couple of clock readings, not a walk over 50k keys.
  REQUIRE(fake_us - before < 5);
}

TEST_CASE("active expiry stops at its time budget", "[expiry]") {
  Keyspace ks;
  ks.set_now_ms(1000);
  for (int i = 0; i < 50000; ++i) ks.SetString("k" + std::to_string(i), "v", 1001);
  ks.set_now_ms(5000);
  ActiveExpiry expiry(&TickingClock);
  const size_t deleted = expiry.RunCycle(ks, 3);
  REQUIRE(deleted > 0);
  REQUIRE(deleted < 50000);
}

TEST_CASE("the sweep estimates the keys' average time to live", "[expiry]") {
  Keyspace ks;
  ks.set_now_ms(1000);
  for (int i = 0; i < 2000; ++i) {
    ks.SetString("a:" + std::to_string(i), "v", 1000 + 10000);  // 10 s left
    ks.SetString("b:" + std::to_string(i), "v", 1000 + 30000);  // 30 s left
  }
  ActiveExpiry expiry(&TickingClock);
  REQUIRE(expiry.avg_ttl_ms() == 0);
  for (int cycle = 0; cycle < 200; ++cycle) expiry.RunCycle(ks, 1'000'000);
  REQUIRE(expiry.avg_ttl_ms() > 15000);
  REQUIRE(expiry.avg_ttl_ms() < 25000);
  ks.Clear();
  expiry.RunCycle(ks, 1'000'000);
  REQUIRE(expiry.avg_ttl_ms() == 0);
}
