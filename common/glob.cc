#include "common/glob.h"

#include <cctype>
#include <cstddef>

namespace ringcache {
namespace {

char Fold(char c, bool nocase) {
  return nocase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

// Matches the class that starts at pattern[p] == '['. Sets `next` to the index
// after the class. An unterminated class runs to the end of the pattern, as
// in Redis.
bool MatchClass(std::string_view pattern, size_t p, char c, bool nocase, size_t* next) {
  ++p;
  bool negate = false;
  if (p < pattern.size() && pattern[p] == '^') {
    negate = true;
    ++p;
  }
  bool matched = false;
  c = Fold(c, nocase);
  while (p < pattern.size() && pattern[p] != ']') {
    if (pattern[p] == '\\' && p + 1 < pattern.size()) {
      ++p;
      if (Fold(pattern[p], nocase) == c) matched = true;
    } else if (p + 2 < pattern.size() && pattern[p + 1] == '-') {
      char lo = Fold(pattern[p], nocase);
      char hi = Fold(pattern[p + 2], nocase);
      if (lo > hi) std::swap(lo, hi);
      if (c >= lo && c <= hi) matched = true;
      p += 2;
    } else if (Fold(pattern[p], nocase) == c) {
      matched = true;
    }
    ++p;
  }
  *next = p < pattern.size() ? p + 1 : p;
  return matched != negate;
}

}  // namespace

// Classic wildcard matching with one backtrack point: on a mismatch, retry
// from the most recent '*' with it swallowing one more character. Linear in
// practice, and never the exponential blow-up of naive recursion.
bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase) {
  size_t p = 0;
  size_t t = 0;
  size_t star_p = std::string_view::npos;
  size_t star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      const char pc = pattern[p];
      if (pc == '*') {
        while (p < pattern.size() && pattern[p] == '*') ++p;
        if (p == pattern.size()) return true;
        star_p = p;
        star_t = t;
        continue;
      }
      size_t next = p + 1;
      bool ok = false;
      if (pc == '?') {
        ok = true;
      } else if (pc == '[') {
        ok = MatchClass(pattern, p, text[t], nocase, &next);
      } else if (pc == '\\' && p + 1 < pattern.size()) {
        ok = Fold(pattern[p + 1], nocase) == Fold(text[t], nocase);
        next = p + 2;
      } else {
        ok = Fold(pc, nocase) == Fold(text[t], nocase);
      }
      if (ok) {
        p = next;
        ++t;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace ringcache
