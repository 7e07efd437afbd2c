// HintedHandoff with an in-memory delivery: the test decides when each
// delivery succeeds or fails.
#include "cluster/hinted_handoff.h"

#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

using ringcache::cluster::Hint;
using ringcache::cluster::HintedHandoff;

namespace {

struct Deliveries {
  struct Sent {
    std::string node;
    std::string key;
    std::function<void(bool)> done;
  };
  std::vector<Sent> sent;

  HintedHandoff::Deliver Fn() {
    return [this](const std::string& node, const Hint& hint, std::function<void(bool)> done) {
      sent.push_back({node, hint.key, std::move(done)});
    };
  }
};

Hint HintFor(const std::string& key) {
  Hint hint;
  hint.key = key;
  hint.value.found = true;
  hint.value.value = "v";
  return hint;
}

const HintedHandoff::IsDown kNoneDown = [](const std::string&) { return false; };

}  // namespace

TEST_CASE("hints go to their node in order, one in flight at a time", "[hinted_handoff]") {
  Deliveries deliveries;
  HintedHandoff hints(deliveries.Fn());
  hints.Store("a", HintFor("k1"));
  hints.Store("a", HintFor("k2"));
  hints.Store("b", HintFor("k3"));
  REQUIRE(hints.pending() == 3);
  hints.Replay(kNoneDown);
  REQUIRE(deliveries.sent.size() == 2);  // the first of each target
  REQUIRE(deliveries.sent[0].key == "k1");
  REQUIRE(deliveries.sent[1].key == "k3");
  hints.Replay(kNoneDown);  // already in flight: nothing more
  REQUIRE(deliveries.sent.size() == 2);
  deliveries.sent[0].done(true);  // k1 delivered: k2 follows at once
  REQUIRE(deliveries.sent.size() == 3);
  REQUIRE(deliveries.sent[2].key == "k2");
  deliveries.sent[2].done(true);
  deliveries.sent[1].done(true);
  REQUIRE(hints.pending() == 0);
  REQUIRE(hints.delivered() == 3);
}

TEST_CASE("a failed delivery keeps the hint for the next replay", "[hinted_handoff]") {
  Deliveries deliveries;
  HintedHandoff hints(deliveries.Fn());
  hints.Store("a", HintFor("k1"));
  hints.Store("a", HintFor("k2"));
  hints.Replay(kNoneDown);
  deliveries.sent[0].done(false);
  REQUIRE(deliveries.sent.size() == 1);  // the rest waits
  REQUIRE(hints.pending_for("a") == 2);
  hints.Replay([](const std::string& node) { return node == "a"; });  // held down: skipped
  REQUIRE(deliveries.sent.size() == 1);
  hints.Replay(kNoneDown);
  REQUIRE(deliveries.sent.size() == 2);
  REQUIRE(deliveries.sent[1].key == "k1");
}

TEST_CASE("past the bound the oldest hint of the longest queue is dropped", "[hinted_handoff]") {
  Deliveries deliveries;
  HintedHandoff hints(deliveries.Fn());
  hints.set_max_hints(3);
  hints.Store("a", HintFor("a1"));
  hints.Store("a", HintFor("a2"));
  hints.Store("b", HintFor("b1"));
  hints.Store("b", HintFor("b2"));  // drops a1, the oldest of the longest queue
  REQUIRE(hints.pending() == 3);
  REQUIRE(hints.dropped() == 1);
  REQUIRE(hints.pending_for("a") == 1);
  hints.Replay(kNoneDown);
  REQUIRE(deliveries.sent[0].key == "a2");
  // While a2 is in flight the queue's front must stay: a drop takes the back.
  hints.Store("a", HintFor("a3"));
  hints.Store("a", HintFor("a4"));
  REQUIRE(hints.dropped() == 3);
  deliveries.sent[0].done(true);
  REQUIRE(hints.delivered() == 1);
}

TEST_CASE("with no room for hints every one is dropped and counted", "[hinted_handoff]") {
  Deliveries deliveries;
  HintedHandoff hints(deliveries.Fn());
  hints.set_max_hints(0);
  hints.Store("a", HintFor("k"));
  REQUIRE(hints.pending() == 0);
  REQUIRE(hints.dropped() == 1);
}
