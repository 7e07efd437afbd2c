// The final order of two replica states of a key that carry the same version.
//
// Versions order whole-value writes, and a version is meant to name one write.
// But a version's node part is a 16-bit tag derived from the node id, which
// two nodes can share, and two such nodes can stamp the same hybrid-clock
// value on different writes to one key. Replicas must still agree on which
// of the two wins, whatever order they arrive in, so ties are broken by the
// states themselves: a deletion beats a value, then the greater value bytes,
// then the later expiry. Every replica, read and repair uses this order.
#pragma once

#include <xxhash.h>

#include <cstdint>
#include <string_view>

namespace ringcache {

// <0, 0 or >0 as `a` orders before, with, or after `b`.
inline int CompareTiedStates(bool a_tombstone, std::string_view a_value, int64_t a_expire_at_ms,
                             bool b_tombstone, std::string_view b_value, int64_t b_expire_at_ms) {
  if (a_tombstone != b_tombstone) return a_tombstone ? 1 : -1;
  if (const int bytes = a_value.compare(b_value); bytes != 0) return bytes;
  return a_expire_at_ms < b_expire_at_ms ? -1 : a_expire_at_ms > b_expire_at_ms ? 1 : 0;
}

// A hash of a state's content, for anti-entropy digests: replicas holding
// the same version with different content (a tie) must still see that they
// differ.
// Written as 16 hex digits.
struct StateFingerprint {
  StateFingerprint(bool tombstone, std::string_view value, int64_t expire_at_ms) {
    Write(XXH64(value.data(), value.size(), Seed(tombstone, expire_at_ms)));
  }
  // For a value whose content is already hashed (a replicated collection's).
  StateFingerprint(bool tombstone, uint64_t content_hash, int64_t expire_at_ms) {
    Write(XXH64(&content_hash, sizeof(content_hash), Seed(tombstone, expire_at_ms)));
  }
  std::string_view view() const { return {text, sizeof(text)}; }

  char text[16];

 private:
  static uint64_t Seed(bool tombstone, int64_t expire_at_ms) {
    return (static_cast<uint64_t>(expire_at_ms) << 1) | (tombstone ? 1 : 0);
  }
  void Write(uint64_t hash) {
    for (int i = 15; i >= 0; --i, hash >>= 4) text[i] = "0123456789abcdef"[hash & 0xf];
  }
};

}  // namespace ringcache
