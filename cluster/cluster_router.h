// ClusterRouter: how a cluster node runs client commands — the Router the
// dispatcher calls. It implements no command itself: each command's row in
// the table says how the cluster runs it (commands/command_table.h,
// ClusterRoute), and the router carries that out with the command's own
// code:
//  - commands without keys, or about this node's own copy, run here;
//  - reads ask R replicas for their keys (Coordinator::Get) and run the
//    command's read reply over the newest values;
//  - overwrites (SET, MSET, DEL, ...) replicate the changes the command's
//    plan lists, last-writer-wins, with W acknowledgements;
//  - other writes whose keys share replicas (one key, or one {hash tag}) are
//    shipped as the command itself to the first live replica, which applies
//    it and stamps the result (RC.APPLY); the result is then replicated;
//  - writes across replica sets (RENAME, MSETNX over unrelated keys) read
//    their keys, run over the newest values and write back what changed;
//  - keyspace-wide commands (KEYS, SCAN, DBSIZE, FLUSHALL) ask every member
//    (keyspace_wide.cc).
//
// Event-loop thread only.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cluster/cluster_node.h"
#include "cluster/replica_state.h"
#include "commands/command_context.h"
#include "commands/command_table.h"
#include "commands/router.h"
#include "commands/session.h"

namespace ringcache::cluster {

class ClusterRouter : public Router {
 public:
  ClusterRouter(ServerState& state, ClusterNode& node) : state_(state), node_(node) {}
  ClusterRouter(const ClusterRouter&) = delete;
  ClusterRouter& operator=(const ClusterRouter&) = delete;

  bool Route(CommandContext& ctx, const CommandSpec& spec, ArgList args) override;
  void AppendInfo(std::string* out) const override { node_.AppendInfo(out); }

  ClusterNode& node() { return node_; }
  const ClusterNode& node() const { return node_; }

  // What a command did on the replica that applied it: its reply for the
  // client and the new state of each key it changed.
  struct Applied {
    std::string reply;
    std::vector<std::pair<std::string, ReplicaValue>> changed;
  };
  // Runs a key command on this node's own keyspace and stamps every key it
  // changed with a fresh version (RC.APPLY, and the coordinator itself when it
  // is the applying replica). REQUIRES: `args` passed the dispatcher's checks.
  Applied ApplyLocally(const CommandSpec& spec, ArgList args, int protocol);

 private:
  struct Evaluation;

  // The cluster's quorums with this connection's RING QUORUM overrides.
  QuorumSettings QuorumFor(const CommandContext& ctx) const;
  // Whether a replica's answer is a live value now, by the keyspace's clock.
  bool LiveNow(const ReplicaValueView& v) const {
    // The keyspace's clock, as a local read uses: set when the request's
    // bytes were read, or later, and a clock read per reply cost as much as
    // the rest of this check.
    return v.live() && (v.expire_at_ms == 0 || v.expire_at_ms > state_.keyspace.now_ms());
  }
  // What the read reply sees of a replica's answer (counted as a hit or a
  // miss when the command touches its keys).
  ValueView ViewOf(const CommandSpec& spec, const ReplicaValueView& v) {
    ValueView view;
    view.exists = LiveNow(v);
    if (spec.run.touches) state_.keyspace.CountRead(view.exists);
    if (view.exists) {
      view.value = v.value;
      view.expire_at_ms = v.expire_at_ms;
    }
    return view;
  }
  // Runs `spec`'s read reply for a client speaking `protocol`, into `out`.
  void ReplyFromValues(const CommandSpec& spec, ArgList args, std::span<const ValueView> values,
                       int protocol, std::string* out);

  void RouteRead(CommandContext& ctx, const CommandSpec& spec, ArgList args);
  void RouteReadMany(CommandContext& ctx, const CommandSpec& spec, ArgList args,
                     const CommandKeys& keys);
  void RouteOverwrite(CommandContext& ctx, const OverwritePlan& plan);

  // Read-modify-write (read_modify_write.cc).
  std::shared_ptr<Evaluation> NewEvaluation(CommandContext& ctx, const CommandSpec& spec,
                                            ArgList args);
  // Runs the command on `keyspace` and stamps what it changed (see
  // ApplyLocally); the node's own keyspace or a scratch copy.
  Applied ApplyTo(Keyspace& keyspace, const CommandSpec& spec, ArgList args, int protocol);
  void RouteReadModifyWrite(CommandContext& ctx, const CommandSpec& spec, ArgList args);
  void ReadModifyWriteAcross(const std::shared_ptr<Evaluation>& eval);
  void TryApply(std::shared_ptr<Evaluation> eval, size_t replica);
  void ReplicateApplied(const std::shared_ptr<Evaluation>& eval, const std::string& applied_by,
                        Applied applied);

  // Keyspace-wide commands (keyspace_wide.cc).
  void RouteEveryNode(CommandContext& ctx, const CommandSpec& spec, ArgList args);
  void Keys(CommandContext& ctx, ArgList args);
  void Scan(CommandContext& ctx, ArgList args);
  void DbSize(CommandContext& ctx, ArgList args);
  void FlushAll(CommandContext& ctx, ArgList args);

  ServerState& state_;
  ClusterNode& node_;
  OverwritePlan plan_;     // reused: planning is synchronous
  Session reply_session_;  // what read replies see of their client (its protocol)
};

// RC.APPLY's reply: [client reply, key, state, key, state, ...], each state
// as cluster::WriteReplicaState encodes it.
void WriteApplied(ReplyBuilder& reply, const ClusterRouter::Applied& applied);
bool ParseApplied(std::string_view resp, ClusterRouter::Applied* out);

}  // namespace ringcache::cluster
