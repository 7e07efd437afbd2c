#include "core/keyspace.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

using ringcache::Entry;
using ringcache::Keyspace;

TEST_CASE("set, overwrite and delete strings", "[keyspace]") {
  Keyspace ks;
  ks.set_now_ms(1000);
  ks.SetString("k", "v1", 0);
  REQUIRE(ks.Find("k")->value() == "v1");
  ks.SetString("k", std::string(1000, 'x'), 0);  // grows: a new allocation
  REQUIRE(ks.Find("k")->value() == std::string(1000, 'x'));
  ks.SetString("k", "v3", 0);  // shrinks a lot: reallocated again
  REQUIRE(ks.Find("k")->value() == "v3");
  REQUIRE(ks.size() == 1);
  REQUIRE(ks.Delete("k"));
  REQUIRE_FALSE(ks.Delete("k"));
  REQUIRE(ks.Find("k") == nullptr);
  REQUIRE(ks.size() == 0);
}

TEST_CASE("keys expire lazily at their time", "[keyspace]") {
  Keyspace ks;
  ks.set_now_ms(1000);
  ks.SetString("k", "v", 1500);
  REQUIRE(ks.expires_count() == 1);
  ks.set_now_ms(1499);
  REQUIRE(ks.Find("k") != nullptr);
  ks.set_now_ms(1500);
  REQUIRE(ks.Find("k") == nullptr);
  REQUIRE(ks.size() == 0);
  REQUIRE(ks.expires_count() == 0);
  REQUIRE(ks.stats().expired_keys == 1);
}

TEST_CASE("overwriting clears or keeps the TTL as asked", "[keyspace]") {
  Keyspace ks;
  ks.set_now_ms(1000);
  Entry* e = ks.SetString("k", "v", 5000);
  REQUIRE(e->expire_at_ms == 5000);
  e = ks.SetString("k", "w", 0);
  REQUIRE_FALSE(e->has_expiry());
  REQUIRE(ks.expires_count() == 0);
}

TEST_CASE("lookup counts hits and misses", "[keyspace]") {
  Keyspace ks;
  ks.SetString("k", "v", 0);
  ks.Lookup("k");
  ks.Lookup("missing");
  REQUIRE(ks.stats().keyspace_hits == 1);
  REQUIRE(ks.stats().keyspace_misses == 1);
}

TEST_CASE("resizing a value keeps its prefix and its key findable", "[keyspace]") {
  Keyspace ks;
  for (int i = 0; i < 100; ++i) ks.SetString("other" + std::to_string(i), "x", 0);
  Entry* e = ks.SetString("k", "abc", 0);
  for (int round = 0; round < 10; ++round) {
    const size_t old_len = e->value_len;
    e = ks.ResizeValue(e, old_len * 2 + 100);
    for (size_t i = old_len; i < e->value_len; ++i) e->value_data()[i] = 'z';
  }
  REQUIRE(ks.Find("k") == e);
  REQUIRE(e->value().substr(0, 3) == "abc");
  REQUIRE(ks.Find("other50")->value() == "x");
}

TEST_CASE("rename moves value and TTL", "[keyspace]") {
  Keyspace ks;
  ks.set_now_ms(1000);
  ks.SetString("a", "1", 9000);
  ks.SetString("b", "2", 0);
  ks.Rename("a", "b");
  REQUIRE(ks.Find("a") == nullptr);
  REQUIRE(ks.Find("b")->value() == "1");
  REQUIRE(ks.Find("b")->expire_at_ms == 9000);
  REQUIRE(ks.size() == 1);
  REQUIRE(ks.expires_count() == 1);
}

TEST_CASE("random entry skips expired keys", "[keyspace]") {
  Keyspace ks;
  ks.set_now_ms(1000);
  for (int i = 0; i < 50; ++i) ks.SetString("dead" + std::to_string(i), "x", 1001);
  ks.SetString("alive", "x", 0);
  ks.set_now_ms(2000);
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    if (const Entry* e = ks.RandomEntry()) seen.emplace(e->key());
  }
  REQUIRE(seen == std::set<std::string>{"alive"});
}

TEST_CASE("scan hides expired keys", "[keyspace]") {
  Keyspace ks;
  ks.set_now_ms(1000);
  ks.SetString("dead", "x", 1001);
  ks.SetString("alive", "x", 0);
  ks.set_now_ms(2000);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = ks.Scan(cursor, [&](const Entry* e) { seen.emplace(e->key()); });
  } while (cursor != 0);
  REQUIRE(seen == std::set<std::string>{"alive"});
}

