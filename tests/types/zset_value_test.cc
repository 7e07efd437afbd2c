// ZSetValue against a std::set of (score, member) and a map of scores doing
// the same random operations, in both encodings and across the conversion.
#include "types/zset_value.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ringcache {

TEST_CASE("a sorted set keeps its order and ranks in either encoding", "[zset_value]") {
  for (const size_t entries : {size_t{0}, size_t{16}, size_t{1000}}) {
    CollectionLimits limits;
    limits.zset_max_listpack_entries = entries;
    std::mt19937 random(static_cast<uint32_t>(entries + 7));
    ZSetValue zset;
    std::set<std::pair<double, std::string>> order;
    std::map<std::string, double> scores;
    for (int step = 0; step < 5000; ++step) {
      const std::string member = "m" + std::to_string(random() % 400);
      const double score = static_cast<double>(random() % 50) / 4;
      if (random() % 3 != 0) {
        const auto old = scores.find(member);
        const bool is_new = old == scores.end();
        if (!is_new) order.erase({old->second, member});
        REQUIRE(zset.Set(member, score, limits) == is_new);
        scores[member] = score;
        order.insert({score, member});
      } else {
        const auto old = scores.find(member);
        REQUIRE(zset.Remove(member) == (old != scores.end()));
        if (old != scores.end()) {
          order.erase({old->second, member});
          scores.erase(old);
        }
      }
      REQUIRE(zset.size() == order.size());
      const auto score_seen = zset.Score(member);
      REQUIRE(score_seen.has_value() == (scores.count(member) == 1));
      if (score_seen) {
        const auto rank = zset.Rank(member);
        REQUIRE(rank.has_value());
        REQUIRE(*rank == static_cast<size_t>(
                             std::distance(order.begin(), order.find({*score_seen, member}))));
      }
      const double bound = static_cast<double>(random() % 50) / 4;
      const size_t below = zset.Partition([&](const ScoredMember& m) { return m.score < bound; });
      REQUIRE(below == static_cast<size_t>(std::distance(
                           order.begin(), order.lower_bound({bound, std::string()}))));
    }
    std::vector<std::pair<double, std::string>> walked;
    zset.Walk(0, false, [&](const ScoredMember& m) {
      walked.emplace_back(m.score, std::string(m.member));
      return true;
    });
    REQUIRE(walked == std::vector<std::pair<double, std::string>>(order.begin(), order.end()));
    std::vector<std::pair<double, std::string>> backwards;
    const ZSetValue copy(zset);
    copy.Walk(copy.size() - 1, true, [&](const ScoredMember& m) {
      backwards.emplace_back(m.score, std::string(m.member));
      return true;
    });
    REQUIRE(backwards == std::vector<std::pair<double, std::string>>(order.rbegin(), order.rend()));
    REQUIRE(zset.encoding() == (entries == 1000 ? "listpack" : "skiplist"));
  }
}

}  // namespace ringcache
