// Generic key commands: existence, deletion, renaming, iteration and TTLs.
#include <string>
#include <vector>

#include "commands/command_context.h"
#include "commands/command_helpers.h"
#include "commands/command_table.h"
#include "commands/read_command.h"
#include "common/glob.h"
#include "common/number_parsing.h"
#include "types/collection_delta.h"
#include "types/replicated_collection.h"
#include "types/string_ops.h"

namespace ringcache {
namespace {

std::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
    case ValueType::kCounter:
      return "string";
    case ValueType::kHash:
      return "hash";
    case ValueType::kSet:
      return "set";
    case ValueType::kList:
      return "list";
    case ValueType::kZSet:
      return "zset";
    case ValueType::kTombstone:
    case ValueType::kReplicated:  // replicas' own: reads see kHash or kSet
    case ValueType::kReplicatedEmpty:
      break;
  }
  return "none";
}

// An entry's type as SCAN TYPE sees it: a cluster replica's replicated
// collection by what it renders into.
std::string_view TypeNameOf(const Entry* e) {
  if (e->type != ValueType::kReplicated) return TypeName(e->type);
  return TypeName(TypeOf(static_cast<const ReplicatedCollection*>(e->object())->kind()));
}

PlanResult PlanDel(CommandContext& /*ctx*/, ArgList args, OverwritePlan* plan) {
  for (size_t i = 1; i < args.size(); ++i) plan->changes.push_back({args[i], {}, 0, true});
  plan->reply = OverwritePlan::Reply::kRemovedCount;
  return PlanResult::kPlanned;
}

// EXISTS and TOUCH (TOUCH's read of each key counts as an access).
void ReplyExisting(CommandContext& ctx, ArgList /*args*/, std::span<const ValueView> values) {
  int64_t count = 0;
  for (const ValueView& value : values) count += value.exists ? 1 : 0;
  ctx.reply().Integer(count);
}

void ReplyType(CommandContext& ctx, ArgList /*args*/, std::span<const ValueView> values) {
  ctx.reply().SimpleString(values[0].exists ? TypeName(values[0].type) : "none");
}

bool HasGlobSpecials(std::string_view pattern) {
  return pattern.find_first_of("*?[\\") != std::string_view::npos;
}

void KeysCommand(CommandContext& ctx, ArgList args) {
  const std::string_view pattern = args[1];
  std::vector<std::string_view> keys;
  if (!HasGlobSpecials(pattern)) {
    // A literal pattern names at most one key: look it up instead of walking.
    const Entry* e = ctx.keyspace().Find(pattern);
    if (e != nullptr && ctx.Shows(e->key())) keys.push_back(e->key());
  } else {
    const bool match_all = pattern == "*";
    ctx.keyspace().ForEachLive([&](const Entry* e) {
      if ((match_all || GlobMatch(pattern, e->key())) && ctx.Shows(e->key())) {
        keys.push_back(e->key());
      }
    });
  }
  ctx.reply().ArrayHeader(keys.size());
  for (std::string_view key : keys) ctx.reply().Bulk(key);
}

void ScanCommand(CommandContext& ctx, ArgList args) {
  uint64_t cursor = 0;
  ScanOptions options;
  if (!ParseScanOrReply(ctx, args, 1, true, &cursor, &options)) return;
  std::vector<std::string> keys;
  // Like Redis: visit buckets until COUNT keys are found or 10*COUNT buckets
  // were empty, so a sparse table cannot make one call walk it all.
  const int64_t max_steps = options.count * 10;
  int64_t steps = 0;
  do {
    cursor = ctx.keyspace().Scan(cursor, [&](const Entry* e) {
      if (options.has_pattern && !GlobMatch(options.pattern, e->key())) return;
      if (options.has_type && !Is(TypeNameOf(e), options.type)) return;
      if (ctx.Shows(e->key())) keys.emplace_back(e->key());
    });
  } while (cursor != 0 && static_cast<int64_t>(keys.size()) < options.count && ++steps < max_steps);
  ReplyScan(ctx, cursor, keys);
}

