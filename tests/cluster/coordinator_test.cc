// The coordinator against three real nodes acting as replicas (the production
// server and sockets, in-process), over the real cluster bus commands.
#include "cluster/coordinator.h"

#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/sync_client.h"
#include "commands/server_state.h"
#include "resp/reply_builder.h"
#include "tests/support/run_until.h"
#include "tests/support/test_server.h"

using namespace ringcache;
using cluster::QuorumSettings;
using ringcache::ReplicaValue;
using testing::TestServer;

namespace {

constexpr const char* kSecret = "test-secret";

// Three replica nodes and a coordinator that is not itself a replica.
struct Cluster {
  std::vector<std::unique_ptr<TestServer>> nodes;
  std::vector<std::string> ids;
  cluster::Ring ring;
  asio::io_context io;
  cluster::PeerPool peers{io, kSecret};
  cluster::HybridClock clock{1, &WallClockMs};
  std::unique_ptr<cluster::Coordinator> coordinator;

  Cluster() {
    for (int i = 0; i < 3; ++i) {
      nodes.push_back(std::make_unique<TestServer>(
          std::vector<std::pair<std::string, std::string>>{{"cluster-secret", kSecret}}));
      ids.push_back("127.0.0.1:" + std::to_string(nodes.back()->port()));
    }
    ring.SetNodes(ids);
    coordinator =
        std::make_unique<cluster::Coordinator>(io, ring, peers, clock, "coordinator", nullptr);
  }

  Status Put(const std::string& key, const std::string& value, QuorumSettings q) {
    std::optional<Status> result;
    coordinator->Put(key, value, 0, q, [&](const Status& s) { result = s; });
    RunUntilDone([&] { return result.has_value(); });
    return *result;
  }

  std::pair<Status, ReplicaValue> Get(const std::string& key, QuorumSettings q) {
    std::optional<std::pair<Status, ReplicaValue>> result;
    coordinator->Get(key, q, [&](const Status& s, const ReplicaValueView& v) {
      result = {s, ToOwned(v)};  // the view lasts only for the call
    });
    RunUntilDone([&] { return result.has_value(); });
    return *result;
  }

  // Runs the event loop until `answered()` and every replica request of the
  // coordinator's operations has its answer too (a write acknowledged by W
  // may still wait for the others), or fails after a generous deadline.
  template <typename Pred>
  void RunUntilDone(Pred answered) {
    Eventually([&] { return answered() && coordinator->operations_in_flight() == 0; });
  }

  // Runs the event loop until `condition()` holds (it may look at the
  // replicas directly); fails after a generous deadline.
  template <typename Pred>
  void Eventually(Pred condition) {
    testing::RunUntil(io, condition);
  }

  // What node `i` holds, read directly over RC.GET.
  ReplicaValue Direct(size_t i, const std::string& key) {
    client::SyncClient c;
    REQUIRE_FALSE(c.Connect("127.0.0.1", nodes[i]->port()));
    client::Reply reply;
    REQUIRE_FALSE(c.Command({"RC.AUTH", kSecret}, &reply));
    REQUIRE_FALSE(c.Command({"RC.GET", key}, &reply));
    ReplicaValue v;
    if (reply.is_nil()) return v;
    REQUIRE(reply.elements.size() == 4);
    v.found = true;
    v.tombstone = reply.elements[0].str == "tombstone";
    v.value = reply.elements[1].str;
    v.expire_at_ms = reply.elements[2].integer;
    REQUIRE(Version::Parse(reply.elements[3].str, &v.version));
    return v;
  }

  size_t IndexOf(const std::string& id) const {
    return static_cast<size_t>(std::find(ids.begin(), ids.end(), id) - ids.begin());
  }
};

}  // namespace

TEST_CASE("a quorum write reaches every replica and reads back", "[coordinator]") {
  Cluster c;
  QuorumSettings q;  // N=3, W=2, R=2
  REQUIRE(c.Put("k", "v1", q).ok());
  for (size_t i = 0; i < 3; ++i) REQUIRE(c.Direct(i, "k").value == "v1");
  auto [status, value] = c.Get("k", q);
  REQUIRE(status.ok());
  REQUIRE(value.live());
  REQUIRE(value.value == "v1");
  REQUIRE_FALSE(c.Get("missing", q).second.found);
  // Values kept inside the read and beyond it, keys likewise.
  for (const size_t size : {0, 127, 128, 129, 5000}) {
    const std::string key(size / 2 + 1, 'k');
    const std::string long_value(size, static_cast<char>('a' + size % 26));
    REQUIRE(c.Put(key, long_value, q).ok());
    auto [s, v] = c.Get(key, q);
    REQUIRE(s.ok());
    REQUIRE(v.value == long_value);
  }
}

