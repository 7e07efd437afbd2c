#include "common/number_parsing.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>

namespace ringcache {

bool ParseUint64(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t value = 0;
  for (char c : s) {
    const auto digit = static_cast<uint64_t>(c - '0');
    if (c < '0' || c > '9' || value > (UINT64_MAX - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *out = value;
  return true;
}

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    i = 1;
    if (s.size() == 1) return false;
  }
  // Leading zeros are refused so that "007" stays a string (Redis would not
  // store it as an integer either, and INCR must agree with it).
  if (s[i] == '0' && s.size() > i + 1) return false;
  if (s[i] == '0' && negative) return false;
  // 19 digits fit in 64 bits unsigned, so the loop needs no overflow check;
  // 20 or more are beyond int64 anyway. (It runs for every bulk length a
  // client sends: a check per digit cost more than the rest.)
  if (s.size() - i > 19) return false;
  uint64_t magnitude = 0;
  for (; i < s.size(); ++i) {
    const auto digit = static_cast<uint64_t>(static_cast<unsigned char>(s[i])) - '0';
    if (digit > 9) return false;
    magnitude = magnitude * 10 + digit;
  }
  constexpr uint64_t kMaxPositive = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (negative) {
    if (magnitude > kMaxPositive + 1) return false;
    *out = magnitude == kMaxPositive + 1 ? std::numeric_limits<int64_t>::min()
                                         : -static_cast<int64_t>(magnitude);
  } else {
    if (magnitude > kMaxPositive) return false;
    *out = static_cast<int64_t>(magnitude);
  }
  return true;
}

namespace {

// Redis's MAX_LONG_DOUBLE_CHARS: INCRBYFLOAT writes fixed-point text, and
// 1e300 takes 301 digits, which it must read back.
constexpr size_t kMaxFloatChars = 5 * 1024;

// strtold needs a terminated string: most floats are short enough for a
// stack copy.
template <typename Float, Float (*Convert)(const char*, char**)>
bool ParseFloat(std::string_view s, Float* out) {
  if (s.empty() || s.size() > kMaxFloatChars) return false;
  if (std::isspace(static_cast<unsigned char>(s.front())) ||
      std::isspace(static_cast<unsigned char>(s.back()))) {
    return false;
  }
  char stack[256];
  std::string heap;
  char* buf = stack;
  if (s.size() >= sizeof(stack)) {
    heap.resize(s.size() + 1);
    buf = heap.data();
  }
  s.copy(buf, s.size());
  buf[s.size()] = '\0';
  char* end = nullptr;
  errno = 0;
  const Float value = Convert(buf, &end);
  if (end != buf + s.size() || std::isnan(value)) return false;
  // Underflow to zero is fine; overflow to HUGE_VAL with ERANGE is not.
  if (errno == ERANGE && std::isinf(value)) return false;
  *out = value;
  return true;
}

long double StrToLd(const char* s, char** end) { return std::strtold(s, end); }
double StrToD(const char* s, char** end) { return std::strtod(s, end); }

}  // namespace

bool ParseLongDouble(std::string_view s, long double* out) {
  return ParseFloat<long double, StrToLd>(s, out);
}

bool ParseDouble(std::string_view s, double* out) { return ParseFloat<double, StrToD>(s, out); }

size_t FormatInt64(int64_t value, char* buf) {
  if (value >= 0) return static_cast<size_t>(WriteUint64(static_cast<uint64_t>(value), buf) - buf);
  buf[0] = '-';
  // Negated as unsigned, so INT64_MIN is fine.
  const uint64_t magnitude = uint64_t{0} - static_cast<uint64_t>(value);
  return static_cast<size_t>(WriteUint64(magnitude, buf + 1) - buf);
}

namespace {

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

int DecimalDigits(uint64_t value) {
  static constexpr uint64_t kPowers[] = {10ULL,
                                         100ULL,
                                         1000ULL,
                                         10000ULL,
                                         100000ULL,
                                         1000000ULL,
                                         10000000ULL,
                                         100000000ULL,
                                         1000000000ULL,
                                         10000000000ULL,
                                         100000000000ULL,
                                         1000000000000ULL,
                                         10000000000000ULL,
                                         100000000000000ULL,
                                         1000000000000000ULL,
                                         10000000000000000ULL,
                                         100000000000000000ULL,
                                         1000000000000000000ULL,
                                         10000000000000000000ULL};
  // log10 from log2 (1233/4096 ~ log10(2)), then one correction.
  const int approx = ((63 - __builtin_clzll(value | 1)) * 1233) >> 12;
  return approx + 1 + (value >= kPowers[approx] ? 1 : 0);
}

}  // namespace

char* WriteUint64(uint64_t value, char* at) {
  char* end = at + DecimalDigits(value);
  char* p = end;
  while (value >= 100) {
    const auto pair = static_cast<size_t>(value % 100) * 2;
    value /= 100;
    *--p = kDigitPairs[pair + 1];
    *--p = kDigitPairs[pair];
  }
  if (value >= 10) {
    const auto pair = static_cast<size_t>(value) * 2;
    *--p = kDigitPairs[pair + 1];
    *--p = kDigitPairs[pair];
  } else {
    *--p = static_cast<char>('0' + value);
  }
  return end;
}

std::string FormatLongDouble(long double value) {
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[5 * 1024];
  int len = std::snprintf(buf, sizeof(buf), "%.17Lf", value);
  if (len <= 0 || static_cast<size_t>(len) >= sizeof(buf)) return "0";
  if (std::string_view(buf, static_cast<size_t>(len)).find('.') != std::string_view::npos) {
    while (len > 0 && buf[len - 1] == '0') --len;
    if (len > 0 && buf[len - 1] == '.') --len;
  }
  std::string result(buf, static_cast<size_t>(len));
  if (result == "-0") result = "0";
  return result;
}

std::string FormatDouble(double value) {
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[64];
  const int len = std::snprintf(buf, sizeof(buf), "%.17g", value);
  return {buf, static_cast<size_t>(len)};
}

}  // namespace ringcache
