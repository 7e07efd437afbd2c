// Bit operations on string values (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP):
// bit 0 is the most significant bit of the first byte, as in Redis.
// Functions over bytes, plus SetBit on the keyspace. No I/O.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "core/keyspace.h"

namespace ringcache {

// A range of a value, in bytes or in bits, as BITCOUNT and BITPOS take it
// (negative indexes count from the end).
struct BitRange {
  int64_t start = 0;
  int64_t end = -1;
  bool in_bits = false;
};

int GetBit(std::string_view value, uint64_t offset);
// Sets the bit and returns the old one; grows the string with zero bytes.
Result<int> SetBit(Keyspace& keyspace, std::string_view key, uint64_t offset, int bit);
int64_t CountBits(std::string_view value, const BitRange& range);
// The first `bit` in the range, or -1. Looking for a 0 with no end given
// finds the first bit past the value: the string is padded with zeros.
int64_t FindBit(std::string_view value, int bit, const BitRange& range, bool end_given);

// BITFIELD's fields: `bits` (1..64) bits from bit `offset`, most significant
// first; bits past the value read as zero. SetBits needs the room made.
uint64_t GetBits(std::string_view value, uint64_t offset, int bits);
void SetBits(char* data, uint64_t offset, int bits, uint64_t field);
// Grows the string at `key` with zero bytes to hold bit `last_bit` (creating
// it); the entry, or WRONGTYPE.
Result<Entry*> GrowForBits(Keyspace& keyspace, std::string_view key, uint64_t last_bit);

enum class BitOp { kAnd, kOr, kXor, kNot };
// The operation over `values` (NOT: exactly one), as long as the longest.
std::string CombineBits(BitOp op, std::span<const std::string_view> values);

}  // namespace ringcache
