// PeerPool against a fake peer: which commands a peer really receives when
// requests are batched, in what order, and what each caller gets back.
#include "cluster/peer_pool.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "cluster/replica_state.h"
#include "tests/support/fake_peer.h"
#include "tests/support/run_until.h"

using namespace ringcache;
using cluster::PeerPool;
using testing::FakePeer;
using testing::RunUntil;
using Command = FakePeer::Command;

namespace {

std::string Integers(size_t n, int64_t value) {
  std::string out = "*" + std::to_string(n) + "\r\n";
  for (size_t i = 0; i < n; ++i) out += ":" + std::to_string(value) + "\r\n";
  return out;
}

// A replica that holds "value-of-<key>" for every key.
std::string Answer(const Command& c) {
  if (c[0] == "RC.MGET") {
    std::string records;
    for (size_t i = 1; i < c.size(); ++i) {
      const std::string value = "value-of-" + c[i];
      ReplicaValueView state;
      state.found = true;
      state.value = value;
      state.version = Version{7, 1};
      cluster::AppendStateRecord(&records, state);
    }
    return "$" + std::to_string(records.size()) + "\r\n" + records + "\r\n";
  }
  if (c[0] == "RC.MPUT") return Integers((c.size() - 1) / 4, 1);
  if (c[0] == "RC.MDEL") return Integers((c.size() - 1) / 3, 2);
  if (c[0] == "RC.MMERGE") return Integers((c.size() - 1) / 2, 1);
  if (c[0] == "PING") return "+PONG\r\n";
  return "+OK\r\n";
}

std::vector<std::string> Names(const std::vector<Command>& commands) {
  std::vector<std::string> names;
  for (const Command& c : commands) names.push_back(c[0]);
  return names;
}

std::string PutArgs(std::string_view key) {
  std::string put;
  PeerPool::AppendPutArguments(key, "v", "0", "9-1", &put);
  return put;
}

}  // namespace

TEST_CASE("reads for one peer in one turn travel as one RC.MGET", "[peer_pool]") {
  asio::io_context io;
  FakePeer peer(io, Answer);
  PeerPool pool(io, "secret");
  std::vector<std::string> got;
  for (const char* key : {"a", "b", "c"}) {
    pool.SendGet(peer.id(), key, [&](const asio::error_code& ec, std::string_view state) {
      REQUIRE_FALSE(ec);
      ReplicaValueView value;
      REQUIRE(cluster::DecodeStateBytes(state, &value));
      got.emplace_back(value.value);
    });
  }
  RunUntil(io, [&] { return got.size() == 3; });
  REQUIRE(got == std::vector<std::string>{"value-of-a", "value-of-b", "value-of-c"});
  REQUIRE(peer.received() ==
          std::vector<Command>{{"RC.AUTH", "secret"}, {"RC.MGET", "a", "b", "c"}});
}

TEST_CASE("requests of different kinds keep the order they were made in", "[peer_pool]") {
  asio::io_context io;
  FakePeer peer(io, Answer);
  PeerPool pool(io, "secret");
  std::vector<std::string> replies;
  auto record = [&](const asio::error_code& ec, std::string_view resp) {
    REQUIRE_FALSE(ec);
    replies.emplace_back(resp);
  };
  pool.SendGet(peer.id(), "a", record);
  pool.SendPut(peer.id(), PutArgs("b"), record);
  pool.SendPut(peer.id(), PutArgs("c"), record);
  pool.SendGet(peer.id(), "d", record);
  pool.SendDel(peer.id(), "e", "9-1", "60000", record);
  const std::string_view ping[] = {"PING"};
  bool pinged = false;
  pool.Send(peer.id(), ping, [&](const asio::error_code& ec, const client::Reply& reply) {
    REQUIRE_FALSE(ec);
    REQUIRE(reply.str == "PONG");
    pinged = true;
  });
  RunUntil(io, [&] { return replies.size() == 5 && pinged; });
  REQUIRE(Names(peer.received()) ==
          std::vector<std::string>{"RC.AUTH", "RC.MGET", "RC.MPUT", "RC.MGET", "RC.MDEL", "PING"});
  REQUIRE(peer.received()[2].size() == 9);  // two puts of four arguments
  // Each caller gets its own part of its batch's reply.
  REQUIRE(replies[1] == ":1\r\n");
  REQUIRE(replies[2] == ":1\r\n");
  REQUIRE(replies[4] == ":2\r\n");
}

TEST_CASE("a lost connection fails its requests and the next one reconnects", "[peer_pool]") {
  asio::io_context io;
  bool drop = true;
  FakePeer* peer_ptr = nullptr;
  FakePeer peer(io, [&](const Command& c) {
    if (c[0] == "RC.MGET" && drop) {
      drop = false;
      peer_ptr->DropConnections();  // crashes before answering
      return std::string();
    }
    return Answer(c);
  });
  peer_ptr = &peer;
  PeerPool pool(io, "secret");
  int failed = 0;
  for (const char* key : {"a", "b"}) {
    pool.SendGet(peer.id(), key, [&](const asio::error_code& ec, std::string_view) {
      REQUIRE(ec);
      ++failed;
    });
  }
  RunUntil(io, [&] { return failed == 2; });
  bool answered = false;
  pool.SendGet(peer.id(), "c", [&](const asio::error_code& ec, std::string_view) {
    REQUIRE_FALSE(ec);
    answered = true;
  });
  RunUntil(io, [&] { return answered; });
  REQUIRE(Names(peer.received()) ==
          std::vector<std::string>{"RC.AUTH", "RC.MGET", "RC.AUTH", "RC.MGET"});
}
