// ClusterRouter's read-modify-write route: a write that reads what it changes
// (INCR, APPEND, SET NX, RENAME, ...) is shipped whole to the first live
// replica of its keys, which applies it and returns the new states for the
// coordinator to replicate (RC.APPLY); across replica sets it runs over a
// scratch copy of its keys' newest values instead, and what changed is
// written back.
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

}  // namespace

// One read-modify-write in flight: copies of what the client sent, and what
// has been learnt so far.
struct ClusterRouter::Evaluation {
  const CommandSpec* spec = nullptr;
  std::vector<std::string> args;
  std::vector<std::string_view> views;  // of `args`, for handlers
  std::vector<std::string> keys;
  int protocol = 2;
  QuorumSettings quorum;
  ReplicaSet replicas;  // the first key's preference list
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

void ClusterRouter::RouteReadModifyWrite(CommandContext& ctx, const CommandSpec& spec,
                                         ArgList args) {
  auto eval = NewEvaluation(ctx, spec, args);
  // One replica set for all keys: one replica can apply the command whole.
  const Ring& ring = node_.ring();
  eval->replicas = ring.PreferenceList(eval->keys.front(), eval->quorum.replicas);
  const bool together = std::all_of(eval->keys.begin(), eval->keys.end(), [&](const auto& key) {
    const ReplicaSet set = ring.PreferenceList(key, eval->quorum.replicas);
    return std::equal(set.begin(), set.end(), eval->replicas.begin(), eval->replicas.end());
  });
  together ? TryApply(std::move(eval), 0) : ReadModifyWriteAcross(eval);
}

void ClusterRouter::ReadModifyWriteAcross(const std::shared_ptr<Evaluation>& eval) {
  auto gather = std::make_shared<Gather<ReplicaValue>>(eval->keys.size());
  for (size_t i = 0; i < eval->keys.size(); ++i) {
    node_.coordinator().Get(
        eval->keys[i], eval->quorum,
        [this, eval, i, gather](const Status& s, const ReplicaValueView& v) {
          if (!gather->Done(i, s, ToOwned(v))) return;
          if (!gather->error.ok()) {
            eval->Fail(gather->error);
            return;
          }
          Keyspace scratch;
          scratch.set_now_ms(state_.keyspace.now_ms());
          for (size_t k = 0; k < eval->keys.size(); ++k) {
            const ReplicaValue& value = gather->results[k];
            if (value.live()) {
              scratch.PutIfNewer(eval->keys[k], value.value, value.expire_at_ms, value.version);
            }
          }
          // Run and stamp on the scratch copy; what changed is written back.
          ReplicateApplied(eval, {}, ApplyTo(scratch, *eval->spec, eval->views, eval->protocol));
        });
  }
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
  const std::string node = node_.ring().nodes()[eval->replicas.nodes[replica]];
  if (node == node_.self_id()) {
    ReplicateApplied(eval, node,
                     ApplyTo(state_.keyspace, *eval->spec, eval->views, eval->protocol));
    return;
  }
  if (!node_.membership().IsUp(node)) {
    TryApply(std::move(eval), replica + 1);
    return;
  }
  const std::string protocol = std::to_string(eval->protocol);
  std::vector<std::string_view> args = {"RC.APPLY", protocol};
  args.insert(args.end(), eval->args.begin(), eval->args.end());
  std::string command;
  client::AppendCommand(args, &command);
  node_.peers().SendEncoded(
      node, command,
      [this, eval, node, replica](const asio::error_code& ec, std::string_view resp) {
        Applied applied;
        if (ec || !ParseApplied(resp, &applied)) {
          TryApply(eval, replica + 1);
          return;
        }
        for (const auto& [key, value] : applied.changed) node_.clock().Observe(value.version);
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
    node_.coordinator().WriteState(std::move(key), std::move(value), applied_by, eval->quorum,
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
    ReplicaValue value;
    value.found = true;
    value.version = node_.coordinator().NextVersion();
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
    ReplicaValueView value;
    if (!cursor.Bulk(&key) || !cursor.Element(&element) || !DecodeReplicaState(element, &value) ||
        !value.found) {
      return false;
    }
    out->changed.emplace_back(std::string(key), ToOwned(value));
  }
  return cursor.at_end();
}

void WriteApplied(ReplyBuilder& reply, const ClusterRouter::Applied& applied) {
  reply.ArrayHeader(1 + 2 * applied.changed.size());
  reply.Bulk(applied.reply);
  for (const auto& [key, value] : applied.changed) {
    reply.Bulk(key);
    WriteReplicaState(reply, value);
  }
}

}  // namespace ringcache::cluster
