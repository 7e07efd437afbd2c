// WATCH and EXEC through a cluster node.
//
// WATCH reads each key with the read quorum and keeps a fingerprint of what
// it found (the value and version of a string or counter, the content hash
// of a collection, whether it is live now). EXEC after a WATCH runs at the
// transaction's home: every key it watches or names must live on one
// replica set (a {hash tag} puts them there), whose lowest-id member that is
// up runs it. There, transactions on common keys run one at a time: each
// reads its watched keys again, runs nothing and answers a null array if a
// fingerprint changed, else runs its commands in order (as EXEC without
// WATCH does through a cluster node: TransactionRunner) before the next
// starts. So two clients' WATCH/GET/MULTI/SET/EXEC increments through any
// nodes never lose one. Not isolated from commands outside transactions:
// a write through another node between the check and the commands is not
// seen (docs/cluster.md, "Transactions").
#include <xxhash.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "cluster/cluster_commands.h"
#include "cluster/cluster_router.h"
#include "cluster/gather.h"
#include "cluster/reply_capture.h"
#include "commands/transaction_runner.h"
#include "common/number_parsing.h"
#include "resp/reply_builder.h"

namespace ringcache::cluster {
namespace {

uint64_t Mix(uint64_t seed, uint64_t value) { return XXH64(&value, sizeof(value), seed); }

// The keys a queued command names (none for one the table no longer has).
void AddKeysOf(const CommandTable& commands, const std::vector<std::string>& command,
               std::vector<std::string>* keys) {
  const CommandSpec* spec = commands.Find(command[0]);
  if (spec != nullptr && !spec->subcommands.empty() && command.size() > 1)
    spec = CommandTable::FindSubcommand(*spec, command[1]);
  if (spec == nullptr) return;
  const std::vector<std::string_view> args(command.begin(), command.end());
  const CommandKeys found(*spec, args);
  for (size_t i = 0; i < found.size(); ++i) keys->emplace_back(found[i]);
}

// Every key a transaction watches or names, repeats included.
std::vector<std::string> KeysOfTransaction(const CommandTable& commands,
                                           const std::vector<Session::WatchedKey>& watched,
                                           const std::vector<std::vector<std::string>>& queued) {
  std::vector<std::string> keys;
  keys.reserve(watched.size() + queued.size());
  for (const Session::WatchedKey& w : watched) keys.push_back(w.key);
  for (const auto& command : queued) AddKeysOf(commands, command, &keys);
  return keys;
}

}  // namespace

uint64_t ClusterRouter::WatchFingerprint(const ReplicaValueView& v) const {
  if (!v.found) return 0;
  const uint64_t version = Mix(v.version.hlc, v.version.node);
  if (!LiveNow(v)) return Mix(version, 1);  // deleted or expired, by whom and when
  uint64_t content = XXH64(v.value.data(), v.value.size(), v.counter ? 2 : 3);
  if (v.collection) {
    // Replicas may encode equal collections differently: their hash is the same.
    if (auto collection = ReplicatedCollection::Decode(v.value)) {
      content = collection->ContentHash();
    }
  } else {
    content = Mix(content, version);
  }
  return Mix(content, static_cast<uint64_t>(v.expire_at_ms));
}

void ClusterRouter::RouteWatch(CommandContext& ctx, ArgList args) {
  struct Watch {
    explicit Watch(size_t n) : gather(n) {}
    Gather<uint64_t> gather;
    std::vector<std::string> keys;
    DeferredReply done;
    KeyHold hold;  // EXEC waits for the fingerprints
    Session* session = nullptr;
    uint64_t session_id = 0;
  };
  auto watch = std::make_shared<Watch>(args.size() - 1);
  watch->keys.assign(args.begin() + 1, args.end());
  watch->done = ctx.Defer();
  watch->hold = KeyHold::Every(ctx.deferrer());
  watch->session = &ctx.session();
  watch->session_id = ctx.session().id;
  for (size_t i = 0; i < watch->keys.size(); ++i) {
    node_.coordinator().Get(watch->keys[i], QuorumFor(ctx),
                            [this, watch, i](const Status& s, const ReplicaValueView& v) {
                              if (!watch->gather.Done(i, s, s.ok() ? WatchFingerprint(v) : 0))
                                return;
                              std::string out;
                              ReplyBuilder reply(&out);
                              // The client may have gone meanwhile.
                              if (!watch->gather.error.ok()) {
                                reply.Error(watch->gather.error);
                              } else if (state_.clients.Find(watch->session_id) == watch->session) {
                                for (size_t k = 0; k < watch->keys.size(); ++k) {
                                  state_.clients.Watch(watch->session, watch->keys[k], 0,
                                                       watch->gather.results[k]);
                                }
                                reply.Ok();
                              }
                              watch->hold.Release();
                              watch->done(out);
                            });
  }
}

std::string ClusterRouter::TransactionHome(const std::vector<std::string>& keys) const {
  const Ring& ring = node_.ring();
  const auto sorted_set = [&](std::string_view key) {
    const ReplicaSet set = ring.PreferenceList(key, node_.quorum().replicas);
    std::vector<std::string> ids;
    for (const uint32_t index : set) ids.push_back(ring.nodes()[index]);
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  const std::vector<std::string> members = sorted_set(keys[0]);
  for (size_t i = 1; i < keys.size(); ++i) {
    if (sorted_set(keys[i]) != members) return {};
  }
  for (const std::string& id : members) {
    if (id == node_.self_id() || node_.membership().IsUp(id)) return id;
  }
  return node_.self_id();
}

void ClusterRouter::ExecWatched(CommandContext& ctx, std::vector<Session::WatchedKey> watched,
                                std::vector<std::vector<std::string>> queued) {
  const std::string home = TransactionHome(KeysOfTransaction(state_.commands, watched, queued));
  if (home.empty()) {
    ctx.reply().Error(
        "ERR a transaction with WATCH through a cluster node needs all its keys on one replica "
        "set: give them one {hash tag}");
    return;
  }
  auto hold = std::make_shared<KeyHold>(KeyHold::Every(ctx.deferrer()));
  const int protocol = ctx.session().protocol;
  auto finish = [hold, done = ctx.Defer()](std::string_view reply) {
    hold->Release();
    done(reply);
  };
  if (home == node_.self_id()) {
    ExecAtHome(ctx.deferrer(), protocol, std::move(watched), std::move(queued), std::move(finish));
    return;
  }
  // RC.EXEC (run-by-ms: SendHome's) protocol nwatched [key fingerprint]... [argc arg...]...
  std::vector<std::string> command = {"RC.EXEC", std::to_string(protocol),
                                      std::to_string(watched.size())};
  for (const Session::WatchedKey& w : watched) {
    command.push_back(w.key);
    command.push_back(std::to_string(w.fingerprint));
  }
  for (auto& queued_command : queued) {
    command.push_back(std::to_string(queued_command.size()));
    for (auto& arg : queued_command) command.push_back(std::move(arg));
  }
  const std::vector<std::string_view> views(command.begin(), command.end());
  SendHome(home, views, [finish, protocol](const Status& status, std::string_view reply) {
    if (status.ok()) {
      finish(reply);
      return;
    }
    std::string out;
    ReplyBuilder(&out, protocol).Error(status);
    finish(out);
  });
}

void ClusterRouter::ExecAtHome(const std::shared_ptr<ReplyDeferrer>& connection, int protocol,
                               std::vector<Session::WatchedKey> watched,
                               std::vector<std::vector<std::string>> queued,
                               ReplyCapture::Done done) {
  std::vector<std::string> keys = KeysOfTransaction(state_.commands, watched, queued);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  auto run = [this, keys, connection, protocol, watched = std::move(watched),
              queued = std::move(queued), done = std::move(done)]() mutable {
    auto gather = std::make_shared<Gather<uint64_t>>(watched.size());
    auto finish = [this, keys, done = std::move(done)](std::string_view reply) {
      done(reply);
      UnlockTransaction(keys);
    };
    if (watched.empty()) {  // RC.EXEC from a node that knew nothing to watch
      auto capture = std::make_shared<ReplyCapture>(connection, protocol, finish);
      capture->Start(state_, [&](CommandContext& ctx) { TransactionRunner::Start(ctx, queued); });
      return;
    }
    auto check = [this, gather, connection, protocol, watched, queued = std::move(queued), finish](
                     size_t i, const Status& s, uint64_t fingerprint) {
      if (!gather->Done(i, s, fingerprint)) return;
      std::string out;
      ReplyBuilder reply(&out, protocol);
      if (!gather->error.ok()) {
        reply.Error(gather->error);
        return finish(out);
      }
      for (size_t k = 0; k < watched.size(); ++k) {
        if (gather->results[k] != watched[k].fingerprint) {
          reply.NullArray();  // a watched key changed: nothing runs
          return finish(out);
        }
      }
      auto capture = std::make_shared<ReplyCapture>(connection, protocol, finish);
      capture->Start(state_, [&](CommandContext& ctx) { TransactionRunner::Start(ctx, queued); });
    };
    const QuorumSettings quorum = node_.quorum();
    for (size_t i = 0; i < watched.size(); ++i) {
      node_.coordinator().Get(watched[i].key, quorum,
                              [this, check, i](const Status& s, const ReplicaValueView& v) {
                                check(i, s, s.ok() ? WatchFingerprint(v) : 0);
                              });
    }
  };
  LockTransaction(std::move(keys), std::move(run));
}

void ClusterRouter::LockTransaction(std::vector<std::string> keys, std::function<void()> run) {
  const bool free = std::none_of(keys.begin(), keys.end(),
                                 [&](const std::string& k) { return exec_locked_.count(k) != 0; });
  if (!free || !exec_waiting_.empty()) {  // in order: a wide one is not starved
    exec_waiting_.push_back({std::move(keys), std::move(run)});
    return;
  }
  exec_locked_.insert(keys.begin(), keys.end());
  run();
}

void ClusterRouter::UnlockTransaction(const std::vector<std::string>& keys) {
  for (const std::string& key : keys) exec_locked_.erase(key);
  // The waiting ones in order, each once its keys are free.
  while (!exec_waiting_.empty()) {
    auto& [next_keys, run] = exec_waiting_.front();
    const bool free = std::none_of(next_keys.begin(), next_keys.end(), [&](const std::string& k) {
      return exec_locked_.count(k) != 0;
    });
    if (!free) return;
    exec_locked_.insert(next_keys.begin(), next_keys.end());
    std::function<void()> start = std::move(run);
    exec_waiting_.pop_front();
    start();
  }
}

namespace {

// RC.EXEC run-by-ms protocol nwatched [key fingerprint]... [argc arg...]...
void RcExecCommand(CommandContext& ctx, ArgList args) {
  ClusterRouter* router = ClusterRouterOrReply(ctx);
  if (router == nullptr || RefusedPastRunBy(ctx, args[1])) return;
  int64_t protocol = 0, count = 0;
  const auto malformed = [&] { ctx.reply().Error("ERR malformed RC.EXEC"); };
  if (!ParseInt64(args[2], &protocol) || !ParseInt64(args[3], &count) || count < 0 ||
      static_cast<size_t>(count) * 2 + 4 > args.size() || !ctx.can_defer()) {
    return malformed();
  }
  std::vector<Session::WatchedKey> watched(static_cast<size_t>(count));
  size_t at = 4;
  for (Session::WatchedKey& w : watched) {
    w.key = std::string(args[at]);
    if (!ParseUint64(args[at + 1], &w.fingerprint)) return malformed();
    at += 2;
  }
  std::vector<std::vector<std::string>> queued;
  while (at < args.size()) {
    uint64_t argc = 0;
    if (!ParseUint64(args[at], &argc) || argc == 0 || argc > args.size() - at - 1)
      return malformed();
    queued.emplace_back(args.begin() + static_cast<std::ptrdiff_t>(at + 1),
                        args.begin() + static_cast<std::ptrdiff_t>(at + 1 + argc));
    at += 1 + argc;
  }
  router->ExecAtHome(ctx.deferrer(), protocol == 3 ? 3 : 2, std::move(watched), std::move(queued),
                     ReplyCapture::AsBulkTo(ctx));
}

const CommandSpec kExecCommands[] = {
    {"rc.exec", -4, kInternal, 0, 0, 0, RcExecCommand, "cluster", "0.1.0",
     "Runs a transaction with WATCH at its home, after another node's client's EXEC."},
};

}  // namespace

void RegisterTransactionHomeCommands(CommandTable& table) {
  for (const CommandSpec& spec : kExecCommands) table.Register(spec);
}

}  // namespace ringcache::cluster
