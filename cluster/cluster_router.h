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
//  - increments (INCR, INCRBY, INCRBYFLOAT, ...) count in this node's shard
//    of the key's replicated counter and reply with the counter as a quorum
//    read merges it (counter_route.cc);
//  - SADD, HSET, HMSET and ZADD (without options) send the elements they
//    add to the replicas of the key's replicated collection, without a read
//    (collection_route.cc), and so do LPUSH and RPUSH (list_route.cc);
//  - other commands read their keys, run over the merged values and write
//    back what changed: values last writer wins, collections as the
//    elements added and the adds observed removed (read_modify_write.cc);
//    commands at an end of a list or sorted set read only that end
//    (end_read.cc);
//  - blocking pops run as read-modify-writes; one that finds nothing waits
//    and runs again when its keys may hold elements (blocked_pops.h);
//  - WATCH reads its keys; EXEC after it runs at the keys' home, one
//    transaction on them at a time (watched_exec.cc);
//  - keyspace-wide commands (KEYS, SCAN, DBSIZE, FLUSHALL) ask every member
//    (keyspace_wide.cc).
//
// Event-loop thread only.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "cluster/blocked_pops.h"
#include "cluster/cluster_node.h"
#include "cluster/counter_shards.h"
#include "cluster/deadline_list.h"
#include "cluster/replica_state.h"
#include "cluster/reply_capture.h"
#include "commands/command_context.h"
#include "commands/command_table.h"
#include "commands/router.h"
#include "commands/session.h"
#include "types/collection_delta.h"
#include "types/replicated_collection.h"

namespace ringcache::cluster {

class ClusterRouter : public Router {
 public:
  ClusterRouter(ServerState& state, ClusterNode& node);
  ~ClusterRouter() override;
  ClusterRouter(const ClusterRouter&) = delete;
  ClusterRouter& operator=(const ClusterRouter&) = delete;

  Outcome Route(CommandContext& ctx, const CommandSpec& spec, ArgList args) override;
  void AppendInfo(std::string* out) const override { node_.AppendInfo(out); }
  size_t blocked_clients() const override { return pops_.size(); }
  // EXEC after WATCH, and a transaction with WATCH at its home (for its own
  // clients, and RC.EXEC's): watched_exec.cc.
  void ExecWatched(CommandContext& ctx, std::vector<Session::WatchedKey> watched,
                   std::vector<std::vector<std::string>> queued) override;
  void ExecAtHome(const std::shared_ptr<ReplyDeferrer>& connection, int protocol,
                  std::vector<Session::WatchedKey> watched,
                  std::vector<std::vector<std::string>> queued, ReplyCapture::Done done);
  // Periodic upkeep (the server cron): blocked pops' timeouts and polls.
  void Tick(int64_t now_ms) {
    pops_.Tick(now_ms);
    home_calls_.ExpireDue(DeadlineList::Clock::now());
  }

  ClusterNode& node() { return node_; }
  const ClusterNode& node() const { return node_; }

  // What a command did when run over its keys' values: its reply for the
  // client and the new state of each key it changed.
  struct Applied {
    std::string reply;
    std::vector<std::pair<std::string, ReplicaValue>> changed;
  };

 private:
  struct Evaluation;