// COPY source destination [DB destination-db] [REPLACE]: the value and its
// TTL; a collection is cloned.
void CopyCommand(CommandContext& ctx, ArgList args) {
  bool replace = false;
  for (size_t i = 3; i < args.size(); ++i) {
    int64_t db = 0;
    if (Is(args[i], "replace")) {
      replace = true;
    } else if (Is(args[i], "db") && i + 1 < args.size()) {
      if (!ParseInt64OrReply(ctx, args[++i], &db)) return;
      if (db != 0) {
        ctx.reply().Error("ERR DB index is out of range");
        return;
      }
    } else {
      ctx.reply().Error("ERR syntax error");
      return;
    }
  }
  if (args[1] == args[2]) {
    ctx.reply().Error("ERR source and destination objects are the same");
    return;
  }
  Keyspace& keyspace = ctx.keyspace();
  const Entry* source = keyspace.Lookup(args[1]);
  if (source == nullptr || (!replace && keyspace.Find(args[2]) != nullptr)) {
    ctx.reply().Integer(0);
    return;
  }
  if (source->holds_object()) {
    keyspace.SetObject(args[2], source->type, source->object()->Clone(), source->expire_at_ms);
  } else {
    const std::string value(source->value());  // the table may grow under it
    keyspace.SetString(args[2], value, source->expire_at_ms);
  }
  ctx.reply().Integer(1);
}

void RandomKeyCommand(CommandContext& ctx, ArgList /*args*/) {
  const Entry* e = ctx.keyspace().RandomEntry();
  if (e == nullptr) {
    ctx.reply().Null();
  } else {
    ctx.reply().Bulk(e->key());
  }
}

void RenameGeneric(CommandContext& ctx, ArgList args, bool only_if_absent) {
  if (ctx.keyspace().Find(args[1]) == nullptr) {
    ctx.reply().Error("ERR no such key");
    return;
  }
  if (args[1] == args[2]) {
    if (only_if_absent) {
      ctx.reply().Integer(0);
    } else {
      ctx.reply().Ok();
    }
    return;
  }
  if (only_if_absent && ctx.keyspace().Find(args[2]) != nullptr) {
    ctx.reply().Integer(0);
    return;
  }
  ctx.keyspace().Rename(args[1], args[2]);
  if (only_if_absent) {
    ctx.reply().Integer(1);
  } else {
    ctx.reply().Ok();
  }
}

void RenameCommand(CommandContext& ctx, ArgList args) { RenameGeneric(ctx, args, false); }
void RenameNxCommand(CommandContext& ctx, ArgList args) { RenameGeneric(ctx, args, true); }

// NX/XX/GT/LT as Redis 7 defines them: a key without a TTL counts as having
// an infinite one, so GT never applies to it and LT always does.
struct ExpireCondition {
  bool nx = false;
  bool xx = false;
  bool gt = false;
  bool lt = false;

  bool Allows(int64_t current, int64_t when) const {
    const bool volatile_key = current != 0;
    if (nx && volatile_key) return false;
    if (xx && !volatile_key) return false;
    if (gt && (!volatile_key || when <= current)) return false;
    if (lt && volatile_key && when >= current) return false;
    return true;
  }
};

bool ParseExpireConditionOrReply(CommandContext& ctx, ArgList args, ExpireCondition* cond) {
  for (size_t i = 3; i < args.size(); ++i) {
    if (Is(args[i], "nx")) {
      cond->nx = true;
    } else if (Is(args[i], "xx")) {
      cond->xx = true;
    } else if (Is(args[i], "gt")) {
      cond->gt = true;
    } else if (Is(args[i], "lt")) {
      cond->lt = true;
    } else {
      ctx.reply().Error("ERR Unsupported option " + std::string(args[i]));
      return false;
    }
  }
  if (cond->nx && (cond->xx || cond->gt || cond->lt)) {
    ctx.reply().Error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return false;
  }
  if (cond->gt && cond->lt) {
    ctx.reply().Error("ERR GT and LT options at the same time are not compatible");
    return false;
  }
  return true;
}

