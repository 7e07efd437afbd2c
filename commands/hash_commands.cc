// Hash commands (HSET, HGET, HINCRBY, HSCAN, ...) over types/hash_value.h,
// with Redis 7's replies and errors. On a single node; a cluster refuses
// them until hashes replicate as CRDTs (docs/data-types.md).
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "commands/collection_helpers.h"
#include "commands/command_context.h"
#include "commands/command_helpers.h"
#include "commands/command_table.h"
#include "common/glob.h"
#include "common/number_parsing.h"
#include "types/hash_value.h"
#include "types/string_ops.h"

namespace ringcache {
namespace {

bool FindHash(CommandContext& ctx, std::string_view key, HashValue** out) {
  return FindOrReply<HashValue, ValueType::kHash>(ctx, key, out);
}

bool EvenPairsOrReply(CommandContext& ctx, ArgList args, std::string_view name) {
  if (args.size() % 2 == 0) return true;
  ctx.reply().Error("ERR wrong number of arguments for '" + std::string(name) + "' command");
  return false;
}

// HSET / HMSET key field value [field value ...]
void SetPairs(CommandContext& ctx, ArgList args, bool reply_ok) {
  if (!EvenPairsOrReply(ctx, args, reply_ok ? "hmset" : "hset")) return;
  HashValue* hash = FindOrCreateOrReply<HashValue, ValueType::kHash>(ctx, args[1]);
  if (hash == nullptr) return;
  const CollectionLimits limits = LimitsOf(ctx);
  int64_t added = 0;
  for (size_t i = 2; i < args.size(); i += 2) added += hash->Set(args[i], args[i + 1], limits);
  reply_ok ? ctx.reply().Ok() : ctx.reply().Integer(added);
}

void HSetCommand(CommandContext& ctx, ArgList args) { SetPairs(ctx, args, false); }
void HMSetCommand(CommandContext& ctx, ArgList args) { SetPairs(ctx, args, true); }

void HSetNxCommand(CommandContext& ctx, ArgList args) {
  HashValue* hash = FindOrCreateOrReply<HashValue, ValueType::kHash>(ctx, args[1]);
  if (hash == nullptr) return;
  const bool absent = !hash->Get(args[2]).has_value();
  if (absent) hash->Set(args[2], args[3], LimitsOf(ctx));
  ctx.reply().Integer(absent ? 1 : 0);
}

void HGetCommand(CommandContext& ctx, ArgList args) {
  HashValue* hash = nullptr;
  if (!FindHash(ctx, args[1], &hash)) return;
  const auto value = hash != nullptr ? hash->Get(args[2]) : std::nullopt;
  value ? ctx.reply().Bulk(*value) : ctx.reply().Null();
}

void HMGetCommand(CommandContext& ctx, ArgList args) {
  HashValue* hash = nullptr;
  if (!FindHash(ctx, args[1], &hash)) return;
  ctx.reply().ArrayHeader(args.size() - 2);
  for (size_t i = 2; i < args.size(); ++i) {
    const auto value = hash != nullptr ? hash->Get(args[i]) : std::nullopt;
    value ? ctx.reply().Bulk(*value) : ctx.reply().Null();
  }
}

// HGETALL, HKEYS, HVALS.
void ReplyPairs(CommandContext& ctx, ArgList args, bool fields, bool values) {
  HashValue* hash = nullptr;
  if (!FindHash(ctx, args[1], &hash)) return;
  const size_t n = hash != nullptr ? hash->size() : 0;
  if (fields && values) {
    ctx.reply().MapHeader(n);
  } else {
    ctx.reply().ArrayHeader(n);
  }
  if (hash == nullptr) return;
  hash->ForEach([&](std::string_view field, std::string_view value) {
    if (fields) ctx.reply().Bulk(field);
    if (values) ctx.reply().Bulk(value);
  });
}

void HGetAllCommand(CommandContext& ctx, ArgList args) { ReplyPairs(ctx, args, true, true); }
void HKeysCommand(CommandContext& ctx, ArgList args) { ReplyPairs(ctx, args, true, false); }
void HValsCommand(CommandContext& ctx, ArgList args) { ReplyPairs(ctx, args, false, true); }

void HDelCommand(CommandContext& ctx, ArgList args) {
  HashValue* hash = nullptr;
  if (!FindHash(ctx, args[1], &hash)) return;
  int64_t removed = 0;
  if (hash != nullptr) {
    for (size_t i = 2; i < args.size(); ++i) removed += hash->Erase(args[i]);
    DeleteIfEmpty(ctx, args[1], *hash);
  }
  ctx.reply().Integer(removed);
}

void HExistsCommand(CommandContext& ctx, ArgList args) {
  HashValue* hash = nullptr;
  if (!FindHash(ctx, args[1], &hash)) return;
  ctx.reply().Integer(hash != nullptr && hash->Get(args[2]) ? 1 : 0);
}

void HLenCommand(CommandContext& ctx, ArgList args) {
  HashValue* hash = nullptr;
  if (!FindHash(ctx, args[1], &hash)) return;
  ctx.reply().Integer(hash != nullptr ? static_cast<int64_t>(hash->size()) : 0);
}

void HStrLenCommand(CommandContext& ctx, ArgList args) {
  HashValue* hash = nullptr;
  if (!FindHash(ctx, args[1], &hash)) return;
  const auto value = hash != nullptr ? hash->Get(args[2]) : std::nullopt;
  ctx.reply().Integer(value ? static_cast<int64_t>(value->size()) : 0);
}

void HIncrByCommand(CommandContext& ctx, ArgList args) {
  int64_t by = 0;
  if (!ParseInt64OrReply(ctx, args[3], &by)) return;
  HashValue* hash = FindOrCreateOrReply<HashValue, ValueType::kHash>(ctx, args[1]);
  if (hash == nullptr) return;
  // Errors need a field already there: the hash is never left empty.
  const auto current = hash->Get(args[2]);
  int64_t parsed = 0;
  if (current && !ParseInt64(*current, &parsed)) {
    ctx.reply().Error("ERR hash value is not an integer");
    return;
  }
  const Result<int64_t> sum = AddToInteger(current ? &*current : nullptr, by);
  if (!sum.ok()) {
    ctx.reply().Error(sum.status());
    return;
  }
  hash->Set(args[2], std::to_string(*sum), LimitsOf(ctx));
  ctx.reply().Integer(*sum);
}

void HIncrByFloatCommand(CommandContext& ctx, ArgList args) {
  long double by = 0;
  if (!ParseLongDouble(args[3], &by)) {
    ctx.reply().Error("ERR value is not a valid float");
    return;
  }
  if (std::isnan(by) || std::isinf(by)) {
    ctx.reply().Error("ERR value is NaN or Infinity");
    return;
  }
  HashValue* hash = FindOrCreateOrReply<HashValue, ValueType::kHash>(ctx, args[1]);
  if (hash == nullptr) return;
  // Errors need a field already there (`by` is finite): the hash is never
  // left empty.
  const auto current = hash->Get(args[2]);
  long double parsed = 0;
  if (current && !ParseLongDouble(*current, &parsed)) {
    ctx.reply().Error("ERR hash value is not a float");
    return;
  }
  const Result<std::string> sum = AddToFloat(current ? &*current : nullptr, by);
  if (!sum.ok()) {
    ctx.reply().Error(sum.status());
    return;
  }
  hash->Set(args[2], *sum, LimitsOf(ctx));
  ctx.reply().Bulk(*sum);
}

// HRANDFIELD key [count [WITHVALUES]]
void HRandFieldCommand(CommandContext& ctx, ArgList args) {
  HashValue* hash = nullptr;
  int64_t count = 1;
  const bool has_count = args.size() >= 3;
  const bool with_values = args.size() == 4 && Is(args[3], "withvalues");
  if (args.size() > 4 || (args.size() == 4 && !with_values)) {
    ctx.reply().Error("ERR syntax error");
    return;
  }
  if (has_count && !ParseInt64OrReply(ctx, args[2], &count)) return;
  if (has_count && (count < -(INT64_MAX / 2) || count > INT64_MAX / 2)) {
    ctx.reply().Error("ERR value is out of range");
    return;
  }
  if (!FindHash(ctx, args[1], &hash)) return;
  if (!has_count) {
    if (hash == nullptr) {
      ctx.reply().Null();
    } else {
      ctx.reply().Bulk(hash->Random(Keyspace::NextRandom()).first);
    }
    return;
  }
  if (hash == nullptr || count == 0) {
    ctx.reply().ArrayHeader(0);
    return;
  }
  const auto reply_pair = [&](std::string_view field, std::string_view value) {
    if (with_values && ctx.session().protocol >= 3) ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk(field);
    if (with_values) ctx.reply().Bulk(value);
  };
  const bool pairs_flat = with_values && ctx.session().protocol < 3;
  if (count < 0) {  // repeats allowed
    const auto n = static_cast<size_t>(-count);
    ctx.reply().ArrayHeader(pairs_flat ? 2 * n : n);
    for (size_t i = 0; i < n; ++i) {
      const auto [field, value] = hash->Random(Keyspace::NextRandom());
      reply_pair(field, value);
    }
    return;
  }
  using Pair = std::pair<std::string_view, std::string_view>;
  const std::vector<Pair> pairs = DistinctRandom<Pair>(
      hash->size(), std::min(hash->size(), static_cast<size_t>(count)),
      [&] { return hash->Random(Keyspace::NextRandom()); },
      [&](const auto& push) {
        hash->ForEach([&](std::string_view f, std::string_view v) { push(Pair{f, v}); });
      },
      [](const Pair& pair) { return pair.first; });
  ctx.reply().ArrayHeader(pairs_flat ? 2 * pairs.size() : pairs.size());
  for (const auto& [field, value] : pairs) reply_pair(field, value);
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
void HScanCommand(CommandContext& ctx, ArgList args) {
  uint64_t cursor = 0;
  ScanOptions options;
  if (!ParseScanOrReply(ctx, args, 2, false, &cursor, &options)) return;
  HashValue* hash = nullptr;
  if (!FindHash(ctx, args[1], &hash)) return;
  std::vector<std::string_view> found;
  if (hash != nullptr) {
    cursor = hash->Scan(cursor, static_cast<size_t>(options.count),
                        [&](std::string_view field, std::string_view value) {
                          if (options.has_pattern && !GlobMatch(options.pattern, field)) return;
                          found.push_back(field);
                          found.push_back(value);
                        });
  } else {
    cursor = 0;
  }
  ReplyScan(ctx, cursor, found);
}

const CommandSpec kHashCommands[] = {
    {"hset", -4, kWriteOom | kFast, 1, 1, 1, HSetCommand, "hash", "2.0.0",
     "Creates or modifies the value of a field in a hash.", kAddsElements},
    {"hmset", -4, kWriteOom | kFast, 1, 1, 1, HMSetCommand, "hash", "2.0.0",
     "Sets the values of multiple fields.", kAddsElements},
    {"hsetnx", 4, kWriteOom | kFast, 1, 1, 1, HSetNxCommand, "hash", "2.0.0",
     "Sets the value of a field in a hash only when the field doesn't exist."},
    {"hget", 3, kReadOnly | kFast, 1, 1, 1, HGetCommand, "hash", "2.0.0",
     "Returns the value of a field in a hash."},
    {"hmget", -3, kReadOnly | kFast, 1, 1, 1, HMGetCommand, "hash", "2.0.0",
     "Returns the values of all fields in a hash."},
    {"hgetall", 2, kReadOnly, 1, 1, 1, HGetAllCommand, "hash", "2.0.0",
     "Returns all fields and values in a hash."},
    {"hkeys", 2, kReadOnly, 1, 1, 1, HKeysCommand, "hash", "2.0.0",
     "Returns all fields in a hash."},
    {"hvals", 2, kReadOnly, 1, 1, 1, HValsCommand, "hash", "2.0.0",
     "Returns all values in a hash."},
    {"hdel", -3, kWrite | kFast, 1, 1, 1, HDelCommand, "hash", "2.0.0",
     "Deletes one or more fields and their values from a hash. Deletes the hash if no fields "
     "remain."},
    {"hexists", 3, kReadOnly | kFast, 1, 1, 1, HExistsCommand, "hash", "2.0.0",
     "Determines whether a field exists in a hash."},
    {"hlen", 2, kReadOnly | kFast, 1, 1, 1, HLenCommand, "hash", "2.0.0",
     "Returns the number of fields in a hash."},
    {"hstrlen", 3, kReadOnly | kFast, 1, 1, 1, HStrLenCommand, "hash", "3.2.0",
     "Returns the length of the value of a field."},
    {"hincrby", 4, kWriteOom | kFast, 1, 1, 1, HIncrByCommand, "hash", "2.0.0",
     "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if "
     "the field doesn't exist."},
    {"hincrbyfloat", 4, kWriteOom | kFast, 1, 1, 1, HIncrByFloatCommand, "hash", "2.6.0",
     "Increments the floating point value of a field by a number. Uses 0 as initial value if the "
     "field doesn't exist."},
    {"hrandfield", -2, kReadOnly, 1, 1, 1, HRandFieldCommand, "hash", "6.2.0",
     "Returns one or more random fields from a hash."},
    {"hscan", -3, kReadOnly, 1, 1, 1, HScanCommand, "hash", "2.8.0",
     "Iterates over fields and values of a hash."},
};

}  // namespace

void RegisterHashCommands(CommandTable& table) {
  for (const CommandSpec& spec : kHashCommands) table.Register(spec);
}

}  // namespace ringcache
