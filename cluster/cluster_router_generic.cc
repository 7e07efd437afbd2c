// The general routes of ClusterRouter: key commands without a direct route
// run on scratch copies of their keys (reads, and writes across replica
// sets), or are shipped to the key's first live replica (writes).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "client/sync_client.h"
#include "cluster/cluster_router.h"
#include "cluster/gather.h"
#include "resp/reply_builder.h"

namespace ringcache::cluster {
namespace {

// A key's value as commands see it: absent, or a string with an expiry.
struct KeyState {
  bool live = false;
  std::string value;
  int64_t expire_at_ms = 0;

  bool operator==(const KeyState&) const = default;
};

KeyState StateOf(Keyspace& keyspace, std::string_view key) {
  KeyState state;
  if (const Entry* e = keyspace.Find(key)) {
    state.live = true;
    state.value.assign(e->value());
    state.expire_at_ms = e->expire_at_ms;
  }
  return state;
}

// The distinct keys of a command, by its key positions.
std::vector<std::string> KeysOf(const CommandSpec& spec, ArgList args) {
  std::vector<std::string> keys;
  const auto argc = static_cast<int>(args.size());
  const int last = spec.last_key < 0 ? argc + spec.last_key : std::min(spec.last_key, argc - 1);
  for (int i = spec.first_key; i <= last && i < argc; i += std::max(1, spec.key_step)) {
    std::string key(args[static_cast<size_t>(i)]);
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
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
  spec.handler(ctx, args);
  return out;
}

}  // namespace

// One general-route command in flight: copies of what the client sent, and
// what has been learnt so far.
struct ClusterRouter::Evaluation {
  const CommandSpec* spec = nullptr;
  std::vector<std::string> args;
  std::vector<std::string_view> views;  // of `args`, for handlers
  std::vector<std::string> keys;
  std::vector<cluster::ReplicaValue> values;  // newest per key, after ReadKeys
  int protocol = 2;
  cluster::QuorumSettings quorum;
  cluster::ReplicaSet replicas;  // the first key's preference list (writes)
  DeferredReply done;

