// ClusterRouter's read-modify-write route: a command that reads what it
// changes (APPEND, SET NX, RENAME, EXPIRE, SREM, HDEL, HINCRBY, ...), or a
// collection read without a read reply (HGET, SMEMBERS, SINTER...), reads its
// keys with the read quorum, runs with its own handler over a scratch copy of
// their merged values, and writes back what changed: a string whole, last
// writer wins; a collection as the elements that changed, which replicas
// merge (types/collection_delta.h). (String increments are counted in the
// key's replicated counter instead: counter_route.cc.)
#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "cluster/cluster_router.h"
#include "cluster/evaluation.h"
#include "cluster/gather.h"
#include "commands/collection_helpers.h"
#include "commands/command_helpers.h"
#include "common/number_parsing.h"
#include "core/dirty_keys.h"
#include "resp/reply_builder.h"
#include "types/collection_delta.h"
#include "types/counter_state.h"
#include "types/list_delta.h"
#include "types/list_value.h"
#include "types/replicated_collection.h"

namespace ringcache::cluster {
namespace {

// A key's value as commands see it: absent, a string, or a collection's
// elements, with an expiry.
struct KeyState {
  bool live = false;
  ValueType type = ValueType::kString;
  std::string value;
  ElementMap elements;             // a hash's, set's or sorted set's
  std::vector<std::string> items;  // a list's
  int64_t expire_at_ms = 0;

