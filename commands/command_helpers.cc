#include "commands/command_helpers.h"

#include <spdlog/spdlog.h>

#include <limits>
#include <string>

#include "common/error_texts.h"
#include "common/number_parsing.h"

namespace ringcache {

bool ParseInt64OrReply(CommandContext& ctx, std::string_view arg, int64_t* out) {
  if (ParseInt64(arg, out)) return true;
  ctx.reply().Error("ERR " + std::string(kNotAnInteger));
  return false;
}

bool CountOrReply(CommandContext& ctx, std::string_view arg, int64_t* out) {
  if (ParseInt64(arg, out) && *out >= 0) return true;
  ctx.reply().Error("ERR value is out of range, must be positive");
  return false;
}

bool ParseCountedPopOrReply(CommandContext& ctx, ArgList args, size_t at, std::string_view first,
                            std::string_view second, CountedPop* pop) {
  int64_t numkeys = 0;
  if (!ParseInt64(args[at], &numkeys) || numkeys <= 0) {
    ctx.reply().Error("ERR numkeys should be greater than 0");
    return false;
  }
  if (static_cast<uint64_t>(numkeys) > args.size() - at - 1) {
    ctx.reply().Error("ERR Number of keys can't be greater than number of args");
    return false;
  }
  pop->keys = args.subspan(at + 1, static_cast<size_t>(numkeys));
  size_t i = at + 1 + pop->keys.size();
  if (i == args.size() || (!Is(args[i], first) && !Is(args[i], second))) {
    ctx.reply().Error("ERR syntax error");
    return false;
  }
  pop->second_word = Is(args[i++], second);
  if (i == args.size()) return true;
  if (i + 2 != args.size() || !Is(args[i], "count")) {
    ctx.reply().Error("ERR syntax error");
    return false;
  }
  if (!ParseInt64(args[i + 1], &pop->count) || pop->count <= 0) {
    ctx.reply().Error("ERR count should be greater than 0");
    return false;
  }
  return true;
}

bool OkOrReply(CommandContext& ctx, const Status& status) {
  if (status.ok()) return true;
  ctx.reply().Error(status);
  return false;
}

std::optional<ExpireOption> AsExpireOption(std::string_view word) {
  if (Is(word, "ex")) return ExpireOption{TimeUnit::kSeconds, true};
  if (Is(word, "px")) return ExpireOption{TimeUnit::kMilliseconds, true};
  if (Is(word, "exat")) return ExpireOption{TimeUnit::kSeconds, false};
  if (Is(word, "pxat")) return ExpireOption{TimeUnit::kMilliseconds, false};
  return std::nullopt;
}

bool ExpireAtOrReply(CommandContext& ctx, std::string_view arg, TimeUnit unit, bool relative,
                     bool require_positive, std::string_view command, int64_t* expire_at_ms) {
  int64_t when = 0;
  if (!ParseInt64OrReply(ctx, arg, &when)) return false;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  bool valid = !(require_positive && when <= 0);
  if (valid && unit == TimeUnit::kSeconds) {
    valid = when <= kMax / 1000 && when >= kMin / 1000;
    when *= valid ? 1000 : 1;
  }
  if (valid && relative) {
    const int64_t now = ctx.keyspace().now_ms();
    valid = when <= kMax - now;
    when += valid ? now : 0;
  }
  if (!valid) {
    ctx.reply().Error("ERR invalid expire time in '" + std::string(command) + "' command");
    return false;
  }
  *expire_at_ms = when;
  return true;
}

bool CheckFlushArgsOrReply(CommandContext& ctx, ArgList args) {
  if (args.size() <= 1 || (args.size() == 2 && (Is(args[1], "async") || Is(args[1], "sync")))) {
    return true;
  }
  ctx.reply().Error("ERR " + std::string(kSyntaxError));
  return false;
}

bool ParseCursorOrReply(CommandContext& ctx, std::string_view arg, uint64_t* cursor) {
  if (ParseUint64(arg, cursor)) return true;
  ctx.reply().Error("ERR invalid cursor");
  return false;
}

bool ParseScanOrReply(CommandContext& ctx, ArgList args, size_t cursor_index, bool allow_type,
                      uint64_t* cursor, ScanOptions* options) {
  if (!ParseCursorOrReply(ctx, args[cursor_index], cursor)) return false;
  for (size_t i = cursor_index + 1; i < args.size(); i += 2) {
    if (i + 1 >= args.size()) {
      ctx.reply().Error("ERR " + std::string(kSyntaxError));
      return false;
    }
    if (Is(args[i], "match")) {
      options->pattern = args[i + 1];
      options->has_pattern = !(options->pattern == "*");
    } else if (Is(args[i], "count")) {
      if (!ParseInt64OrReply(ctx, args[i + 1], &options->count)) return false;
      if (options->count < 1) {
        ctx.reply().Error("ERR " + std::string(kSyntaxError));
        return false;
      }
    } else if (allow_type && Is(args[i], "type")) {
      options->type = args[i + 1];
      options->has_type = true;
    } else {
      ctx.reply().Error("ERR " + std::string(kSyntaxError));
      return false;
    }
  }
  return true;
}

void NoteFailedAuth(CommandContext& ctx, std::string_view what) {
  LogLimiter& limiter = ctx.server().auth_warnings;
  if (!limiter.Allow(ctx.keyspace().now_ms())) return;
  spdlog::warn("failed {} from client {}{}", what, ctx.session().addr, SuppressedNote(limiter));
}

void ReplyHelp(CommandContext& ctx, std::string_view command,
               std::initializer_list<std::string_view> lines) {
  ctx.reply().ArrayHeader(lines.size() + 3);
  ctx.reply().SimpleString(std::string(command) +
                           " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (std::string_view line : lines) ctx.reply().SimpleString(line);
  ctx.reply().SimpleString("HELP");
  ctx.reply().SimpleString("    Print this help.");
}

}  // namespace ringcache
