// Bit commands on strings (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP) over
// types/bit_ops.h, with Redis 7's replies and errors. Reads are read replies,
// so a cluster node runs them over the newest replica's value; SETBIT and
// BITOP are read-modify-writes.
#include <string>
#include <vector>

#include "commands/command_context.h"
#include "commands/command_helpers.h"
#include "commands/command_table.h"
#include "commands/read_command.h"
#include "common/number_parsing.h"
#include "types/bit_ops.h"

namespace ringcache {
namespace {

// Redis's limit: offsets address at most 512 MB of string.
constexpr uint64_t kMaxBitOffset = (uint64_t{512} << 23) - 1;

bool BitOffsetOrReply(CommandContext& ctx, std::string_view arg, uint64_t* offset) {
  int64_t n = 0;
  if (ParseInt64(arg, &n) && n >= 0 && static_cast<uint64_t>(n) <= kMaxBitOffset) {
    *offset = static_cast<uint64_t>(n);
    return true;
  }
  ctx.reply().Error("ERR bit offset is not an integer or out of range");
  return false;
}

void SetBitCommand(CommandContext& ctx, ArgList args) {
  uint64_t offset = 0;
  if (!BitOffsetOrReply(ctx, args[2], &offset)) return;
  if (args[3] != "0" && args[3] != "1") {
    ctx.reply().Error("ERR bit is not an integer or out of range");
    return;
  }
  const Result<int> old = SetBit(ctx.keyspace(), args[1], offset, args[3] == "1" ? 1 : 0);
  old.ok() ? ctx.reply().Integer(*old) : ctx.reply().Error(old.status());
}

void ReplyGetBit(CommandContext& ctx, ArgList args, std::span<const ValueView> values) {
  uint64_t offset = 0;
  if (!BitOffsetOrReply(ctx, args[2], &offset) || !StringOrMissingOrReply(ctx, values[0])) return;
  ctx.reply().Integer(GetBit(values[0].value, offset));
}

// [start end [BYTE|BIT]] from args[first..]; false after replying.
bool RangeOrReply(CommandContext& ctx, ArgList args, size_t first, BitRange* range,
                  bool* end_given) {
  const size_t extra = args.size() - first;
  *end_given = extra >= 2;
  if (extra >= 1 && !ParseInt64OrReply(ctx, args[first], &range->start)) return false;
  if (extra >= 2 && !ParseInt64OrReply(ctx, args[first + 1], &range->end)) return false;
  if (extra >= 3) {
    if (extra > 3 || !(Is(args[first + 2], "byte") || Is(args[first + 2], "bit"))) {
      ctx.reply().Error("ERR syntax error");
      return false;
    }
    range->in_bits = Is(args[first + 2], "bit");
  }
  return true;
}

void ReplyBitCount(CommandContext& ctx, ArgList args, std::span<const ValueView> values) {
  BitRange range;
  bool end_given = false;
  if (args.size() == 3) {  // a start without an end
    ctx.reply().Error("ERR syntax error");
    return;
  }
  if (!RangeOrReply(ctx, args, 2, &range, &end_given) || !StringOrMissingOrReply(ctx, values[0])) {
    return;
  }
  ctx.reply().Integer(values[0].exists ? CountBits(values[0].value, range) : 0);
}

void ReplyBitPos(CommandContext& ctx, ArgList args, std::span<const ValueView> values) {
  int64_t bit = 0;
  if (!ParseInt64OrReply(ctx, args[2], &bit)) return;
  if (bit != 0 && bit != 1) {
    ctx.reply().Error("ERR The bit argument must be 1 or 0.");
    return;
  }
  BitRange range;
  bool end_given = false;
  if (!RangeOrReply(ctx, args, 3, &range, &end_given) || !StringOrMissingOrReply(ctx, values[0])) {
    return;
  }
  if (!values[0].exists) {
    ctx.reply().Integer(bit == 1 ? -1 : 0);
    return;
  }
  ctx.reply().Integer(FindBit(values[0].value, static_cast<int>(bit), range, end_given));
}

// BITOP AND|OR|XOR|NOT destkey key [key ...]
void BitOpCommand(CommandContext& ctx, ArgList args) {
  BitOp op = BitOp::kAnd;
  if (Is(args[1], "and")) {
    op = BitOp::kAnd;
  } else if (Is(args[1], "or")) {
    op = BitOp::kOr;
  } else if (Is(args[1], "xor")) {
    op = BitOp::kXor;
  } else if (Is(args[1], "not")) {
    op = BitOp::kNot;
  } else {
    ctx.reply().Error("ERR syntax error");
    return;
  }
  if (op == BitOp::kNot && args.size() != 4) {
    ctx.reply().Error("ERR BITOP NOT must be called with a single source key.");
    return;
  }
  std::vector<std::string> sources;  // copies: the destination's write may move them
  for (size_t i = 3; i < args.size(); ++i) {
    const Entry* e = ctx.keyspace().Lookup(args[i]);
    if (e != nullptr && e->type != ValueType::kString) {
      ctx.reply().Error(Status::WrongType());
      return;
    }
    sources.emplace_back(e != nullptr ? e->value() : std::string_view());
  }
  const std::vector<std::string_view> views(sources.begin(), sources.end());
  const std::string result = CombineBits(op, views);
  if (result.empty()) {
    ctx.keyspace().Delete(args[2]);
  } else {
    ctx.keyspace().SetString(args[2], result, 0);
  }
  ctx.reply().Integer(static_cast<int64_t>(result.size()));
}

const CommandSpec kBitCommands[] = {
    {"setbit", 4, kWrite | kDenyOom, 1, 1, 1, SetBitCommand, "bitmap", "2.2.0",
     "Sets or clears the bit at offset of the string value. Creates the key if it doesn't "
     "exist."},
    {"getbit", 3, kReadOnly | kFast, 1, 1, 1, ReadsKey<ReplyGetBit>(), "bitmap", "2.2.0",
     "Returns a bit value by offset."},
    {"bitcount", -2, kReadOnly, 1, 1, 1, ReadsKey<ReplyBitCount>(), "bitmap", "2.6.0",
     "Counts the number of set bits (population counting) in a string."},
    {"bitpos", -3, kReadOnly, 1, 1, 1, ReadsKey<ReplyBitPos>(), "bitmap", "2.8.7",
     "Finds the first set (1) or clear (0) bit in a string."},
    {"bitop", -4, kWrite | kDenyOom, 2, -1, 1, BitOpCommand, "bitmap", "2.6.0",
     "Performs bitwise operations on multiple strings, and stores the result."},
};

}  // namespace

void RegisterBitCommands(CommandTable& table) {
  for (const CommandSpec& spec : kBitCommands) table.Register(spec);
}

}  // namespace ringcache
