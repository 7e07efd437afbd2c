// Version: how two writes to the same key are ordered across replicas.
//
// A hybrid logical clock stamp (physical milliseconds << 16 | a logical
// counter) plus the writing node's 16-bit tag to break ties, so versions
// totally order writes: the greater version wins (last writer wins). The zero
// version means "never replicated" (a single node's own writes).
// The clock that makes these lives in cluster/hybrid_clock.h.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ringcache {

struct Version {
  uint64_t hlc = 0;
  uint16_t node = 0;

  friend auto operator<=>(const Version&, const Version&) = default;
  bool is_zero() const { return hlc == 0 && node == 0; }
  int64_t physical_ms() const { return static_cast<int64_t>(hlc >> 16); }

  // Wire form used between nodes: "<hlc>-<node>".
  std::string ToString() const;
  // The same, written into a buffer of the caller's (no allocation: one is
  // formatted per replica write).
  struct Text {
    char data[27];  // 20 digits, '-', 5 digits, and room to spare
    size_t size;
    std::string_view view() const { return {data, size}; }
  };
  Text Format() const;
  static bool Parse(std::string_view text, Version* out);
};

}  // namespace ringcache
