// HashValue and SetValue against std::map / std::set models: random
// operations across the encodings' thresholds must leave the same contents,
// and each encoding converts where CollectionLimits says.
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <string>

#include "types/hash_value.h"
#include "types/set_value.h"

namespace ringcache {
namespace {

std::map<std::string, std::string> Contents(const HashValue& hash) {
  std::map<std::string, std::string> out;
  hash.ForEach([&](std::string_view f, std::string_view v) { out.emplace(f, v); });
  return out;
}

std::set<std::string> Contents(const SetValue& set) {
  std::set<std::string> out;
  set.ForEach([&](std::string_view m) { out.emplace(m); });
  return out;
}

}  // namespace

TEST_CASE("hashes match a map across their encodings", "[collections]") {
  std::mt19937 random(7);
  CollectionLimits limits;
  limits.hash_max_listpack_entries = 8;
  for (int round = 0; round < 50; ++round) {
    HashValue hash;
    std::map<std::string, std::string> model;
    for (int op = 0; op < 200; ++op) {
      const std::string field = "f" + std::to_string(random() % 20);
      const bool long_value = random() % 50 == 0;
      const std::string value = long_value ? std::string(300, 'x') : std::to_string(random());
      if (random() % 3 == 0) {
        REQUIRE(hash.Erase(field) == (model.erase(field) == 1));
      } else {
        REQUIRE(hash.Set(field, value, limits) == !model.contains(field));
        model[field] = value;
      }
      REQUIRE(hash.size() == model.size());
      const auto got = hash.Get(field);
      REQUIRE(got.has_value() == model.contains(field));
    }
    REQUIRE(Contents(hash) == model);
    REQUIRE(Contents(*static_cast<HashValue*>(hash.Clone().get())) == model);
  }
}

TEST_CASE("a hash converts past its entry and value limits", "[collections]") {
  CollectionLimits limits;
  HashValue hash;
  for (size_t i = 0; i < limits.hash_max_listpack_entries; ++i) {
    hash.Set("f" + std::to_string(i), "v", limits);
  }
  REQUIRE(hash.encoding() == "listpack");
  hash.Set("one more", "v", limits);
  REQUIRE(hash.encoding() == "hashtable");
  HashValue wide;
  wide.Set("f", std::string(limits.hash_max_listpack_value + 1, 'v'), limits);
  REQUIRE(wide.encoding() == "hashtable");
  REQUIRE(wide.Get("f")->size() == limits.hash_max_listpack_value + 1);
}

TEST_CASE("sets match a set across their encodings", "[collections]") {
  std::mt19937 random(11);
  CollectionLimits limits;
  limits.set_max_intset_entries = 16;
  limits.set_max_listpack_entries = 8;
  for (int round = 0; round < 50; ++round) {
    SetValue set;
    std::set<std::string> model;
    const bool strings = round % 2 == 0;
    for (int op = 0; op < 200; ++op) {
      std::string member = std::to_string(static_cast<int>(random() % 40) - 20);
      if (strings && random() % 10 == 0) member = "m" + member;
      if (random() % 20 == 0) member = "0" + member;  // not canonical: not an integer
      if (random() % 3 == 0) {
        REQUIRE(set.Remove(member) == (model.erase(member) == 1));
      } else {
        REQUIRE(set.Add(member, limits) == model.insert(member).second);
      }
      REQUIRE(set.size() == model.size());
      REQUIRE(set.Contains(member) == model.contains(member));
    }
    REQUIRE(Contents(set) == model);
    if (!model.empty()) REQUIRE(model.contains(set.Random(random())));
  }
}

TEST_CASE("a set goes intset, listpack, hashtable", "[collections]") {
  CollectionLimits limits;
  SetValue set;
  set.Add("1", limits);
  set.Add("-5", limits);
  REQUIRE(set.encoding() == "intset");
  set.Add("+5", limits);  // parses as an integer, but does not render back
  REQUIRE(set.encoding() == "listpack");
  REQUIRE(Contents(set) == std::set<std::string>{"1", "-5", "+5"});
  for (size_t i = 0; i < limits.set_max_listpack_entries; ++i)
    set.Add("m" + std::to_string(i), limits);
  REQUIRE(set.encoding() == "hashtable");
  SetValue integers;
  for (size_t i = 0; i <= limits.set_max_intset_entries; ++i) {
    integers.Add(std::to_string(i), limits);
  }
  REQUIRE(integers.encoding() == "hashtable");
  REQUIRE(integers.size() == limits.set_max_intset_entries + 1);
}

TEST_CASE("a full scan of a table sees every element once", "[collections]") {
  CollectionLimits limits;
  SetValue set;
  for (int i = 0; i < 1000; ++i) set.Add("m" + std::to_string(i), limits);
  std::multiset<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = set.Scan(cursor, 10, [&](std::string_view m) { seen.emplace(m); });
  } while (cursor != 0);
  REQUIRE(seen.size() == 1000);
  REQUIRE(std::set<std::string>(seen.begin(), seen.end()) == Contents(set));
}

}  // namespace ringcache
