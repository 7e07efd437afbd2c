#include "cluster/ring.h"

#include <catch2/catch.hpp>
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
