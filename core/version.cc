#include "core/version.h"

#include <charconv>

#include "common/number_parsing.h"

namespace ringcache {

Version::Text Version::Format() const {
  Text text;
  char* p = WriteUint64(hlc, text.data);
  *p++ = '-';
  p = WriteUint64(node, p);
  text.size = static_cast<size_t>(p - text.data);
  return text;
}

std::string Version::ToString() const { return std::string(Format().view()); }

bool Version::Parse(std::string_view text, Version* out) {
  const size_t dash = text.find('-');
  if (dash == std::string_view::npos) return false;
  Version v;
  const char* hlc_end = text.data() + dash;
  auto [p1, e1] = std::from_chars(text.data(), hlc_end, v.hlc);
  auto [p2, e2] = std::from_chars(hlc_end + 1, text.data() + text.size(), v.node);
  if (e1 != std::errc() || p1 != hlc_end || e2 != std::errc() || p2 != text.data() + text.size()) {
    return false;
  }
  *out = v;
  return true;
}

}  // namespace ringcache
