#include "cluster/membership.h"

#include <catch2/catch.hpp>

using ringcache::cluster::GossipEntry;
using ringcache::cluster::Heartbeat;
using ringcache::cluster::Membership;

TEST_CASE("gossip spreads members and every node derives the same member list", "[membership]") {
  Membership a("a:1", 100, 2000);
  Membership b("b:1", 200, 2000);
  Membership c("c:1", 300, 2000);
  // b and c only know a (their seed); a learns each of them as they call.
  REQUIRE(a.Merge(b.Digest(), 0));
  REQUIRE(b.Merge(a.Digest(), 0));
  REQUIRE(a.Merge(c.Digest(), 0));
  REQUIRE(c.Merge(a.Digest(), 0));
  REQUIRE_FALSE(c.Merge(a.Digest(), 0));  // nothing new the second time
  b.Merge(c.Digest(), 0);
  REQUIRE(a.Ids() == b.Ids());
  REQUIRE(b.Ids() == c.Ids());
  REQUIRE(a.Ids() == std::vector<std::string>{"a:1", "b:1", "c:1"});
}

TEST_CASE("a member whose heartbeat stalls goes down, and up when it advances", "[membership]") {
  Membership a("a:1", 100, 2000);
  Membership b("b:1", 200, 2000);
  a.Merge(b.Digest(), 0);
  REQUIRE(a.IsUp("b:1"));
  b.Beat();
  a.Merge(b.Digest(), 1500);
  REQUIRE(a.Detect(3000).empty());  // advanced at 1500: still within 2 s
  REQUIRE(a.Detect(3501) == std::vector<std::string>{"b:1"});
  REQUIRE_FALSE(a.IsUp("b:1"));
  REQUIRE(a.up_count() == 1);
  // The same heartbeat again proves nothing.
  a.Merge(b.Digest(), 4000);
  REQUIRE_FALSE(a.IsUp("b:1"));
  b.Beat();
  a.Merge(b.Digest(), 4100);
  REQUIRE(a.IsUp("b:1"));
  REQUIRE(a.Detect(4100) == std::vector<std::string>{"b:1"});
}

TEST_CASE("a restarted node outranks its previous life by generation", "[membership]") {
  Membership a("a:1", 100, 2000);
  const GossipEntry old_life[] = {{"b:1", Heartbeat{200, 5000}}};
  a.Merge(old_life, 0);
  a.Detect(10000);
  REQUIRE_FALSE(a.IsUp("b:1"));
  const GossipEntry new_life[] = {{"b:1", Heartbeat{9000, 1}}};
  a.Merge(new_life, 10001);
  REQUIRE(a.IsUp("b:1"));
}

TEST_CASE("nobody else speaks for a node's own heartbeat", "[membership]") {
  Membership a("a:1", 100, 2000);
  const GossipEntry claim[] = {{"a:1", Heartbeat{999, 999}}};
  a.Merge(claim, 0);
  REQUIRE(a.Digest()[0].heartbeat == Heartbeat{100, 0});
}

TEST_CASE("configured members are on the list before they answer", "[membership]") {
  Membership a("a:1", 100, 2000);
  REQUIRE(a.Add("b:1", 0));
  REQUIRE_FALSE(a.Add("b:1", 0));
  REQUIRE(a.IsUp("b:1"));
  REQUIRE(a.Detect(2001) == std::vector<std::string>{"b:1"});
}
