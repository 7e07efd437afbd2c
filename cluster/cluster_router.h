// ClusterRouter: in cluster mode, decides for each command whether it runs
// on the local keyspace or through the Coordinator, and turns coordinator
// results into Redis replies. Commands without keys (PING, INFO, CONFIG, ...)
// stay local. Every key command runs through the cluster:
//  - the common ones (GET, SET, MGET, DEL, ...) have direct routes;
//  - other reads run on a scratch keyspace holding the newest replica values
//    of their keys (quorum reads);
//  - other writes whose keys share replicas (one key, or one {hash tag}) are
//    shipped as the command itself to the first live replica, which applies
//    it and stamps the result; the result state is then replicated (W acks);
//  - writes across replica sets (RENAME, MSETNX over unrelated keys) read
//    their keys, run on a scratch keyspace and write back what changed.
// KEYS, SCAN, DBSIZE and FLUSHALL ask every node (cluster_router_wide.cc).
//
// Built from the config at start-up (throws std::runtime_error on a bad
// cluster configuration). Event-loop thread only.
#pragma once

#include <asio.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cluster/coordinator.h"
#include "cluster/gossiper.h"
#include "cluster/hybrid_clock.h"
#include "cluster/membership.h"
#include "cluster/peer_pool.h"
#include "cluster/ring.h"
#include "cluster/syncer.h"
#include "commands/command_context.h"
#include "commands/command_table.h"
#include "commands/router.h"

namespace ringcache::cluster {

class ClusterRouter : public Router {
 public:
  ClusterRouter(asio::io_context& io, ServerState& state);
  ClusterRouter(const ClusterRouter&) = delete;
  ClusterRouter& operator=(const ClusterRouter&) = delete;

  // Runs `spec` through the cluster if it must; returns false when the
  // command should run locally instead.
  bool Route(CommandContext& ctx, const CommandSpec& spec, ArgList args) override;
  void AppendInfo(std::string* out) const override;

  const cluster::Ring& ring() const { return ring_; }
  const std::string& self_id() const { return self_id_; }
  const cluster::QuorumSettings& quorum() const { return quorum_; }
  const cluster::Coordinator& coordinator() const { return coordinator_; }
  const cluster::PeerPool& peers() const { return peers_; }

  // What a command did on the replica that applied it: its reply for the
  // client and the new state of each key it changed.
  struct Applied {
    std::string reply;
    std::vector<std::pair<std::string, cluster::ReplicaValue>> changed;
  };
  // Runs a key command on this node's own keyspace and stamps every key it
  // changed with a fresh version (RC.APPLY, and the coordinator itself when it
  // is the applying replica). REQUIRES: `args` passed the dispatcher's checks.
  Applied ApplyLocally(const CommandSpec& spec, ArgList args, int protocol);
  // Whether this node is the first replica of `key` that is not in `down`
  // (the home that lists it in cluster-wide KEYS/SCAN/DBSIZE).
  bool IsHome(std::string_view key, const std::vector<std::string>& down) const;
  // Whether member `node` is one of the N replicas of `key`.
  bool IsReplica(std::string_view node, std::string_view key) const;
  const cluster::Membership& membership() const { return membership_; }
  cluster::Gossiper& gossiper() { return gossiper_; }
  // Anti-entropy; null when anti-entropy-interval is 0.
  cluster::Syncer* syncer() { return syncer_.get(); }
  const cluster::Syncer* syncer() const { return syncer_.get(); }
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

  void Keys(CommandContext& ctx, ArgList args);
  void Scan(CommandContext& ctx, ArgList args);
  void DbSize(CommandContext& ctx, ArgList args);
  void FlushAll(CommandContext& ctx, ArgList args);

  struct Evaluation;
  std::shared_ptr<Evaluation> NewEvaluation(CommandContext& ctx, const CommandSpec& spec,
                                            ArgList args);
  // Runs the command on `keyspace` and stamps what it changed (see
  // ApplyLocally); the node's own keyspace or a scratch copy.
  Applied ApplyTo(Keyspace& keyspace, const CommandSpec& spec, ArgList args, int protocol);
  void RouteByKeys(CommandContext& ctx, const CommandSpec& spec, ArgList args);
  void ReadThenRun(const std::shared_ptr<Evaluation>& eval);
  void ReadModifyWrite(const std::shared_ptr<Evaluation>& eval);
  void TryApply(std::shared_ptr<Evaluation> eval, size_t replica);
  void ReplicateApplied(const std::shared_ptr<Evaluation>& eval, const std::string& applied_by,
                        Applied applied);
  // Reads every key of `eval` with the read quorum, then calls `next`.
  void ReadKeys(const std::shared_ptr<Evaluation>& eval,
                std::function<void(std::shared_ptr<Evaluation>)> next);
  // Members the failure detector holds down, comma-separated ("-" for none).
  std::string DownList() const;
  // Sends `args` to every member that is up (this node too, over the bus)
  // and calls `done` with the replies of those that answered and how many
  // did not.
  void FanOut(std::vector<std::string> args,
              std::function<void(std::vector<client::Reply>, size_t failed)> done);

  void PutAndReplyOk(CommandContext& ctx, std::string_view key, std::string_view value,
                     int64_t expire_at);
  void TtlGeneric(CommandContext& ctx, ArgList args, bool millis);
  bool LiveNow(const cluster::ReplicaValueView& v) const;
  // Counts a GET/MGET's key as a keyspace hit or miss; returns `hit`.
  bool CountRead(bool hit);
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
  std::unique_ptr<cluster::Syncer> syncer_;
  bool sync_soon_ = false;  // the member set changed: refill from peers
  std::unordered_map<const CommandSpec*, Handler> routed_;
};

// RC.APPLY's reply: [client reply, key, state, key, state, ...], each state
// as cluster::WriteReplicaState encodes it.
void WriteApplied(ReplyBuilder& reply, const ClusterRouter::Applied& applied);
bool ParseApplied(std::string_view resp, ClusterRouter::Applied* out);

}  // namespace ringcache::cluster
