// The gossip protocol's state machine against a fake peer: joining through a
// seed, learning members from a peer's table, and the failure detector's
// view of a peer whose heartbeat stops and resumes.
#include "cluster/gossiper.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "tests/support/fake_peer.h"
#include "tests/support/run_until.h"

using namespace ringcache;
using cluster::GossipEntry;
using testing::FakePeer;
using testing::RunUntil;
using Command = FakePeer::Command;

namespace {

constexpr int64_t kFailAfterMs = 1000;
constexpr int64_t kIntervalMs = 100;

// A seed that answers RC.GOSSIP with its own heartbeat and one more member.
struct Seed {
  explicit Seed(asio::io_context& io) : peer(io, [this](const Command& c) { return Answer(c); }) {}

  std::string Answer(const Command& c) {
    if (c[0] != "RC.GOSSIP") return "+OK\r\n";
    ++gossip_calls;
    if (beating) ++counter;
    std::string out = "*6\r\n";
    for (const auto& [id, count] : {std::pair{peer.id(), counter}, std::pair{other, uint64_t{3}}}) {
      out += "$" + std::to_string(id.size()) + "\r\n" + id + "\r\n:1\r\n:" + std::to_string(count) +
             "\r\n";
    }
    return out;
  }

  FakePeer peer;
  std::string other = "127.0.0.1:1";
  uint64_t counter = 1;
  bool beating = true;
  int gossip_calls = 0;
};

}  // namespace

TEST_CASE("a node joins through a seed and learns the members it knows", "[gossip]") {
  asio::io_context io;
  Seed seed(io);
  cluster::PeerPool peers(io, "secret");
  cluster::Membership membership("127.0.0.1:2", 100, kFailAfterMs);
  int changes = 0;
  cluster::Gossiper gossiper(peers, membership, {seed.peer.id(), "127.0.0.1:2"}, kIntervalMs,
                             [&] { ++changes; });
  REQUIRE_FALSE(gossiper.joined());  // it is not its own only seed
  gossiper.Tick(1000);
  RunUntil(io, [&] { return gossiper.joined(); });
  REQUIRE(changes == 1);
  REQUIRE(membership.Ids() ==
          std::vector<std::string>{"127.0.0.1:1", "127.0.0.1:2", seed.peer.id()});
  // What the seed heard: this node's own heartbeat.
  const Command& sent = seed.peer.received().back();
  REQUIRE(sent[0] == "RC.GOSSIP");
  REQUIRE(std::find(sent.begin(), sent.end(), "127.0.0.1:2") != sent.end());
}

TEST_CASE("a peer calling in joins this node and gets its table back", "[gossip]") {
  asio::io_context io;
  cluster::PeerPool peers(io, "secret");
  cluster::Membership membership("127.0.0.1:2", 100, kFailAfterMs);
  int changes = 0;
  cluster::Gossiper gossiper(peers, membership, {"127.0.0.1:3"}, kIntervalMs, [&] { ++changes; });
  const std::vector<GossipEntry> incoming = {{"127.0.0.1:3", {5, 9}}};
  const std::vector<GossipEntry> table = gossiper.OnGossip(incoming, 1000);
  REQUIRE(gossiper.joined());
  REQUIRE(changes == 1);
  REQUIRE(table.size() == 2);
  gossiper.OnGossip(incoming, 1100);  // nothing new: no change
  REQUIRE(changes == 1);
}

TEST_CASE("a member whose heartbeat stops is marked down, and up when it resumes", "[gossip]") {
  asio::io_context io;
  Seed seed(io);
  cluster::PeerPool peers(io, "secret");
  cluster::Membership membership("127.0.0.1:2", 100, kFailAfterMs);
  cluster::Gossiper gossiper(peers, membership, {seed.peer.id()}, kIntervalMs, [] {});
  int64_t now = 1000;
  // Each round exchanges with one random other member; run rounds until the
  // seed has been asked again.
  auto round = [&] {
    const int calls = seed.gossip_calls;
    while (seed.gossip_calls == calls) {
      now += kIntervalMs;
      gossiper.Tick(now);
      io.run_for(std::chrono::milliseconds(20));
      io.restart();
    }
  };
  round();
  REQUIRE(membership.IsUp(seed.peer.id()));
  seed.beating = false;
  const int64_t stalled_at = now;
  while (now - stalled_at <= kFailAfterMs + kIntervalMs) round();
  REQUIRE_FALSE(membership.IsUp(seed.peer.id()));
  REQUIRE(membership.down_count() >= 1);
  seed.beating = true;
  round();
  gossiper.Tick(now + kIntervalMs);
  REQUIRE(membership.IsUp(seed.peer.id()));
}