  // Whether the command must wait for an earlier read-modify-write of this
  // client that holds one of its keys (or, keyspace-wide, any key).
  bool MustWait(const CommandContext& ctx, const CommandSpec& spec, ArgList args) const;
  // The lane a command's key hold is in (KeyHold): a non-blocking pop of
  // one key takes its turn at the key's home, after the pops this client
  // sent there before (one connection keeps them in order, one turn queue
  // runs them in order), so the client's next pops of that key need not
  // wait for it; every other command is exclusive. `keys`: the command's
  // (CommandKeys, or their distinct list).
  template <typename Keys>
  uint64_t LaneOf(const CommandContext& ctx, const CommandSpec& spec, const Keys& keys) const {
    if (!TakesElements(spec) || (spec.flags & kBlocking) != 0 || ctx.session().forwarded ||
        keys.size() == 0) {
      return KeyHold::kExclusive;
    }
    for (size_t i = 1; i < keys.size(); ++i) {
      if (keys[i] != keys[0]) return KeyHold::kExclusive;  // a move between two keys
    }
    return std::hash<std::string_view>()(node_.HomeOf(keys[0])) | 1;  // never kExclusive
  }
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
  // A counter is rendered into `rendered`, which the view then points into.
  ValueView ViewOf(const CommandSpec& spec, const ReplicaValueView& v, std::string* rendered) {
    ValueView view;
    view.exists = LiveNow(v);
    if (spec.run.touches) state_.keyspace.CountRead(view.exists);
    if (view.exists && v.collection) {
      // Read replies only see a collection's type (TYPE, EXISTS, TTL, GET's WRONGTYPE).
      const auto kind = ReplicatedCollection::KindOfEncoded(v.value);
      view.type = kind ? TypeOf(*kind) : ValueType::kSet;
      view.expire_at_ms = v.expire_at_ms;
    } else if (view.exists) {
      if (v.counter) *rendered = RenderCounterBytes(v.value, true);
      view.value = v.counter ? std::string_view(*rendered) : v.value;
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
  // The collection kind of a command group ("hash", "set", "sorted_set").
  static ReplicatedCollection::Kind KindOfGroup(std::string_view group);
  // SADD, HSET, HMSET, ZADD (collection_route.cc).
  void RouteAddElements(CommandContext& ctx, const CommandSpec& spec, ArgList args);

  // Lists (list_route.cc).
  // LPUSH, RPUSH, LPUSHX, RPUSHX.
  void RoutePush(CommandContext& ctx, const CommandSpec& spec, ArgList args);
  void SendPush(std::string key, bool tail, ArgList items, const QuorumSettings& quorum,
                DeferredReply done);

  // Ends of lists and sorted sets (end_read.cc).
  using ReadDone = std::function<void(const Status&, const ReplicaValueView&)>;
  // The `count` elements at the head (or tail) of the list or sorted set at
  // `key`, as the quorum read of the whole would find them there (fewer
  // when it holds fewer); any other value whole.
  void ReadEnd(std::string key, bool tail, size_t count, const QuorumSettings& quorum,
               ReadDone done);
  struct EndRead;
  void ReadEnd(const std::shared_ptr<EndRead>& read);
  void OnEnd(const std::shared_ptr<EndRead>& read, const ReplicaValueView& merged,
             const std::vector<ReplicaValue>& each);
  void DeliverEnd(const std::shared_ptr<EndRead>& read, const std::string& bound,
                  const ReplicaValue& merged, const ReplicatedCollection& whole);

  // Read-modify-write (read_modify_write.cc).
  std::shared_ptr<Evaluation> NewEvaluation(CommandContext& ctx, const CommandSpec& spec,
                                            ArgList args);
  // Runs the command on `keyspace`, which holds what `read` found (may be
  // null), and stamps what it changed with fresh versions: values whole,
  // collections as the changes replicas merge. REQUIRES: `args` passed the
  // dispatcher's checks.
  struct KeysRead;
  Applied ApplyTo(Keyspace& keyspace, const CommandSpec& spec, ArgList args, int protocol,
                  const KeysRead* read);
  struct LoggedKey {
    const ValueObject* object = nullptr;  // none: compared whole
    ValueType type = ValueType::kString;
    int64_t expire_at_ms = 0;
  };
  static LoggedKey StartLog(Keyspace& keyspace, const CommandSpec& spec,
                            const std::vector<std::string>& keys, const ReplicatedCollection* held);
  bool ByLog(Keyspace& keyspace, const CommandSpec& spec, ArgList args, const std::string& key,
             const LoggedKey& logged, const KeysRead& read, int64_t tombstone_until,
             Applied* applied);
  // HINCRBY's count on a field, as this node's shard of it, into `delta`.
  void CountOn(std::string_view key, std::string_view field, const Increment& by,
               const ReplicatedCollection* held, const ReplicaValue& read, const Version& stamp,
               ReplicatedCollection* delta);
  void RouteReadModifyWrite(CommandContext& ctx, const CommandSpec& spec, ArgList args);
  // Runs `eval` here, or at its key's home if it takes elements (forwarding.cc).
  void Coordinate(std::shared_ptr<Evaluation> eval);
  // Pops and moves: the commands that run at their first key's home.
  static bool TakesElements(const CommandSpec& spec);
  void Forward(const std::shared_ptr<Evaluation>& eval, const std::string& home);
  // Sends `command` (RC.RUN, RC.EXEC; SendHome puts the time by which the
  // home must start it after the name) to `home`; `done` gets its bulk
  // reply, or an error when the home could not be reached, started too late,
  // or did not answer within 4x cluster-timeout-ms (it may have run it).
  using HomeReply = std::function<void(const Status&, std::string_view reply)>;
  void SendHome(const std::string& home, std::span<const std::string_view> command, HomeReply done);
  struct HomeCall;
  // Whether a reply is a null (RESP2's null array or bulk, RESP3's null).
  static bool IsNull(std::string_view reply) {
    return reply == "*-1\r\n" || reply == "$-1\r\n" || reply == "_\r\n";
  }
  // Reads for `eval` now, or after the command on its key before it.
  void TakeTurn(std::shared_ptr<Evaluation> eval);
  // A blocking pop found its keys empty: it waits (again) among pops_.
  void WaitForElement(const std::shared_ptr<Evaluation>& eval);
  // Reads the keys of `batch` (one command, or several on one key) once.
  void ReadFor(std::vector<std::shared_ptr<Evaluation>> batch);
  // Runs each of `batch` in turn over what the read found.
  void RunBatch(const std::vector<std::shared_ptr<Evaluation>>& batch,
                const std::vector<ReplicaValue>& values);
  // Starts the next batch on the key `ended` worked on, if any waits.
  void NextTurn(const std::vector<std::shared_ptr<Evaluation>>& ended);
  void ReplicateApplied(const std::shared_ptr<Evaluation>& eval, Applied applied);

  // Increments (counter_route.cc): count the increment in this node's shard
  // and reply with the merged counter; CountAhead sends the shard and the
  // read together when this node holds a replica, CountIncrement writes
  // after a read.
  void RouteIncrement(CommandContext& ctx, const CommandSpec& spec, ArgList args);
  void CountIncrement(const std::string& key, const Increment& by, const ReplicaValueView& read,
                      const QuorumSettings& quorum, int protocol, const DeferredReply& done);
  struct AheadCount;
  bool CountAhead(CommandContext& ctx, std::string_view key, const Increment& by,
                  const QuorumSettings& quorum, KeyHold* hold);
  void OnReadAhead(const std::string& key, AheadCount& ahead, const Status& s,
                   const ReplicaValueView& read, const QuorumSettings& quorum);

  // WATCH: a quorum read's fingerprint of each key (watched_exec.cc).
  void RouteWatch(CommandContext& ctx, ArgList args);
  uint64_t WatchFingerprint(const ReplicaValueView& v) const;
  // The lowest-id member up of the one replica set all `keys` live on
  // (empty if they live on several).
  std::string TransactionHome(const std::vector<std::string>& keys) const;
  // Runs `run` once no transaction at this home holds one of `keys`, in
  // the order they came; UnlockTransaction ends it.
  void LockTransaction(std::vector<std::string> keys, std::function<void()> run);
  void UnlockTransaction(const std::vector<std::string>& keys);

  // Keyspace-wide commands (keyspace_wide.cc).
  void RouteEveryNode(CommandContext& ctx, const CommandSpec& spec, ArgList args);
  void Keys(CommandContext& ctx, ArgList args);
  void Scan(CommandContext& ctx, ArgList args);
  void DbSize(CommandContext& ctx, ArgList args);
  void FlushAll(CommandContext& ctx, ArgList args);

  ServerState& state_;
  ClusterNode& node_;
  OverwritePlan plan_;      // reused: planning is synchronous
  CounterShards counters_;  // this node's shards of the counters it counted on
  // Keys with a read-modify-write between its read and its write, and the
  // single-key ones waiting for their turn.
  std::unordered_map<std::string, std::vector<std::shared_ptr<Evaluation>>> turns_;
  Session reply_session_;  // what read replies see of their client (its protocol)
  BlockedPops pops_;
  DeadlineList home_calls_;  // commands out to a key's home (SendHome), oldest first
  std::string encoded_;      // SendHome's encoding, reused
  std::vector<std::string_view> home_args_;      // Forward's RC.RUN, reused
  std::unordered_set<std::string> exec_locked_;  // keys of transactions running here
  std::deque<std::pair<std::vector<std::string>, std::function<void()>>> exec_waiting_;
};

}  // namespace ringcache::cluster
