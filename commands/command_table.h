// CommandTable: every command the node answers, as data — name, arity,
// flags, key positions, implementation and how a cluster runs it, the way
// Redis declares its commands. COMMAND, COMMAND DOCS, INFO commandstats, the
// dispatcher's checks and the cluster router all read it, so one grep of
// `Register` finds every command, and its row says everything about it.
//
// Each node builds its own table at start-up (the rows are static data; the
// table keeps its own copy of each, with that node's statistics); afterwards
// only the statistics change (event-loop thread only).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/value_view.h"
#include "types/counter_state.h"

namespace ringcache {

class CommandContext;
using ArgList = std::span<const std::string_view>;
using CommandHandler = void (*)(CommandContext& ctx, ArgList args);
// A read command's whole logic: its reply from its keys' values, one per key
// in the order CommandKeys lists them, wherever they were read — this node's
// keyspace, or the newest of R replicas in a cluster. Parses its own options.
using ReadReply = void (*)(CommandContext& ctx, ArgList args, std::span<const ValueView> values);

// Flags, named after Redis's where Redis has them.
enum CommandFlag : uint32_t {
  kWrite = 1U << 0,
  kReadOnly = 1U << 1,
  kDenyOom = 1U << 2,
  kAdmin = 1U << 3,
  kFast = 1U << 4,
  kNoAuth = 1U << 5,  // allowed before AUTH
  kLoading = 1U << 6,
  kStale = 1U << 7,
  kNoScript = 1U << 8,
  kInternal = 1U << 9,    // node-to-node only
  kNoQueue = 1U << 11,    // runs at once inside MULTI (EXEC, DISCARD, MULTI, QUIT)
  kNodeLocal = 1U << 12,  // about this node's own copy of a key: not routed in a cluster
  kBlocking = 1U << 13,   // may wait for another client's write (BLPOP, BZPOPMIN, ...)
};
// A write that may grow memory: refused over maxmemory under noeviction.
inline constexpr uint32_t kWriteOom = kWrite | kDenyOom;

// The changes of a write that replaces whole values without reading them
// (SET, MSET, DEL, ...): a cluster replicates them last-writer-wins, with no
// read first. Views into the command's arguments.
struct Overwrite {
  std::string_view key;
  std::string_view value;  // unused by a removal
  int64_t expire_at_ms = 0;
  bool remove = false;
};
struct OverwritePlan {
  std::vector<Overwrite> changes;
  // The reply once the changes are acknowledged.
  enum class Reply : uint8_t { kOk, kRemovedCount } reply = Reply::kOk;
};
enum class PlanResult : uint8_t {
  kPlanned,
  kReadModifyWrite,  // this use of the command reads the old value (SET ... NX)
  kReplied,          // the arguments are wrong; the error reply is written
};
using PlanOverwrite = PlanResult (*)(CommandContext& ctx, ArgList args, OverwritePlan* plan);

// An INCR-family command's increment of its key (args[1]), from its
// arguments; false after replying their error. A node applies it to its
// keyspace; a cluster counts it in the key's replicated counter
// (types/counter_state.h). Both reply with ReplyIncremented
// (commands/increment.h).
using PlanIncrement = bool (*)(CommandContext& ctx, ArgList args, Increment* by);

// How a command runs, as one of:
//  - a handler;
//  - for a command that only reads keys, the reply it builds from their
//    values (the table looks the keys up; a cluster asks replicas);
//  - for a write that replaces whole values, its plan (applied to this node's
//    keyspace; replicated last-writer-wins by a cluster, with no read);
//  - a handler for every use and a plan for the uses that only overwrite
//    (SET: not with NX, XX, GET or KEEPTTL);
//  - for a read of one key, its reply and a handler that inlines it
//    (commands/read_command.h: ReadsKey, PeeksAtKey);
//  - for an increment (INCR, INCRBYFLOAT, ...), its plan.
// NOLINTBEGIN(google-explicit-constructor): rows name the function alone.
struct Implementation {
  constexpr Implementation(std::nullptr_t) {}  // containers: a subcommand runs
  constexpr Implementation(CommandHandler h) : handler(h) {}
  constexpr Implementation(ReadReply r) : read(r), touches(true) {}
  constexpr Implementation(PlanOverwrite p) : overwrite(p) {}
  constexpr Implementation(CommandHandler h, PlanOverwrite p) : handler(h), overwrite(p) {}
  constexpr Implementation(CommandHandler h, ReadReply r, bool t)
      : handler(h), read(r), touches(t) {}
  constexpr Implementation(PlanIncrement i) : increment(i) {}

