// String commands: thin wrappers that parse arguments, call string_ops or the
// keyspace, and write Redis's replies.
#include <algorithm>
#include <limits>
#include <string>

#include "commands/command_context.h"
#include "commands/command_helpers.h"
#include "commands/command_table.h"
#include "commands/read_command.h"
#include "common/number_parsing.h"
#include "types/lcs.h"
#include "types/string_ops.h"

namespace ringcache {
namespace {

// The live string at `key`, nullptr if missing; replies WRONGTYPE and sets
// *wrong_type for other types.
Entry* LookupStringOrReply(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  Entry* e = ctx.keyspace().Lookup(key);
  *wrong_type = e != nullptr && e->type != ValueType::kString;
  if (*wrong_type) ctx.reply().Error(Status::WrongType());
  return *wrong_type ? nullptr : e;
}

void ReplyValueOrNull(CommandContext& ctx, const Entry* e) {
  if (e == nullptr) {
    ctx.reply().Null();
  } else {
    ctx.reply().Bulk(e->value());
  }
}

void ReplyGet(CommandContext& ctx, ArgList /*args*/, std::span<const ValueView> values) {
  if (!StringOrMissingOrReply(ctx, values[0])) return;
  values[0].exists ? ctx.reply().Bulk(values[0].value) : ctx.reply().Null();
}

// Parses SET's options from args[3..]. Returns false after replying an error.
bool ParseSetOptionsOrReply(CommandContext& ctx, ArgList args, SetOptions* options) {
  bool has_expire = false;
  for (size_t i = 3; i < args.size(); ++i) {
    const std::string_view opt = args[i];
    const bool has_next = i + 1 < args.size();
    if (Is(opt, "nx") && options->condition != SetOptions::Condition::kIfPresent) {
      options->condition = SetOptions::Condition::kIfAbsent;
    } else if (Is(opt, "xx") && options->condition != SetOptions::Condition::kIfAbsent) {
      options->condition = SetOptions::Condition::kIfPresent;
    } else if (Is(opt, "get")) {
      options->want_old_value = true;
    } else if (Is(opt, "keepttl") && !has_expire) {
      options->keep_ttl = true;
    } else if (const auto expire = AsExpireOption(opt);
               expire && !has_expire && !options->keep_ttl && has_next) {
      if (!ExpireAtOrReply(ctx, args[++i], expire->unit, expire->relative,
                           /*require_positive=*/true, "set", &options->expire_at_ms)) {
        return false;
      }
      has_expire = true;
    } else {
      ctx.reply().Error("ERR " + std::string(kSyntaxError));
      return false;
    }
  }
  return true;
}

// SET without NX, XX, GET or KEEPTTL does not read the old value.
bool IsOverwrite(const SetOptions& options) {
  return options.condition == SetOptions::Condition::kAlways && !options.keep_ttl &&
         !options.want_old_value;
}

void SetCommand(CommandContext& ctx, ArgList args) {
  SetOptions options;
  // No options (the common case) need no parsing.
  if (args.size() > 3 && !ParseSetOptionsOrReply(ctx, args, &options)) return;
  if (IsOverwrite(options)) {
    ctx.keyspace().SetString(args[1], args[2], options.expire_at_ms);
    ctx.reply().Ok();
    return;
  }
  Result<SetOutcome> outcome = SetWithOptions(ctx.keyspace(), args[1], args[2], options);
  if (!OkOrReply(ctx, outcome.status())) return;
  if (options.want_old_value) {
    if (outcome->had_old_value) {
      ctx.reply().Bulk(outcome->old_value);
    } else {
      ctx.reply().Null();
    }
  } else if (outcome->written) {
    ctx.reply().Ok();
  } else {
    ctx.reply().Null();
  }
}

void GetSetCommand(CommandContext& ctx, ArgList args) {
  SetOptions options;
  options.want_old_value = true;
  Result<SetOutcome> outcome = SetWithOptions(ctx.keyspace(), args[1], args[2], options);
  if (!OkOrReply(ctx, outcome.status())) return;
  if (outcome->had_old_value) {
    ctx.reply().Bulk(outcome->old_value);
  } else {
    ctx.reply().Null();
  }
}

void GetDelCommand(CommandContext& ctx, ArgList args) {
  bool wrong_type = false;
  const Entry* e = LookupStringOrReply(ctx, args[1], &wrong_type);
  if (wrong_type) return;
  ReplyValueOrNull(ctx, e);
  if (e != nullptr) ctx.keyspace().Delete(args[1]);
}

void GetExCommand(CommandContext& ctx, ArgList args) {
  bool persist = false;
  bool has_expire = false;
  int64_t expire_at = 0;
  for (size_t i = 2; i < args.size(); ++i) {
    const std::string_view opt = args[i];
    const bool has_next = i + 1 < args.size();
    if (Is(opt, "persist") && !has_expire && !persist) {
      persist = true;
    } else if (const auto expire = AsExpireOption(opt);
               expire && !has_expire && !persist && has_next) {
      if (!ExpireAtOrReply(ctx, args[++i], expire->unit, expire->relative,
                           /*require_positive=*/true, "getex", &expire_at)) {
        return;
      }
      has_expire = true;
    } else {
      ctx.reply().Error("ERR " + std::string(kSyntaxError));
      return;
    }
  }
  bool wrong_type = false;
  Entry* e = LookupStringOrReply(ctx, args[1], &wrong_type);
  if (wrong_type) return;
  ReplyValueOrNull(ctx, e);
  if (e == nullptr) return;
  if (has_expire && expire_at <= ctx.keyspace().now_ms()) {
    ctx.keyspace().Delete(args[1]);
  } else if (has_expire) {
    ctx.keyspace().SetExpiry(e, expire_at);
  } else if (persist) {
    ctx.keyspace().SetExpiry(e, 0);
  }
}

void SetNxCommand(CommandContext& ctx, ArgList args) {
  SetOptions options;
  options.condition = SetOptions::Condition::kIfAbsent;
  Result<SetOutcome> outcome = SetWithOptions(ctx.keyspace(), args[1], args[2], options);
  if (OkOrReply(ctx, outcome.status())) ctx.reply().Integer(outcome->written ? 1 : 0);
}

PlanResult PlanSet(CommandContext& ctx, ArgList args, OverwritePlan* plan) {
  SetOptions options;
  if (args.size() > 3 && !ParseSetOptionsOrReply(ctx, args, &options)) return PlanResult::kReplied;
  if (!IsOverwrite(options)) return PlanResult::kReadModifyWrite;
  plan->changes.push_back({args[1], args[2], options.expire_at_ms});
  return PlanResult::kPlanned;
}

PlanResult PlanSetWithTtl(CommandContext& ctx, ArgList args, OverwritePlan* plan, TimeUnit unit,
                          std::string_view command) {
  int64_t expire_at = 0;
  if (!ExpireAtOrReply(ctx, args[2], unit, /*relative=*/true, /*require_positive=*/true, command,
                       &expire_at)) {
    return PlanResult::kReplied;
  }
  plan->changes.push_back({args[1], args[3], expire_at});
  return PlanResult::kPlanned;
}

PlanResult PlanSetEx(CommandContext& ctx, ArgList args, OverwritePlan* plan) {
  return PlanSetWithTtl(ctx, args, plan, TimeUnit::kSeconds, "setex");
}

PlanResult PlanPSetEx(CommandContext& ctx, ArgList args, OverwritePlan* plan) {
  return PlanSetWithTtl(ctx, args, plan, TimeUnit::kMilliseconds, "psetex");
}

bool CheckPairsOrReply(CommandContext& ctx, ArgList args, std::string_view command) {
  if (args.size() % 2 == 1) return true;
  ctx.reply().Error("ERR wrong number of arguments for '" + std::string(command) + "' command");
  return false;
}

PlanResult PlanMSet(CommandContext& ctx, ArgList args, OverwritePlan* plan) {
  if (!CheckPairsOrReply(ctx, args, "mset")) return PlanResult::kReplied;
  for (size_t i = 1; i < args.size(); i += 2) plan->changes.push_back({args[i], args[i + 1], 0});
  return PlanResult::kPlanned;
}

void MSetNxCommand(CommandContext& ctx, ArgList args) {
  if (!CheckPairsOrReply(ctx, args, "msetnx")) return;
  for (size_t i = 1; i < args.size(); i += 2) {
    if (ctx.keyspace().Find(args[i]) != nullptr) {
      ctx.reply().Integer(0);
      return;
    }
  }
  for (size_t i = 1; i < args.size(); i += 2) ctx.keyspace().SetString(args[i], args[i + 1], 0);
  ctx.reply().Integer(1);
}

void ReplyMGet(CommandContext& ctx, ArgList /*args*/, std::span<const ValueView> values) {
  ctx.reply().ArrayHeader(values.size());
  for (const ValueView& value : values) {
    value.is_string() ? ctx.reply().Bulk(value.value) : ctx.reply().Null();
  }
}

// The INCR family, as plans (commands/increment.h applies and replies).
bool PlanIncr(CommandContext& /*ctx*/, ArgList /*args*/, Increment* by) {
  by->by = 1;
  return true;
}

bool PlanDecr(CommandContext& /*ctx*/, ArgList /*args*/, Increment* by) {
  by->by = -1;
  return true;
}

bool PlanIncrBy(CommandContext& ctx, ArgList args, Increment* by) {
  return ParseInt64OrReply(ctx, args[2], &by->by);
}

bool PlanDecrBy(CommandContext& ctx, ArgList args, Increment* by) {
  if (!ParseInt64OrReply(ctx, args[2], &by->by)) return false;
  if (by->by == std::numeric_limits<int64_t>::min()) {
    ctx.reply().Error("ERR decrement would overflow");
    return false;
  }
  by->by = -by->by;
  return true;
}

bool PlanIncrByFloat(CommandContext& ctx, ArgList args, Increment* by) {
  by->is_float = true;
  if (ParseLongDouble(args[2], &by->by_float)) return true;
  ctx.reply().Error("ERR " + std::string(kNotAFloat));
  return false;
}

size_t MaxValueLen(CommandContext& ctx) {
  return static_cast<size_t>(ctx.config().proto_max_bulk_len);
}

void AppendCommand(CommandContext& ctx, ArgList args) {
  Result<size_t> result = Append(ctx.keyspace(), args[1], args[2], MaxValueLen(ctx));
  if (OkOrReply(ctx, result.status())) ctx.reply().Integer(static_cast<int64_t>(*result));
}

void ReplyStrLen(CommandContext& ctx, ArgList /*args*/, std::span<const ValueView> values) {
  if (StringOrMissingOrReply(ctx, values[0])) {
    ctx.reply().Integer(static_cast<int64_t>(values[0].value.size()));
  }
}

void ReplyGetRange(CommandContext& ctx, ArgList args, std::span<const ValueView> values) {
  int64_t start = 0;
  int64_t end = 0;
  if (!ParseInt64OrReply(ctx, args[2], &start) || !ParseInt64OrReply(ctx, args[3], &end) ||
      !StringOrMissingOrReply(ctx, values[0])) {
    return;
  }
  ctx.reply().Bulk(Substring(values[0].value, start, end));
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
void ReplyLcs(CommandContext& ctx, ArgList args, std::span<const ValueView> values) {
  bool len = false;
  bool idx = false;
  bool with_match_len = false;
  int64_t min_match = 0;
  for (size_t i = 3; i < args.size(); ++i) {
    if (Is(args[i], "len")) {
      len = true;
    } else if (Is(args[i], "idx")) {
      idx = true;
    } else if (Is(args[i], "withmatchlen")) {
      with_match_len = true;
    } else if (Is(args[i], "minmatchlen") && i + 1 < args.size()) {
      if (!ParseInt64OrReply(ctx, args[++i], &min_match)) return;
      min_match = std::clamp<int64_t>(min_match, 0, UINT32_MAX);
    } else {
      ctx.reply().Error("ERR syntax error");
      return;
    }
  }
  for (const ValueView& v : values) {
    if (v.exists && v.type != ValueType::kString) {
      ctx.reply().Error("ERR The specified keys must contain string values");
      return;
    }
  }
  if (len && idx) {
    ctx.reply().Error("ERR If you want both the length and indexes, please just use IDX.");
    return;
  }
  const uint64_t table = LcsTableBytes(values[0].value, values[1].value);
  const auto limit = static_cast<uint64_t>(ctx.config().lcs_max_memory);
  if (table > limit) {
    ctx.reply().Error("ERR LCS of strings this long needs " + std::to_string(table >> 20) +
                      " MB, over lcs-max-memory");
    return;
  }
  const LcsResult lcs =
      LongestCommonSubsequence(values[0].value, values[1].value, static_cast<uint32_t>(min_match));
  if (len) {
    ctx.reply().Integer(static_cast<int64_t>(lcs.text.size()));
  } else if (!idx) {
    ctx.reply().Bulk(lcs.text);
  } else {
    ctx.reply().MapHeader(2);
    ctx.reply().Bulk("matches");
    ctx.reply().ArrayHeader(lcs.matches.size());
    for (const LcsMatch& m : lcs.matches) {
      ctx.reply().ArrayHeader(with_match_len ? 3 : 2);
      for (const auto& [start, end] :
           {std::pair{m.a_start, m.a_end}, std::pair{m.b_start, m.b_end}}) {
        ctx.reply().ArrayHeader(2);
        ctx.reply().Integer(start);
        ctx.reply().Integer(end);
      }
      if (with_match_len) ctx.reply().Integer(m.length());
    }
    ctx.reply().Bulk("len");
    ctx.reply().Integer(static_cast<int64_t>(lcs.text.size()));
  }
}

void SetRangeCommand(CommandContext& ctx, ArgList args) {
  int64_t offset = 0;
  if (!ParseInt64OrReply(ctx, args[2], &offset)) return;
  Result<size_t> result = SetRange(ctx.keyspace(), args[1], offset, args[3], MaxValueLen(ctx));
  if (OkOrReply(ctx, result.status())) ctx.reply().Integer(static_cast<int64_t>(*result));
}

const CommandSpec kStringCommands[] = {
    {"get", 2, kReadOnly | kFast, 1, 1, 1, ReadsKey<ReplyGet>(), "string", "1.0.0",
     "Returns the string value of a key."},
    {"set",
     -3,
     kWrite | kDenyOom,
     1,
     1,
     1,
     {SetCommand, PlanSet},
     "string",
     "1.0.0",
     "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist."},
    {"getset", 3, kWrite | kDenyOom | kFast, 1, 1, 1, GetSetCommand, "string", "1.0.0",
     "Returns the previous string value of a key after setting it to a new value."},
    {"getdel", 2, kWrite | kFast, 1, 1, 1, GetDelCommand, "string", "6.2.0",
     "Returns the string value of a key after deleting the key."},
    {"getex", -2, kWrite | kFast, 1, 1, 1, GetExCommand, "string", "6.2.0",
     "Returns the string value of a key after setting its expiration time."},
    {"setnx", 3, kWrite | kDenyOom | kFast, 1, 1, 1, SetNxCommand, "string", "1.0.0",
     "Set the string value of a key only when the key doesn't exist."},
    {"setex", 4, kWrite | kDenyOom, 1, 1, 1, PlanSetEx, "string", "2.0.0",
     "Sets the string value and expiration time of a key. Creates the key if it doesn't exist."},
    {"psetex", 4, kWrite | kDenyOom, 1, 1, 1, PlanPSetEx, "string", "2.6.0",
     "Sets both string value and expiration time in milliseconds of a key."},
    {"mset", -3, kWrite | kDenyOom, 1, -1, 2, PlanMSet, "string", "1.0.1",
     "Atomically creates or modifies the string values of one or more keys."},
    {"msetnx", -3, kWrite | kDenyOom, 1, -1, 2, MSetNxCommand, "string", "1.0.1",
     "Atomically modifies the string values of one or more keys only when all keys don't exist."},
    {"mget", -2, kReadOnly | kFast, 1, -1, 1, ReplyMGet, "string", "1.0.0",
     "Atomically returns the string values of one or more keys."},
    {"incr", 2, kWrite | kDenyOom | kFast, 1, 1, 1, PlanIncr, "string", "1.0.0",
     "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't "
     "exist."},
    {"decr", 2, kWrite | kDenyOom | kFast, 1, 1, 1, PlanDecr, "string", "1.0.0",
     "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't "
     "exist."},
    {"incrby", 3, kWrite | kDenyOom | kFast, 1, 1, 1, PlanIncrBy, "string", "1.0.0",
     "Increments the integer value of a key by a number. Uses 0 as initial value if the key "
     "doesn't exist."},
    {"decrby", 3, kWrite | kDenyOom | kFast, 1, 1, 1, PlanDecrBy, "string", "1.0.0",
     "Decrements a number from the integer value of a key. Uses 0 as initial value if the key "
     "doesn't exist."},
    {"incrbyfloat", 3, kWrite | kDenyOom | kFast, 1, 1, 1, PlanIncrByFloat, "string", "2.6.0",
     "Increment the floating point value of a key by a number. Uses 0 as initial value if the key "
     "doesn't exist."},
    {"append", 3, kWrite | kDenyOom | kFast, 1, 1, 1, AppendCommand, "string", "2.0.0",
     "Appends a string to the value of a key. Creates the key if it doesn't exist."},
    {"strlen", 2, kReadOnly | kFast, 1, 1, 1, ReadsKey<ReplyStrLen>(), "string", "2.2.0",
     "Returns the length of a string value."},
    {"getrange", 4, kReadOnly, 1, 1, 1, ReadsKey<ReplyGetRange>(), "string", "2.4.0",
     "Returns a substring of the string stored at a key."},
    {"substr", 4, kReadOnly, 1, 1, 1, ReadsKey<ReplyGetRange>(), "string", "1.0.0",
     "Returns a substring from a string value."},
    {"lcs", -3, kReadOnly, 1, 2, 1, ReplyLcs, "string", "7.0.0",
     "Finds the longest common substring."},
    {"setrange", 4, kWrite | kDenyOom, 1, 1, 1, SetRangeCommand, "string", "2.2.0",
     "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't "
     "exist."},
};

}  // namespace

void RegisterStringCommands(CommandTable& table) {
  for (const CommandSpec& spec : kStringCommands) table.Register(spec);
}

}  // namespace ringcache
