// ClusterNode: this node's part in the cluster — it owns the cluster's
// pieces and keeps them running:
//   Ring         where keys live (rebuilt whenever the member set grows)
//   Membership   who is in the cluster and who is up, learnt by
//   Gossiper     heartbeats exchanged over the cluster bus (PeerPool)
//   HybridClock  the versions of this node's writes
//   Coordinator  quorum reads and writes, read repair, hinted handoff
//   AntiEntropy  periodic pulls of newer versions from peers
// and answers the questions the router and the cluster's commands ask of the
// cluster as a whole (is this node a key's home, a key's replica, who is
// down). It implements no command: that is ClusterRouter's job.
//
// Built from the config at start-up (throws std::runtime_error on a bad
// cluster configuration). Event-loop thread only.
#pragma once

#include <asio.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client/reply.h"
#include "cluster/anti_entropy.h"
#include "cluster/coordinator.h"
#include "cluster/gossiper.h"
#include "cluster/hybrid_clock.h"
#include "cluster/membership.h"
#include "cluster/peer_pool.h"
#include "cluster/ring.h"
#include "commands/server_state.h"

namespace ringcache::cluster {

class ClusterNode {
 public:
  ClusterNode(asio::io_context& io, ServerState& state);
  ClusterNode(const ClusterNode&) = delete;
  ClusterNode& operator=(const ClusterNode&) = delete;

  // Periodic upkeep (the server cron): gossip, failure detection, delivery
  // of hinted writes, anti-entropy rounds.
  void Tick(int64_t now_ms);

  // Whether this node is the first replica of `key` that is not in `down`
  // (the home that lists it in cluster-wide KEYS/SCAN/DBSIZE).
  bool IsHome(std::string_view key, const std::vector<std::string>& down) const;
  // The first replica of `key` that is up, as this node sees it (itself
  // when every replica is down).
  const std::string& HomeOf(std::string_view key) const;
  // Whether member `node` is one of the N replicas of `key`.
  bool IsReplica(std::string_view node, std::string_view key) const;
  // Members the failure detector holds down, comma-separated ("-" for none).
  std::string DownList() const;
  // Sends `args` to every member that is up (this node too, over the bus)
  // and calls `done` with the replies of those that answered and how many
  // did not.
  void FanOut(std::vector<std::string> args,
              std::function<void(const std::vector<client::Reply>&, size_t failed)> done);
  // INFO's ring_* fields.
  void AppendInfo(std::string* out) const;

  const std::string& self_id() const { return self_id_; }
  asio::io_context& io() { return io_; }
  const Ring& ring() const { return ring_; }
  const Membership& membership() const { return membership_; }
  PeerPool& peers() { return peers_; }
  Gossiper& gossiper() { return gossiper_; }
  const Gossiper& gossiper() const { return gossiper_; }
  HybridClock& clock() { return clock_; }
  Coordinator& coordinator() { return coordinator_; }
  // The cluster's N, W and R (connections may override W and R).
  const QuorumSettings& quorum() const { return quorum_; }
  // Null when anti-entropy-interval is 0.
  AntiEntropy* anti_entropy() { return anti_entropy_.get(); }
  // Whether this node's replica answers reads (AntiEntropy::refilled).
  bool refilled() const { return anti_entropy_ == nullptr || anti_entropy_->refilled(); }

 private:
  void OnMembersChanged();
  // Tells the coordinator whether two members' version tags collide.
  void NoteVersionTags();

  asio::io_context& io_;
  std::string self_id_;
  Ring ring_;
  Membership membership_;
  PeerPool peers_;
  Gossiper gossiper_;
  HybridClock clock_;
  Coordinator coordinator_;
  QuorumSettings quorum_;
  std::unique_ptr<AntiEntropy> anti_entropy_;
  bool sync_soon_ = false;  // the member set changed: refill from peers
};

}  // namespace ringcache::cluster
