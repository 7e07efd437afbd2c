// HintedHandoff: writes a replica missed, kept by the coordinator that made
// them and delivered when the replica answers again.
//
// A write that a replica failed to take (down, unreachable, timed out) is
// stored here as a hint for that replica, whether or not the client already
// has its answer. Replay() starts delivering to every target that is not
// held down: one hint in flight per target, oldest first; each delivered
// hint sends the next, a failure leaves the rest for the next Replay(). At
// most `max_hints` are kept in all: past that, the oldest hint of the longest
// queue is dropped (its replica has been away longest, and read repair or
// anti-entropy can still mend that key) and counted.
//
// Single-threaded: the event loop's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "cluster/replica_state.h"

namespace ringcache::cluster {

// A key and what to write there.
struct Hint {
  std::string key;
  ReplicaValue value;
};

class HintedHandoff {
 public:
  // Sends `hint` to `node`; calls `done(true)` once the node has it (or
  // something newer), `done(false)` when it could not be reached.
  using Deliver = std::function<void(const std::string& node, const Hint& hint,
                                     std::function<void(bool delivered)> done)>;
  using IsDown = std::function<bool(const std::string& node)>;

  explicit HintedHandoff(Deliver deliver) : deliver_(std::move(deliver)) {}
  HintedHandoff(const HintedHandoff&) = delete;
  HintedHandoff& operator=(const HintedHandoff&) = delete;

  void set_max_hints(size_t max_hints) { max_hints_ = max_hints; }
  void Store(const std::string& node, const Hint& hint);
  void Replay(const IsDown& is_down);

  size_t pending() const { return pending_; }
  // Hints waiting for `node`.
  size_t pending_for(const std::string& node) const;
  uint64_t delivered() const { return delivered_; }
  uint64_t dropped() const { return dropped_; }

 private:
  void DeliverNext(const std::string& node);
  void DropOne();

  Deliver deliver_;
  std::map<std::string, std::deque<Hint>> queues_;  // by target node
  std::set<std::string> delivering_;                // targets with a hint in flight
  size_t max_hints_ = 100000;
  size_t pending_ = 0;
  uint64_t delivered_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace ringcache::cluster
