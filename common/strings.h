// Small text helpers shared by every layer: ASCII case folding (command
// names, options and settings are ASCII), list settings, and comparing
// secrets without leaking where they differ.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ringcache {

// ASCII only (std::tolower is a call into the C library and a locale lookup
// for every byte of every command name).
inline char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string Lowercase(std::string_view s);
std::string Uppercase(std::string_view s);

// Splits a list setting ("a:1,b:2" or "a:1 b:2") into its items.
std::vector<std::string> SplitList(std::string_view text);

// Compares secrets in time independent of where they differ.
bool SecretsEqual(std::string_view a, std::string_view b);

}  // namespace ringcache
