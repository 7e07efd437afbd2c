#include "types/bit_ops.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace ringcache {
namespace {

// The range clipped to [0, length): false when it is empty.
bool Clip(int64_t length, int64_t* start, int64_t* end) {
  if (*start < 0) *start += length;
  if (*end < 0) *end += length;
  *start = std::max<int64_t>(*start, 0);
  *end = std::max<int64_t>(*end, 0);
  *end = std::min(*end, length - 1);
  return length > 0 && *start <= *end;
}

int BitAt(std::string_view value, int64_t bit) {
  const auto byte = static_cast<uint8_t>(value[static_cast<size_t>(bit >> 3)]);
  return (byte >> (7 - (bit & 7))) & 1;
}

}  // namespace

int GetBit(std::string_view value, uint64_t offset) {
  if ((offset >> 3) >= value.size()) return 0;
  return BitAt(value, static_cast<int64_t>(offset));
}

Result<Entry*> GrowForBits(Keyspace& keyspace, std::string_view key, uint64_t last_bit) {
  Entry* e = keyspace.Find(key);
  if (e != nullptr && e->type != ValueType::kString) return Status::WrongType();
  const size_t needed = (last_bit >> 3) + 1;
  const size_t old_len = e == nullptr ? 0 : e->value_len;
  if (e == nullptr) e = keyspace.SetString(key, {}, 0);
  if (needed > old_len) {
    e = keyspace.ResizeValue(e, needed);
    std::memset(e->value_data() + old_len, 0, needed - old_len);
  }
  return e;
}

Result<int> SetBit(Keyspace& keyspace, std::string_view key, uint64_t offset, int bit) {
  Result<Entry*> e = GrowForBits(keyspace, key, offset);
  if (!e.ok()) return e.status();
  const int old = BitAt((*e)->value(), static_cast<int64_t>(offset));
  SetBits((*e)->value_data(), offset, 1, static_cast<uint64_t>(bit));
  return old;
}

uint64_t GetBits(std::string_view value, uint64_t offset, int bits) {
  uint64_t field = 0;
  for (int i = 0; i < bits; ++i)
    field = (field << 1) | static_cast<uint64_t>(GetBit(value, offset + i));
  return field;
}

void SetBits(char* data, uint64_t offset, int bits, uint64_t field) {
  for (int i = 0; i < bits; ++i) {
    const uint64_t bit = offset + static_cast<uint64_t>(i);
    auto* byte = reinterpret_cast<uint8_t*>(data + (bit >> 3));
    const int shift = 7 - static_cast<int>(bit & 7);
    const auto value = static_cast<unsigned>((field >> (bits - 1 - i)) & 1);
    *byte = static_cast<uint8_t>((*byte & ~(1U << shift)) | (value << shift));
  }
}

int64_t CountBits(std::string_view value, const BitRange& range) {
  int64_t start = range.start;
  int64_t end = range.end;
  const auto bytes = static_cast<int64_t>(value.size());
  if (!Clip(range.in_bits ? bytes * 8 : bytes, &start, &end)) return 0;
  if (!range.in_bits) {
    start *= 8;
    end = end * 8 + 7;
  }
  int64_t count = 0;
  int64_t bit = start;
  for (; bit <= end && (bit & 7) != 0; ++bit) count += BitAt(value, bit);
  for (; bit + 7 <= end; bit += 8) {
    count += std::popcount(static_cast<uint8_t>(value[static_cast<size_t>(bit >> 3)]));
  }
  for (; bit <= end; ++bit) count += BitAt(value, bit);
  return count;
}

int64_t FindBit(std::string_view value, int bit, const BitRange& range, bool end_given) {
  int64_t start = range.start;
  int64_t end = range.end;
  const auto bytes = static_cast<int64_t>(value.size());
  if (!Clip(range.in_bits ? bytes * 8 : bytes, &start, &end)) return -1;
  if (!range.in_bits) {
    start *= 8;
    end = end * 8 + 7;
  }
  for (int64_t at = start; at <= end; ++at) {
    // Whole bytes that cannot hold the bit are skipped at once.
    if ((at & 7) == 0 && at + 7 <= end) {
      const auto byte = static_cast<uint8_t>(value[static_cast<size_t>(at >> 3)]);
      if (byte == (bit == 1 ? 0x00 : 0xff)) {
        at += 7;
        continue;
      }
    }
    if (BitAt(value, at) == bit) return at;
  }
  return bit == 0 && !end_given ? end + 1 : -1;
}

std::string CombineBits(BitOp op, std::span<const std::string_view> values) {
  size_t length = 0;
  for (const std::string_view v : values) length = std::max(length, v.size());
  std::string out(length, '\0');
  for (size_t i = 0; i < length; ++i) {
    const auto at = [&](std::string_view v) {
      return i < v.size() ? static_cast<uint8_t>(v[i]) : uint8_t{0};
    };
    uint8_t byte = at(values[0]);
    if (op == BitOp::kNot) byte = static_cast<uint8_t>(~byte);
    for (size_t k = 1; k < values.size(); ++k) {
      const uint8_t other = at(values[k]);
      byte = op == BitOp::kAnd  ? (byte & other)
             : op == BitOp::kOr ? (byte | other)
                                : (byte ^ other);
    }
    out[i] = static_cast<char>(byte);
  }
  return out;
}

}  // namespace ringcache
