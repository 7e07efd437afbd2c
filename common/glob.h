// Glob-style matching as Redis's KEYS, SCAN MATCH and CONFIG GET use it:
// `*`, `?`, `[abc]`, `[^a-z]`, and `\` to escape the next character.
#pragma once

#include <string_view>

namespace ringcache {

bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase = false);

}  // namespace ringcache
