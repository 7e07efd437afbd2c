#include "commands/dispatcher.h"

#include <string>

#include "commands/blocked_clients.h"
#include "commands/router.h"
#include "common/error_texts.h"
#include "common/monotonic_clock.h"
#include "common/strings.h"

namespace ringcache {
namespace {

void RejectWith(CommandContext& ctx, std::string_view error) {
  ctx.reply().Error(error);
  ++ctx.server().stats.total_error_replies;
}

}  // namespace

bool Dispatcher::Dispatch(CommandContext& ctx, ArgList args) {
  const CommandSpec* spec = ResolveOrReply(ctx, args);
  if (spec == nullptr || !CheckArityOrReply(ctx, *spec, args) || !CheckAuthOrReply(ctx, *spec) ||
      !CheckPeerOrReply(ctx, *spec) || !CheckMemoryOrReply(ctx, *spec) ||
      !CheckPersistenceOrReply(ctx, *spec)) {
    if (spec != nullptr) ++spec->stats.rejected_calls;
    // A refused command spoils the transaction it was meant for.
    if (ctx.session().in_multi) ctx.session().multi_failed = true;
    return true;
  }
  if (QueueIfInMulti(ctx, *spec, args)) return true;
  return !WaitForBacklog(ctx, *spec) && Execute(ctx, *spec, args);
}

bool Dispatcher::CheckPersistenceOrReply(CommandContext& ctx, const CommandSpec& spec) {
  ServerState& server = ctx.server();
  if (server.loading && (spec.flags & kLoading) == 0) {
    RejectWith(ctx, "LOADING ringcache is loading the dataset in memory");
    return false;
  }
  if ((spec.flags & kWrite) == 0 || server.persistence == nullptr ||
      !server.persistence->failing()) {
    return true;
  }
  RejectWith(ctx, "MISCONF ringcache cannot write to its data directory (" +
                      server.persistence->stats().last_error +
                      "): commands that may modify the data set are disabled until it can. "
                      "Please check the log for details.");
  return false;
}

bool Dispatcher::WaitForBacklog(CommandContext& ctx, const CommandSpec& spec) {
  ServerState& server = ctx.server();
  if ((spec.flags & kWrite) == 0 || server.persistence == nullptr ||
      !server.persistence->saturated(server.keyspace.now_ms()) || !ctx.can_defer() ||
      ctx.session().in_exec) {
    return false;
  }
  auto hold = std::make_shared<KeyHold>(KeyHold::Every(ctx.deferrer()));
  server.backlog_waiters.emplace_back([hold] { hold->Release(); });
  ++server.backlog_waits;
  return true;
}

bool Dispatcher::QueueIfInMulti(CommandContext& ctx, const CommandSpec& spec, ArgList args) {
  Session& session = ctx.session();
  if (!session.in_multi || (spec.flags & kNoQueue) != 0) return false;
  session.queued.emplace_back(args.begin(), args.end());
  ctx.reply().SimpleString("QUEUED");
  return true;
}

const CommandSpec* Dispatcher::ResolveOrReply(CommandContext& ctx, ArgList args) {
  const CommandSpec* spec = ctx.server().commands.Find(args[0]);
  if (spec == nullptr) {
    // Redis's wording, which client libraries and test suites match on.
    std::string quoted;
    for (size_t i = 1; i < args.size() && quoted.size() < 128; ++i) {
      quoted += "'" + std::string(args[i].substr(0, 128 - quoted.size())) + "' ";
    }
    RejectWith(ctx, "ERR unknown command '" + std::string(args[0].substr(0, 128)) +
                        "', with args beginning with: " + quoted);
    return nullptr;
  }
  if (spec->subcommands.empty() || args.size() < 2) return spec;
  const CommandSpec* sub = CommandTable::FindSubcommand(*spec, args[1]);
  if (sub == nullptr) {
    RejectWith(ctx, "ERR unknown subcommand '" + std::string(args[1].substr(0, 128)) + "'. Try " +
                        Uppercase(spec->name) + " HELP.");
    ++spec->stats.rejected_calls;
  }
  return sub;
}

bool Dispatcher::CheckArityOrReply(CommandContext& ctx, const CommandSpec& spec, ArgList args) {
  const auto argc = static_cast<int>(args.size());
  if (spec.arity > 0 ? argc == spec.arity : argc >= -spec.arity) return true;
  RejectWith(ctx, "ERR wrong number of arguments for '" + std::string(spec.name) + "' command");
  return false;
}

bool Dispatcher::CheckAuthOrReply(CommandContext& ctx, const CommandSpec& spec) {
  if (ctx.session().authenticated || (spec.flags & kNoAuth) != 0) return true;
  RejectWith(ctx, "NOAUTH Authentication required.");
  return false;
}

bool Dispatcher::CheckPeerOrReply(CommandContext& ctx, const CommandSpec& spec) {
  if ((spec.flags & kInternal) == 0 || ctx.session().is_peer) return true;
  RejectWith(ctx, "NOPERM '" + std::string(spec.name) +
                      "' is for cluster nodes only; authenticate with RC.AUTH <cluster-secret>");
  return false;
}

bool Dispatcher::CheckMemoryOrReply(CommandContext& ctx, const CommandSpec& spec) {
  // As Redis: every command evicts when over the limit (reads take memory
  // too: replies, and in a cluster the values in flight); only commands that
  // may grow the data are refused when nothing can be evicted.
  if (ctx.server().evictor.RoomForWrite() || (spec.flags & kDenyOom) == 0) {
    return true;
  }
  RejectWith(ctx, kOomError);
  return false;
}

bool Dispatcher::Execute(CommandContext& ctx, const CommandSpec& spec, ArgList args) {
  std::string& out = *ctx.reply().buffer();
  const size_t reply_start = out.size();
  const int64_t start_us = MonotonicUs();
  Router* router = ctx.server().router;
  BlockedClients& blocked = *ctx.server().blocked;
  // A single node holds a client's keys only while it is blocked in a pop:
  // its next commands wait, as Redis leaves a blocked client's input alone.
  // (The count first: AnyHeld is a virtual call, and most nodes block no one.)
  if (router == nullptr && blocked.size() != 0 && ctx.AnyHeld()) return false;
  const Router::Outcome routed =
      router == nullptr ? Router::Outcome::kLocal : router->Route(ctx, spec, args);
  if (routed == Router::Outcome::kWait) return false;
  ctx.session().last_command = spec.name;
  if (routed == Router::Outcome::kLocal) RunCommand(ctx, spec, args);
  if (blocked.any_ready()) blocked.ServeReady(ctx.server());
  spec.stats.usec += static_cast<uint64_t>(MonotonicUs() - start_us);
  ctx.server().NoteMemoryPeak();
  ++spec.stats.calls;
  ++ctx.server().stats.total_commands_processed;
  // A reply that starts with '-' is an error: count it, as Redis does.
  const bool failed = out.size() > reply_start && out[reply_start] == '-';
  if (failed) {
    ++spec.stats.failed_calls;
    ++ctx.server().stats.total_error_replies;
  }
  if ((spec.flags & kWrite) != 0 && !failed && ctx.server().clients.any_watched()) {
    // Every write that names a watched key spoils its watchers' EXEC, even
    // one that changed nothing (Redis lets SADD of a present member pass):
    // such a transaction fails and is retried; none that should fail runs.
    const CommandKeys keys(spec, args);
    for (size_t i = 0; i < keys.size(); ++i) ctx.server().clients.TouchKey(keys[i]);
  }
  return true;
}

}  // namespace ringcache
