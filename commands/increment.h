// The INCR family (INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT) in one place:
// each command is its plan (the increment its arguments ask for); a node
// applies it to its keyspace, a cluster to the merged value of the key's
// replicated counter, and both reply through ReplyIncremented.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "commands/command_context.h"
#include "commands/command_table.h"
#include "common/status.h"
#include "resp/reply_builder.h"

namespace ringcache {

// What an increment leaves: the value's new text, and for INCR and the
// like the integer they reply with.
struct Incremented {
  std::string text;
  int64_t integer = 0;
};
// `by` applied to `current` (nullopt: the key holds nothing), or the error.
Result<Incremented> ApplyIncrement(const std::optional<std::string_view>& current,
                                   const Increment& by);
// The reply: the new integer, INCRBYFLOAT's text, or the error.
void ReplyIncremented(ReplyBuilder& reply, const Increment& by, const Result<Incremented>& result);

// RunCommand's way with a row that is an increment: this node's keyspace.
void IncrementLocally(CommandContext& ctx, const CommandSpec& spec, ArgList args);

}  // namespace ringcache
