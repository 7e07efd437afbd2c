// MULTI / EXEC / DISCARD: commands queued on the connection and run together
// at EXEC, with nothing else running in between (one event-loop thread). On
// a cluster node they run as this client's pipeline would (see
// commands/transaction_runner.h): other clients' commands may come between.
// WATCH is not offered yet: without it a transaction is still atomic, and
// refusing WATCH is better than pretending to watch.
#include <string>
#include <vector>

#include "commands/command_context.h"
#include "commands/command_table.h"
#include "commands/dispatcher.h"
#include "commands/transaction_runner.h"

namespace ringcache {
namespace {

void ResetMulti(Session& session) {
  session.in_multi = false;
  session.multi_failed = false;
  session.queued.clear();
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
    ResetMulti(session);
    ctx.reply().Error("EXECABORT Transaction discarded because of previous errors.");
    return;
  }
  std::vector<std::vector<std::string>> queued = std::move(session.queued);
  ResetMulti(session);
  if (ctx.server().router != nullptr && ctx.can_defer()) {
    // A cluster node: the commands answer later.
    TransactionRunner::Start(ctx, std::move(queued));
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
  ResetMulti(ctx.session());
  ctx.reply().Ok();
}

void WatchCommand(CommandContext& ctx, ArgList /*args*/) {
  ctx.reply().Error(
      "ERR WATCH is not supported by ringcache yet (MULTI/EXEC without WATCH works on a single "
      "node)");
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
     kRefusedInCluster},
};

}  // namespace

void RegisterTransactionCommands(CommandTable& table) {
  for (const CommandSpec& spec : kTransactionCommands) table.Register(spec);
}

}  // namespace ringcache
