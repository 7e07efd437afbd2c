#include "commands/command_table.h"

#include "common/strings.h"

namespace ringcache {

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
}

void CommandTable::Register(const CommandSpec& spec) {
  // Internal commands are callable by peers but not listed to clients.
  if ((spec.flags & kInternal) == 0) commands_.push_back(&spec);
  by_name_.emplace(std::string(spec.name), &spec);
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
