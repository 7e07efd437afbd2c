// ListValue against a std::deque doing the same random operations, with
// node sizes from one item to Redis's byte limits, so that every operation
// crosses node edges.
#include "types/list_value.h"

#include <catch2/catch.hpp>
#include <deque>
#include <random>
#include <string>
#include <vector>

namespace ringcache {
namespace {

std::vector<std::string> Items(const ListValue& list, size_t from = 0, bool reverse = false) {
  std::vector<std::string> items;
  list.Walk(from, reverse, [&](std::string_view item) {
    items.emplace_back(item);
    return true;
  });
  return items;
}

std::string RandomItem(std::mt19937& random) {
  // Mostly short items, some past a one-byte length, a few empty.
  const size_t len = random() % 10 == 0 ? 250 + random() % 20 : random() % 6;
  return std::string(len, static_cast<char>('a' + random() % 3));
}

}  // namespace

TEST_CASE("a list does what a deque does, across node edges", "[list_value]") {
  for (const int64_t fill : {int64_t{1}, int64_t{3}, int64_t{16}, int64_t{-1}, int64_t{-2}}) {
    CollectionLimits limits;
    limits.list_max_listpack_size = fill;
    std::mt19937 random(static_cast<uint32_t>(fill + 100));
    ListValue list;
    std::deque<std::string> model;
    for (int step = 0; step < 4000; ++step) {
      const std::string item = RandomItem(random);
      const size_t op = random() % 9;
      if (op <= 1) {
        list.Push(op == 0 ? ListValue::End::kHead : ListValue::End::kTail, item, limits);
        op == 0 ? model.push_front(item) : model.push_back(item);
      } else if (op == 2 && !model.empty()) {
        std::string popped;
        const bool head = random() % 2 == 0;
        REQUIRE(list.Pop(head ? ListValue::End::kHead : ListValue::End::kTail, &popped));
        REQUIRE(popped == (head ? model.front() : model.back()));
        head ? model.pop_front() : model.pop_back();
      } else if (op == 3) {
        const size_t at = random() % (model.size() + 1);
        list.InsertAt(at, item, limits);
        model.insert(model.begin() + static_cast<std::ptrdiff_t>(at), item);
      } else if (op == 4 && !model.empty()) {
        const size_t at = random() % model.size();
        list.Set(at, item);
        model[at] = item;
      } else if (op == 5 && !model.empty() && random() % 4 == 0) {
        const size_t at = random() % model.size();
        const size_t count = random() % 5;
        list.Erase(at, count);
        model.erase(
            model.begin() + static_cast<std::ptrdiff_t>(at),
            model.begin() + static_cast<std::ptrdiff_t>(std::min(at + count, model.size())));
      } else if (op == 6 && random() % 4 == 0) {
        const int64_t count = static_cast<int64_t>(random() % 5) - 2;
        size_t expected = 0;
        if (count >= 0) {
          for (auto it = model.begin(); it != model.end();) {
            if (*it == item && (count == 0 || expected < static_cast<size_t>(count))) {
              it = model.erase(it);
              ++expected;
            } else {
              ++it;
            }
          }
        } else {
          for (size_t i = model.size(); i-- > 0 && expected < static_cast<size_t>(-count);) {
            if (model[i] == item) {
              model.erase(model.begin() + static_cast<std::ptrdiff_t>(i));
              ++expected;
            }
          }
        }
        REQUIRE(list.RemoveEqual(item, count) == expected);
      } else if (op == 7 && !model.empty()) {
        const size_t at = random() % model.size();
        REQUIRE(list.At(at) == model[at]);
      }
      REQUIRE(list.size() == model.size());
    }
    REQUIRE(Items(list) == std::vector<std::string>(model.begin(), model.end()));
    if (!model.empty()) {
      const size_t from = model.size() / 3;
      std::vector<std::string> backwards(model.begin(), model.begin() + from + 1);
      std::reverse(backwards.begin(), backwards.end());
      REQUIRE(Items(list, from, true) == backwards);
    }
    const ListValue copy(list);
    REQUIRE(Items(copy) == Items(list));
    REQUIRE(list.MemoryUsage() > 0);
  }
}

}  // namespace ringcache
