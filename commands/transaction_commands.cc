// MULTI / EXEC / DISCARD / WATCH / UNWATCH: commands queued on the
// connection and run together at EXEC, with nothing else running in between
// (one event-loop thread), unless a key the client WATCHes was written (or
// expired) since: then EXEC runs nothing and answers a null array. On a
// cluster node they run as this client's pipeline would (see
// commands/transaction_runner.h): other clients' commands may come between;
// after WATCH they run at their keys' home, one transaction on them at a
// time (cluster/watched_exec.cc).
#include <string>
#include <vector>

#include "commands/command_context.h"
#include "commands/command_table.h"
#include "commands/dispatcher.h"
#include "commands/router.h"
#include "commands/transaction_runner.h"

namespace ringcache {
namespace {

void ResetMulti(CommandContext& ctx) {
  Session& session = ctx.session();
  session.in_multi = false;
  session.multi_failed = false;
  session.queued.clear();
  ctx.server().clients.Unwatch(&session);
}

// Whether a watched key was written, or has expired, since WATCH.
bool WatchSpoilt(CommandContext& ctx) {
  const Session& session = ctx.session();
  if (session.watch_dirty) return true;
  for (const Session::WatchedKey& watched : session.watched) {
    if (watched.expire_at_ms != 0 && watched.expire_at_ms <= ctx.keyspace().now_ms()) return true;
  }
  return false;
}

void MultiCommand(CommandContext& ctx, ArgList /*args*/) {
  if (ctx.session().in_multi) {
    ctx.reply().Error("ERR MULTI calls can not be nested");
    return;
  }
  ctx.session().in_multi = true;
  ctx.reply().Ok();
}

void ExecCommand(CommandContext& ctx, ArgList /*args*/) {
  Session& session = ctx.session();
  if (!session.in_multi) {
    ctx.reply().Error("ERR EXEC without MULTI");
    return;
  }
  if (session.multi_failed) {
    ResetMulti(ctx);
    ctx.reply().Error("EXECABORT Transaction discarded because of previous errors.");
    return;
  }
  if (WatchSpoilt(ctx)) {
    ResetMulti(ctx);
    ctx.reply().NullArray();
    return;
  }
  std::vector<std::vector<std::string>> queued = std::move(session.queued);
  std::vector<Session::WatchedKey> watched = session.watched;
  ResetMulti(ctx);
  if (ctx.server().router != nullptr && ctx.can_defer()) {
    // A cluster node: the commands answer later; after WATCH, at their home.
    if (!watched.empty()) {
      ctx.server().router->ExecWatched(ctx, std::move(watched), std::move(queued));
    } else {
      TransactionRunner::Start(ctx, std::move(queued));
    }
    return;
  }
  ctx.reply().ArrayHeader(queued.size());
  session.in_exec = true;
  for (const std::vector<std::string>& command : queued) {
    const std::vector<std::string_view> args(command.begin(), command.end());
    Dispatcher::Dispatch(ctx, args);
  }
  session.in_exec = false;
}

void DiscardCommand(CommandContext& ctx, ArgList /*args*/) {
  if (!ctx.session().in_multi) {
    ctx.reply().Error("ERR DISCARD without MULTI");
    return;
  }
  ResetMulti(ctx);
  ctx.reply().Ok();
}

void WatchCommand(CommandContext& ctx, ArgList args) {
  if (ctx.session().in_multi) {
    ctx.reply().Error("ERR WATCH inside MULTI is not allowed");
    return;
  }
  for (size_t i = 1; i < args.size(); ++i) {
    const Entry* e = ctx.keyspace().Find(args[i]);
    ctx.server().clients.Watch(&ctx.session(), args[i], e != nullptr ? e->expire_at_ms : 0);
  }
  ctx.reply().Ok();
}

void UnwatchCommand(CommandContext& ctx, ArgList /*args*/) {
  ctx.server().clients.Unwatch(&ctx.session());
  ctx.reply().Ok();
}

const CommandSpec kTransactionCommands[] = {
    {"multi", 1, kNoQueue | kFast | kLoading | kStale, 0, 0, 0, MultiCommand, "transactions",
     "1.2.0", "Starts a transaction."},
    {"exec", 1, kNoQueue | kLoading | kStale, 0, 0, 0, ExecCommand, "transactions", "1.2.0",
     "Executes all commands in a transaction.", kAfterHolds},
    {"discard", 1, kNoQueue | kFast | kLoading | kStale, 0, 0, 0, DiscardCommand, "transactions",
     "2.0.0", "Discards a transaction."},
    {"watch", -2, kNoQueue | kFast | kLoading | kStale, 1, -1, 1, WatchCommand, "transactions",
     "2.2.0", "Monitors changes to keys to determine the execution of a transaction.",
     ClusterRoute::kWatch},
    {"unwatch", 1, kFast | kLoading | kStale, 0, 0, 0, UnwatchCommand, "transactions", "2.2.0",
     "Forgets about watched keys of a transaction."},
};

}  // namespace

void RegisterTransactionCommands(CommandTable& table) {
  for (const CommandSpec& spec : kTransactionCommands) table.Register(spec);
}

}  // namespace ringcache
