// Membership: who belongs to the cluster and who is up, learnt by gossip.
//
// Every member publishes a heartbeat — (generation, counter), where the
// generation is the wall-clock time the process started, so a restarted node
// is recognised as newer than everything its previous life said. Nodes
// exchange their tables (push-pull) and keep the greatest heartbeat seen per
// member. A member whose heartbeat has not advanced for `fail_after_ms` is
// marked down, and up again as soon as it advances.
//
// Members are never dropped: as in Dynamo, a node that fails stays on the
// ring (its writes become hints) and only an explicit removal would take it
// off. So every node that has heard of the same members derives the same
// ring, whatever it thinks of their health.
//
// Pure bookkeeping, time passed in: no I/O, single-threaded.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ringcache::cluster {

struct Heartbeat {
  int64_t generation = 0;
  uint64_t counter = 0;

  auto operator<=>(const Heartbeat&) const = default;
};

// One row of a gossip message.
struct GossipEntry {
  std::string id;
  Heartbeat heartbeat;
};

struct Member {
  Heartbeat heartbeat;
  bool up = true;
  int64_t last_progress_ms = 0;  // when the heartbeat last advanced, local time
};

class Membership {
 public:
  Membership(std::string self_id, int64_t generation, int64_t fail_after_ms);

  const std::string& self_id() const { return self_id_; }
  // Adds a member known from configuration; it counts as up until it has
  // failed to show a heartbeat for fail_after_ms. Returns whether it was new.
  bool Add(const std::string& id, int64_t now_ms);
  // Advances this node's own heartbeat (once per gossip round).
  void Beat();
  // Takes in a peer's table; returns whether the member set grew.
  bool Merge(std::span<const GossipEntry> entries, int64_t now_ms);
  // Marks members down whose heartbeat stalled; returns those that changed
  // state (either way) since the last call, for logging.
  std::vector<std::string> Detect(int64_t now_ms);

  bool IsUp(std::string_view id) const;
  std::vector<std::string> Ids() const;
  std::vector<GossipEntry> Digest() const;
  const std::map<std::string, Member, std::less<>>& members() const { return members_; }
  size_t up_count() const { return members_.size() - down_count_; }
  // Cheap, for the request path: usually 0, and then nobody needs looking up.
  size_t down_count() const { return down_count_; }

 private:
  std::string self_id_;
  int64_t fail_after_ms_;
  std::map<std::string, Member, std::less<>> members_;
  std::vector<std::string> changed_;  // state changes not yet reported by Detect
  size_t down_count_ = 0;
};

}  // namespace ringcache::cluster
