// Reads of one key (GET, TTL, TYPE, ...) with their reply inlined into a
// handler of their own. The table's generic read (RunCommand: find the keys,
// collect their values, call the reply through a pointer) cost a pipelined
// GET ~60 instructions (4%) more than this; a cluster still calls the reply
// itself, over the newest replica's value.
#pragma once

#include "commands/command_context.h"
#include "commands/command_table.h"

namespace ringcache {

// REQUIRES: the row's key is args[1] alone (CommandTable checks).
template <ReadReply Reply, bool kTouches>
void ReadOneKey(CommandContext& ctx, ArgList args) {
  Keyspace& keyspace = ctx.keyspace();
  const ValueView value =
      ValueView::Of(kTouches ? keyspace.Lookup(args[1]) : keyspace.Find(args[1]));
  Reply(ctx, args, {&value, 1});
}

// A read of the key at args[1] that counts as a hit or miss and an access.
template <ReadReply Reply>
constexpr Implementation ReadsKey() {
  return {&ReadOneKey<Reply, true>, Reply, true};
}
// A read of the key at args[1] that only peeks at it.
template <ReadReply Reply>
constexpr Implementation PeeksAtKey() {
  return {&ReadOneKey<Reply, false>, Reply, false};
}

}  // namespace ringcache
