// Bit commands on strings (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP) over
// types/bit_ops.h, with Redis 7's replies and errors. Reads are read replies,
// so a cluster node runs them over the newest replica's value; SETBIT and
// BITOP are read-modify-writes.
#include <algorithm>
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

// BITFIELD's operations, parsed before anything runs (a bad one fails the
// whole command, as in Redis).
enum class Overflow { kWrap, kSat, kFail };
struct FieldOp {
  enum Kind { kGet, kSet, kIncrBy } kind = kGet;
  bool is_signed = false;
  int bits = 0;
  uint64_t offset = 0;
  int64_t value = 0;  // SET's value, INCRBY's increment
  Overflow overflow = Overflow::kWrap;
};

bool FieldTypeOrReply(CommandContext& ctx, std::string_view arg, FieldOp* op) {
  int64_t bits = 0;
  const bool ok = arg.size() >= 2 &&
                  (arg[0] == 'i' || arg[0] == 'I' || arg[0] == 'u' || arg[0] == 'U') &&
                  ParseInt64(arg.substr(1), &bits) && bits >= 1 &&
                  bits <= ((arg[0] == 'i' || arg[0] == 'I') ? 64 : 63);
  if (!ok) {
    ctx.reply().Error(
        "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
        "but i64 is.");
    return false;
  }
  op->is_signed = arg[0] == 'i' || arg[0] == 'I';
  op->bits = static_cast<int>(bits);
  return true;
}

bool FieldOffsetOrReply(CommandContext& ctx, std::string_view arg, FieldOp* op) {
  const bool scaled = !arg.empty() && arg[0] == '#';
  int64_t n = 0;
  // As Redis: the field's first bit within the limit (its last may pass it).
  if (ParseInt64(scaled ? arg.substr(1) : arg, &n) && n >= 0 &&
      static_cast<uint64_t>(n) <= kMaxBitOffset) {
    op->offset = static_cast<uint64_t>(n) * (scaled ? static_cast<uint64_t>(op->bits) : 1);
    if (op->offset <= kMaxBitOffset) return true;
  }
  ctx.reply().Error("ERR bit offset is not an integer or out of range");
  return false;
}

// The operations from args[2..]; false after replying.
bool FieldOpsOrReply(CommandContext& ctx, ArgList args, bool read_only, std::vector<FieldOp>* ops) {
  Overflow overflow = Overflow::kWrap;
  for (size_t i = 2; i < args.size();) {
    FieldOp op;
    const std::string_view name = args[i];
    const size_t operands = Is(name, "get") ? 2 : (Is(name, "set") || Is(name, "incrby")) ? 3 : 0;
    if (Is(name, "overflow") && i + 1 < args.size()) {
      if (Is(args[i + 1], "wrap")) {
        overflow = Overflow::kWrap;
      } else if (Is(args[i + 1], "sat")) {
        overflow = Overflow::kSat;
      } else if (Is(args[i + 1], "fail")) {
        overflow = Overflow::kFail;
      } else {
        ctx.reply().Error("ERR Invalid OVERFLOW type specified");
        return false;
      }
      i += 2;
      continue;
    }
    if (operands == 0 || i + operands >= args.size()) {
      ctx.reply().Error("ERR syntax error");
      return false;
    }
    op.kind = Is(name, "get") ? FieldOp::kGet : Is(name, "set") ? FieldOp::kSet : FieldOp::kIncrBy;
    if (read_only && op.kind != FieldOp::kGet) {
      ctx.reply().Error("ERR BITFIELD_RO only supports the GET subcommand");
      return false;
    }
    if (!FieldTypeOrReply(ctx, args[i + 1], &op) || !FieldOffsetOrReply(ctx, args[i + 2], &op)) {
      return false;
    }
    if (operands == 3 && !ParseInt64OrReply(ctx, args[i + 3], &op.value)) return false;
    op.overflow = overflow;
    ops->push_back(op);
    i += operands + 1;
  }
  return true;
}

// A field's value as a signed or unsigned number of op.bits bits.
int64_t FieldValue(const FieldOp& op, uint64_t raw) {
  if (!op.is_signed || op.bits == 64) return static_cast<int64_t>(raw);
  const uint64_t sign = uint64_t{1} << (op.bits - 1);
  return static_cast<int64_t>((raw ^ sign) - sign);  // sign-extended
}

