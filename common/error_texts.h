// Redis's wording for errors that clients and test suites match on, shared by
// every command that parses or produces numbers: "value is not an integer"
// must mean the same thing everywhere. Without the "ERR " prefix.
#pragma once

#include <string_view>

namespace ringcache {

inline constexpr std::string_view kNotAnInteger = "value is not an integer or out of range";
inline constexpr std::string_view kNotAFloat = "value is not a valid float";
inline constexpr std::string_view kSyntaxError = "syntax error";
inline constexpr std::string_view kOomError =
    "OOM command not allowed when used memory > 'maxmemory'.";

}  // namespace ringcache
