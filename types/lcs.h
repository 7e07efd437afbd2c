// The longest common subsequence of two strings (LCS), with the matching
// ranges Redis's LCS IDX reports. Dynamic programming over an
// (a+1) x (b+1) table of 32-bit lengths: callers bound its size first
// (LcsTableBytes). No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ringcache {

struct LcsMatch {
  uint32_t a_start, a_end, b_start, b_end;  // inclusive byte ranges
  uint32_t length() const { return a_end - a_start + 1; }
};

struct LcsResult {
  std::string text;
  std::vector<LcsMatch> matches;  // last to first, as Redis lists them
};

inline uint64_t LcsTableBytes(std::string_view a, std::string_view b) {
  return (uint64_t{a.size()} + 1) * (uint64_t{b.size()} + 1) * sizeof(uint32_t);
}

// Matches shorter than `min_match` are left out of `matches` (0: none are).
LcsResult LongestCommonSubsequence(std::string_view a, std::string_view b, uint32_t min_match);

}  // namespace ringcache