// `value` + `incr` in the field's range; false when it overflows under FAIL.
bool Fit(const FieldOp& op, int64_t value, int64_t incr, int64_t* out) {
  const __int128 sum = static_cast<__int128>(value) + incr;
  const __int128 max = op.is_signed ? (static_cast<__int128>(1) << (op.bits - 1)) - 1
                                    : (static_cast<__int128>(1) << op.bits) - 1;
  const __int128 min = op.is_signed ? -max - 1 : 0;
  // A SET's value as the unsigned field reads it: its low 64 bits.
  const __int128 wanted = !op.is_signed && op.kind == FieldOp::kSet
                              ? static_cast<__int128>(static_cast<uint64_t>(value))
                              : sum;
  if (wanted >= min && wanted <= max) {
    *out = static_cast<int64_t>(wanted);
    return true;
  }
  if (op.overflow == Overflow::kFail) return false;
  if (op.overflow == Overflow::kSat) {
    *out = static_cast<int64_t>(wanted > max ? max : min);
    return true;
  }
  const uint64_t mask = op.bits == 64 ? ~uint64_t{0} : (uint64_t{1} << op.bits) - 1;
  *out = FieldValue(op, static_cast<uint64_t>(wanted) & mask);
  return true;
}

void RunFieldOps(CommandContext& ctx, std::string_view key, const std::vector<FieldOp>& ops,
                 std::string_view read_value) {
  uint64_t last_bit = 0;
  bool writes = false;
  for (const FieldOp& op : ops) {
    if (op.kind == FieldOp::kGet) continue;
    writes = true;
    last_bit = std::max<uint64_t>(last_bit, op.offset + static_cast<uint64_t>(op.bits) - 1);
  }
  Entry* e = nullptr;
  if (writes) {
    Result<Entry*> grown = GrowForBits(ctx.keyspace(), key, last_bit);
    if (!grown.ok()) {
      ctx.reply().Error(grown.status());
      return;
    }
    e = *grown;
  }
  ctx.reply().ArrayHeader(ops.size());
  for (const FieldOp& op : ops) {
    const std::string_view value = e != nullptr ? e->value() : read_value;
    const int64_t old = FieldValue(op, GetBits(value, op.offset, op.bits));
    if (op.kind == FieldOp::kGet) {
      ctx.reply().Integer(old);
      continue;
    }
    int64_t updated = 0;
    if (!Fit(op, op.kind == FieldOp::kSet ? op.value : old, op.kind == FieldOp::kSet ? 0 : op.value,
             &updated)) {
      ctx.reply().Null();
      continue;
    }
    // A write made `e` above: the analyzer does not follow `writes`.
    // NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage)
    SetBits(e->value_data(), op.offset, op.bits, static_cast<uint64_t>(updated));
    ctx.reply().Integer(op.kind == FieldOp::kSet ? old : updated);
  }
}

void BitFieldCommand(CommandContext& ctx, ArgList args) {
  std::vector<FieldOp> ops;
  if (!FieldOpsOrReply(ctx, args, false, &ops)) return;
  const Entry* e = ctx.keyspace().Lookup(args[1]);
  if (e != nullptr && e->type != ValueType::kString) {
    ctx.reply().Error(Status::WrongType());
    return;
  }
  // Read only while no operation writes: writes read the grown entry.
  RunFieldOps(ctx, args[1], ops, e != nullptr ? e->value() : std::string_view());
}

void ReplyBitFieldRo(CommandContext& ctx, ArgList args, std::span<const ValueView> values) {
  std::vector<FieldOp> ops;
  if (!FieldOpsOrReply(ctx, args, true, &ops) || !StringOrMissingOrReply(ctx, values[0])) return;
  RunFieldOps(ctx, args[1], ops, values[0].value);
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
    {"bitfield", -2, kWrite | kDenyOom, 1, 1, 1, BitFieldCommand, "bitmap", "3.2.0",
     "Performs arbitrary bitfield integer operations on strings."},
    {"bitfield_ro", -2, kReadOnly | kFast, 1, 1, 1, ReadsKey<ReplyBitFieldRo>(), "bitmap", "6.0.0",
     "Performs arbitrary read-only bitfield integer operations on strings."},
    {"bitop", -4, kWrite | kDenyOom, 2, -1, 1, BitOpCommand, "bitmap", "2.6.0",
     "Performs bitwise operations on multiple strings, and stores the result."},
};

}  // namespace

void RegisterBitCommands(CommandTable& table) {
  for (const CommandSpec& spec : kBitCommands) table.Register(spec);
}

}  // namespace ringcache
