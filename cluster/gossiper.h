// Gossiper: runs the membership protocol over the cluster bus.
//
// Each round (every `interval_ms`) this node advances its heartbeat, marks
// stalled members down, and exchanges tables with one random other member
// (push-pull: RC.GOSSIP carries its table, the reply carries the peer's). Until
// a seed has answered, every round also calls every seed — that is how a new
// or restarted node joins. `on_members_changed` runs whenever the member set
// grew, so the owner can rebuild the ring.
//
// Single-threaded (the event loop's thread).
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "client/reply.h"
#include "cluster/membership.h"
#include "cluster/peer_pool.h"

namespace ringcache::cluster {

class Gossiper {
 public:
  Gossiper(PeerPool& peers, Membership& membership, std::vector<std::string> seeds,
           int64_t interval_ms, std::function<void()> on_members_changed);

  void Tick(int64_t now_ms);
  // The receiving side of RC.GOSSIP: merges the sender's table and returns
  // this node's.
  std::vector<GossipEntry> OnGossip(std::span<const GossipEntry> entries, int64_t now_ms);
  // Whether a seed answered or a member called (always true without seeds).
  bool joined() const { return joined_; }
  uint64_t rounds() const { return rounds_; }

 private:
  void Exchange(const std::string& peer, bool is_seed);
  void MergeAndNotify(std::span<const GossipEntry> entries, int64_t now_ms);

  PeerPool& peers_;
  Membership& membership_;
  std::vector<std::string> seeds_;
  int64_t interval_ms_;
  std::function<void()> on_members_changed_;
  bool joined_;
  int64_t next_round_ms_ = 0;
  int64_t now_ms_ = 0;
  uint64_t rounds_ = 0;
  std::minstd_rand random_;
};

// RC.GOSSIP's arguments after the command name, and its reply, are flat
// triples: id, generation, counter.
void AppendGossipArgs(std::span<const GossipEntry> entries, std::vector<std::string>* args);
bool ParseGossipArgs(std::span<const std::string_view> args, std::vector<GossipEntry>* out);
bool ParseGossipReply(const client::Reply& reply, std::vector<GossipEntry>* out);

}  // namespace ringcache::cluster