  CommandHandler handler = nullptr;
  ReadReply read = nullptr;
  PlanOverwrite overwrite = nullptr;
  PlanIncrement increment = nullptr;
  // Whether reading counts as a keyspace hit or miss and as an access for
  // eviction (GET does; TTL, TYPE and EXISTS only peek, as in Redis).
  bool touches = false;
};
// NOLINTEND(google-explicit-constructor)
// A read that only peeks at its keys.
constexpr Implementation Peeks(ReadReply reply) {
  Implementation run(reply);
  run.touches = false;
  return run;
}

// How a cluster node runs a command, when not as its implementation implies.
// By default: a command without keys, or flagged kNodeLocal, runs on the
// node asked; a read asks R replicas for its keys and replies from the
// merged values; an overwrite's plan is replicated; an increment counts in
// the key's replicated counter; any other command reads its keys, runs over
// their merged values, and writes back what changed (collections as the
// elements it changed). See cluster/cluster_router.h.
enum class ClusterRoute : uint8_t {
  kDefault,
  kEveryNode,    // keyspace-wide (KEYS, SCAN, DBSIZE, FLUSHALL): every member answers
  kAddElements,  // SADD, HSET, ZADD, LPUSH...: the added elements go to the replicas, no read
  kRefused,      // not offered in a cluster (yet)
  kAfterHolds,   // EXEC: runs on the node asked once this client's held keys are free
  kWatch,        // WATCH: remembers what a quorum read finds
};
inline constexpr ClusterRoute kEveryNode = ClusterRoute::kEveryNode;
inline constexpr ClusterRoute kAddsElements = ClusterRoute::kAddElements;
inline constexpr ClusterRoute kRefusedInCluster = ClusterRoute::kRefused;
inline constexpr ClusterRoute kAfterHolds = ClusterRoute::kAfterHolds;

// For commands whose keys first/last/step cannot describe (a numkeys
// argument: ZUNIONSTORE, SINTERCARD, LMPOP, EVAL): the indexes of the key
// arguments, in order. Malformed arguments give no keys; the command itself
// then refuses them.
using GetKeys = void (*)(ArgList args, std::vector<uint32_t>* indexes);

struct CommandStats {
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;
};

struct CommandSpec {
  std::string_view name;  // lower case; "config|get" for subcommands
  int arity;              // argc including the name; negative: at least -arity
  uint32_t flags;
  int first_key;  // 0: no keys
  int last_key;   // negative counts from the end (-1: last argument)
  int key_step;
  Implementation run;
  std::string_view group;  // for COMMAND DOCS: "string", "generic", "server", ...
  std::string_view since;
  std::string_view summary;
  ClusterRoute cluster = ClusterRoute::kDefault;
  std::span<const CommandSpec> subcommands = {};
  GetKeys get_keys = nullptr;
  // This node's counters for INFO commandstats; only the table's own copy of
  // a row has them.
  mutable CommandStats stats = {};
};

// Runs `spec` on this node's ctx.keyspace(): its handler, its read reply over
// the keys' values, or its overwrite plan. REQUIRES: `args` passed the
// dispatcher's checks.
inline void RunCommand(CommandContext& ctx, const CommandSpec& spec, ArgList args);

// The key arguments of a command, in argument order, repeats included.
// Allocates only for commands with a get_keys function.
class CommandKeys {
 public:
  CommandKeys(const CommandSpec& spec, ArgList args);
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  std::string_view operator[](size_t i) const { return args_[Index(i)]; }
  size_t Index(size_t i) const {
    return indexes_.empty() ? first_ + i * step_ : static_cast<size_t>(indexes_[i]);
  }

