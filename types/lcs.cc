#include "types/lcs.h"

#include <algorithm>

namespace ringcache {

LcsResult LongestCommonSubsequence(std::string_view a, std::string_view b, uint32_t min_match) {
  const size_t columns = b.size() + 1;
  std::vector<uint32_t> table((a.size() + 1) * columns, 0);
  const auto at = [&](size_t i, size_t j) -> uint32_t& { return table[i * columns + j]; };
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      at(i, j) = a[i - 1] == b[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
    }
  }
  LcsResult result;
  result.text.assign(at(a.size(), b.size()), '\0');
  // Walk back from the end, growing a range while matches stay contiguous
  // and emitting it where it breaks (or reaches the start of either string).
  size_t i = a.size();
  size_t j = b.size();
  size_t out = result.text.size();
  bool in_range = false;
  LcsMatch range{};
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      result.text[--out] = a[i - 1];
      if (!in_range) {
        range = {static_cast<uint32_t>(i - 1), static_cast<uint32_t>(i - 1),
                 static_cast<uint32_t>(j - 1), static_cast<uint32_t>(j - 1)};
        in_range = true;
      } else {
        --range.a_start;  // contiguous: the previous step matched at (i, j)
        --range.b_start;
      }
      emit = range.a_start == 0 || range.b_start == 0;
      --i;
      --j;
    } else {
      if (at(i - 1, j) > at(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      emit = in_range;
    }
    if (emit) {
      if (min_match == 0 || range.length() >= min_match) result.matches.push_back(range);
      in_range = false;
    }
  }
  return result;
}

}  // namespace ringcache
