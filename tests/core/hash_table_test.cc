#include "core/hash_table.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

using ringcache::Entry;
using ringcache::HashTable;

namespace {

Entry* MakeEntry(const std::string& key) {
  auto* e = static_cast<Entry*>(std::calloc(1, sizeof(Entry) + key.size()));
  e->key_len = static_cast<uint32_t>(key.size());
  std::memcpy(e->data(), key.data(), key.size());
  return e;
}

struct Table {
  HashTable table;
  ~Table() {
    table.Clear([](Entry* e) { std::free(e); });
  }
  void Add(const std::string& key) { table.Insert(MakeEntry(key), table.Hash(key)); }
  bool Has(const std::string& key) { return table.Find(key, table.Hash(key)) != nullptr; }
  void Remove(const std::string& key) {
    std::free(table.Unlink(table.FindPosition(key, table.Hash(key))));
  }
};

std::set<std::string> ScanAll(HashTable& table) {
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = table.Scan(cursor, [&](Entry* e) { seen.emplace(e->key()); });
  } while (cursor != 0);
  return seen;
}

}  // namespace

TEST_CASE("insert, find and remove across many resizes", "[hash_table]") {
  Table t;
  for (int i = 0; i < 20000; ++i) t.Add("key:" + std::to_string(i));
  REQUIRE(t.table.size() == 20000);
  for (int i = 0; i < 20000; ++i) REQUIRE(t.Has("key:" + std::to_string(i)));
  REQUIRE_FALSE(t.Has("key:20000"));
  for (int i = 0; i < 20000; i += 2) t.Remove("key:" + std::to_string(i));
  REQUIRE(t.table.size() == 10000);
  for (int i = 0; i < 20000; ++i) REQUIRE(t.Has("key:" + std::to_string(i)) == (i % 2 == 1));
}

TEST_CASE("the table shrinks after mass deletion", "[hash_table]") {
  Table t;
  for (int i = 0; i < 10000; ++i) t.Add(std::to_string(i));
  while (t.table.RehashStep(1000)) {
  }
  const size_t big = t.table.bucket_count();
  for (int i = 0; i < 9990; ++i) t.Remove(std::to_string(i));
  t.table.ShrinkIfSparse();
  while (t.table.RehashStep(1000)) {
  }
  REQUIRE(t.table.bucket_count() < big / 100);
  for (int i = 9990; i < 10000; ++i) REQUIRE(t.Has(std::to_string(i)));
}

TEST_CASE("scan visits every element, also while the table grows", "[hash_table]") {
  Table t;
  for (int i = 0; i < 1000; ++i) t.Add("a" + std::to_string(i));
  REQUIRE(ScanAll(t.table).size() == 1000);

  // Elements present for the whole scan must be returned even when inserts
  // trigger rehashing between the calls.
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int added = 0;
  do {
    cursor = t.table.Scan(cursor, [&](Entry* e) { seen.emplace(e->key()); });
    for (int j = 0; j < 20 && added < 3000; ++j) t.Add("b" + std::to_string(added++));
  } while (cursor != 0);
  for (int i = 0; i < 1000; ++i) REQUIRE(seen.count("a" + std::to_string(i)) == 1);
}

TEST_CASE("scan visits every element while the table shrinks", "[hash_table]") {
  Table t;
  for (int i = 0; i < 4000; ++i) t.Add("k" + std::to_string(i));
  while (t.table.RehashStep(1000)) {
  }
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int removed = 0;
  do {
    cursor = t.table.Scan(cursor, [&](Entry* e) { seen.emplace(e->key()); });
    // Remove keys that are not part of the survivor set, forcing a shrink.
    for (int j = 0; j < 200 && removed < 3900; ++j) t.Remove("k" + std::to_string(100 + removed++));
    t.table.ShrinkIfSparse();
  } while (cursor != 0);
  for (int i = 0; i < 100; ++i) REQUIRE(seen.count("k" + std::to_string(i)) == 1);
}

TEST_CASE("random entry covers the table", "[hash_table]") {
  Table t;
  for (int i = 0; i < 10; ++i) t.Add(std::to_string(i));
  std::set<std::string> seen;
  auto random = +[]() -> uint64_t { return static_cast<uint64_t>(std::rand()); };
  for (int i = 0; i < 2000; ++i) seen.emplace(t.table.RandomEntry(random)->key());
  REQUIRE(seen.size() == 10);
}

TEST_CASE("a sampled entry is found again by its bucket, until it is gone", "[hash_table]") {
  Table t;
  for (int i = 0; i < 1000; ++i) t.Add("k" + std::to_string(i));
  struct Sample {
    std::string key;
    uintptr_t address;
    HashTable::Bucket bucket;
  };
  std::vector<Sample> samples;
  // Enough samples that some buckets hold chains of two or more.
  t.table.SampleEntries(12345, 200, 100000, [&](Entry* e, HashTable::Bucket b) {
    samples.push_back({std::string(e->key()), reinterpret_cast<uintptr_t>(e), b});
    return true;
  });
  REQUIRE(samples.size() == 200);
  for (const Sample& s : samples) {
    const HashTable::Position pos = t.table.FindInBucket(s.bucket, s.address);
    REQUIRE(pos);
    REQUIRE(pos.entry()->key() == s.key);
  }
  // Removed entries are no longer found; their neighbours in a chain still are.
  for (size_t i = 0; i < samples.size(); i += 2) t.Remove(samples[i].key);
  for (size_t i = 0; i < samples.size(); ++i) {
    REQUIRE(static_cast<bool>(t.table.FindInBucket(samples[i].bucket, samples[i].address)) ==
            (i % 2 == 1));
  }
  // After a resize the old buckets mean nothing: whatever is found is the entry itself.
  for (int i = 1000; i < 5000; ++i) t.Add("k" + std::to_string(i));
  while (t.table.RehashStep(100)) {
  }
  for (size_t i = 1; i < samples.size(); i += 2) {
    const HashTable::Position pos = t.table.FindInBucket(samples[i].bucket, samples[i].address);
    if (pos) REQUIRE(pos.entry()->key() == samples[i].key);
  }
}