void ExpireGeneric(CommandContext& ctx, ArgList args, TimeUnit unit, bool relative,
                   std::string_view command) {
  int64_t when = 0;
  ExpireCondition cond;
  if (!ExpireAtOrReply(ctx, args[2], unit, relative, /*require_positive=*/false, command, &when) ||
      !ParseExpireConditionOrReply(ctx, args, &cond)) {
    return;
  }
  Entry* e = ctx.keyspace().Find(args[1]);
  if (e == nullptr || !cond.Allows(e->expire_at_ms, when)) {
    ctx.reply().Integer(0);
    return;
  }
  // A time already past deletes the key now, as Redis does.
  if (when <= ctx.keyspace().now_ms()) {
    ctx.keyspace().Delete(args[1]);
  } else {
    ctx.keyspace().SetExpiry(e, when);
  }
  ctx.reply().Integer(1);
}

void ExpireCommand(CommandContext& ctx, ArgList args) {
  ExpireGeneric(ctx, args, TimeUnit::kSeconds, true, "expire");
}
void PExpireCommand(CommandContext& ctx, ArgList args) {
  ExpireGeneric(ctx, args, TimeUnit::kMilliseconds, true, "pexpire");
}
void ExpireAtCommand(CommandContext& ctx, ArgList args) {
  ExpireGeneric(ctx, args, TimeUnit::kSeconds, false, "expireat");
}
void PExpireAtCommand(CommandContext& ctx, ArgList args) {
  ExpireGeneric(ctx, args, TimeUnit::kMilliseconds, false, "pexpireat");
}

// Replies -2 for a missing key, -1 for no TTL, else what `value_of` computes.
template <typename ValueOf>
void ReplyTtlGeneric(CommandContext& ctx, const ValueView& value, ValueOf value_of) {
  if (!value.exists) {
    ctx.reply().Integer(-2);
  } else if (value.expire_at_ms == 0) {
    ctx.reply().Integer(-1);
  } else {
    ctx.reply().Integer(value_of(value.expire_at_ms));
  }
}

int64_t RemainingMs(CommandContext& ctx, int64_t expire_at) {
  const int64_t left = expire_at - ctx.keyspace().now_ms();
  return left < 0 ? 0 : left;
}

void ReplyTtl(CommandContext& ctx, ArgList /*args*/, std::span<const ValueView> values) {
  ReplyTtlGeneric(ctx, values[0], [&](int64_t at) { return (RemainingMs(ctx, at) + 500) / 1000; });
}
void ReplyPTtl(CommandContext& ctx, ArgList /*args*/, std::span<const ValueView> values) {
  ReplyTtlGeneric(ctx, values[0], [&](int64_t at) { return RemainingMs(ctx, at); });
}
void ReplyExpireTime(CommandContext& ctx, ArgList /*args*/, std::span<const ValueView> values) {
  ReplyTtlGeneric(ctx, values[0], [](int64_t at) { return at / 1000; });
}
void ReplyPExpireTime(CommandContext& ctx, ArgList /*args*/, std::span<const ValueView> values) {
  ReplyTtlGeneric(ctx, values[0], [](int64_t at) { return at; });
}

void PersistCommand(CommandContext& ctx, ArgList args) {
  Entry* e = ctx.keyspace().Find(args[1]);
  if (e == nullptr || !e->has_expiry()) {
    ctx.reply().Integer(0);
    return;
  }
  ctx.keyspace().SetExpiry(e, 0);
  ctx.reply().Integer(1);
}

