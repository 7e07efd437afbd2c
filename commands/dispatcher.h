// Dispatcher: runs one parsed command — finds it in the command table, checks
// arity and authentication, calls its handler and keeps the statistics that
// INFO commandstats reports. Each check is a small named step.
#pragma once

#include <string_view>

#include "commands/command_context.h"
#include "commands/command_table.h"

namespace ringcache {

class Dispatcher {
 public:
  // Returns false when the command must wait for an earlier one of the same
  // client (a cluster read-modify-write of its keys): nothing was replied,
  // and the caller runs it again once the wait is over.
  // REQUIRES: !args.empty().
  static bool Dispatch(CommandContext& ctx, ArgList args);
  // Evicts to get under maxmemory; replies -OOM to a command that may grow
  // memory (kDenyOom) when nothing may be evicted.
  static bool CheckMemoryOrReply(CommandContext& ctx, const CommandSpec& spec);

 private:
  static const CommandSpec* ResolveOrReply(CommandContext& ctx, ArgList args);
  static bool CheckArityOrReply(CommandContext& ctx, const CommandSpec& spec, ArgList args);
  static bool CheckAuthOrReply(CommandContext& ctx, const CommandSpec& spec);
  static bool CheckPeerOrReply(CommandContext& ctx, const CommandSpec& spec);
  // -LOADING while the data store loads; -MISCONF for writes while it
  // cannot be written.
  static bool CheckPersistenceOrReply(CommandContext& ctx, const CommandSpec& spec);
  // A write while the write-behind backlog is full waits (true): its client
  // is held until the backlog shrinks.
  static bool WaitForBacklog(CommandContext& ctx, const CommandSpec& spec);
  static bool Execute(CommandContext& ctx, const CommandSpec& spec, ArgList args);
  // Inside MULTI: queues the command for EXEC; returns false if it must run now.
  static bool QueueIfInMulti(CommandContext& ctx, const CommandSpec& spec, ArgList args);
};

}  // namespace ringcache
