// Small helpers shared by the command families: argument parsing that
// replies with Redis's error when the argument is bad (the `...OrReply`
// suffix: false means the error reply has already been written).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command_context.h"
#include "commands/command_table.h"
#include "common/number_parsing.h"
#include "common/strings.h"

namespace ringcache {

bool ParseInt64OrReply(CommandContext& ctx, std::string_view arg, int64_t* out);
// A count that may not be negative (LPOP's, ZPOPMIN's), with Redis's error
// for either fault: "value is out of range, must be positive".
bool CountOrReply(CommandContext& ctx, std::string_view arg, int64_t* out);
// Replies with the status's error when it is not OK; returns status.ok().
bool OkOrReply(CommandContext& ctx, const Status& status);

enum class TimeUnit { kSeconds, kMilliseconds };

// EX, PX, EXAT and PXAT (any case): the unit of the value that follows and
// whether it counts from now. Other words: nullopt.
struct ExpireOption {
  TimeUnit unit;
  bool relative;
};
std::optional<ExpireOption> AsExpireOption(std::string_view word);

// Turns an EX/PX/EXAT/PXAT-style argument into absolute Unix milliseconds.
// `relative` adds the current time. Refuses values that overflow, and
// non-positive ones when `require_positive`, with "invalid expire time in
// '<command>' command".
bool ExpireAtOrReply(CommandContext& ctx, std::string_view arg, TimeUnit unit, bool relative,
                     bool require_positive, std::string_view command, int64_t* expire_at_ms);

// FLUSHALL/FLUSHDB [ASYNC|SYNC]: false after replying the syntax error.
bool CheckFlushArgsOrReply(CommandContext& ctx, ArgList args);
// A SCAN cursor; false after replying "ERR invalid cursor".
bool ParseCursorOrReply(CommandContext& ctx, std::string_view arg, uint64_t* cursor);

// False after replying WRONGTYPE for a value that is not a string.
inline bool StringOrMissingOrReply(CommandContext& ctx, const ValueView& value) {
  if (!value.exists || value.type == ValueType::kString) return true;
  ctx.reply().Error(Status::WrongType());
  return false;
}

// SCAN's, HSCAN's and SSCAN's options: MATCH, COUNT and (SCAN only) TYPE.
struct ScanOptions {
  std::string_view pattern;
  bool has_pattern = false;
  int64_t count = 10;
  std::string_view type;
  bool has_type = false;
};
// The cursor at args[cursor_index] and the options after it; false after
// replying the error.
bool ParseScanOrReply(CommandContext& ctx, ArgList args, size_t cursor_index, bool allow_type,
                      uint64_t* cursor, ScanOptions* options);
// A SCAN-family reply: the next cursor, then the items.
template <typename Items>
void ReplyScan(CommandContext& ctx, uint64_t cursor, const Items& items) {
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(std::to_string(cursor));
  ctx.reply().ArrayHeader(items.size());
  for (const auto& item : items) ctx.reply().Bulk(item);
}

// Logs a failed AUTH, HELLO AUTH or RC.AUTH (`what`) at warning level, at
// most every few seconds (a client may guess fast).
void NoteFailedAuth(CommandContext& ctx, std::string_view what);

// Replies to `<COMMAND> HELP` with Redis's layout: a header line, then `lines`.
void ReplyHelp(CommandContext& ctx, std::string_view command,
               std::initializer_list<std::string_view> lines);

inline bool Is(std::string_view arg, std::string_view word) { return EqualsIgnoreCase(arg, word); }

// LMPOP's, ZMPOP's and their blocking forms' arguments from args[at] (the
// numkeys) on: that many keys, one of two words (LEFT or RIGHT, MIN or MAX),
// then optionally COUNT n. False after replying Redis's error.
struct CountedPop {
  ArgList keys;
  bool second_word = false;  // RIGHT, or MAX
  int64_t count = 1;
};
bool ParseCountedPopOrReply(CommandContext& ctx, ArgList args, size_t at, std::string_view first,
                            std::string_view second, CountedPop* pop);

// GetKeys for commands whose args[kAt] counts the keys that follow it
// (SINTERCARD, LMPOP; BLMPOP's count comes after its timeout).
template <size_t kAt>
void KeysAfterCount(ArgList args, std::vector<uint32_t>* indexes) {
  int64_t numkeys = 0;
  if (!ParseInt64(args[kAt], &numkeys) || numkeys <= 0) return;
  for (int64_t i = 0; i < numkeys && kAt + 1 + static_cast<size_t>(i) < args.size(); ++i) {
    indexes->push_back(static_cast<uint32_t>(kAt + 1 + static_cast<size_t>(i)));
  }
}

}  // namespace ringcache
