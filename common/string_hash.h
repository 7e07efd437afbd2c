// StringHash: a hash for unordered containers of std::string that also takes
// string_views, so a lookup by a view of a key does not copy it to the heap
// (keys past the short-string size would be, on every lookup).
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace ringcache {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

}  // namespace ringcache