TEST_CASE("replica writes apply only with a newer version", "[keyspace][versions]") {
  using ringcache::Version;
  Keyspace ks;
  ks.set_now_ms(1000);
  REQUIRE(ks.PutIfNewer("k", "v2", 0, Version{20, 1}));
  REQUIRE_FALSE(ks.PutIfNewer("k", "v1", 0, Version{10, 1}));  // older: ignored
  REQUIRE_FALSE(ks.PutIfNewer("k", "v2", 0, Version{20, 1}));  // the same write again
  REQUIRE(ks.PutIfNewer("k", "v2c", 0, Version{20, 2}));       // tie broken by node
  REQUIRE(ks.Find("k")->value() == "v2c");
  REQUIRE(ks.Find("k")->version() == Version{20, 2});
}

// Two nodes can share a version tag and stamp one version on two writes:
// whichever arrives first, every replica must end with the same one.
TEST_CASE("writes with the same version resolve the same way in any order",
          "[keyspace][versions]") {
  using ringcache::Version;
  const Version same{20, 7};
  struct Write {
    bool remove;
    std::string value;
    int64_t expire_at_ms;
  };
  const std::vector<Write> writes = {{false, "apple", 0},
                                     {false, "banana", 0},
                                     {false, "banana", 5000},
                                     {true, "", 9000},
                                     {true, "", 8000}};
  std::vector<size_t> order = {0, 1, 2, 3, 4};
  std::string final_state;
  do {
    Keyspace ks;
    ks.set_now_ms(1000);
    for (size_t i : order) {
      const Write& w = writes[i];
      w.remove ? (void)ks.DeleteIfNewer("k", same, w.expire_at_ms)
               : (void)ks.PutIfNewer("k", w.value, w.expire_at_ms, same);
    }
    const Entry* e = ks.FindIncludingTombstone("k");
    const std::string state = std::string(e->is_tombstone() ? "tombstone " : "value ") +
                              std::string(e->value()) + " " + std::to_string(e->expire_at_ms);
    if (final_state.empty()) final_state = state;
    REQUIRE(state == final_state);
  } while (std::next_permutation(order.begin(), order.end()));
  REQUIRE(final_state == "tombstone  9000");  // a deletion beats a value; then the later end
  // Between values: the greater bytes, then the later expiry.
  Keyspace ks;
  ks.set_now_ms(1000);
  REQUIRE(ks.PutIfNewer("k", "banana", 0, same));
  REQUIRE_FALSE(ks.PutIfNewer("k", "apple", 0, same));
  REQUIRE(ks.PutIfNewer("k", "banana", 5000, same));
  REQUIRE(ks.Find("k")->expire_at_ms == 5000);
}

TEST_CASE("a tombstone does not keep the memory of the value it replaced",
          "[keyspace][versions][memory]") {
  using ringcache::Version;
  Keyspace ks;
  ks.set_now_ms(1000);
  REQUIRE(ks.PutIfNewer("big", std::string(1 << 20, 'x'), 0, Version{10, 1}));
  REQUIRE(Keyspace::MemoryUsage(ks.Find("big")) > (1 << 20));
  REQUIRE(ks.DeleteIfNewer("big", Version{20, 1}, 61000));
  const Entry* tombstone = ks.FindIncludingTombstone("big");
  REQUIRE(tombstone->is_tombstone());
  REQUIRE(Keyspace::MemoryUsage(tombstone) < 256);
  REQUIRE(tombstone->version() == Version{20, 1});
  REQUIRE(ks.tombstones() == 1);
}

