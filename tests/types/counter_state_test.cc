// The replicated counter's merge: commutative, associative, idempotent —
// random increments by several writers, delivered to replicas in random
// orders with duplicates, converge to the sum a single node computes.
#include "types/counter_state.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "core/keyspace.h"
#include "types/replica_merge.h"

using namespace ringcache;

namespace {

// What a writer sends after each increment: its shard's totals, whole.
struct Delivery {
  CounterState state;
};

}  // namespace

TEST_CASE("counter states encode and decode canonically", "[counter]") {
  CounterState state{"41", {}};
  CounterState::Add(&state.Shard(7), {false, 5, 0});
  CounterState::Add(&state.Shard(3), {false, -2, 0});
  CounterState::Add(&state.Shard(9), {true, 0, 0.25L});
  CounterState decoded;
  REQUIRE(CounterState::Decode(state.Encode(), &decoded));
  REQUIRE(decoded == state);
  REQUIRE(decoded.shards[0].id == 3);  // sorted
  REQUIRE(state.Render() == "44.25");
  CounterState ints{"", {}};
  CounterState::Add(&ints.Shard(1), {false, INT64_MIN, 0});
  CounterState::Add(&ints.Shard(2), {false, 10, 0});
  REQUIRE(ints.Render() == std::to_string(INT64_MIN + 10));
  REQUIRE_FALSE(CounterState::Decode("xx", &decoded));
  std::string truncated = state.Encode();
  truncated.pop_back();
  REQUIRE_FALSE(CounterState::Decode(truncated, &decoded));
}

TEST_CASE("shard merges converge whatever the order and duplication", "[counter][property]") {
  std::mt19937 rnd(12345);
  for (int trial = 0; trial < 200; ++trial) {
    // Three writers each count on the same base; every step sends the
    // writer's whole shard.
    std::vector<CounterState> writers(3, CounterState{"100", {}});
    std::vector<Delivery> sent;
    int64_t reference = 100;
    for (int step = 0; step < 60; ++step) {
      const size_t w = rnd() % 3;
      const int64_t by = static_cast<int64_t>(rnd() % 21) - 10;
      CounterState::Add(&writers[w].Shard(w + 1), {false, by, 0});
      reference += by;
      sent.push_back({CounterState{"100", {writers[w].Shard(w + 1)}}});
    }
    // Each replica gets every delivery (some twice) in an order of its own.
    std::vector<std::string> finals;
    for (int replica = 0; replica < 3; ++replica) {
      std::vector<Delivery> order = sent;
      for (int d = 0; d < 10; ++d) order.push_back(sent[rnd() % sent.size()]);
      std::shuffle(order.begin(), order.end(), rnd);
      CounterState state{"100", {}};
      for (const Delivery& delivery : order) state.Merge(delivery.state);
      REQUIRE(state.Render() == std::to_string(reference));
      finals.push_back(state.Encode());
    }
    REQUIRE(finals[0] == finals[1]);
    REQUIRE(finals[1] == finals[2]);
    // Merging replicas' states in any grouping gives the same state.
    CounterState a, b, c;
    REQUIRE(CounterState::Decode(finals[0], &a));
    CounterState partial{"100", {}};
    partial.Merge(sent[0].state);
    b = partial;
    b.Merge(a);
    c = a;
    c.Merge(partial);
    REQUIRE(b == c);
    REQUIRE(b == a);
  }
}

TEST_CASE("replicas apply counters by base version", "[counter][replica]") {
  Keyspace ks;
  ks.set_now_ms(1000);
  const Version base{100, 1};
  auto counter = [&](uint64_t shard, int64_t total, Version version, const std::string& on) {
    CounterState state{on, {}};
    CounterState::Add(&state.Shard(shard), {false, total, 0});
    ReplicaValue v;
    v.found = true;
    v.counter = true;
    v.value = state.Encode();
    v.version = version;
    return v;
  };
  auto value = [&] {
    const Entry* e = ks.FindIncludingTombstone("k");
    return RenderCounterBytes(e->value(), e->type == ValueType::kCounter);
  };
  REQUIRE(ks.PutIfNewer("k", "10", 0, base));
  REQUIRE(ApplyReplicaState(ks, "k", counter(1, 5, base, "10").view()).changed);
  REQUIRE(ApplyReplicaState(ks, "k", counter(2, 3, base, "10").view()).changed);
  REQUIRE_FALSE(ApplyReplicaState(ks, "k", counter(1, 4, base, "10").view()).changed);  // older total
  REQUIRE(value() == "18");
  // The base's own value again changes nothing; a newer SET resets.
  REQUIRE_FALSE(ks.PutIfNewer("k", "10", 0, base));
  REQUIRE(ks.PutIfNewer("k", "7", 0, Version{200, 1}));
  REQUIRE(value() == "7");
  // Increments on the replaced base are dropped.
  REQUIRE_FALSE(ApplyReplicaState(ks, "k", counter(1, 9, base, "10").view()).changed);
  REQUIRE(value() == "7");
  // Counting after a delete goes on from nothing.
  REQUIRE(ks.DeleteIfNewer("k", Version{300, 1}, 90000));
  REQUIRE(ApplyReplicaState(ks, "k", counter(5, 2, Version{300, 1}, "").view()).changed);
  REQUIRE(value() == "2");
  // ... and the delete arriving again does not undo it.
  REQUIRE_FALSE(ks.DeleteIfNewer("k", Version{300, 1}, 90000));
  REQUIRE(value() == "2");
  REQUIRE(ks.size() == 1);
}
