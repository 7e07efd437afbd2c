// Replicated lists: positions keep their order whatever is inserted where;
// pushes without a read land at their end; a command's list delta turns the
// list it read into the one it left, and concurrent deltas from two writers
// merge to one order on every replica, keeping both writers' items.
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "types/collection_delta.h"
#include "types/list_delta.h"
#include "types/list_position.h"
#include "types/replicated_collection.h"

using namespace ringcache;
namespace position = ringcache::list_position;

namespace {

// A writer's fresh hlcs, from `start` on.
FreshHlc Counter(uint64_t start) {
  return [next = start]() mutable { return next++; };
}

// A state as a replica holds it (built deltas index their items once merged
// or decoded).
ReplicatedCollection Settled(const ReplicatedCollection& built) {
  std::string bytes;
  built.Encode(&bytes);
  return *ReplicatedCollection::Decode(bytes);
}

std::vector<std::string> Items(const ReplicatedCollection& list) {
  std::vector<std::string> items;
  for (const auto& [pos, item] : list.LiveItems()) items.emplace_back(item);
  return items;
}

ReplicatedCollection Apply(const ReplicatedCollection& list, const ReplicatedCollection& delta) {
  ReplicatedCollection out = list;
  bool changed = false;
  out.Merge(delta, &changed);
  return out;
}

}  // namespace

TEST_CASE("pushes land beyond every earlier push at their end") {
  std::vector<std::string> order;  // positions in list order
  for (uint64_t hlc = 100; hlc < 200; ++hlc) {
    if (hlc % 3 == 0) {
      order.insert(order.begin(), position::AtHead(hlc, 1));
    } else {
      order.push_back(position::AtTail(hlc, 2));
    }
  }
  REQUIRE(std::is_sorted(order.begin(), order.end()));
  REQUIRE(std::adjacent_find(order.begin(), order.end()) == order.end());
}

TEST_CASE("inserts between neighbours keep the order, however crowded") {
  std::mt19937_64 random(7);
  std::vector<std::string> order = {position::AtTail(50, 1)};
  uint64_t hlc = 1000;
  for (int i = 0; i < 3000; ++i) {
    // Mostly at one crowded spot, so that digits run out and positions deepen.
    const size_t at =
        i % 4 == 0 ? random() % (order.size() + 1) : std::min<size_t>(1, order.size());
    const std::string left = at == 0 ? "" : order[at - 1];
    const std::string right = at == order.size() ? "" : order[at];
    const std::string made = position::Between(left, right, hlc++, static_cast<uint16_t>(i % 3));
    REQUIRE(made.size() % position::kComponentSize == 0);
    if (!left.empty()) REQUIRE(left < made);
    if (!right.empty()) REQUIRE(made < right);
    order.insert(order.begin() + static_cast<ptrdiff_t>(at), made);
  }
  REQUIRE(std::is_sorted(order.begin(), order.end()));
  REQUIRE(std::adjacent_find(order.begin(), order.end()) == order.end());
}

TEST_CASE("a list delta turns the list read into the list left") {
  const Version stamp{10, 1};
  const ReplicatedCollection list =
      Settled(ListRewrite(std::vector<std::string>{"a", "b", "a", "c", "d"}, stamp, Counter(11)));
  REQUIRE(Items(list) == std::vector<std::string>{"a", "b", "a", "c", "d"});
  const std::vector<std::vector<std::string>> afters = {
      {"b", "a", "c", "d"},            // LPOP
      {"a", "b", "a", "c"},            // RPOP
      {"x", "a", "b", "a", "c", "d"},  // a push at the head
      {"a", "b", "a", "c", "d", "y"},  // at the tail
      {"a", "b", "q", "a", "c", "d"},  // LINSERT
      {"a", "B", "a", "c", "d"},       // LSET
      {"b", "c", "d"},                 // LREM 0 a
      {"b", "a"},                      // LTRIM 1 2
      {},                              // all gone
      {"d", "c", "a", "b", "a"},       // reversed: anything else
  };
  uint64_t hlc = 100;
  for (const auto& after : afters) {
    const ReplicatedCollection delta = ListDiff(&list, after, Version{hlc, 2}, Counter(hlc + 1));
    hlc += 100;
    REQUIRE(Items(Apply(list, delta)) == after);
  }
}

TEST_CASE("items kept keep their positions, so concurrent changes both stay") {
  const ReplicatedCollection list =
      Settled(ListRewrite(std::vector<std::string>{"a", "b", "c"}, Version{10, 1}, Counter(11)));
  // Writer 2 pops the head and pushes at the tail; writer 3 inserts after b,
  // each from the same read.
  const ReplicatedCollection by2 =
      ListDiff(&list, std::vector<std::string>{"b", "c", "t"}, Version{100, 2}, Counter(101));
  const ReplicatedCollection by3 =
      ListDiff(&list, std::vector<std::string>{"a", "b", "i", "c"}, Version{100, 3}, Counter(101));
  const std::vector<std::string> both = {"b", "i", "c", "t"};
  REQUIRE(Items(Apply(Apply(list, by2), by3)) == both);
  REQUIRE(Items(Apply(Apply(list, by3), by2)) == both);
}

TEST_CASE("a replica answers a read of an end with its first or last live items") {
  ReplicatedCollection list = Settled(
      ListRewrite(std::vector<std::string>{"a", "b", "c", "d"}, Version{10, 1}, Counter(11)));
  list = Apply(
      list, ListDiff(&list, std::vector<std::string>{"b", "c", "d"}, Version{50, 1}, Counter(51)));
  const auto end = [&](bool tail, size_t count) {
    std::string bytes;
    list.EncodeEnd(tail, count, &bytes);
    return ReplicatedCollection::Decode(bytes);
  };
  REQUIRE(Items(*end(false, 2)) == std::vector<std::string>{"b", "c"});
  REQUIRE(Items(*end(true, 2)) == std::vector<std::string>{"c", "d"});
  REQUIRE(Items(*end(false, 10)) == std::vector<std::string>{"b", "c", "d"});
  REQUIRE(end(false, 2)->records() == 2);  // no removed records
}

TEST_CASE("a sorted set's replica answers a read of an end by score, as scores change") {
  const auto add = [](std::string_view member, std::string_view score, uint64_t hlc) {
    ReplicatedCollection delta(ReplicatedCollection::Kind::kZSet);
    AddElement(&delta, member, score, Version{hlc, 1});
    return delta;
  };
  ReplicatedCollection zset(ReplicatedCollection::Kind::kZSet);
  bool changed = false;
  zset.Merge(add("a", "3", 10), &changed);
  zset.Merge(add("b", "1", 11), &changed);
  zset.Merge(add("c", "2", 12), &changed);
  zset.Merge(add("a", "0.5", 13), &changed);  // a moves to the front
  const auto end = [&](bool tail, size_t count) {
    std::string bytes;
    zset.EncodeEnd(tail, count, &bytes);
    const auto part = ReplicatedCollection::Decode(bytes);
    std::vector<std::string> members;
    for (const auto& [member, e] : part->elements()) members.push_back(member);
    std::sort(members.begin(), members.end());
    return members;
  };
  REQUIRE(end(false, 2) == std::vector<std::string>{"a", "b"});
  REQUIRE(end(true, 1) == std::vector<std::string>{"c"});
  REQUIRE(end(true, 5) == std::vector<std::string>{"a", "b", "c"});
}
