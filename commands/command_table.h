// CommandTable: every command the node answers, as data — name, arity,
// flags, key positions and handler, the way Redis declares its commands.
// COMMAND, COMMAND DOCS, INFO commandstats and the dispatcher's checks all
// read it, so one grep of `Register` finds every command.
//
// Built once at start-up; afterwards only the per-command statistics change
// (event-loop thread only).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ringcache {

class CommandContext;
using ArgList = std::span<const std::string_view>;
using CommandHandler = void (*)(CommandContext& ctx, ArgList args);

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
};

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
  CommandHandler handler;
  std::string_view group;  // for COMMAND DOCS: "string", "generic", "server", ...
  std::string_view since;
  std::string_view summary;
  std::span<const CommandSpec> subcommands = {};
  // Counters for INFO commandstats. Specs are static rows; only these change.
  mutable CommandStats stats = {};
};

class CommandTable {
 public:
  CommandTable();
  CommandTable(const CommandTable&) = delete;
  CommandTable& operator=(const CommandTable&) = delete;

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
  // Every command and subcommand, for INFO commandstats.
  template <typename Visit>
  void ForEachSpec(Visit&& visit) const {
    for (const CommandSpec* spec : commands_) {
      visit(*spec);
      for (const CommandSpec& sub : spec->subcommands) visit(sub);
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

  std::vector<const CommandSpec*> commands_;
  std::unordered_map<std::string, const CommandSpec*, CaseInsensitiveHash, CaseInsensitiveEqual>
      by_name_;
};

// Each command family registers its rows; command_table.cc calls them all.
void RegisterConnectionCommands(CommandTable& table);
void RegisterTransactionCommands(CommandTable& table);
void RegisterKeyCommands(CommandTable& table);
void RegisterMemoryCommands(CommandTable& table);
void RegisterServerCommands(CommandTable& table);
void RegisterStringCommands(CommandTable& table);

}  // namespace ringcache
