#include "cluster/ring.h"

#include <xxhash.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

using ringcache::cluster::Ring;

namespace {

std::vector<std::string> LauncherIds(int nodes) {
  std::vector<std::string> ids;
  for (int n = 0; n < nodes; ++n) ids.push_back("127.0.0.1:" + std::to_string(7001 + n));
  return ids;
}

}  // namespace

TEST_CASE("preference list holds n distinct nodes", "[ring]") {
  Ring ring;
  ring.SetNodes(LauncherIds(5));
  for (int k = 0; k < 1000; ++k) {
    const auto set = ring.PreferenceList("key:" + std::to_string(k), 3);
    REQUIRE(set.size == 3);
    REQUIRE(std::set<uint32_t>(set.begin(), set.end()).size() == 3);
  }
  REQUIRE(ring.PreferenceList("k", 9).size == 5);  // never more than the members
  Ring empty;
  REQUIRE(empty.PreferenceList("k", 3).size == 0);
}

TEST_CASE("the home node is the owner of the first token at or after the key", "[ring]") {
  // A reference built the slow way: every token, sorted, searched.
  const std::vector<std::string> ids = LauncherIds(3);
  Ring ring(64);
  ring.SetNodes(ids);
  std::vector<std::pair<uint64_t, uint32_t>> tokens;
  for (uint32_t n = 0; n < ids.size(); ++n) {
    for (int i = 0; i < 64; ++i) {
      const std::string label = ids[n] + "#" + std::to_string(i);
      tokens.emplace_back(XXH64(label.data(), label.size(), 0), n);
    }
  }
  std::sort(tokens.begin(), tokens.end());
  auto reference = [&](uint64_t token) {
    auto it = std::lower_bound(tokens.begin(), tokens.end(), std::make_pair(token, uint32_t{0}));
    return it == tokens.end() ? tokens.front().second : it->second;
  };
  std::vector<uint64_t> probes = {0, 1, ~uint64_t{0}, ~uint64_t{0} - 1};
  for (const auto& [position, node] : tokens) {
    probes.insert(probes.end(), {position - 1, position, position + 1});
  }
  std::mt19937_64 random(7);
  for (int i = 0; i < 10000; ++i) probes.push_back(random());
  for (uint64_t token : probes) {
    INFO("token " << token);
    REQUIRE(ring.PreferenceListForToken(token, 1).nodes[0] == reference(token));
  }
}

TEST_CASE("hash tags co-locate keys", "[ring]") {
  REQUIRE(Ring::HashTag("{user1}.cart") == "user1");
  REQUIRE(Ring::HashTag("foo{bar}{zap}") == "bar");
  REQUIRE(Ring::HashTag("foo{}{bar}") == "foo{}{bar}");  // empty tag: whole key, as Redis
  REQUIRE(Ring::HashTag("{unclosed") == "{unclosed");
  Ring ring;
  ring.SetNodes(LauncherIds(10));
  const auto a = ring.PreferenceList("{user1}.cart", 3);
  const auto b = ring.PreferenceList("{user1}.orders", 3);
  REQUIRE(std::vector<uint32_t>(a.begin(), a.end()) == std::vector<uint32_t>(b.begin(), b.end()));
}

TEST_CASE("every member derives the same ring from the same member list", "[ring]") {
  Ring a;
  Ring b;
  a.SetNodes({"127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003"});
  b.SetNodes({"127.0.0.1:7003", "127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7001"});
  REQUIRE(a.nodes() == b.nodes());
  for (int k = 0; k < 1000; ++k) {
    const std::string key = "k" + std::to_string(k);
    const auto x = a.PreferenceList(key, 2);
    const auto y = b.PreferenceList(key, 2);
    REQUIRE(std::vector<uint32_t>(x.begin(), x.end()) == std::vector<uint32_t>(y.begin(), y.end()));
  }
}

TEST_CASE("100k keys spread within 10% of an even share", "[ring]") {
  for (int nodes : {3, 10}) {
    Ring ring;
    ring.SetNodes(LauncherIds(nodes));
    std::vector<int> count(nodes, 0);
    constexpr int kKeys = 100000;
    for (int k = 0; k < kKeys; ++k) {
      ++count[ring.PreferenceList("key:" + std::to_string(k), 1).nodes[0]];
    }
    const double even = static_cast<double>(kKeys) / nodes;
    for (int n = 0; n < nodes; ++n) {
      INFO(nodes << " nodes, node " << n << " has " << count[n] << " keys");
      REQUIRE(count[n] > even * 0.9);
      REQUIRE(count[n] < even * 1.1);
    }
    double total = 0;
    for (double share : ring.Ownership()) total += share;
    REQUIRE(total == Approx(1.0));
  }
}

TEST_CASE("adding a node moves keys only onto the new node", "[ring]") {
  Ring before;
  before.SetNodes(LauncherIds(4));
  Ring after;
  after.SetNodes(LauncherIds(5));
  int moved = 0;
  for (int k = 0; k < 20000; ++k) {
    const std::string key = "key:" + std::to_string(k);
    const std::string& old_owner = before.nodes()[before.PreferenceList(key, 1).nodes[0]];
    const std::string& new_owner = after.nodes()[after.PreferenceList(key, 1).nodes[0]];
    if (old_owner != new_owner) {
      ++moved;
      REQUIRE(new_owner == "127.0.0.1:7005");
    }
  }
  // About a fifth of the keys move: the new node's even share.
  REQUIRE(moved > 20000 / 5 * 0.8);
  REQUIRE(moved < 20000 / 5 * 1.2);
}
