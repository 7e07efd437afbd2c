// OBJECT and MEMORY: what one key costs and how it has been used, as the
// evictor sees it. They look at this node's own copy of the key without
// touching it (reading its idle time must not reset it); in a cluster that
// is the copy of whichever node is asked (RING REPLICAS shows which hold it).
#include <string>

#include "commands/command_context.h"
#include "commands/command_helpers.h"
#include "commands/command_table.h"
#include "common/number_parsing.h"

namespace ringcache {
namespace {

constexpr std::string_view kNoFrequencyError =
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
    "that when switching between policies at runtime LRU and LFU data will take some time to "
    "adjust.";

// The live entry for the key argument; replies nil and returns nullptr if none.
const Entry* EntryOrReplyNil(CommandContext& ctx, std::string_view key) {
  const Entry* e = ctx.keyspace().Find(key);
  if (e == nullptr) ctx.reply().Null();
  return e;
}

// Redis's string encodings, so that tools reading them see familiar names:
// all values are stored the same way here, inline in the key's allocation.
std::string_view StringEncoding(std::string_view value) {
  int64_t n = 0;
  if (value.size() <= 20 && ParseInt64(value, &n)) return "int";
  return value.size() <= 44 ? "embstr" : "raw";
}

void ObjectEncodingCommand(CommandContext& ctx, ArgList args) {
  if (const Entry* e = EntryOrReplyNil(ctx, args[2])) {
    ctx.reply().Bulk(e->holds_object() ? e->object()->encoding() : StringEncoding(e->value()));
  }
}

void ObjectRefcountCommand(CommandContext& ctx, ArgList args) {
  if (EntryOrReplyNil(ctx, args[2]) != nullptr) ctx.reply().Integer(1);
}

void ObjectIdletimeCommand(CommandContext& ctx, ArgList args) {
  if (const Entry* e = EntryOrReplyNil(ctx, args[2])) {
    ctx.reply().Integer(static_cast<int64_t>(ctx.keyspace().IdleMs(e) / 1000));
  }
}

void ObjectFreqCommand(CommandContext& ctx, ArgList args) {
  if (!ctx.keyspace().access_tracking().lfu) {
    ctx.reply().Error(kNoFrequencyError);
    return;
  }
  if (const Entry* e = EntryOrReplyNil(ctx, args[2])) {
    ctx.reply().Integer(ctx.keyspace().DecayedFrequency(e));
  }
}

void ObjectHelpCommand(CommandContext& ctx, ArgList /*args*/) {
  ReplyHelp(
      ctx, "OBJECT",
      {"ENCODING <key>", "    Return the kind of internal representation used to store the value.",
       "FREQ <key>", "    Return the access frequency index of the key (LFU policies only).",
       "IDLETIME <key>", "    Return the idle time of the key, in seconds.", "REFCOUNT <key>",
       "    Return the number of references of the value."});
}

// MEMORY USAGE <key> [SAMPLES <count>]: SAMPLES is accepted for Redis's
// sake; a string's size is exact, nothing is sampled.
void MemoryUsageCommand(CommandContext& ctx, ArgList args) {
  int64_t samples = 0;
  if (args.size() == 5 && Is(args[3], "samples")) {
    if (!ParseInt64OrReply(ctx, args[4], &samples)) return;
  } else if (args.size() != 3) {
    ctx.reply().Error("ERR syntax error");
    return;
  }
  if (const Entry* e = EntryOrReplyNil(ctx, args[2])) {
    ctx.reply().Integer(static_cast<int64_t>(Keyspace::MemoryUsage(e)));
  }
}

void MemoryHelpCommand(CommandContext& ctx, ArgList /*args*/) {
  ReplyHelp(ctx, "MEMORY",
            {"USAGE <key> [SAMPLES <count>]",
             "    Return memory in bytes used by <key> and its value: its allocation, as the",
             "    allocator sized it, and its slot in the key index."});
}

const CommandSpec kObjectSubcommands[] = {
    {"object|encoding", 3, kReadOnly, 2, 2, 1, ObjectEncodingCommand, "generic",
     "2.2.3", "Returns the internal encoding of a Redis object."},
    {"object|freq", 3, kReadOnly | kNodeLocal, 2, 2, 1, ObjectFreqCommand, "generic", "4.0.0",
     "Returns the logarithmic access frequency counter of a Redis object."},
    {"object|idletime", 3, kReadOnly | kNodeLocal, 2, 2, 1, ObjectIdletimeCommand, "generic",
     "2.2.3", "Returns the time since the last access to a Redis object."},
    {"object|refcount", 3, kReadOnly | kNodeLocal, 2, 2, 1, ObjectRefcountCommand, "generic",
     "2.2.3", "Returns the reference count of a value of a key."},
    {"object|help", 2, kLoading | kStale, 0, 0, 0, ObjectHelpCommand, "generic", "6.2.0",
     "Returns helpful text about the different subcommands."},
};

const CommandSpec kMemorySubcommands[] = {
    {"memory|usage", -3, kReadOnly | kNodeLocal, 2, 2, 1, MemoryUsageCommand, "server", "4.0.0",
     "Estimates the memory usage of a key."},
    {"memory|help", 2, kLoading | kStale, 0, 0, 0, MemoryHelpCommand, "server", "4.0.0",
     "Returns helpful text about the different subcommands."},
};

const CommandSpec kMemoryCommands[] = {
    {"object", -2, 0, 0, 0, 0, nullptr, "generic", "2.2.3",
     "A container for object introspection commands.", ClusterRoute::kDefault, kObjectSubcommands},
    {"memory", -2, 0, 0, 0, 0, nullptr, "server", "4.0.0",
     "A container for memory diagnostics commands.", ClusterRoute::kDefault, kMemorySubcommands},
};

}  // namespace

void RegisterMemoryCommands(CommandTable& table) {
  for (const CommandSpec& spec : kMemoryCommands) table.Register(spec);
}

}  // namespace ringcache
