// ClusterRouter's increments (INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT): the
// key is read with the read quorum and the increment applied, for the reply,
// to its merged counter; what is written is not that result but this node's
// shard of the key's replicated counter (types/counter_state.h), so every
// acknowledged increment is counted once in the value replicas converge to,
// whatever replica was restarted, cut off or frozen meanwhile.
#include <array>
#include <memory>
#include <optional>
#include <string>

#include "cluster/cluster_router.h"
#include "commands/increment.h"
#include "common/number_parsing.h"
#include "types/counter_state.h"

namespace ringcache::cluster {
namespace {

// The base a key's counting goes on from, as a read found the key: a value's
// or counter's base, or nothing (a missing, expired or deleted key counts
// from 0). Its version names the base: increments on a base that a newer
// write has replaced are dropped when the two meet.
struct Base {
  bool live = false;
  bool wrong_type = false;  // a hash or set
  CounterState state;       // the read's counter (or a value: a base without shards)
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
  base.wrong_type = read.collection;
  base.expire_at_ms = read.expire_at_ms;
  if (!read.counter || !CounterState::Decode(read.value, &base.state)) {
    base.state = CounterState{std::string(read.value), {}};
  }
  return base;
}

// What replicas merge for an increment: this node's shard on `base`.
ReplicaValue ShardState(const Base& base, const CounterShard& shard) {
  ReplicaValue state;
  state.found = true;
  state.counter = true;
  state.value = CounterState{base.state.base, {shard}}.Encode();
  state.expire_at_ms = base.expire_at_ms;
  state.version = base.version;
  return state;
}

// What the command sees: the counter as read, with this node's own latest
// increments on its base merged in (they may not have reached the replicas
// read yet); nullopt when the key holds nothing.
std::optional<std::string> SeenWithMine(const CounterShards& counters, std::string_view key,
                                        Base* base) {
  const CounterShard* mine = counters.Find(key, base->version);
  if (mine != nullptr) base->state.Merge(CounterState{base->state.base, {*mine}});
  if (!base->live && mine == nullptr) return std::nullopt;
  return base->state.Render();
}

}  // namespace

void ClusterRouter::RouteIncrement(CommandContext& ctx, const CommandSpec& spec, ArgList args) {
  Increment by;
  if (!spec.run.increment(ctx, args, &by)) return;  // bad arguments: replied
  const std::string_view key = args[1];
  // A command of this client pipelined after this one waits until the
  // increment is sent, so it finds it (and a second INCR counts on it).
  KeyHold hold = ctx.HoldKeys(std::array{key});
  const QuorumSettings quorum = QuorumFor(ctx);
  if (CountAhead(ctx, key, by, quorum, &hold)) return;
  node_.coordinator().Get(
      key, quorum,
      [this, key = std::string(key), by, quorum, hold = std::move(hold), done = ctx.Defer(),
       protocol = ctx.session().protocol](const Status& s, const ReplicaValueView& v) mutable {
        if (s.ok()) CountIncrement(key, by, v, quorum, protocol, done);
        if (!s.ok()) done.Write([&](std::string* out) { ReplyBuilder(out, protocol).Error(s); });
        hold.Release();  // sent: later commands find it wherever they read
      });
}

// An increment counted ahead of its read: it replies once both its write and
// its read are done, or leaves the reply to the slow path when the read
// found another base.
struct ClusterRouter::AheadCount {
  DeferredReply done;
  int protocol = 2;
  Increment by;
  Version base;
  CounterShard shard;  // this node's, as it counted this increment
  bool written = false;
  bool read = false;
  Status status;             // the first failure, of the write or the read
  std::string reply;         // the read's answer
  bool handed_over = false;  // the read found another base