TEST_CASE("a read returns the newest version and repairs stale replicas", "[coordinator]") {
  Cluster c;
  QuorumSettings q;
  q.replicas = 3;
  q.read_quorum = 3;
  REQUIRE(c.Put("k", "old", q).ok());
  // Make one replica stale: write a newer value to the other two only.
  const std::string stale = c.ring.nodes()[c.ring.PreferenceList("k", 3).nodes[2]];
  const Version newer = c.clock.Tick();
  for (size_t i = 0; i < 3; ++i) {
    if (c.ids[i] == stale) continue;
    client::SyncClient direct;
    REQUIRE_FALSE(direct.Connect("127.0.0.1", c.nodes[i]->port()));
    client::Reply reply;
    REQUIRE_FALSE(direct.Command({"RC.AUTH", kSecret}, &reply));
    REQUIRE_FALSE(direct.Command({"RC.PUT", "k", "new", "0", newer.ToString()}, &reply));
  }
  REQUIRE(c.Direct(c.IndexOf(stale), "k").value == "old");
  auto [status, value] = c.Get("k", q);
  REQUIRE(status.ok());
  REQUIRE(value.value == "new");
  REQUIRE(c.coordinator->read_repairs() == 1);
  // Repaired in the background, after the answer.
  c.Eventually([&] { return c.Direct(c.IndexOf(stale), "k").value == "new"; });
  REQUIRE(c.Direct(c.IndexOf(stale), "k").version == newer);
}

// Two members sharing a version tag can stamp one version on two writes.
TEST_CASE("a read settles answers that share a version, and repairs the losers",
          "[coordinator][versions]") {
  Cluster c;
  c.coordinator->set_tags_collide(true);
  QuorumSettings q;
  q.read_quorum = 3;
  const std::vector<std::string> values = {"apple", "cherry", "banana"};
  for (size_t i = 0; i < 3; ++i) {
    client::SyncClient direct;
    REQUIRE_FALSE(direct.Connect("127.0.0.1", c.nodes[i]->port()));
    client::Reply reply;
    REQUIRE_FALSE(direct.Command({"RC.AUTH", kSecret}, &reply));
    REQUIRE_FALSE(direct.Command({"RC.PUT", "tie", values[i], "0", "5000-9"}, &reply));
  }
  auto [status, value] = c.Get("tie", q);
  REQUIRE(status.ok());
  REQUIRE(value.value == "cherry");  // the greater bytes, whichever replica answered first
  REQUIRE(c.coordinator->read_repairs() == 2);
  c.Eventually([&] {
    for (size_t i = 0; i < 3; ++i) {
      if (c.Direct(i, "tie").value != "cherry") return false;
    }
    return true;
  });
}

TEST_CASE("deletes replicate as tombstones and are not undone by repair", "[coordinator]") {
  Cluster c;
  QuorumSettings q;
  REQUIRE(c.Put("k", "v", q).ok());
  std::optional<Status> deleted;
  c.coordinator->Delete("k", WallClockMs() + 60000, q, [&](const Status& s, bool existed) {
    deleted = s;
    REQUIRE(existed);
  });
  c.RunUntilDone([&] { return deleted.has_value(); });
  REQUIRE(deleted->ok());
  q.read_quorum = 3;
  auto [status, value] = c.Get("k", q);
  REQUIRE(status.ok());
  REQUIRE(value.tombstone);
  for (size_t i = 0; i < 3; ++i) REQUIRE(c.Direct(i, "k").tombstone);
}

TEST_CASE("writes succeed with W of N reachable and fail clearly without", "[coordinator]") {
  Cluster c;
  // Stop one replica of the key.
  const std::string down = c.ring.nodes()[c.ring.PreferenceList("k", 3).nodes[0]];
  c.nodes[c.IndexOf(down)].reset();
  QuorumSettings q;
  q.timeout = std::chrono::milliseconds(200);
  REQUIRE(c.Put("k", "v", q).ok());  // W=2 of the 2 that are up
  q.write_quorum = 3;
  const Status s = c.Put("k", "v2", q);
  REQUIRE_FALSE(s.ok());
  INFO(ToRespError(s));
  REQUIRE(ToRespError(s).rfind("NOQUORUM 2 of 3 replicas acknowledged the write", 0) == 0);
  q.read_quorum = 3;
  const auto [rs, value] = c.Get("k", q);
  REQUIRE(ToRespError(rs).rfind("NOQUORUM 2 of 3 replicas answered the read", 0) == 0);
  q.read_quorum = 2;
  REQUIRE(c.Get("k", q).second.value == "v2");  // stored on the two that are up
}