  bool operator==(const KeyState&) const = default;
};

KeyState StateOf(Keyspace& keyspace, std::string_view key) {
  KeyState state;
  if (const Entry* e = keyspace.Find(key)) {
    state.live = true;
    state.type = e->type;
    if (e->type == ValueType::kList) {
      const auto& list = static_cast<const ListValue&>(*e->object());
      state.items.reserve(list.size());
      list.Walk(0, false, [&](std::string_view item) {
        state.items.emplace_back(item);
        return true;
      });
    } else if (e->holds_object()) {
      state.elements = ElementsOf(*e->object(), e->type);
    } else {
      state.value.assign(e->value());
    }
    state.expire_at_ms = e->expire_at_ms;
  }
  return state;
}

bool IsCollection(ValueType type) {
  return type == ValueType::kHash || type == ValueType::kSet || type == ValueType::kZSet ||
         type == ValueType::kList;
}

// HINCRBY's and HINCRBYFLOAT's field and increment, counted in the field's
// shards rather than written as a value.
struct Counted {
  bool counts = false;
  std::string_view field;
  Increment by;
};

// ZINCRBY's and ZADD INCR's (without NX, XX, GT or LT: those condition the
// increment on the score read, so they write the score they computed).
Counted CountedField(const CommandSpec& spec, ArgList args) {
  Counted counted;
  if (spec.name == "hincrby") {
    counted.counts = ParseInt64(args[3], &counted.by.by);
    counted.field = args[2];
  } else if (spec.name == "hincrbyfloat") {
    counted.by.is_float = true;
    counted.counts = ParseLongDouble(args[3], &counted.by.by_float);
    counted.field = args[2];
  } else if (spec.name == "zincrby") {
    counted.by.is_float = true;
    counted.counts = ParseLongDouble(args[2], &counted.by.by_float);
    counted.field = args[3];
  } else if (spec.name == "zadd" && args.size() >= 5) {
    bool incr = false;
    for (size_t i = 2; i + 2 < args.size(); ++i) {
      if (Is(args[i], "incr")) {
        incr = true;
      } else if (!Is(args[i], "ch")) {
        return counted;  // NX, XX, GT, LT, or a second pair: not a plain count
      }
    }
    counted.by.is_float = true;
    counted.counts = incr && ParseLongDouble(args[args.size() - 2], &counted.by.by_float);
    counted.field = args.back();
  }
  if (!counted.counts) counted.field = {};
  return counted;
}

// What replicas merge for a command that left a key a collection: the
// elements it changed, as a delta, when the key was that collection before
// (or nothing) and keeps its expiry; else the collection written anew,
// clearing what the key held (a type change, an expiry set, a copy).
ReplicatedCollection CollectionChange(const KeyState& before, const KeyState& after,
                                      const ReplicatedCollection* held, const Version& stamp,
                                      std::string_view skip, const FreshHlc& fresh) {
  const auto kind = KindOf(after.type);
  const bool list = kind == ReplicatedCollection::Kind::kList;
  const bool same =
      before.live && before.type == after.type && before.expire_at_ms == after.expire_at_ms;
  if (same || (!before.live && after.expire_at_ms == 0)) {
    if (held != nullptr && held->kind() != kind) held = nullptr;
    return list ? ListDiff(held, after.items, stamp, fresh)
                : DiffDelta(kind, held, before.elements, after.elements, stamp, skip);
  }
  return list ? ListRewrite(after.items, stamp, fresh) : Rewrite(kind, after.elements, stamp);
}

// RC.PICK's part for `count` elements at one end (at least one: it says
// whether the key is there).
std::vector<std::string> EndPart(bool tail, int64_t count) {
  return {tail ? "TAIL" : "HEAD", std::to_string(std::max<int64_t>(count, 1))};
}

// The part of a list at `key` (an index into the command's distinct keys)
// that a command at one of its ends needs: "HEAD" or "TAIL" and how many
// items (see ClusterRouter::ReadEnd). None (all of it) for the others.
std::vector<std::string> ListEndFor(std::string_view name, ArgList args, size_t key) {
  // BLMOVE's and BRPOPLPUSH's arguments are their non-blocking forms' (and a timeout).
  if (name == "blmove" || name == "brpoplpush") name.remove_prefix(1);
  if (name == "blpop" || name == "brpop") return EndPart(name == "brpop", 1);
  if (name == "blmpop") return ListEndFor("lmpop", args.subspan(1), key);
  const auto end = EndPart;
  // The count that reaches `index` from the head.
  const auto through = [](int64_t index) { return index == INT64_MAX ? index : index + 1; };
  // An index counted from the end it is nearer to.
  const auto at = [&](std::string_view arg) {
    int64_t index = 0;
    if (!ParseInt64(arg, &index) || index == INT64_MIN) return std::vector<std::string>();
    return index >= 0 ? end(false, through(index)) : end(true, -index);
  };
  const auto side = [](std::string_view where) { return Is(where, "right"); };
  int64_t count = 1;
  if (name == "lpop" || name == "rpop") {
    if (args.size() > 2 && (!ParseInt64(args[2], &count) || count < 0)) return {};
    return end(name == "rpop", count);
  }
  if (name == "lindex" || name == "lset") return at(args[2]);
  if (name == "lrange") {
    int64_t start = 0, stop = 0;
    if (!ParseInt64(args[2], &start) || !ParseInt64(args[3], &stop)) return {};
    if (start >= 0 && stop >= 0) return end(false, stop < start ? 1 : through(stop));
    if (start < 0 && stop < 0 && start != INT64_MIN) return end(true, -start);
    return {};
  }
  // Moves between two lists (the same one moves within the whole).
  if ((name == "lmove" || name == "rpoplpush") && args[1] != args[2]) {
    if (name == "rpoplpush") return end(key == 0, 1);
    return end(side(args[3 + key]), 1);
  }
  if (name == "lmpop") {
    int64_t keys = 0;
    if (!ParseInt64(args[1], &keys) || keys <= 0 || static_cast<size_t>(keys) + 2 >= args.size())
      return {};
    const size_t after = 2 + static_cast<size_t>(keys);
    if (after + 2 < args.size() && Is(args[after + 1], "count") &&
        (!ParseInt64(args[after + 2], &count) || count <= 0))
      return {};
    return end(side(args[after]), count);
  }
  return {};
}

// The part of each of its keys' collections a command needs (RC.PICK's
// arguments; see Coordinator::GetPart): the members it names, as many
// random ones as it draws, or a list's end. None (all of it) for every
// other command.
std::vector<std::string> PartFor(const CommandSpec& spec, ArgList args, size_t key) {
  const std::string_view name = spec.name;
  if (spec.group == "list") return ListEndFor(name, args, key);
  if (name == "bzpopmin" || name == "bzpopmax") return EndPart(name == "bzpopmax", 1);
  if (name == "zpopmin" || name == "zpopmax") {
    int64_t count = 1;
    if (args.size() > 2 && (!ParseInt64(args[2], &count) || count < 0)) return {};
    return EndPart(name == "zpopmax", count);
  }
  std::vector<std::string> part;
  const auto members = [&](size_t from, size_t to) {
    part.emplace_back("MEMBERS");
    for (size_t i = from; i < to && i < args.size(); ++i) part.emplace_back(args[i]);
  };
  if (name == "srem" || name == "smismember" || name == "hmget" || name == "hdel" ||
      name == "zrem" || name == "zmscore") {
    members(2, args.size());
  } else if (name == "sismember" || name == "hget" || name == "hexists" || name == "hstrlen" ||
             name == "hincrby" || name == "hincrbyfloat" || name == "hsetnx" || name == "zscore") {
    members(2, 3);
  } else if (name == "smove" || name == "zincrby") {
    members(3, 4);
  } else if (name == "spop" || name == "srandmember" || name == "hrandfield" ||
             name == "zrandmember") {
    int64_t count = 1;
    if (args.size() > 2 && !ParseInt64(args[2], &count)) return {};  // the command refuses it
    uint64_t drawn = count < 0 ? uint64_t{0} - static_cast<uint64_t>(count) : count;
    drawn = std::min<uint64_t>(drawn, uint64_t{1} << 32);  // past any collection's size
    part = {"RANDOM", std::to_string(drawn)};
  }
  return part;
}

// The distinct keys of a command.
std::vector<std::string> KeysOf(const CommandSpec& spec, ArgList args) {
  const CommandKeys all(spec, args);
  std::vector<std::string> keys;
  for (size_t i = 0; i < all.size(); ++i) {
    if (std::find(keys.begin(), keys.end(), all[i]) == keys.end()) keys.emplace_back(all[i]);
  }
  return keys;
}

// Runs `spec` with `args` on `keyspace` for a client speaking `protocol`;
// returns the reply bytes.
std::string RunOn(ServerState& state, Keyspace& keyspace, const CommandSpec& spec, ArgList args,
                  int protocol) {
  Session session;
  session.protocol = protocol;
  std::string out;
  ReplyBuilder reply(&out, protocol);
  CommandContext ctx(state, session, reply);
  ctx.UseKeyspace(&keyspace);
  RunCommand(ctx, spec, args);
  return out;
}

// When a blocking pop that began at `started_ms` times out (0: never).
// Its handler has checked the timeout (it answered a null, not an error).
int64_t DeadlineOf(const CommandSpec& spec, ArgList args, int64_t started_ms) {
  const bool numkeys_first = spec.name == "blmpop" || spec.name == "bzmpop";
  long double seconds = 0;
  if (!ParseLongDouble(numkeys_first ? args[1] : args.back(), &seconds) || seconds <= 0) return 0;
  return started_ms + std::max<int64_t>(static_cast<int64_t>(seconds * 1000), 1);
}

}  // namespace

ReplicatedCollection::Kind ClusterRouter::KindOfGroup(std::string_view group) {
  return group == "hash"         ? ReplicatedCollection::Kind::kHash
         : group == "sorted_set" ? ReplicatedCollection::Kind::kZSet
         : group == "list"       ? ReplicatedCollection::Kind::kList
                                 : ReplicatedCollection::Kind::kSet;
}

std::shared_ptr<ClusterRouter::Evaluation> ClusterRouter::NewEvaluation(CommandContext& ctx,
                                                                        const CommandSpec& spec,
                                                                        ArgList args) {
  auto eval = std::make_shared<Evaluation>();
  eval->spec = &spec;
  eval->args.assign(args.begin(), args.end());
  eval->views.assign(eval->args.begin(), eval->args.end());
  eval->keys = KeysOf(spec, args);
  eval->protocol = ctx.session().protocol;
  eval->quorum = QuorumFor(ctx);
  eval->done = ctx.Defer();
  eval->hold = ctx.HoldKeys(eval->keys, LaneOf(ctx, spec, eval->keys));
  if ((spec.flags & kBlocking) != 0 && !ctx.session().in_exec) {
    eval->blocks = true;
    eval->started_ms = state_.keyspace.now_ms();
    eval->client = ctx.deferrer();
  }
  const bool takes_elements = TakesElements(spec);
  eval->forwards = takes_elements && !ctx.session().forwarded;
  // (Reads need no turn: they take nothing another command could take too.)
  // Moves take turns on the key they take from.
  eval->takes_turn = !eval->keys.empty() &&
                     ((eval->keys.size() == 1 && (spec.flags & kReadOnly) == 0) || takes_elements);
  return eval;
}

// Reads every key with the read quorum (R + W > N: the read sees every
// acknowledged write), runs the command over the newest values on a scratch
// keyspace, and writes back what changed. Never on one replica's own copy: a
// replica that was restarted, cut off or frozen would apply the command to a
// stale copy, and its result would then win.
//
// Commands that change one key take turns through this node: while one is
// between its read and its write, those that arrive wait, and then run
// together, in order, over one read. So fifty clients' LPOPs through one node return
// fifty different items (over one read each turn, not fifty reads that all
// see the same head), and a hot key costs a read per turn, not per command.
void ClusterRouter::RouteReadModifyWrite(CommandContext& ctx, const CommandSpec& spec,
                                         ArgList args) {
  auto eval = NewEvaluation(ctx, spec, args);
  if (eval->keys.empty()) {  // get_keys found none: the command refuses its arguments itself
    RunBatch({eval}, {});
    return;
  }
  Coordinate(std::move(eval));
}

void ClusterRouter::TakeTurn(std::shared_ptr<Evaluation> eval) {
  if (eval->takes_turn) {
    auto [turn, idle] = turns_.try_emplace(eval->keys[0]);
    if (!idle) {
      turn->second.push_back(std::move(eval));
      return;
    }
  }
  ReadFor({std::move(eval)});
}

namespace {

// One read's part for a whole batch: MEMBERS of them all, or RANDOM, HEAD
// or TAIL the sum of their counts (each takes its own after the one
// before). REQUIRES: the parts are Compatible.
std::vector<std::string> Combined(const std::vector<std::vector<std::string>>& parts) {
  std::vector<std::string> part = parts[0];
  if (part.empty() || parts.size() == 1) return part;
  if (part[0] == "MEMBERS") {
    for (size_t i = 1; i < parts.size(); ++i)
      part.insert(part.end(), parts[i].begin() + 1, parts[i].end());
    return part;
  }
  uint64_t total = 0;
  for (const auto& p : parts) {
    uint64_t count = 0;
    ParseUint64(p[1], &count);
    total = std::min<uint64_t>(total + count, uint64_t{1} << 32);
  }
  part[1] = std::to_string(total);
  return part;
}

bool Compatible(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return a.empty() ? b.empty() : !b.empty() && a[0] == b[0];
}

}  // namespace

void ClusterRouter::ReadFor(std::vector<std::shared_ptr<Evaluation>> batch) {
  const std::vector<std::string>& keys = batch[0]->keys;
  auto gather = std::make_shared<Gather<ReplicaValue>>(keys.size());
  auto shared = std::make_shared<std::vector<std::shared_ptr<Evaluation>>>(std::move(batch));
  for (size_t i = 0; i < keys.size(); ++i) {
    std::vector<std::vector<std::string>> parts;
    for (const auto& eval : *shared) {
      parts.push_back(PartFor(*eval->spec, eval->views, i));
      eval->partial |= !parts.back().empty();
    }
    std::vector<std::string> part = Combined(parts);
    auto done = [this, shared, i, gather](const Status& s, const ReplicaValueView& v) {
      if (!gather->Done(i, s, ToOwned(v))) return;
      if (!gather->error.ok()) {
        for (const auto& eval : *shared) {
          // A waiting pop that could not read waits on: it tries again.
          eval->parked != 0 ? pops_.FoundNothing(eval->parked, state_.keyspace.now_ms())
                            : eval->Fail(gather->error);
        }
        NextTurn(*shared);
        return;
      }
      RunBatch(*shared, gather->results);
    };
    const std::string& key = (*shared)[0]->keys[i];
    const QuorumSettings& quorum = (*shared)[0]->quorum;
    if (!part.empty() && (part[0] == "HEAD" || part[0] == "TAIL")) {
      uint64_t count = 0;
      ParseUint64(part[1], &count);
      ReadEnd(key, part[0] == "TAIL", count, quorum, std::move(done));
    } else if (!part.empty()) {
      node_.coordinator().GetPart(key, std::move(part), quorum, std::move(done));
    } else {
      node_.coordinator().Get(key, quorum, std::move(done));
    }
  }
}

// The most commands one turn runs. Each command that StartLog cannot diff
// by its collection's element log compares the key's state (as much of it
// as the turn read) before and after it ran, so such a turn costs the
// square of its size: with every client's pipelined pops queued (800 from
// redis-benchmark -c 50 -P 16), turns of them all ran SPOP at 11k/s
// through a cluster node, turns of at most 32 at 58k/s (8: 45k/s, more
// reads; 128: 30k/s).
constexpr size_t kMaxTurn = 32;

// The turn of a single key's batch ended: the next one reads, made of
// those that waited, as many as one read can serve.
void ClusterRouter::NextTurn(const std::vector<std::shared_ptr<Evaluation>>& ended) {
  if (ended.empty() || !ended[0]->takes_turn) return;
  const auto turn = turns_.find(ended[0]->keys[0]);
  if (turn == turns_.end()) return;
  std::vector<std::shared_ptr<Evaluation>>& waiting = turn->second;
  if (waiting.empty()) {
    turns_.erase(turn);
    return;
  }
  const std::vector<std::string> first = PartFor(*waiting[0]->spec, waiting[0]->views, 0);
  size_t n = 1;
  while (n < waiting.size() && n < kMaxTurn && waiting[n]->quorum == waiting[0]->quorum &&
         waiting[n]->keys == waiting[0]->keys &&
         Compatible(first, PartFor(*waiting[n]->spec, waiting[n]->views, 0))) {
    ++n;
  }
  const auto end = waiting.begin() + static_cast<std::ptrdiff_t>(n);
  std::vector<std::shared_ptr<Evaluation>> batch(waiting.begin(), end);
  waiting.erase(waiting.begin(), end);
  ReadFor(std::move(batch));
}

// What a read-modify-write read of its keys found: the merged states, and
// the collections among them decoded (and, within a batch, with the changes
// of the commands before merged in).
struct ClusterRouter::KeysRead {
  const std::vector<ReplicaValue>& states;
  std::vector<std::unique_ptr<ReplicatedCollection>> collections;

