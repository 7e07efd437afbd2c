// ClusterRouter: in cluster mode, decides for each command whether it runs
// on the local keyspace or through the Coordinator, and turns coordinator
// results into Redis replies. Commands without keys (PING, INFO, CONFIG, ...)
// stay local. Key commands that are not yet routed are refused with a clear
// error rather than answered from one node's partial data.
//
// Built from the config at start-up (throws std::runtime_error on a bad
// cluster configuration). Event-loop thread only.
#pragma once

#include <asio.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cluster/coordinator.h"
#include "cluster/gossiper.h"
#include "cluster/hybrid_clock.h"
#include "cluster/membership.h"
#include "cluster/peer_pool.h"
#include "cluster/ring.h"
#include "server/command_context.h"
#include "server/command_table.h"

namespace ringcache::server {

class ClusterRouter {
 public:
  ClusterRouter(asio::io_context& io, ServerState& state);
  ClusterRouter(const ClusterRouter&) = delete;
  ClusterRouter& operator=(const ClusterRouter&) = delete;

  // Runs `spec` through the cluster if it must; returns false when the
  // command should run locally instead.
  bool Route(CommandContext& ctx, const CommandSpec& spec, ArgList args);

  const cluster::Ring& ring() const { return ring_; }
  const std::string& self_id() const { return self_id_; }
  const cluster::QuorumSettings& quorum() const { return quorum_; }
  const cluster::Coordinator& coordinator() const { return coordinator_; }
  const cluster::Membership& membership() const { return membership_; }
  cluster::Gossiper& gossiper() { return gossiper_; }
  const cluster::Gossiper& gossiper() const { return gossiper_; }
  // Periodic cluster upkeep (the server cron): gossip, failure detection,
  // delivery of hinted writes.
  void Tick(int64_t now_ms);

 private:
  using Handler = void (ClusterRouter::*)(CommandContext&, ArgList);

  void Get(CommandContext& ctx, ArgList args);
  void Set(CommandContext& ctx, ArgList args);
  void SetEx(CommandContext& ctx, ArgList args);
  void PSetEx(CommandContext& ctx, ArgList args);
  void MSet(CommandContext& ctx, ArgList args);
  void MGet(CommandContext& ctx, ArgList args);
  void Del(CommandContext& ctx, ArgList args);
  void Exists(CommandContext& ctx, ArgList args);
  void Ttl(CommandContext& ctx, ArgList args);
  void PTtl(CommandContext& ctx, ArgList args);

  void PutAndReplyOk(CommandContext& ctx, std::string_view key, std::string_view value,
                     int64_t expire_at);
  void TtlGeneric(CommandContext& ctx, ArgList args, bool millis);
  bool LiveNow(const cluster::ReplicaValue& v) const;
  // The cluster's quorums with this connection's RING QUORUM overrides.
  cluster::QuorumSettings QuorumFor(const CommandContext& ctx) const;

  void OnMembersChanged();

  ServerState& state_;
  std::string self_id_;
  cluster::Ring ring_;
  cluster::Membership membership_;
  cluster::PeerPool peers_;
  cluster::Gossiper gossiper_;
  cluster::HybridClock clock_;
  cluster::Coordinator coordinator_;
  cluster::QuorumSettings quorum_;
  std::unordered_map<std::string_view, Handler> routed_;
};

}  // namespace ringcache::server