  void Fail(const Status& s) {
    if (status.ok()) status = s;
  }
  void ReplyWhenDone() {
    if (handed_over || !written || !read) return;
    if (!status.ok()) {
      done.Write([&](std::string* out) { ReplyBuilder(out, protocol).Error(status); });
      return;
    }
    done(reply);
  }
};

namespace {

// What the command replies over a counter that already counts it.
std::string ReplyFor(const Increment& by, std::string text, int protocol) {
  Incremented counted{std::move(text), 0};
  const bool fits = by.is_float || ParseInt64(counted.text, &counted.integer);
  const Result<Incremented> result =
      fits ? Result<Incremented>(std::move(counted))
           : Result<Incremented>(Status::InvalidArgument("increment or decrement would overflow"));
  std::string reply;
  ReplyBuilder builder(&reply, protocol);
  ReplyIncremented(builder, by, result);
  return reply;
}

}  // namespace

// The fast path, for a node that holds a replica of the key: the increment
// is counted on the base this replica holds and its write and the quorum read
// go out together, a round trip rather than two. The read then says whether
// that base was the key's: if so it already counts the increment (the node's
// own replica, read first, took it) and is the reply; if a newer write had
// replaced the base, the increment is counted again on that one (the slow
// path's second half) and the first shard, of a superseded base, drops out
// wherever the two meet. Declined (false) when the local copy says the
// command fails: the quorum read decides, before anything is written.
bool ClusterRouter::CountAhead(CommandContext& ctx, std::string_view key, const Increment& by,
                               const QuorumSettings& quorum, KeyHold* hold) {
  if (!node_.IsReplica(node_.self_id(), key)) return false;
  std::string encoded;
  const ReplicaValueView local = ViewOfEntry(state_.keyspace.ReadReplica(key), &encoded);
  Base base = BaseOf(local, state_.keyspace.now_ms(), state_.keyspace.version_floor());
  if (base.wrong_type) return false;  // the quorum read decides
  const Result<Incremented> result = ApplyIncrement(SeenWithMine(counters_, key, &base), by);
  // Near the limits, other writers' shards may tip the merged count over.
  constexpr int64_t kSafe = int64_t{1} << 62;
  if (!result.ok() || (!by.is_float && (result->integer > kSafe || result->integer < -kSafe))) {
    return false;
  }
  auto ahead = std::make_shared<AheadCount>();
  ahead->done = ctx.Defer();
  ahead->protocol = ctx.session().protocol;
  ahead->by = by;
  ahead->base = base.version;
  ahead->shard = counters_.Advance(key, base.version, by);
  node_.coordinator().WriteState(std::string(key), ShardState(base, ahead->shard), quorum,
                                 [ahead](const Status& s, bool) {
                                   ahead->written = true;
                                   ahead->Fail(s);
                                   ahead->ReplyWhenDone();
                                 });
  // The read goes out after this turn's writes: a peer's batch of merges is
  // then not cut into pieces by reads between them (a peer sees one node's
  // requests in order, so each kind switch sends what waits).
  asio::post(node_.io(),
             [this, key = std::string(key), ahead, quorum, hold = std::move(*hold)]() mutable {
               node_.coordinator().Get(key, quorum,
                                       [this, key, ahead, quorum, hold = std::move(hold)](
                                           const Status& s, const ReplicaValueView& v) mutable {
                                         OnReadAhead(key, *ahead, s, v, quorum);
                                         hold.Release();
                                       });
             });
  return true;
}

void ClusterRouter::OnReadAhead(const std::string& key, AheadCount& ahead, const Status& s,
                                const ReplicaValueView& read, const QuorumSettings& quorum) {
  ahead.read = true;
  if (!s.ok()) {
    ahead.Fail(s);
    ahead.ReplyWhenDone();
    return;
  }
  Base base = BaseOf(read, state_.keyspace.now_ms(), state_.keyspace.version_floor());
  if (base.version != ahead.base) {
    ahead.handed_over = true;
    CountIncrement(key, ahead.by, read, quorum, ahead.protocol, ahead.done);
    return;
  }
  // Counted already where this replica answered (it took the increment
  // first); merged again for a replica that lost it meanwhile (evicted).
  base.state.Merge(CounterState{base.state.base, {ahead.shard}});
  ahead.reply = ReplyFor(ahead.by, base.state.Render(), ahead.protocol);
  ahead.ReplyWhenDone();
}

void ClusterRouter::CountIncrement(const std::string& key, const Increment& by,
                                   const ReplicaValueView& read, const QuorumSettings& quorum,
                                   int protocol, const DeferredReply& done) {
  Base base = BaseOf(read, state_.keyspace.now_ms(), state_.keyspace.version_floor());
  std::string reply;
  ReplyBuilder builder(&reply, protocol);
  if (base.wrong_type) {
    builder.Error(Status::WrongType());
    done(reply);
    return;
  }
  const Result<Incremented> result = ApplyIncrement(SeenWithMine(counters_, key, &base), by);
  ReplyIncremented(builder, by, result);
  if (!result.ok()) {
    done(reply);
    return;
  }
  node_.coordinator().WriteState(key, ShardState(base, counters_.Advance(key, base.version, by)),
                                 quorum, [done, reply = std::move(reply)](const Status& s, bool) {
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