  explicit KeysRead(const std::vector<ReplicaValue>& read)
      : states(read), collections(read.size()) {
    for (size_t k = 0; k < read.size(); ++k) {
      if (read[k].collection) collections[k] = ReplicatedCollection::Decode(read[k].value);
    }
  }
  // Takes in what a command of the batch changed, for the next one's diff.
  void Absorb(const std::vector<std::string>& keys, const Applied& applied) {
    for (const auto& [key, value] : applied.changed) {
      const size_t k = std::find(keys.begin(), keys.end(), key) - keys.begin();
      if (k == keys.size() || !value.collection) continue;
      auto change = ReplicatedCollection::Decode(value.value);
      if (change == nullptr) continue;
      bool merged = false;
      if (collections[k] != nullptr && collections[k]->kind() == change->kind()) {
        collections[k]->Merge(*change, &merged);
      } else {
        collections[k] = std::move(change);
      }
    }
  }
};

void ClusterRouter::RunBatch(const std::vector<std::shared_ptr<Evaluation>>& batch,
                             const std::vector<ReplicaValue>& values) {
  Keyspace scratch;
  scratch.set_now_ms(state_.keyspace.now_ms());
  const std::vector<std::string>& keys = batch[0]->keys;
  // Reads change nothing: their collections render straight from the bytes.
  const bool changes = std::any_of(batch.begin(), batch.end(), [](const auto& eval) {
    return (eval->spec->flags & kReadOnly) == 0;
  });
  static const std::vector<ReplicaValue> kNothing;
  KeysRead read(changes ? values : kNothing);
  const CollectionLimits limits = LimitsOf(state_.config.values());
  std::vector<std::optional<ReplicatedCollection::Kind>> kinds(keys.size());
  for (size_t k = 0; k < keys.size(); ++k) {
    const ReplicaValue& value = values[k];
    if (value.collection) kinds[k] = ReplicatedCollection::KindOfEncoded(value.value);
    if (!value.live()) continue;
    if (kinds[k]) {
      std::unique_ptr<ValueObject> plain =
          changes ? (read.collections[k] ? read.collections[k]->Render(limits) : nullptr)
                  : ReplicatedCollection::RenderEncoded(value.value, limits);
      if (plain != nullptr)
        scratch.SetObject(keys[k], TypeOf(*kinds[k]), std::move(plain), value.expire_at_ms);
    } else if (!value.collection) {
      scratch.PutIfNewer(keys[k], RenderCounterBytes(value.value, value.counter),
                         value.expire_at_ms, value.version);
    }
  }
  for (const auto& eval : batch) {
    const CommandSpec& spec = *eval->spec;
    // A part without a live element says nothing more of the key than its type.
    const bool wrong_type =
        eval->partial && std::any_of(kinds.begin(), kinds.end(), [&](auto kind) {
          return kind && *kind != KindOfGroup(spec.group);
        });
    if (wrong_type) {
      if (eval->parked != 0) pops_.Served(std::exchange(eval->parked, 0));
      eval->Fail(Status::WrongType());
      continue;
    }
    Applied applied =
        ApplyTo(scratch, spec, eval->views, eval->protocol, changes ? &read : nullptr);
    if (changes && batch.size() > 1) read.Absorb(keys, applied);
    // A blocking pop that found its keys empty changed nothing and answered
    // a null, as it does where it cannot block.
    if (eval->blocks && applied.changed.empty() && IsNull(applied.reply)) {
      WaitForElement(eval);
      continue;
    }
    ReplicateApplied(eval, std::move(applied));
    if (eval->parked != 0) pops_.Served(std::exchange(eval->parked, 0));
    // Sent (the local replica has it, the peers' batches hold it in order):
    // later commands of this client now find it wherever they read.
    eval->hold.Release();
  }
  NextTurn(batch);
}

void ClusterRouter::WaitForElement(const std::shared_ptr<Evaluation>& eval) {
  if (eval->parked != 0) {
    pops_.FoundNothing(eval->parked, state_.keyspace.now_ms());
    return;
  }
  eval->hold.Release();  // the waiter holds every key
  BlockedPops::Waiter waiter;
  waiter.keys = eval->keys;
  waiter.deadline_ms = DeadlineOf(*eval->spec, eval->views, eval->started_ms);
  waiter.fast_poll = std::any_of(eval->keys.begin(), eval->keys.end(), [&](const auto& key) {
    return !node_.IsReplica(node_.self_id(), key);
  });
  waiter.retry = [this, eval] { Coordinate(eval); };
  waiter.time_out = [eval] {
    std::string out;
    ReplyBuilder(&out, eval->protocol).NullArray();
    eval->done(out);
  };
  waiter.hold = KeyHold::Every(eval->client);
  waiter.client = eval->client;
  eval->parked = pops_.Park(std::move(waiter), state_.keyspace.now_ms());
}

void ClusterRouter::ReplicateApplied(const std::shared_ptr<Evaluation>& eval, Applied applied) {
  if (applied.changed.empty()) {
    eval->done(std::move(applied.reply));
    return;
  }
  auto gather = std::make_shared<Gather<bool>>(applied.changed.size());
  auto reply = std::make_shared<std::string>(std::move(applied.reply));
  for (size_t i = 0; i < applied.changed.size(); ++i) {
    auto& [key, value] = applied.changed[i];
    node_.coordinator().WriteState(std::move(key), std::move(value), eval->quorum,
                                   [eval, i, gather, reply](const Status& s, bool) {
                                     if (!gather->Done(i, s, true)) return;
                                     gather->error.ok() ? eval->done(std::move(*reply))
                                                        : eval->Fail(gather->error);
                                   });
  }
}

ClusterRouter::Applied ClusterRouter::ApplyTo(Keyspace& keyspace, const CommandSpec& spec,
                                              ArgList args, int protocol, const KeysRead* read) {
  Applied applied;
  if ((spec.flags & kReadOnly) != 0) {  // LRANGE, HGETALL...: nothing to compare
    applied.reply = RunOn(state_, keyspace, spec, args, protocol);
    return applied;
  }
  const std::vector<std::string> keys = KeysOf(spec, args);
  const int64_t tombstone_until = WallClockMs() + state_.config.values().tombstone_grace * 1000;
  const ReplicatedCollection* first_held =
      read != nullptr && !read->collections.empty() ? read->collections[0].get() : nullptr;
  const LoggedKey logged = StartLog(keyspace, spec, keys, first_held);
  std::vector<KeyState> before;
  if (logged.object == nullptr) {
    before.reserve(keys.size());
    for (const std::string& key : keys) before.push_back(StateOf(keyspace, key));
  }
  applied.reply = RunOn(state_, keyspace, spec, args, protocol);
  if (logged.object != nullptr) {
    if (ByLog(keyspace, spec, args, keys[0], logged, *read, tombstone_until, &applied)) {
      return applied;
    }
    // Replaced or emptied: compared whole, with the state it was rendered from.
    KeyState was;
    was.live = true;
    was.type = logged.type;
    was.expire_at_ms = logged.expire_at_ms;
    was.elements = ElementsOf(*first_held->Render(LimitsOf(state_.config.values())), logged.type);
    before.push_back(std::move(was));
  }
  const FreshHlc fresh = [this] { return node_.coordinator().NextVersion().hlc; };
  for (size_t i = 0; i < keys.size(); ++i) {
    KeyState after = StateOf(keyspace, keys[i]);
    if (after == before[i]) continue;
    ReplicaValue value;
    value.found = true;
    value.version = node_.coordinator().NextVersion();
    const ReplicatedCollection* held =
        read != nullptr && i < read->collections.size() ? read->collections[i].get() : nullptr;
    if (after.live && IsCollection(after.type)) {
      const Counted counted = CountedField(spec, args);
      ReplicatedCollection delta =
          CollectionChange(before[i], after, held, value.version, counted.field, fresh);
      value.collection = true;
      value.delta = delta.cleared().is_zero();
      if (value.delta && counted.counts && read != nullptr) {
        CountOn(keys[i], counted.field, counted.by, held, read->states[i], value.version, &delta);
      }
      // A delta's expiry is how long its removals are kept if they empty
      // the key; a rewrite's is the key's.
      value.expire_at_ms = value.delta ? tombstone_until : after.expire_at_ms;
      delta.Encode(&value.value);
    } else if (after.live) {
      keyspace.PutIfNewer(keys[i], after.value, after.expire_at_ms, value.version);
      value.value = std::move(after.value);
      value.expire_at_ms = after.expire_at_ms;
    } else if (IsCollection(before[i].type) && held != nullptr) {
      // Its last elements went: remove what the read observed of them.
      value.collection = value.delta = true;
      (before[i].type == ValueType::kList
           ? ListDiff(held, {}, value.version, fresh)
           : DiffDelta(KindOf(before[i].type), held, before[i].elements, {}, value.version))
          .Encode(&value.value);
      value.expire_at_ms = tombstone_until;
    } else {
      value.tombstone = true;
      value.expire_at_ms = tombstone_until;
      keyspace.DeleteIfNewer(keys[i], value.version, value.expire_at_ms);
    }
    applied.changed.emplace_back(keys[i], std::move(value));
  }
  return applied;
}

// A hash, set or sorted-set command of one key that holds such a
// collection: its changes are taken from the collection's element log, not
// by comparing copies of it before and after (which, in a turn of many
// pops, cost each pop what the turn read).
ClusterRouter::LoggedKey ClusterRouter::StartLog(Keyspace& keyspace, const CommandSpec& spec,
                                                 const std::vector<std::string>& keys,
                                                 const ReplicatedCollection* held) {
  LoggedKey logged;
  if (keys.size() != 1 || held == nullptr ||
      (spec.group != "hash" && spec.group != "set" && spec.group != "sorted_set")) {
    return logged;
  }
  const Entry* e = keyspace.Find(keys[0]);
  if (e == nullptr || !e->holds_object() || TypeOf(held->kind()) != e->type ||
      e->type == ValueType::kList) {
    return logged;
  }
  DirtyKeys* log = e->object()->element_log();
  log != nullptr ? log->Reset() : e->object()->StartElementLog();
  logged.object = e->object();
  logged.type = e->type;
  logged.expire_at_ms = e->expire_at_ms;
  return logged;
}

// The change a logged command made, into `applied`; false when the log
// cannot say it (the collection was replaced, emptied, or changed whole).
bool ClusterRouter::ByLog(Keyspace& keyspace, const CommandSpec& spec, ArgList args,
                          const std::string& key, const LoggedKey& logged, const KeysRead& read,
                          int64_t tombstone_until, Applied* applied) {
  const Entry* e = keyspace.Find(key);
  // (`logged.object` may be gone: only compared until it is found there.)
  if (e == nullptr || !e->holds_object() || e->object() != logged.object ||
      e->type != logged.type || e->expire_at_ms != logged.expire_at_ms) {
    return false;
  }
  const DirtyKeys* log = e->object()->element_log();
  if (log == nullptr || log->cleared()) return false;
  if (log->empty()) return true;  // nothing changed (or the command failed)
  std::vector<std::string_view> changed;
  changed.reserve(log->size());
  log->ForEach([&](std::string_view element) { changed.push_back(element); });
  std::sort(changed.begin(), changed.end());
  changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
  const Counted counted = CountedField(spec, args);
  const ReplicatedCollection* held = read.collections[0].get();
  ReplicaValue value;
  value.found = value.collection = value.delta = true;
  value.version = node_.coordinator().NextVersion();
  ReplicatedCollection delta =
      LoggedDelta(held->kind(), held, *e->object(), e->type, changed, value.version, counted.field);
  if (counted.counts) {
    CountOn(key, counted.field, counted.by, held, read.states[0], value.version, &delta);
  } else if (delta.elements().empty()) {
    return true;  // nothing changed
  }
  value.expire_at_ms = tombstone_until;  // how long its removals are kept if they empty the key
  delta.Encode(&value.value);
  applied->changed.emplace_back(key, std::move(value));
  return true;
}

// The base a field's count goes on from is the one the read found (a
// tombstone's, if the key had none), so that every coordinator that read
// the same state counts on the same base.
void ClusterRouter::CountOn(std::string_view key, std::string_view field, const Increment& by,
                            const ReplicatedCollection* held, const ReplicaValue& read,
                            const Version& stamp, ReplicatedCollection* delta) {
  const ReplicatedElement* element = held != nullptr ? held->Find(field) : nullptr;
  Version base;
  if (element != nullptr) {
    base = element->Base(held->cleared());
  } else if (held != nullptr) {
    base = held->cleared();
  } else if (read.found) {
    base = read.version;  // a tombstone
  }
  base = std::max(base, state_.keyspace.version_floor());
  std::string shard_key(key);
  shard_key.push_back('\0');
  shard_key.append(field);
  AddCount(delta, field, element != nullptr && element->live(), base,
           counters_.Advance(shard_key, base, by), stamp);
}

}  // namespace ringcache::cluster
