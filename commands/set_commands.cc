// Set commands (SADD, SINTER, SPOP, SSCAN, ...) over types/set_value.h, with
// Redis 7's replies and errors. On a single node; a cluster refuses them
// until sets replicate as CRDTs (docs/data-types.md).
#include <algorithm>
#include <string>
#include <vector>

#include "commands/collection_helpers.h"
#include "commands/command_context.h"
#include "commands/command_helpers.h"
#include "commands/command_table.h"
#include "common/glob.h"
#include "common/number_parsing.h"
#include "types/set_value.h"

namespace ringcache {
namespace {

bool FindSet(CommandContext& ctx, std::string_view key, SetValue** out) {
  return FindOrReply<SetValue, ValueType::kSet>(ctx, key, out);
}

void SAddCommand(CommandContext& ctx, ArgList args) {
  SetValue* set = FindOrCreateOrReply<SetValue, ValueType::kSet>(ctx, args[1]);
  if (set == nullptr) return;
  const CollectionLimits limits = LimitsOf(ctx);
  int64_t added = 0;
  for (size_t i = 2; i < args.size(); ++i) added += set->Add(args[i], limits);
  ctx.reply().Integer(added);
}

void SRemCommand(CommandContext& ctx, ArgList args) {
  SetValue* set = nullptr;
  if (!FindSet(ctx, args[1], &set)) return;
  int64_t removed = 0;
  if (set != nullptr) {
    for (size_t i = 2; i < args.size(); ++i) removed += set->Remove(args[i]);
    DeleteIfEmpty(ctx, args[1], *set);
  }
  ctx.reply().Integer(removed);
}

void ReplyMembers(CommandContext& ctx, const std::vector<std::string>& members) {
  ctx.reply().SetHeader(members.size());
  for (const std::string& m : members) ctx.reply().Bulk(m);
}

void SMembersCommand(CommandContext& ctx, ArgList args) {
  SetValue* set = nullptr;
  if (!FindSet(ctx, args[1], &set)) return;
  ctx.reply().SetHeader(set != nullptr ? set->size() : 0);
  if (set != nullptr) set->ForEach([&](std::string_view m) { ctx.reply().Bulk(m); });
}

void SIsMemberCommand(CommandContext& ctx, ArgList args) {
  SetValue* set = nullptr;
  if (!FindSet(ctx, args[1], &set)) return;
  ctx.reply().Integer(set != nullptr && set->Contains(args[2]) ? 1 : 0);
}

void SMIsMemberCommand(CommandContext& ctx, ArgList args) {
  SetValue* set = nullptr;
  if (!FindSet(ctx, args[1], &set)) return;
  ctx.reply().ArrayHeader(args.size() - 2);
  for (size_t i = 2; i < args.size(); ++i) {
    ctx.reply().Integer(set != nullptr && set->Contains(args[i]) ? 1 : 0);
  }
}

void SCardCommand(CommandContext& ctx, ArgList args) {
  SetValue* set = nullptr;
  if (!FindSet(ctx, args[1], &set)) return;
  ctx.reply().Integer(set != nullptr ? static_cast<int64_t>(set->size()) : 0);
}

// The optional count of SPOP and SRANDMEMBER; false after replying.
bool OptionalCountOrReply(CommandContext& ctx, ArgList args, bool allow_negative, int64_t* count) {
  if (args.size() > 3) {
    ctx.reply().Error("ERR syntax error");
    return false;
  }
  if (!ParseInt64OrReply(ctx, args[2], count)) return false;
  if ((!allow_negative && *count < 0) || *count < -(INT64_MAX / 2)) {
    ctx.reply().Error("ERR value is out of range, must be positive");
    return false;
  }
  return true;
}

// `n` distinct members drawn at random. REQUIRES: n <= set.size().
std::vector<std::string> DistinctMembers(const SetValue& set, size_t n) {
  return DistinctRandom<std::string>(
      set.size(), n, [&] { return set.Random(Keyspace::NextRandom()); },
      [&](const auto& push) { set.ForEach([&](std::string_view m) { push(std::string(m)); }); },
      [](const std::string& m) { return std::string_view(m); });
}

void SPopCommand(CommandContext& ctx, ArgList args) {
  int64_t count = 1;
  const bool has_count = args.size() >= 3;
  if (has_count && !OptionalCountOrReply(ctx, args, false, &count)) return;
  SetValue* set = nullptr;
  if (!FindSet(ctx, args[1], &set)) return;
  if (set == nullptr) {
    has_count ? ctx.reply().SetHeader(0) : ctx.reply().Null();
    return;
  }
  std::vector<std::string> popped =
      DistinctMembers(*set, std::min(set->size(), static_cast<size_t>(count)));
  for (const std::string& m : popped) set->Remove(m);
  DeleteIfEmpty(ctx, args[1], *set);
  if (!has_count) {
    ctx.reply().Bulk(popped[0]);
  } else {
    ReplyMembers(ctx, popped);
  }
}

void SRandMemberCommand(CommandContext& ctx, ArgList args) {
  int64_t count = 1;
  const bool has_count = args.size() >= 3;
  if (has_count && !OptionalCountOrReply(ctx, args, true, &count)) return;
  SetValue* set = nullptr;
  if (!FindSet(ctx, args[1], &set)) return;
  if (set == nullptr) {
    has_count ? ctx.reply().ArrayHeader(0) : ctx.reply().Null();
    return;
  }
  if (!has_count) {
    ctx.reply().Bulk(set->Random(Keyspace::NextRandom()));
    return;
  }
  if (count < 0) {  // repeats allowed
    ctx.reply().ArrayHeader(static_cast<size_t>(-count));
    for (int64_t i = 0; i < -count; ++i) ctx.reply().Bulk(set->Random(Keyspace::NextRandom()));
    return;
  }
  const std::vector<std::string> members =
      DistinctMembers(*set, std::min(set->size(), static_cast<size_t>(count)));
  ctx.reply().ArrayHeader(members.size());
  for (const std::string& m : members) ctx.reply().Bulk(m);
}

void SMoveCommand(CommandContext& ctx, ArgList args) {
  SetValue* source = nullptr;
  SetValue* target = nullptr;
  if (!FindSet(ctx, args[1], &source) || !FindSet(ctx, args[2], &target)) return;
  if (source == nullptr || !source->Contains(args[3])) {
    ctx.reply().Integer(0);
    return;
  }
  if (source == target) {
    ctx.reply().Integer(1);
    return;
  }
  source->Remove(args[3]);
  DeleteIfEmpty(ctx, args[1], *source);
  target = FindOrCreateOrReply<SetValue, ValueType::kSet>(ctx, args[2]);
  target->Add(args[3], LimitsOf(ctx));
  ctx.reply().Integer(1);
}

enum class SetAlgebra { kInter, kUnion, kDiff };

// The sets at `keys` (null for a missing key); false after replying
// WRONGTYPE for any key of another type.
bool FindSets(CommandContext& ctx, ArgList keys, std::vector<const SetValue*>* sets) {
  for (const std::string_view key : keys) {
    SetValue* set = nullptr;
    if (!FindSet(ctx, key, &set)) return false;
    sets->push_back(set);
  }
  return true;
}

// SINTER, SUNION, SDIFF of `sets`; at most `limit` members (0: all).
std::vector<std::string> Combine(SetAlgebra op, std::vector<const SetValue*> sets,
                                 size_t limit = 0) {
  std::vector<std::string> out;
  const auto full = [&] { return limit != 0 && out.size() >= limit; };
  if (op == SetAlgebra::kInter) {
    if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) return out;
    // The smallest set drives; the others are probed.
    std::sort(sets.begin(), sets.end(),
              [](const SetValue* a, const SetValue* b) { return a->size() < b->size(); });
    sets[0]->ForEach([&](std::string_view m) {
      if (full()) return;
      for (size_t i = 1; i < sets.size(); ++i) {
        if (!sets[i]->Contains(m)) return;
      }
      out.emplace_back(m);
    });
    return out;
  }
  if (op == SetAlgebra::kDiff) {
    if (sets[0] == nullptr) return out;
    sets[0]->ForEach([&](std::string_view m) {
      for (size_t i = 1; i < sets.size(); ++i) {
        if (sets[i] != nullptr && sets[i] != sets[0] && sets[i]->Contains(m)) return;
        if (sets[i] == sets[0]) return;
      }
      out.emplace_back(m);
    });
    return out;
  }
  SetValue merged;
  CollectionLimits unbounded;  // straight to the table: it only grows
  unbounded.set_max_intset_entries = 0;
  unbounded.set_max_listpack_entries = 0;
  for (const SetValue* set : sets) {
    if (set != nullptr) set->ForEach([&](std::string_view m) { merged.Add(m, unbounded); });
  }
  merged.ForEach([&](std::string_view m) { out.emplace_back(m); });
  return out;
}

template <SetAlgebra kOp>
void CombineCommand(CommandContext& ctx, ArgList args) {
  std::vector<const SetValue*> sets;
  if (!FindSets(ctx, args.subspan(1), &sets)) return;
  ReplyMembers(ctx, Combine(kOp, std::move(sets)));
}

template <SetAlgebra kOp>
void CombineStoreCommand(CommandContext& ctx, ArgList args) {
  std::vector<const SetValue*> sets;
  if (!FindSets(ctx, args.subspan(2), &sets)) return;
  const std::vector<std::string> members = Combine(kOp, std::move(sets));
  ctx.keyspace().Delete(args[1]);  // whatever its type, as Redis
  if (!members.empty()) {
    auto stored = std::make_unique<SetValue>();
    const CollectionLimits limits = LimitsOf(ctx);
    for (const std::string& m : members) stored->Add(m, limits);
    ctx.keyspace().SetObject(args[1], ValueType::kSet, std::move(stored), 0);
  }
  ctx.reply().Integer(static_cast<int64_t>(members.size()));
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
void SInterCardCommand(CommandContext& ctx, ArgList args) {
  int64_t numkeys = 0;
  if (!ParseInt64(args[1], &numkeys) || numkeys <= 0) {
    ctx.reply().Error("ERR numkeys should be greater than 0");
    return;
  }
  if (static_cast<size_t>(numkeys) > args.size() - 2) {
    ctx.reply().Error("ERR Number of keys can't be greater than number of args");
    return;
  }
  int64_t limit = 0;
  for (size_t i = 2 + static_cast<size_t>(numkeys); i < args.size(); i += 2) {
    if (!Is(args[i], "limit") || i + 1 >= args.size()) {
      ctx.reply().Error("ERR syntax error");
      return;
    }
    if (!ParseInt64OrReply(ctx, args[i + 1], &limit)) return;
    if (limit < 0) {
      ctx.reply().Error("ERR LIMIT can't be negative");
      return;
    }
  }
  std::vector<const SetValue*> sets;
  if (!FindSets(ctx, args.subspan(2, static_cast<size_t>(numkeys)), &sets)) return;
  ctx.reply().Integer(static_cast<int64_t>(
      Combine(SetAlgebra::kInter, std::move(sets), static_cast<size_t>(limit)).size()));
}

void SScanCommand(CommandContext& ctx, ArgList args) {
  uint64_t cursor = 0;
  ScanOptions options;
  if (!ParseScanOrReply(ctx, args, 2, false, &cursor, &options)) return;
  SetValue* set = nullptr;
  if (!FindSet(ctx, args[1], &set)) return;
  std::vector<std::string> found;
  cursor = set == nullptr
               ? 0
               : set->Scan(cursor, static_cast<size_t>(options.count), [&](std::string_view m) {
                   if (!options.has_pattern || GlobMatch(options.pattern, m)) {
                     found.emplace_back(m);
                   }
                 });
  ReplyScan(ctx, cursor, found);
}

const CommandSpec kSetCommands[] = {
    {"sadd", -3, kWriteOom | kFast, 1, 1, 1, SAddCommand, "set", "1.0.0",
     "Adds one or more members to a set. Creates the key if it doesn't exist.", kAddsElements},
    {"srem", -3, kWrite | kFast, 1, 1, 1, SRemCommand, "set", "1.0.0",
     "Removes one or more members from a set. Deletes the set if the last member was removed."},
    {"smembers", 2, kReadOnly, 1, 1, 1, SMembersCommand, "set", "1.0.0",
     "Returns all members of a set."},
    {"sismember", 3, kReadOnly | kFast, 1, 1, 1, SIsMemberCommand, "set", "1.0.0",
     "Determines whether a member belongs to a set."},
    {"smismember", -3, kReadOnly | kFast, 1, 1, 1, SMIsMemberCommand, "set", "6.2.0",
     "Determines whether multiple members belong to a set."},
    {"scard", 2, kReadOnly | kFast, 1, 1, 1, SCardCommand, "set", "1.0.0",
     "Returns the number of members in a set."},
    {"spop", -2, kWrite | kFast, 1, 1, 1, SPopCommand, "set", "1.0.0",
     "Returns one or more random members from a set after removing them. Deletes the set if the "
     "last member was popped."},
    {"srandmember", -2, kReadOnly, 1, 1, 1, SRandMemberCommand, "set", "1.0.0",
     "Get one or multiple random members from a set"},
    {"smove", 4, kWrite | kFast, 1, 2, 1, SMoveCommand, "set", "1.0.0",
     "Moves a member from one set to another."},
    {"sinter", -2, kReadOnly, 1, -1, 1, CombineCommand<SetAlgebra::kInter>, "set", "1.0.0",
     "Returns the intersect of multiple sets."},
    {"sunion", -2, kReadOnly, 1, -1, 1, CombineCommand<SetAlgebra::kUnion>, "set", "1.0.0",
     "Returns the union of multiple sets."},
    {"sdiff", -2, kReadOnly, 1, -1, 1, CombineCommand<SetAlgebra::kDiff>, "set", "1.0.0",
     "Returns the difference of multiple sets."},
    {"sinterstore", -3, kWriteOom, 1, -1, 1, CombineStoreCommand<SetAlgebra::kInter>, "set",
     "1.0.0", "Stores the intersect of multiple sets in a key."},
    {"sunionstore", -3, kWriteOom, 1, -1, 1, CombineStoreCommand<SetAlgebra::kUnion>, "set",
     "1.0.0", "Stores the union of multiple sets in a key."},
    {"sdiffstore", -3, kWriteOom, 1, -1, 1, CombineStoreCommand<SetAlgebra::kDiff>, "set", "1.0.0",
     "Stores the difference of multiple sets in a key."},
    {"sintercard",
     -3,
     kReadOnly,
     0,
     0,
     0,
     SInterCardCommand,
     "set",
     "7.0.0",
     "Returns the number of members of the intersect of multiple sets.",
     ClusterRoute::kDefault,
     {},
     KeysAfterCount<1>},
    {"sscan", -3, kReadOnly, 1, 1, 1, SScanCommand, "set", "2.0.0",
     "Iterates over members of a set."},
};

}  // namespace

void RegisterSetCommands(CommandTable& table) {
  for (const CommandSpec& spec : kSetCommands) table.Register(spec);
}

}  // namespace ringcache
