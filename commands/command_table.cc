#include "commands/command_table.h"

#include <stdexcept>
#include <string>

#include "commands/command_context.h"
#include "commands/increment.h"
#include "common/strings.h"

namespace ringcache {
namespace {

ValueView LookUp(Keyspace& keyspace, const CommandSpec& spec, std::string_view key) {
  return ValueView::Of(spec.run.touches ? keyspace.Lookup(key) : keyspace.Find(key));
}

void RunLocalRead(CommandContext& ctx, const CommandSpec& spec, ArgList args) {
  Keyspace& keyspace = ctx.keyspace();
  if (spec.first_key == spec.last_key && spec.get_keys == nullptr) {  // one key: GET, TTL, ...
    const ValueView value = LookUp(keyspace, spec, args[static_cast<size_t>(spec.first_key)]);
    spec.run.read(ctx, args, {&value, 1});
    return;
  }
  const CommandKeys keys(spec, args);
  std::vector<ValueView> values;
  values.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) values.push_back(LookUp(keyspace, spec, keys[i]));
  spec.run.read(ctx, args, values);
}

void RunLocalOverwrite(CommandContext& ctx, const CommandSpec& spec, ArgList args) {
  // One plan reused: overwrites never nest, and MSET's would allocate per call.
  thread_local OverwritePlan plan;
  plan.changes.clear();
  plan.reply = OverwritePlan::Reply::kOk;
  if (spec.run.overwrite(ctx, args, &plan) != PlanResult::kPlanned) return;
  Keyspace& keyspace = ctx.keyspace();
  int64_t removed = 0;
  for (const Overwrite& change : plan.changes) {
    if (change.remove) {
      removed += keyspace.Delete(change.key) ? 1 : 0;
    } else {
      keyspace.SetString(change.key, change.value, change.expire_at_ms);
    }
  }
  plan.reply == OverwritePlan::Reply::kOk ? ctx.reply().Ok() : ctx.reply().Integer(removed);
}

}  // namespace

void RunWithoutHandler(CommandContext& ctx, const CommandSpec& spec, ArgList args) {
  if (spec.run.read != nullptr) {
    RunLocalRead(ctx, spec, args);
  } else if (spec.run.increment != nullptr) {
    IncrementLocally(ctx, spec, args);
  } else {
    RunLocalOverwrite(ctx, spec, args);
  }
}

void NoteWrittenKeys(CommandContext& ctx, const CommandSpec& spec, ArgList args) {
  Keyspace& keyspace = ctx.keyspace();
  if (!keyspace.tracks_changes()) return;
  const CommandKeys keys(spec, args);
  for (size_t i = 0; i < keys.size(); ++i) keyspace.NoteWritten(keys[i]);
}

CommandKeys::CommandKeys(const CommandSpec& spec, ArgList args) : args_(args) {
  if (spec.get_keys != nullptr) {
    spec.get_keys(args, &indexes_);
    count_ = indexes_.size();
    return;
  }
  if (spec.first_key <= 0) return;
  const auto argc = static_cast<int>(args.size());
  const int last = spec.last_key < 0 ? argc + spec.last_key : std::min(spec.last_key, argc - 1);
  const int step = std::max(1, spec.key_step);
  first_ = static_cast<size_t>(spec.first_key);
  step_ = static_cast<size_t>(step);
  count_ = last < spec.first_key ? 0 : static_cast<size_t>((last - spec.first_key) / step + 1);
}

size_t CommandTable::CaseInsensitiveHash::operator()(std::string_view s) const {
  // FNV-1a over lower-cased bytes: names are short and this runs per request.
  uint64_t h = 1469598103934665603ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(AsciiLower(c));
    h *= 1099511628211ULL;
  }
  return static_cast<size_t>(h);
}

bool CommandTable::CaseInsensitiveEqual::operator()(std::string_view a, std::string_view b) const {
  return EqualsIgnoreCase(a, b);
}

CommandTable::CommandTable() {
  RegisterConnectionCommands(*this);
  RegisterKeyCommands(*this);
  RegisterMemoryCommands(*this);
  RegisterTransactionCommands(*this);
  RegisterServerCommands(*this);
  RegisterStringCommands(*this);
  RegisterHashCommands(*this);
  RegisterSetCommands(*this);
  RegisterListCommands(*this);
  RegisterZSetCommands(*this);
  RegisterBitCommands(*this);
}

void CommandTable::CheckRow(const CommandSpec& spec) {
  const auto fail = [&](std::string_view why) {
    throw std::logic_error("command '" + std::string(spec.name) + "': " + std::string(why));
  };
  const bool has_keys = spec.first_key > 0 || spec.get_keys != nullptr;
  const bool handles = spec.run.handler != nullptr;
  const int ways = (handles ? 1 : 0) + (spec.run.read != nullptr && !handles ? 1 : 0) +
                   (spec.run.overwrite != nullptr && !handles ? 1 : 0) +
                   (spec.run.increment != nullptr ? 1 : 0);
  if (spec.run.increment != nullptr && (spec.first_key != 1 || spec.last_key != 1)) {
    fail("an increment's key is args[1]");
  }
  // A container may also run on its own (COMMAND without a subcommand).
  if (ways > 1 || (ways == 0 && spec.subcommands.empty())) {
    fail("needs one implementation, or subcommands");
  }
  if (handles && spec.run.read != nullptr &&
      (spec.first_key != 1 || spec.last_key != 1 || spec.get_keys != nullptr)) {
    fail("a one-key read handler reads args[1] alone");
  }
  if (spec.run.read != nullptr && !has_keys) fail("a read reply needs keys");
  if (spec.run.overwrite != nullptr && (spec.flags & kWrite) == 0) {
    fail("an overwrite plan on a command that does not write");
  }
}

void CommandTable::Register(const CommandSpec& spec) {
  CheckRow(spec);
  CommandSpec& row = rows_.emplace_back(spec);
  if (!spec.subcommands.empty()) {
    for (const CommandSpec& sub : spec.subcommands) CheckRow(sub);
    const auto& subs =
        subcommand_rows_.emplace_back(spec.subcommands.begin(), spec.subcommands.end());
    row.subcommands = subs;
  }
  // Internal commands are callable by peers but not listed to clients.
  if ((spec.flags & kInternal) == 0) commands_.push_back(&row);
  by_name_.emplace(std::string(spec.name), &row);
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

const CommandSpec* CommandTable::FindListed(std::string_view name) const {
  const CommandSpec* spec = Find(name);
  return spec != nullptr && (spec->flags & kInternal) == 0 ? spec : nullptr;
}

const CommandSpec* CommandTable::FindSubcommand(const CommandSpec& container,
                                                std::string_view sub) {
  for (const CommandSpec& spec : container.subcommands) {
    const std::string_view sub_name = spec.name.substr(spec.name.find('|') + 1);
    if (EqualsIgnoreCase(sub_name, sub)) return &spec;
  }
  return nullptr;
}

void CommandTable::ResetStats() {
  ForEachSpec([](const CommandSpec& spec) { spec.stats = {}; });
}

}  // namespace ringcache
