// Server commands: keyspace-wide operations, introspection (INFO, COMMAND,
// CONFIG) and the housekeeping commands tools send on connect.
#include <spdlog/spdlog.h>
#include <time.h>

#include <string>
#include <vector>

#include "commands/command_context.h"
#include "commands/command_helpers.h"
#include "commands/command_table.h"
#include "commands/info.h"
#include "common/fd_limit.h"
#include "common/glob.h"
#include "common/number_parsing.h"

namespace ringcache {
namespace {

constexpr int64_t kConfigSetEvictionBudgetUs = 50000;

void DbSizeCommand(CommandContext& ctx, ArgList /*args*/) {
  if (!ctx.filters_keys()) {
    ctx.reply().Integer(static_cast<int64_t>(ctx.keyspace().size()));
    return;
  }
  int64_t shown = 0;
  ctx.keyspace().ForEachLive([&](const Entry* e) { shown += ctx.Shows(e->key()) ? 1 : 0; });
  ctx.reply().Integer(shown);
}

void FlushCommand(CommandContext& ctx, ArgList args) {
  if (!CheckFlushArgsOrReply(ctx, args)) return;
  ctx.keyspace().Clear();
  ctx.server().clients.TouchAll();
  ctx.reply().Ok();
}

void TimeCommand(CommandContext& ctx, ArgList /*args*/) {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(std::to_string(ts.tv_sec));
  ctx.reply().Bulk(std::to_string(ts.tv_nsec / 1000));
}

void InfoCommand(CommandContext& ctx, ArgList args) {
  ctx.reply().Verbatim(BuildInfo(ctx.server(), args));
}

void RoleCommand(CommandContext& ctx, ArgList /*args*/) {
  ctx.reply().ArrayHeader(3);
  ctx.reply().Bulk("master");
  ctx.reply().Integer(0);
  ctx.reply().ArrayHeader(0);
}

void ConfigGetCommand(CommandContext& ctx, ArgList args) {
  const std::vector<std::string_view> patterns(args.begin() + 2, args.end());
  const auto pairs = ctx.server().config.Get(patterns);
  ctx.reply().MapHeader(pairs.size());
  for (const auto& [name, value] : pairs) {
    ctx.reply().Bulk(name);
    ctx.reply().Bulk(value);
  }
}

// More clients need more file descriptors: raise the process's limit first,
// and refuse a maxclients it cannot reach, as Redis does.
Status CheckFileLimitFor(const std::vector<std::pair<std::string_view, std::string_view>>& pairs,
                         std::string_view* culprit) {
  for (const auto& [name, value] : pairs) {
    int64_t clients = 0;
    if (!EqualsIgnoreCase(name, "maxclients") || !ParseInt64(value, &clients)) continue;
    const int64_t limit = RaiseFileLimit(clients + kReservedFds);
    if (limit >= clients + kReservedFds) continue;
    *culprit = name;
    return Status::InvalidArgument(
        "The operating system is not able to handle the specified number of clients, try with " +
        std::to_string(limit - kReservedFds));
  }
  return Status::Ok();
}

void ConfigSetCommand(CommandContext& ctx, ArgList args) {
  if (args.size() % 2 != 0) {
    ctx.reply().Error("ERR wrong number of arguments for 'config|set' command");
    return;
  }
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  for (size_t i = 2; i < args.size(); i += 2) {
    if (!ctx.server().config.IsKnown(args[i])) {
      ctx.reply().Error("ERR Unknown option or number of arguments for CONFIG SET - '" +
                        std::string(args[i]) + "'");
      return;
    }
    pairs.emplace_back(args[i], args[i + 1]);
  }
  std::string_view culprit;
  Status status = CheckFileLimitFor(pairs, &culprit);
  if (status.ok()) status = ctx.server().config.SetMany(pairs, &culprit);
  if (status.ok()) {
    for (const auto& [name, value] : pairs) {
      if (ctx.server().config.IsInertChange(name)) {
        spdlog::warn("CONFIG SET {} {}: accepted, but ringcache does not implement it", name,
                     value);
      }
    }
    // A lowered maxmemory evicts now; what this budget leaves, the cron does.
    ctx.server().ApplyMemorySettings(kConfigSetEvictionBudgetUs);
    ctx.reply().Ok();
    return;
  }
  // Name the argument that failed, as Redis does.
  ctx.reply().Error("ERR CONFIG SET failed (possibly related to argument '" + std::string(culprit) +
                    "') - " + status.message());
}

void ConfigResetStatCommand(CommandContext& ctx, ArgList /*args*/) {
  ctx.server().stats = {};
  ctx.server().keyspace.ResetStats();
  ctx.server().commands.ResetStats();
  ctx.server().peak_memory = 0;
  ctx.server().NoteMemoryPeak();
  ctx.reply().Ok();
}

void ConfigHelpCommand(CommandContext& ctx, ArgList /*args*/) {
  ReplyHelp(
      ctx, "CONFIG",
      {"GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
       "SET <directive> <value>", "    Set the configuration <directive> to <value>.", "RESETSTAT",
       "    Reset statistics reported by the INFO command."});
}

void ShutdownCommand(CommandContext& ctx, ArgList args) {
  for (size_t i = 1; i < args.size(); ++i) {
    if (Is(args[i], "abort")) {
      ctx.reply().Error("ERR No shutdown in progress.");
      return;
    }
    if (!Is(args[i], "nosave") && !Is(args[i], "save") && !Is(args[i], "now") &&
        !Is(args[i], "force")) {
      ctx.reply().Error("ERR syntax error");
      return;
    }
  }
  // Like Redis, a successful SHUTDOWN sends no reply: the connection closes.
  if (ctx.server().request_shutdown) ctx.server().request_shutdown();
  ctx.session().close_after_reply = true;
}

// Write-behind keeps the data on disk all along: SAVE writes what waits and
// syncs, BGSAVE has it written at once, LASTSAVE says when a batch last was.
persistence::WriteBehind* PersistenceOrReply(CommandContext& ctx) {
  persistence::WriteBehind* wb = ctx.server().persistence.get();
  if (wb == nullptr) {
    ctx.reply().Error("ERR persistence is off on this node (persistence off): nothing to save to");
  }
  return wb;
}

void SaveCommand(CommandContext& ctx, ArgList /*args*/) {
  persistence::WriteBehind* wb = PersistenceOrReply(ctx);
  if (wb == nullptr) return;
  const Status s = wb->Save(WallClockMs());
  s.ok() ? ctx.reply().Ok()
         : ctx.reply().Error("ERR writing to disk failed: " + std::string(s.message()));
}

void BgSaveCommand(CommandContext& ctx, ArgList args) {
  if (args.size() == 2 && !Is(args[1], "schedule")) {
    ctx.reply().Error("ERR syntax error");
    return;
  }
  persistence::WriteBehind* wb = PersistenceOrReply(ctx);
  if (wb == nullptr) return;
  wb->SaveSoon();
  ctx.reply().SimpleString("Background saving started");
}

void LastSaveCommand(CommandContext& ctx, ArgList /*args*/) {
  const persistence::WriteBehind* wb = ctx.server().persistence.get();
  const int64_t last_ms = wb != nullptr && wb->stats().last_flush_ms != 0
                              ? wb->stats().last_flush_ms
                              : ctx.server().start_time_ms;
  ctx.reply().Integer(last_ms / 1000);
}

void DebugCommand(CommandContext& ctx, ArgList /*args*/) {
  ctx.reply().Error(
      "ERR DEBUG command not allowed. ringcache does not implement DEBUG; it behaves like a "
      "Redis with enable-debug-command set to 'no'.");
}

void OkCommand(CommandContext& ctx, ArgList /*args*/) { ctx.reply().Ok(); }

void EmptyArrayCommand(CommandContext& ctx, ArgList /*args*/) { ctx.reply().ArrayHeader(0); }

// --- COMMAND -------------------------------------------------------------

void ReplyFlags(CommandContext& ctx, uint32_t flags) {
  static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
      {kWrite, "write"},       {kReadOnly, "readonly"}, {kDenyOom, "denyoom"}, {kAdmin, "admin"},
      {kNoScript, "noscript"}, {kBlocking, "blocking"}, {kLoading, "loading"}, {kStale, "stale"},
      {kFast, "fast"},         {kNoAuth, "no_auth"},
  };
  size_t count = 0;
  for (const auto& [bit, name] : kNames) count += (flags & bit) != 0 ? 1 : 0;
  ctx.reply().SetHeader(count);
  for (const auto& [bit, name] : kNames) {
    if ((flags & bit) != 0) ctx.reply().SimpleString(name);
  }
}

void ReplyCommandInfo(CommandContext& ctx, const CommandSpec& spec) {
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(10);
  r.Bulk(spec.name);
  r.Integer(spec.arity);
  ReplyFlags(ctx, spec.flags);
  r.Integer(spec.first_key);
  r.Integer(spec.last_key);
  r.Integer(spec.key_step);
  r.SetHeader(0);    // ACL categories
  r.SetHeader(0);    // tips
  r.ArrayHeader(0);  // key specs
  r.ArrayHeader(spec.subcommands.size());
  for (const CommandSpec& sub : spec.subcommands) ReplyCommandInfo(ctx, sub);
}

void ReplyCommandDocs(CommandContext& ctx, const CommandSpec& spec) {
  ReplyBuilder& r = ctx.reply();
  const bool has_subcommands = !spec.subcommands.empty();
  r.MapHeader(has_subcommands ? 4 : 3);
  r.Bulk("summary");
  r.Bulk(spec.summary);
  r.Bulk("since");
  r.Bulk(spec.since);
  r.Bulk("group");
  r.Bulk(spec.group);
  if (!has_subcommands) return;
  r.Bulk("subcommands");
  r.MapHeader(spec.subcommands.size());
  for (const CommandSpec& sub : spec.subcommands) {
    r.Bulk(sub.name);
    ReplyCommandDocs(ctx, sub);
  }
}

void CommandCommand(CommandContext& ctx, ArgList /*args*/) {
  const auto& all = ctx.server().commands.commands();
  ctx.reply().ArrayHeader(all.size());
  for (const CommandSpec* spec : all) ReplyCommandInfo(ctx, *spec);
}

// COMMAND GETKEYS <command> [arg ...]: the keys the command would touch, by
// the table's key positions or its get_keys (what cluster routing uses).
void CommandGetKeysCommand(CommandContext& ctx, ArgList args) {
  const ArgList command = args.subspan(2);
  const CommandSpec* spec = ctx.server().commands.FindListed(command[0]);
  if (spec != nullptr && !spec->subcommands.empty() && command.size() > 1) {
    spec = CommandTable::FindSubcommand(*spec, command[1]);
  }
  if (spec == nullptr) {
    ctx.reply().Error("ERR Invalid command specified");
    return;
  }
  const auto argc = static_cast<int>(command.size());
  if (spec->arity > 0 ? argc != spec->arity : argc < -spec->arity) {
    ctx.reply().Error("ERR Invalid number of arguments specified for command");
    return;
  }
  const CommandKeys keys(*spec, command);
  if (keys.empty()) {
    ctx.reply().Error("ERR The command has no key arguments");
    return;
  }
  ctx.reply().ArrayHeader(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) ctx.reply().Bulk(keys[i]);
}

void CommandCountCommand(CommandContext& ctx, ArgList /*args*/) {
  ctx.reply().Integer(static_cast<int64_t>(ctx.server().commands.size()));
}

void CommandInfoCommand(CommandContext& ctx, ArgList args) {
  if (args.size() == 2) return CommandCommand(ctx, args);
  ctx.reply().ArrayHeader(args.size() - 2);
  for (size_t i = 2; i < args.size(); ++i) {
    const CommandSpec* spec = ctx.server().commands.FindListed(args[i]);
    if (spec == nullptr) {
      ctx.reply().NullArray();
    } else {
      ReplyCommandInfo(ctx, *spec);
    }
  }
}

void CommandDocsCommand(CommandContext& ctx, ArgList args) {
  std::vector<const CommandSpec*> specs;
  if (args.size() == 2) {
    specs = ctx.server().commands.commands();
  } else {
    for (size_t i = 2; i < args.size(); ++i) {
      if (const CommandSpec* spec = ctx.server().commands.FindListed(args[i]))
        specs.push_back(spec);
    }
  }
  ctx.reply().MapHeader(specs.size());
  for (const CommandSpec* spec : specs) {
    ctx.reply().Bulk(spec->name);
    ReplyCommandDocs(ctx, *spec);
  }
}

void CommandListCommand(CommandContext& ctx, ArgList args) {
  std::string_view pattern = "*";
  if (args.size() == 5 && Is(args[2], "filterby") && Is(args[3], "pattern")) {
    pattern = args[4];
  } else if (args.size() == 5 && Is(args[2], "filterby") &&
             (Is(args[3], "module") || Is(args[3], "aclcat"))) {
    pattern = "";  // no modules, and ACL categories are not tracked
  } else if (args.size() != 2) {
    ctx.reply().Error("ERR syntax error");
    return;
  }
  std::vector<std::string_view> names;
  for (const CommandSpec* spec : ctx.server().commands.commands()) {
    if (GlobMatch(pattern, spec->name, true)) names.push_back(spec->name);
    for (const CommandSpec& sub : spec->subcommands) {
      if (GlobMatch(pattern, sub.name, true)) names.push_back(sub.name);
    }
  }
  ctx.reply().ArrayHeader(names.size());
  for (std::string_view name : names) ctx.reply().Bulk(name);
}

void CommandHelpCommand(CommandContext& ctx, ArgList /*args*/) {
  ReplyHelp(ctx, "COMMAND",
            {"(no subcommand)", "    Return details about all commands.", "COUNT",
             "    Return the total number of commands.", "DOCS [<command-name> ...]",
             "    Return documentation details about the given commands, or all.",
             "INFO [<command-name> ...]", "    Return details about the given commands, or all.",
             "GETKEYS <full-command>", "    Return the keys from a full Redis command.",
             "LIST [FILTERBY (MODULE <name>|ACLCAT <cat>|PATTERN <pattern>)]",
             "    Return a list of all command names."});
}

const CommandSpec kCommandSubcommands[] = {
    {"command|getkeys", -3, kLoading | kStale, 0, 0, 0, CommandGetKeysCommand, "server", "2.8.13",
     "Extracts the key names from an arbitrary command."},
    {"command|count", 2, kLoading | kStale, 0, 0, 0, CommandCountCommand, "server", "2.8.13",
     "Returns a count of commands."},
    {"command|info", -2, kLoading | kStale, 0, 0, 0, CommandInfoCommand, "server", "2.8.13",
     "Returns information about one, multiple or all commands."},
    {"command|docs", -2, kLoading | kStale, 0, 0, 0, CommandDocsCommand, "server", "7.0.0",
     "Returns documentary information about one, multiple or all commands."},
    {"command|list", -2, kLoading | kStale, 0, 0, 0, CommandListCommand, "server", "7.0.0",
     "Returns a list of command names."},
    {"command|help", 2, kLoading | kStale, 0, 0, 0, CommandHelpCommand, "server", "5.0.0",
     "Returns helpful text about the different subcommands."},
};

const CommandSpec kConfigSubcommands[] = {
    {"config|get", -3, kAdmin | kNoScript | kLoading | kStale, 0, 0, 0, ConfigGetCommand, "server",
     "2.0.0", "Returns the effective values of configuration parameters."},
    {"config|set", -4, kAdmin | kNoScript | kLoading | kStale, 0, 0, 0, ConfigSetCommand, "server",
     "2.0.0", "Sets configuration parameters in-flight."},
    {"config|resetstat", 2, kAdmin | kNoScript | kLoading | kStale, 0, 0, 0, ConfigResetStatCommand,
     "server", "2.0.0", "Resets the server's statistics."},
    {"config|help", 2, kLoading | kStale, 0, 0, 0, ConfigHelpCommand, "server", "5.0.0",
     "Returns helpful text about the different subcommands."},
};

// No scripting or functions exist, so flushing them succeeds trivially and
// listing them returns nothing — what a Redis with none loaded answers.
void FunctionHelpCommand(CommandContext& ctx, ArgList /*args*/) {
  ReplyHelp(ctx, "FUNCTION",
            {"LIST", "    Return the function libraries: none, as ringcache runs no functions yet.",
             "FLUSH [ASYNC|SYNC]", "    Delete all libraries (there are none)."});
}

void ScriptHelpCommand(CommandContext& ctx, ArgList /*args*/) {
  ReplyHelp(
      ctx, "SCRIPT",
      {"FLUSH [ASYNC|SYNC]", "    Flush the script cache (empty: ringcache runs no scripts yet)."});
}

const CommandSpec kFunctionSubcommands[] = {
    {"function|flush", -2, kWrite | kNoScript, 0, 0, 0, OkCommand, "scripting", "7.0.0",
     "Deletes all libraries and functions."},
    {"function|list", -2, kNoScript, 0, 0, 0, EmptyArrayCommand, "scripting", "7.0.0",
     "Returns information about all libraries."},
    {"function|help", 2, kLoading | kStale, 0, 0, 0, FunctionHelpCommand, "scripting", "7.0.0",
     "Returns helpful text about the different subcommands."},
};

const CommandSpec kScriptSubcommands[] = {
    {"script|flush", -2, kNoScript, 0, 0, 0, OkCommand, "scripting", "2.6.0",
     "Removes all server-side Lua scripts from the script cache."},
    {"script|help", 2, kLoading | kStale, 0, 0, 0, ScriptHelpCommand, "scripting", "5.0.0",
     "Returns helpful text about the different subcommands."},
};

const CommandSpec kServerCommands[] = {
    {"dbsize", 1, kReadOnly | kFast, 0, 0, 0, DbSizeCommand, "server", "1.0.0",
     "Returns the number of keys in the database.", kEveryNode},
    {"flushall", -1, kWrite, 0, 0, 0, FlushCommand, "server", "1.0.0",
     "Removes all keys from all databases.", kEveryNode},
    {"flushdb", -1, kWrite, 0, 0, 0, FlushCommand, "server", "1.0.0",
     "Remove all keys from the current database.", kEveryNode},
    {"time", 1, kLoading | kStale | kFast, 0, 0, 0, TimeCommand, "server", "2.6.0",
     "Returns the server time."},
    {"info", -1, kLoading | kStale, 0, 0, 0, InfoCommand, "server", "1.0.0",
     "Returns information and statistics about the server."},
    {"role", 1, kNoScript | kLoading | kStale | kFast, 0, 0, 0, RoleCommand, "server", "2.8.12",
     "Returns the replication role."},
    {"shutdown", -1, kAdmin | kNoScript | kLoading | kStale, 0, 0, 0, ShutdownCommand, "server",
     "1.0.0", "Synchronously saves the database(s) to disk and shuts down the Redis server."},
    {"save", 1, kAdmin | kNoScript, 0, 0, 0, SaveCommand, "server", "1.0.0",
     "Synchronously saves the database(s) to disk."},
    {"bgsave", -1, kAdmin | kNoScript, 0, 0, 0, BgSaveCommand, "server", "1.0.0",
     "Asynchronously saves the database(s) to disk."},
    {"lastsave", 1, kLoading | kStale | kFast, 0, 0, 0, LastSaveCommand, "server", "1.0.0",
     "Returns the Unix timestamp of the last successful save to disk."},
    {"debug", -2, kAdmin | kNoScript | kLoading | kStale, 0, 0, 0, DebugCommand, "server", "1.0.0",
     "A container for debugging commands."},
    {"command", -1, kLoading | kStale, 0, 0, 0, CommandCommand, "server", "2.8.13",
     "Returns detailed information about all commands.", ClusterRoute::kDefault,
     kCommandSubcommands},
    {"config", -2, 0, 0, 0, 0, nullptr, "server", "2.0.0",
     "A container for server configuration commands.", ClusterRoute::kDefault, kConfigSubcommands},
    {"function", -2, 0, 0, 0, 0, nullptr, "scripting", "7.0.0",
     "A container for function commands.", ClusterRoute::kDefault, kFunctionSubcommands},
    {"script", -2, 0, 0, 0, 0, nullptr, "scripting", "2.6.0",
     "A container for Lua scripts management commands.", ClusterRoute::kDefault,
     kScriptSubcommands},
};

}  // namespace

void RegisterServerCommands(CommandTable& table) {
  for (const CommandSpec& spec : kServerCommands) table.Register(spec);
}

}  // namespace ringcache