  void Fail(const Status& status) const {
    std::string out;
    ReplyBuilder(&out).Error(status);
    done(std::move(out));
  }
};

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
  return eval;
}

void ClusterRouter::RouteByKeys(CommandContext& ctx, const CommandSpec& spec, ArgList args) {
  auto eval = NewEvaluation(ctx, spec, args);
  if ((spec.flags & kReadOnly) != 0) {
    ReadThenRun(eval);
    return;
  }
  // One replica set for all keys: one replica can apply the command whole.
  eval->replicas = ring_.PreferenceList(eval->keys.front(), eval->quorum.replicas);
  const bool together = std::all_of(eval->keys.begin(), eval->keys.end(), [&](const auto& key) {
    const cluster::ReplicaSet set = ring_.PreferenceList(key, eval->quorum.replicas);
    return std::equal(set.begin(), set.end(), eval->replicas.begin(), eval->replicas.end());
  });
  together ? TryApply(std::move(eval), 0) : ReadModifyWrite(eval);
}

void ClusterRouter::ReadKeys(const std::shared_ptr<Evaluation>& eval,
                             std::function<void(std::shared_ptr<Evaluation>)> next) {
  auto gather = std::make_shared<Gather<cluster::ReplicaValue>>(eval->keys.size());
  auto then = std::make_shared<std::function<void(std::shared_ptr<Evaluation>)>>(std::move(next));
  for (size_t i = 0; i < eval->keys.size(); ++i) {
    coordinator_.Get(eval->keys[i], eval->quorum,
                     [eval, i, gather, then](const Status& s, const cluster::ReplicaValueView& v) {
                       if (!gather->Done(i, s, cluster::ToOwned(v))) return;
                       if (!gather->error.ok()) {
                         eval->Fail(gather->error);
                         return;
                       }
                       eval->values = std::move(gather->results);
                       (*then)(eval);
                     });
  }
}

namespace {

std::shared_ptr<Keyspace> ScratchWith(const std::vector<std::string>& keys,
                                      const std::vector<cluster::ReplicaValue>& values) {
  auto scratch = std::make_shared<Keyspace>();
  scratch->set_now_ms(WallClockMs());
  for (size_t i = 0; i < keys.size(); ++i) {
    const cluster::ReplicaValue& v = values[i];
    if (v.live()) scratch->PutIfNewer(keys[i], v.value, v.expire_at_ms, v.version);
  }
  return scratch;
}

}  // namespace

void ClusterRouter::ReadThenRun(const std::shared_ptr<Evaluation>& eval) {
  ReadKeys(eval, [this](const std::shared_ptr<Evaluation>& e) {
    const auto scratch = ScratchWith(e->keys, e->values);
    e->done(RunOn(state_, *scratch, *e->spec, e->views, e->protocol));
  });
}

void ClusterRouter::ReadModifyWrite(const std::shared_ptr<Evaluation>& eval) {
  ReadKeys(eval, [this](const std::shared_ptr<Evaluation>& e) {
    const auto scratch = ScratchWith(e->keys, e->values);
    // Run and stamp on the scratch copy; what changed is written back.
    ReplicateApplied(e, {}, ApplyTo(*scratch, *e->spec, e->views, e->protocol));
  });
}

// The first live replica applies the command, so concurrent INCRs of a key
// through different nodes meet on one replica and none is lost. If it cannot
// be reached the next one takes over (a command whose reply was lost in
// transit may then be applied twice).
void ClusterRouter::TryApply(std::shared_ptr<Evaluation> eval, size_t replica) {
  if (replica == eval->replicas.size) {
    eval->Fail(Status::Unavailable("no replica of the key could apply the command"));
    return;
  }
  const std::string node = ring_.nodes()[eval->replicas.nodes[replica]];
  if (node == self_id_) {
    ReplicateApplied(eval, node,
                     ApplyTo(state_.keyspace, *eval->spec, eval->views, eval->protocol));
    return;
  }
  if (!membership_.IsUp(node)) {
    TryApply(std::move(eval), replica + 1);
    return;
  }
  const std::string protocol = std::to_string(eval->protocol);
  std::vector<std::string_view> args = {"RC.APPLY", protocol};
  args.insert(args.end(), eval->args.begin(), eval->args.end());
  std::string command;
  client::AppendCommand(args, &command);
  peers_.SendEncoded(
      node, command,
      [this, eval, node, replica](const asio::error_code& ec, std::string_view resp) {
        Applied applied;
        if (ec || !ParseApplied(resp, &applied)) {
          TryApply(eval, replica + 1);
          return;
        }
        for (const auto& [key, value] : applied.changed) clock_.Observe(value.version);
        ReplicateApplied(eval, node, std::move(applied));
      });
}

void ClusterRouter::ReplicateApplied(const std::shared_ptr<Evaluation>& eval,
                                     const std::string& applied_by, Applied applied) {
  if (applied.changed.empty()) {
    eval->done(std::move(applied.reply));
    return;
  }
  auto gather = std::make_shared<Gather<bool>>(applied.changed.size());
  auto reply = std::make_shared<std::string>(std::move(applied.reply));
  for (size_t i = 0; i < applied.changed.size(); ++i) {
    auto& [key, value] = applied.changed[i];
    coordinator_.WriteState(std::move(key), std::move(value), applied_by, eval->quorum,
                            [eval, i, gather, reply](const Status& s, bool) {
                              if (!gather->Done(i, s, true)) return;
                              gather->error.ok() ? eval->done(std::move(*reply))
                                                 : eval->Fail(gather->error);
                            });
  }
}

ClusterRouter::Applied ClusterRouter::ApplyLocally(const CommandSpec& spec, ArgList args,
                                                   int protocol) {
  return ApplyTo(state_.keyspace, spec, args, protocol);
}

ClusterRouter::Applied ClusterRouter::ApplyTo(Keyspace& keyspace, const CommandSpec& spec,
                                              ArgList args, int protocol) {
  const std::vector<std::string> keys = KeysOf(spec, args);
  std::vector<KeyState> before;
  before.reserve(keys.size());
  for (const std::string& key : keys) before.push_back(StateOf(keyspace, key));
  Applied applied;
  applied.reply = RunOn(state_, keyspace, spec, args, protocol);
  const int64_t grace_ms = state_.config.values().tombstone_grace * 1000;
  for (size_t i = 0; i < keys.size(); ++i) {
    KeyState after = StateOf(keyspace, keys[i]);
    if (after == before[i]) continue;
    cluster::ReplicaValue value;
    value.found = true;
    value.version = coordinator_.NextVersion();
    if (after.live) {
      keyspace.PutIfNewer(keys[i], after.value, after.expire_at_ms, value.version);
      value.value = std::move(after.value);
      value.expire_at_ms = after.expire_at_ms;
    } else {
      value.tombstone = true;
      value.expire_at_ms = WallClockMs() + grace_ms;
      keyspace.DeleteIfNewer(keys[i], value.version, value.expire_at_ms);
    }
    applied.changed.emplace_back(keys[i], std::move(value));
  }
  return applied;
}

bool ParseApplied(std::string_view resp, ClusterRouter::Applied* out) {
  client::RespCursor cursor(resp);
  int64_t count = 0;
  std::string_view client_reply;
  if (!cursor.ArrayHeader(&count) || count < 1 || (count - 1) % 2 != 0 ||
      !cursor.Bulk(&client_reply)) {
    return false;
  }
  out->reply.assign(client_reply);
  out->changed.clear();
  for (int64_t i = 1; i < count; i += 2) {
    std::string_view key;
    std::string_view element;
    cluster::ReplicaValueView value;
    if (!cursor.Bulk(&key) || !cursor.Element(&element) ||
        !cluster::DecodeReplicaState(element, &value) || !value.found) {
      return false;
    }
    out->changed.emplace_back(std::string(key), cluster::ToOwned(value));
  }
  return cursor.at_end();
}

void WriteApplied(ReplyBuilder& reply, const ClusterRouter::Applied& applied) {
  reply.ArrayHeader(1 + 2 * applied.changed.size());
  reply.Bulk(applied.reply);
  for (const auto& [key, value] : applied.changed) {
    reply.Bulk(key);
    cluster::WriteReplicaState(reply, value);
  }
}

}  // namespace ringcache::cluster
