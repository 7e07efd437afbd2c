#include "cluster/read_repair.h"

#include <catch2/catch.hpp>
#include <vector>

using ringcache::cluster::ReadAnswers;

namespace {

std::vector<uint32_t> Stale(ReadAnswers& answers) {
  std::vector<uint32_t> stale;
  answers.TakeStale([&](uint32_t candidate) { stale.push_back(candidate); });
  return stale;
}

}  // namespace

TEST_CASE("answers that agree with the newest need no repair", "[read_repair]") {
  ReadAnswers answers;
  answers.Add(0, 0);
  answers.Add(1, 0);
  answers.Add(2, 0);
  REQUIRE(answers.size() == 3);
  REQUIRE(Stale(answers).empty());
}

TEST_CASE("every answer older than the final newest is repaired once", "[read_repair]") {
  ReadAnswers answers;
  answers.Add(0, 0);   // the newest so far
  answers.Add(1, 1);   // newer: 0 is now stale
  answers.Add(2, -1);  // older than 1
  answers.Add(3, 0);   // the same as 1
  REQUIRE(Stale(answers) == std::vector<uint32_t>{0, 2});
  REQUIRE(answers.size() == 0);
  REQUIRE(Stale(answers).empty());  // taken: a late deadline repairs nothing again
}

TEST_CASE("a newer answer late in the read makes every earlier one stale", "[read_repair]") {
  ReadAnswers answers;
  answers.Add(4, 0);
  answers.Add(5, 0);
  answers.Add(6, 1);
  REQUIRE(Stale(answers) == std::vector<uint32_t>{4, 5});
}