const CommandSpec kKeyCommands[] = {
    {"del", -2, kWrite, 1, -1, 1, PlanDel, "generic", "1.0.0", "Deletes one or more keys."},
    {"unlink", -2, kWrite | kFast, 1, -1, 1, PlanDel, "generic", "4.0.0",
     "Asynchronously deletes one or more keys."},
    {"exists", -2, kReadOnly | kFast, 1, -1, 1, Peeks(ReplyExisting), "generic", "1.0.0",
     "Determines whether one or more keys exist."},
    {"touch", -2, kReadOnly | kFast, 1, -1, 1, ReplyExisting, "generic", "3.2.1",
     "Returns the number of existing keys out of those specified after updating the time they were "
     "last accessed."},
    {"type", 2, kReadOnly | kFast, 1, 1, 1, PeeksAtKey<ReplyType>(), "generic", "1.0.0",
     "Determines the type of value stored at a key."},
    {"keys", 2, kReadOnly, 0, 0, 0, KeysCommand, "generic", "1.0.0",
     "Returns all key names that match a pattern.", kEveryNode},
    {"scan", -2, kReadOnly, 0, 0, 0, ScanCommand, "generic", "2.8.0",
     "Iterates over the key names in the database.", kEveryNode},
    {"randomkey", 1, kReadOnly, 0, 0, 0, RandomKeyCommand, "generic", "1.0.0",
     "Returns a random key name from the database."},
    {"copy", -3, kWrite | kDenyOom, 1, 2, 1, CopyCommand, "generic", "6.2.0",
     "Copies the value of a key to a new key."},
    {"rename", 3, kWrite, 1, 2, 1, RenameCommand, "generic", "1.0.0",
     "Renames a key and overwrites the destination."},
    {"renamenx", 3, kWrite | kFast, 1, 2, 1, RenameNxCommand, "generic", "1.0.0",
     "Renames a key only when the target key name doesn't exist."},
    {"expire", -3, kWrite | kFast, 1, 1, 1, ExpireCommand, "generic", "1.0.0",
     "Sets the expiration time of a key in seconds."},
    {"pexpire", -3, kWrite | kFast, 1, 1, 1, PExpireCommand, "generic", "2.6.0",
     "Sets the expiration time of a key in milliseconds."},
    {"expireat", -3, kWrite | kFast, 1, 1, 1, ExpireAtCommand, "generic", "1.2.0",
     "Sets the expiration time of a key to a Unix timestamp."},
    {"pexpireat", -3, kWrite | kFast, 1, 1, 1, PExpireAtCommand, "generic", "2.6.0",
     "Sets the expiration time of a key to a Unix milliseconds timestamp."},
    {"ttl", 2, kReadOnly | kFast, 1, 1, 1, PeeksAtKey<ReplyTtl>(), "generic", "1.0.0",
     "Returns the expiration time in seconds of a key."},
    {"pttl", 2, kReadOnly | kFast, 1, 1, 1, PeeksAtKey<ReplyPTtl>(), "generic", "2.6.0",
     "Returns the expiration time in milliseconds of a key."},
    {"expiretime", 2, kReadOnly | kFast, 1, 1, 1, PeeksAtKey<ReplyExpireTime>(), "generic", "7.0.0",
     "Returns the expiration time of a key as a Unix timestamp."},
    {"pexpiretime", 2, kReadOnly | kFast, 1, 1, 1, PeeksAtKey<ReplyPExpireTime>(), "generic",
     "7.0.0", "Returns the expiration time of a key as a Unix milliseconds timestamp."},
    {"persist", 2, kWrite | kFast, 1, 1, 1, PersistCommand, "generic", "2.2.0",
     "Removes the expiration time of a key."},
};

}  // namespace

void RegisterKeyCommands(CommandTable& table) {
  for (const CommandSpec& spec : kKeyCommands) table.Register(spec);
}

}  // namespace ringcache
