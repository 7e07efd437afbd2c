// ClusterRouter's increments (INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT): the
// key is read with the read quorum and the increment applied, for the reply,
// to its merged counter; what is written is not that result but this node's
// shard of the key's replicated counter (types/counter_state.h), so every
// acknowledged increment is counted once in the value replicas converge to,
// whatever replica was restarted, cut off or frozen meanwhile.
#include <optional>
#include <string>

#include "cluster/cluster_router.h"
#include "commands/increment.h"
#include "types/counter_state.h"

namespace ringcache::cluster {
namespace {

// The base a key's counting goes on from, as a read found the key: a value's
// or counter's base, or nothing (a missing, expired or deleted key counts
// from 0). Its version names the base: increments on a base that a newer
// write has replaced are dropped when the two meet.
struct Base {
  bool live = false;
  CounterState state;  // the read's counter (or a value: a base without shards)
  Version version;
  int64_t expire_at_ms = 0;
};

Base BaseOf(const ReplicaValueView& read, int64_t now_ms, const Version& floor) {
  Base base;
  base.live = read.live() && (read.expire_at_ms == 0 || read.expire_at_ms > now_ms);
  // Nothing there: every coordinator must agree on this base, so it is the
  // least version a write may carry here (the flush's, if any).
  base.version =
      read.found && (base.live || read.tombstone) ? read.version : std::max(Version{1, 0}, floor);
  if (!base.live) return base;
  base.expire_at_ms = read.expire_at_ms;
  if (!read.counter || !CounterState::Decode(read.value, &base.state)) {
    base.state = CounterState{std::string(read.value), {}};
  }
  return base;
}

}  // namespace

void ClusterRouter::RouteIncrement(CommandContext& ctx, const CommandSpec& spec, ArgList args) {
  Increment by;
  if (!spec.run.increment(ctx, args, &by)) return;  // bad arguments: replied
  const std::string_view key = args[1];
  // A command of this client pipelined after this one waits until the
  // increment is sent, so it finds it (and a second INCR counts on it).
  KeyHold hold = ctx.HoldKeys({std::string(key)});
  const QuorumSettings quorum = QuorumFor(ctx);
  node_.coordinator().Get(
      key, quorum,
      [this, key = std::string(key), by, quorum, hold = std::move(hold), done = ctx.Defer(),
       protocol = ctx.session().protocol](const Status& s, const ReplicaValueView& v) mutable {
        if (s.ok()) CountIncrement(key, by, v, quorum, protocol, done);
        if (!s.ok()) done.Write([&](std::string* out) { ReplyBuilder(out, protocol).Error(s); });
        hold.Release();  // sent: later commands find it wherever they read
      });
}

void ClusterRouter::CountIncrement(const std::string& key, const Increment& by,
                                   const ReplicaValueView& read, const QuorumSettings& quorum,
                                   int protocol, const DeferredReply& done) {
  Base base = BaseOf(read, state_.keyspace.now_ms(), state_.keyspace.version_floor());
  // What the command sees: the replicas' merged counter with this node's own
  // latest increments, which may not have reached the replicas read yet.
  const CounterShard* mine = counters_.Find(key, base.version);
  if (mine != nullptr) base.state.Merge(CounterState{base.state.base, {*mine}});
  std::optional<std::string> current;
  if (base.live || mine != nullptr) current = base.state.Render();
  const Result<Incremented> result = ApplyIncrement(current, by);
  std::string reply;
  ReplyBuilder builder(&reply, protocol);
  ReplyIncremented(builder, by, result);
  if (!result.ok()) {
    done(reply);
    return;
  }
  ReplicaValue state;
  state.found = true;
  state.counter = true;
  state.value = CounterState{base.state.base, {counters_.Advance(key, base.version, by)}}.Encode();
  state.expire_at_ms = base.expire_at_ms;
  state.version = base.version;
  node_.coordinator().WriteState(key, std::move(state), quorum,
                                 [done, reply = std::move(reply)](const Status& s, bool) {
                                   if (s.ok()) {
                                     done(reply);
                                     return;
                                   }
                                   std::string error;
                                   ReplyBuilder(&error).Error(s);
                                   done(error);
                                 });
}

}  // namespace ringcache::cluster