TEST_CASE("deletes leave tombstones that hide the key and block older writes",
          "[keyspace][versions]") {
  using ringcache::Version;
  Keyspace ks;
  ks.set_now_ms(1000);
  ks.PutIfNewer("k", "v", 0, Version{10, 1});
  REQUIRE(ks.DeleteIfNewer("k", Version{20, 1}, 61000));
  REQUIRE(ks.Find("k") == nullptr);
  REQUIRE(ks.size() == 0);
  REQUIRE(ks.tombstones() == 1);
  REQUIRE(ks.expires_count() == 0);
  REQUIRE(ks.FindIncludingTombstone("k")->is_tombstone());
  REQUIRE_FALSE(ks.Delete("k"));
  // Repair carrying the pre-delete value must not resurrect the key.
  REQUIRE_FALSE(ks.PutIfNewer("k", "v", 0, Version{10, 1}));
  REQUIRE(ks.Find("k") == nullptr);
  // A delete of a key never seen still records its version.
  REQUIRE(ks.DeleteIfNewer("other", Version{30, 1}, 61000));
  REQUIRE_FALSE(ks.PutIfNewer("other", "x", 0, Version{29, 9}));
  // A newer write revives the key.
  REQUIRE(ks.PutIfNewer("k", "back", 0, Version{40, 1}));
  REQUIRE(ks.Find("k")->value() == "back");
  REQUIRE(ks.size() == 1);
  REQUIRE(ks.tombstones() == 1);
  // Tombstones go at the end of their grace period without counting as expired keys.
  ks.set_now_ms(61000);
  REQUIRE(ks.FindIncludingTombstone("other") == nullptr);
  REQUIRE(ks.tombstones() == 0);
  REQUIRE(ks.stats().expired_keys == 0);
  std::set<std::string> seen;
  ks.ForEachLive([&](const Entry* e) { seen.emplace(e->key()); });
  REQUIRE(seen == std::set<std::string>{"k"});
}

TEST_CASE("replica reads of a batch answer each key as a single read does",
          "[keyspace][versions]") {
  using ringcache::Version;
  Keyspace ks;
  ks.set_now_ms(1000);
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) {  // more than two prefetch batches
    names.push_back("key:" + std::to_string(i));
    if (i % 3 == 0) continue;  // missing
    ks.PutIfNewer(names.back(), "v" + std::to_string(i), i % 5 == 0 ? 1500 : 0,
                  Version{static_cast<uint64_t>(100 + i), 1});
  }
  ks.DeleteIfNewer("key:1", Version{500, 1}, 61000);
  ks.set_now_ms(2000);  // the keys with an expiry have expired
  const std::vector<std::string_view> keys(names.begin(), names.end());
  size_t visited = 0;
  ks.ReadReplicas(keys, [&](size_t i, const Entry* e) {
    INFO(names[i]);
    REQUIRE(i == visited++);
    if (i % 3 == 0 || (i % 5 == 0 && i != 1)) {
      REQUIRE(e == nullptr);
    } else if (i == 1) {
      REQUIRE(e->is_tombstone());
    } else {
      REQUIRE(e->value() == "v" + std::to_string(i));
      REQUIRE(e->version() == Version{100 + i, 1});
    }
  });
  REQUIRE(visited == keys.size());
  REQUIRE(ks.stats().expired_keys == 5);  // 10, 20, 25, 35 and 5; 0, 15 and 30 were never set
}

namespace {
// Counts live objects, so the test sees each one deleted exactly once.
struct CountedObject final : ringcache::ValueObject {
  explicit CountedObject(int* live) : live(live) { ++*live; }
  ~CountedObject() override { --*live; }
  size_t MemoryUsage() const override { return 1000; }
  size_t size() const override { return 1; }
  std::string_view encoding() const override { return "counted"; }
  std::unique_ptr<ValueObject> Clone() const override {
    return std::make_unique<CountedObject>(live);
  }
  int* live;
};
}  // namespace

TEST_CASE("a collection is deleted with whatever replaces or removes its key", "[keyspace]") {
  using ringcache::ValueType;
  ringcache::Keyspace ks;
  int live = 0;
  const auto add = [&](std::string_view key) {
    ks.SetObject(key, ValueType::kSet, std::make_unique<CountedObject>(&live), 0);
  };
  add("a");
  REQUIRE(ringcache::Keyspace::MemoryUsage(ks.Find("a")) > 1000);
  ks.SetString("a", "plain", 0);  // overwritten
  REQUIRE(live == 0);
  add("b");
  ks.Rename("b", "c");  // moved, not copied
  REQUIRE(live == 1);
  REQUIRE(ks.Find("c")->object()->encoding() == "counted");
  ks.Delete("c");
  REQUIRE(live == 0);
  add("d");
  ks.DeleteIfNewer("d", ringcache::Version{5, 1}, 1000);  // a replica's delete
  REQUIRE(live == 0);
  add("e");
  ks.set_now_ms(10);
  ks.SetExpiry(ks.Find("e"), 20);
  ks.set_now_ms(30);
  REQUIRE(ks.Find("e") == nullptr);  // expired
  REQUIRE(live == 0);
  add("f");
  add("g");
  ks.Clear();
  REQUIRE(live == 0);
}
