#include "core/evictor.h"

#include <catch2/catch.hpp>
#include <string>

using ringcache::EvictionPolicy;
using ringcache::EvictionResult;
using ringcache::EvictionSettings;
using ringcache::Evictor;
using ringcache::Keyspace;
using ringcache::ParseEvictionPolicy;
using ringcache::Version;

namespace {

// Memory as the evictor sees it in these tests: 100 bytes per stored entry,
// so that limits are in keys and the allocator plays no part.
constexpr size_t kBytesPerKey = 100;
Keyspace* g_metered = nullptr;
size_t FakeMeter() { return (g_metered->size() + g_metered->tombstones()) * kBytesPerKey; }
int64_t FakeClock() { return 0; }

struct Fixture {
  Keyspace keyspace;
  Evictor evictor{keyspace, &FakeMeter, &FakeClock};
  Fixture() {
    g_metered = &keyspace;
    keyspace.set_now_ms(1'000'000);
  }
  void Limit(size_t keys, EvictionPolicy policy) {
    EvictionSettings settings;
    settings.max_bytes = keys * kBytesPerKey;
    settings.policy = policy;
    evictor.Configure(settings);
  }
  // Key i is last read at time base + i, so a higher i is more recent.
  void FillWithAges(int count, int64_t expire_at_ms = 0) {
    for (int i = 0; i < count; ++i) {
      keyspace.set_now_ms(1'000'000 + i);
      keyspace.SetString("key:" + std::to_string(i), "v", expire_at_ms);
    }
    keyspace.set_now_ms(1'000'000 + count);
  }
  int Survivors(int from, int to) {
    int n = 0;
    for (int i = from; i < to; ++i) n += keyspace.Find("key:" + std::to_string(i)) != nullptr;
    return n;
  }
};

}  // namespace

TEST_CASE("policies parse under Redis's names", "[evictor]") {
  EvictionPolicy p = EvictionPolicy::kNoEviction;
  REQUIRE(ParseEvictionPolicy("ALLKEYS-LRU", &p));
  REQUIRE(p == EvictionPolicy::kAllKeysLru);
  REQUIRE(ParseEvictionPolicy("volatile-ttl", &p));
  REQUIRE(p == EvictionPolicy::kVolatileTtl);
  REQUIRE_FALSE(ParseEvictionPolicy("lru", &p));
}

TEST_CASE("without a limit nothing is evicted", "[evictor]") {
  Fixture f;
  f.FillWithAges(100);
  REQUIRE(f.evictor.MakeRoom(1000) == EvictionResult::kUnderLimit);
  REQUIRE(f.keyspace.size() == 100);
}

TEST_CASE("noeviction refuses instead of evicting", "[evictor]") {
  Fixture f;
  f.FillWithAges(100);
  f.Limit(50, EvictionPolicy::kNoEviction);
  REQUIRE(f.evictor.MakeRoom(1000) == EvictionResult::kFailed);
  REQUIRE(f.keyspace.size() == 100);
  f.Limit(100, EvictionPolicy::kNoEviction);
  REQUIRE(f.evictor.MakeRoom(1000) == EvictionResult::kUnderLimit);
}

TEST_CASE("allkeys-lru evicts the least recently used keys, without tombstones", "[evictor]") {
  Fixture f;
  f.FillWithAges(2000);
  f.Limit(1000, EvictionPolicy::kAllKeysLru);
  REQUIRE(f.evictor.MakeRoom(1000) == EvictionResult::kUnderLimit);
  REQUIRE(f.keyspace.size() == 1000);
  REQUIRE(f.keyspace.stats().evicted_keys == 1000);
  REQUIRE(f.keyspace.tombstones() == 0);
  // An approximation: sampling may spare an old key or take a young one, but
  // the newest quarter must survive and the oldest quarter must go.
  CHECK(f.Survivors(1500, 2000) >= 490);
  CHECK(f.Survivors(0, 500) <= 75);
}

TEST_CASE("a read makes a key young again", "[evictor]") {
  Fixture f;
  f.FillWithAges(1000);
  for (int i = 0; i < 100; ++i) f.keyspace.Lookup("key:" + std::to_string(i));  // the oldest
  f.Limit(500, EvictionPolicy::kAllKeysLru);
  REQUIRE(f.evictor.MakeRoom(1000) == EvictionResult::kUnderLimit);
  CHECK(f.Survivors(0, 100) >= 98);
}

TEST_CASE("volatile-lru evicts only keys with a TTL, then refuses", "[evictor]") {
  Fixture f;
  f.FillWithAges(100);  // no TTL
  for (int i = 100; i < 150; ++i) {
    f.keyspace.SetString("key:" + std::to_string(i), "v", 5'000'000);
  }
  f.Limit(120, EvictionPolicy::kVolatileLru);
  REQUIRE(f.evictor.MakeRoom(1000) == EvictionResult::kUnderLimit);
  REQUIRE(f.Survivors(0, 100) == 100);
  REQUIRE(f.keyspace.size() == 120);
  f.Limit(90, EvictionPolicy::kVolatileLru);
  REQUIRE(f.evictor.MakeRoom(1000) == EvictionResult::kFailed);
  REQUIRE(f.Survivors(0, 100) == 100);
  REQUIRE(f.keyspace.expires_count() == 0);
}

TEST_CASE("volatile-ttl evicts the keys that expire soonest", "[evictor]") {
  Fixture f;
  for (int i = 0; i < 1000; ++i) {
    f.keyspace.SetString("key:" + std::to_string(i), "v", 2'000'000 + i);
  }
  f.Limit(500, EvictionPolicy::kVolatileTtl);
  REQUIRE(f.evictor.MakeRoom(1000) == EvictionResult::kUnderLimit);
  CHECK(f.Survivors(750, 1000) >= 245);
  CHECK(f.Survivors(0, 250) <= 40);
}

TEST_CASE("allkeys-lfu keeps the keys read most often", "[evictor]") {
  Fixture f;
  f.FillWithAges(1000);
  f.Limit(1000, EvictionPolicy::kAllKeysLfu);  // turns on frequency counting
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 100; ++i) f.keyspace.Lookup("key:" + std::to_string(i));
  }
  f.Limit(500, EvictionPolicy::kAllKeysLfu);
  REQUIRE(f.evictor.MakeRoom(1000) == EvictionResult::kUnderLimit);
  CHECK(f.Survivors(0, 100) >= 98);
}

TEST_CASE("allkeys-random evicts down to the limit", "[evictor]") {
  Fixture f;
  f.FillWithAges(1000);
  f.Limit(300, EvictionPolicy::kAllKeysRandom);
  REQUIRE(f.evictor.MakeRoom(1000) == EvictionResult::kUnderLimit);
  REQUIRE(f.keyspace.size() == 300);
}

TEST_CASE("tombstones are never evicted", "[evictor]") {
  Fixture f;
  for (int i = 0; i < 10; ++i) {
    f.keyspace.DeleteIfNewer("gone:" + std::to_string(i), Version{uint64_t(i + 1), 1}, 9'000'000);
  }
  f.FillWithAges(10);
  f.Limit(5, EvictionPolicy::kAllKeysLru);
  REQUIRE(f.evictor.MakeRoom(1000) == EvictionResult::kFailed);
  REQUIRE(f.keyspace.size() == 0);
  REQUIRE(f.keyspace.tombstones() == 10);
}