 private:
  ArgList args_;
  size_t first_ = 0;
  size_t step_ = 1;
  size_t count_ = 0;
  std::vector<uint32_t> indexes_;
};

class CommandTable {
 public:
  CommandTable();
  CommandTable(const CommandTable&) = delete;
  CommandTable& operator=(const CommandTable&) = delete;

  // Copies the row (and its subcommands' rows) into the table.
  void Register(const CommandSpec& spec);
  // Case-insensitive; nullptr for unknown names.
  const CommandSpec* Find(std::string_view name) const;
  // Find() for introspection (COMMAND INFO/DOCS): internal commands stay hidden.
  const CommandSpec* FindListed(std::string_view name) const;
  // Finds `sub` among `container`'s subcommands (case-insensitive).
  static const CommandSpec* FindSubcommand(const CommandSpec& container, std::string_view sub);

  void ResetStats();

  size_t size() const { return commands_.size(); }
  // Top-level client commands in registration order (internal ones excluded).
  const std::vector<const CommandSpec*>& commands() const { return commands_; }
  // Every command and subcommand, internal ones included, for INFO commandstats.
  template <typename Visit>
  void ForEachSpec(Visit&& visit) const {
    for (const CommandSpec& spec : rows_) {
      visit(spec);
      for (const CommandSpec& sub : spec.subcommands) visit(sub);
    }
  }

 private:
  struct CaseInsensitiveHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const;
  };
  struct CaseInsensitiveEqual {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const;
  };

  // Throws std::logic_error for a row that breaks the table's rules.
  static void CheckRow(const CommandSpec& spec);

  // The table's copies of the rows; neither moves once added.
  std::deque<CommandSpec> rows_;
  std::deque<std::vector<CommandSpec>> subcommand_rows_;  // each container's, contiguous
  std::vector<const CommandSpec*> commands_;
  std::unordered_map<std::string, const CommandSpec*, CaseInsensitiveHash, CaseInsensitiveEqual>
      by_name_;
};

// RunCommand's read or overwrite, for a row without a handler.
void RunWithoutHandler(CommandContext& ctx, const CommandSpec& spec, ArgList args);
// Tells write-behind, if ctx.keyspace() has it, that a write command may
// have changed its keys in place (a collection's element), which the
// keyspace cannot see itself.
void NoteWrittenKeys(CommandContext& ctx, const CommandSpec& spec, ArgList args);

// Inline: the dispatcher calls it for every command, and most have a handler.
inline void RunCommand(CommandContext& ctx, const CommandSpec& spec, ArgList args) {
  if (spec.run.handler != nullptr) {
    spec.run.handler(ctx, args);
  } else {
    RunWithoutHandler(ctx, spec, args);
  }
  if ((spec.flags & kWrite) != 0) NoteWrittenKeys(ctx, spec, args);
}

// Each command family registers its rows; the CommandTable constructor calls
// them all. (The cluster's own commands: cluster/cluster_commands.h.)
void RegisterConnectionCommands(CommandTable& table);
void RegisterTransactionCommands(CommandTable& table);
void RegisterKeyCommands(CommandTable& table);
void RegisterMemoryCommands(CommandTable& table);
void RegisterServerCommands(CommandTable& table);
void RegisterStringCommands(CommandTable& table);
void RegisterHashCommands(CommandTable& table);
void RegisterSetCommands(CommandTable& table);
void RegisterListCommands(CommandTable& table);
void RegisterZSetCommands(CommandTable& table);
void RegisterBitCommands(CommandTable& table);

}  // namespace ringcache
