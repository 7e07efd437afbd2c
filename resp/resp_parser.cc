#include "resp/resp_parser.h"

#include <cctype>
#include <cstring>

#include "common/number_parsing.h"

namespace ringcache {
namespace {

// Redis's PROTO_INLINE_MAX_SIZE: an inline request, or a `*N`/`$N` header
// line, longer than this is an attack or a bug, not a request.
constexpr size_t kMaxInlineSize = size_t{64} * 1024;
constexpr int64_t kMaxMultibulkLen = 1024LL * 1024 * 1024;
// Redis's limits for clients that have not authenticated yet.
constexpr int64_t kUnauthMaxMultibulkLen = 10;
constexpr int64_t kUnauthMaxBulkLen = 16384;

// Finds the header line that starts at `from`: returns the offset of its '\r'
// when the '\r' and the byte after it are present, or npos.
size_t FindHeaderEnd(std::string_view data, size_t from) {
  const void* cr = std::memchr(data.data() + from, '\r', data.size() - from);
  if (cr == nullptr) return std::string_view::npos;
  const size_t at = static_cast<size_t>(static_cast<const char*>(cr) - data.data());
  return at + 1 < data.size() ? at : std::string_view::npos;
}

// A bulk length: decimal digits, no sign, no leading zero (as ParseInt64,
// which it replaces on the path every argument takes: a negative or huge
// length is refused either way, and this costs a third as much).
bool ParseBulkLength(std::string_view s, int64_t* out) {
  constexpr size_t kMaxDigits = 18;  // far above any bulk limit; cannot overflow
  if (s.empty() || s.size() > kMaxDigits || (s[0] == '0' && s.size() > 1)) return false;
  int64_t value = 0;
  for (const char c : s) {
    const auto digit = static_cast<unsigned>(static_cast<unsigned char>(c)) - '0';
    if (digit > 9) return false;
    value = value * 10 + digit;
  }
  *out = value;
  return true;
}

}  // namespace

RespParser::Result RespParser::Parse(std::string_view data) {
  if (data.empty()) return Result::kIncomplete;
  return data[0] == '*' ? ParseMultibulk(data) : ParseInline(data);
}

RespParser::Result RespParser::ParseMultibulk(std::string_view data) {
  if (expected_args_ < 0) {
    const size_t cr = FindHeaderEnd(data, 1);
    if (cr == std::string_view::npos) {
      if (data.size() > kMaxInlineSize) return Fail("Protocol error: too big mbulk count string");
      return Result::kIncomplete;
    }
    int64_t count = 0;
    const bool parsed = ParseInt64(data.substr(1, cr - 1), &count);
    if (!parsed || count > kMaxMultibulkLen)
      return Fail("Protocol error: invalid multibulk length");
    if (!limits_.authenticated && count > kUnauthMaxMultibulkLen) {
      return Fail("Protocol error: unauthenticated multibulk length");
    }
    pos_ = cr + 2;
    if (count <= 0) return FinishEmpty(pos_);
    expected_args_ = count;
    refs_.clear();
    // Reserve for what a sane command needs; huge counts grow as bulks arrive.
    refs_.reserve(static_cast<size_t>(count < 1024 ? count : 1024));
  }
  while (static_cast<int64_t>(refs_.size()) < expected_args_) {
    if (bulk_len_ < 0) {
      if (pos_ >= data.size()) return Result::kIncomplete;
      if (data[pos_] != '$') {
        return Fail(std::string("Protocol error: expected '$', got '") + data[pos_] + "'");
      }
      const size_t cr = FindHeaderEnd(data, pos_ + 1);
      if (cr == std::string_view::npos) {
        if (data.size() - pos_ > kMaxInlineSize) {
          return Fail("Protocol error: too big bulk count string");
        }
        return Result::kIncomplete;
      }
      int64_t len = 0;
      const bool parsed = ParseBulkLength(data.substr(pos_ + 1, cr - pos_ - 1), &len);
      if (!parsed || len < 0 || len > limits_.max_bulk_len) {
        return Fail("Protocol error: invalid bulk length");
      }
      if (!limits_.authenticated && len > kUnauthMaxBulkLen) {
        return Fail("Protocol error: unauthenticated bulk length");
      }
      bulk_len_ = len;
      pos_ = cr + 2;
    }
    const size_t len = static_cast<size_t>(bulk_len_);
    // Like Redis, the two bytes after the payload are skipped, not checked.
    if (data.size() < pos_ + len + 2) return Result::kIncomplete;
    refs_.push_back({pos_, len});
    pos_ += len + 2;
    bulk_len_ = -1;
  }
  args_.clear();
  for (const ArgRef& ref : refs_) args_.emplace_back(data.data() + ref.offset, ref.len);
  const size_t end = pos_;
  ResetCommand();
  consumed_ = end;
  return Result::kComplete;
}

RespParser::Result RespParser::ParseInline(std::string_view data) {
  const void* nl = std::memchr(data.data() + pos_, '\n', data.size() - pos_);
  if (nl == nullptr) {
    if (data.size() > kMaxInlineSize) return Fail("Protocol error: too big inline request");
    pos_ = data.size();  // nothing before here holds a newline; don't scan it again
    return Result::kIncomplete;
  }
  const size_t newline = static_cast<size_t>(static_cast<const char*>(nl) - data.data());
  std::string_view line = data.substr(0, newline);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  args_.clear();
  if (!SplitInlineArgs(line, &inline_storage_, &args_)) {
    return Fail("Protocol error: unbalanced quotes in request");
  }
  ResetCommand();
  consumed_ = newline + 1;
  return Result::kComplete;
}

RespParser::Result RespParser::FinishEmpty(size_t end) {
  args_.clear();
  ResetCommand();
  consumed_ = end;
  return Result::kComplete;
}

RespParser::Result RespParser::Fail(std::string msg) {
  error_ = std::move(msg);
  ResetCommand();
  return Result::kError;
}

void RespParser::ResetCommand() {
  pos_ = 0;
  expected_args_ = -1;
  bulk_len_ = -1;
}

size_t RespParser::MinBytesWanted(size_t have) const {
  if (expected_args_ < 0 || bulk_len_ < 0) return 0;
  const size_t need = pos_ + static_cast<size_t>(bulk_len_) + 2;
  return need > have ? need - have : 0;
}

namespace {

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Reads one argument in double quotes starting after the opening quote.
// Returns the index just past the closing quote, or npos if unbalanced.
size_t ReadDoubleQuoted(std::string_view line, size_t i, std::string* out) {
  while (i < line.size()) {
    const char c = line[i];
    if (c == '"') return i + 1;
    if (c == '\\' && i + 3 < line.size() && line[i + 1] == 'x' && HexDigitValue(line[i + 2]) >= 0 &&
        HexDigitValue(line[i + 3]) >= 0) {
      out->push_back(
          static_cast<char>(HexDigitValue(line[i + 2]) * 16 + HexDigitValue(line[i + 3])));
      i += 4;
      continue;
    }
    if (c == '\\' && i + 1 < line.size()) {
      char escaped = line[i + 1];
      switch (escaped) {
        case 'n':
          escaped = '\n';
          break;
        case 'r':
          escaped = '\r';
          break;
        case 't':
          escaped = '\t';
          break;
        case 'b':
          escaped = '\b';
          break;
        case 'a':
          escaped = '\a';
          break;
        default:
          break;
      }
      out->push_back(escaped);
      i += 2;
      continue;
    }
    out->push_back(c);
    ++i;
  }
  return std::string_view::npos;
}

size_t ReadSingleQuoted(std::string_view line, size_t i, std::string* out) {
  while (i < line.size()) {
    const char c = line[i];
    if (c == '\'') return i + 1;
    if (c == '\\' && i + 1 < line.size() && line[i + 1] == '\'') {
      out->push_back('\'');
      i += 2;
      continue;
    }
    out->push_back(c);
    ++i;
  }
  return std::string_view::npos;
}

}  // namespace

namespace {

// PeekKeys' header reader: the digits after *p (a '*' or '$') up to the
// line's "\r\n"; on success *p moves past the line. Parse()'s memchr and
// checks cost several times as much, on a path every pipelined request takes.
[[gnu::always_inline]] inline bool PeekHeader(const char** p, const char* end, size_t* value) {
  constexpr ptrdiff_t kMaxDigits = 18;
  const char* first = *p + 1;
  const char* q = first;
  size_t v = 0;
  for (; q < end; ++q) {
    const unsigned digit = static_cast<unsigned>(static_cast<unsigned char>(*q)) - unsigned{'0'};
    if (digit > 9) break;
    v = v * 10 + digit;  // may wrap for absurd lengths: refused below
  }
  if (q == first || q - first > kMaxDigits || end - q < 2 || *q != '\r') return false;
  *p = q + 2;
  *value = v;
  return true;
}

}  // namespace

size_t PeekKeys(std::string_view data, std::span<std::string_view> keys) {
  const char* p = data.data();
  const char* const end = p + data.size();
  size_t found = 0;
  size_t count = 0;
  while (found < keys.size() && p < end && *p == '*' && PeekHeader(&p, end, &count)) {
    std::string_view key;
    for (size_t i = 0; i < count; ++i) {
      size_t len = 0;
      if (p == end || *p != '$' || !PeekHeader(&p, end, &len) ||
          static_cast<size_t>(end - p) < len + 2) {
        return found;
      }
      if (i == 1) key = {p, len};
      p += len + 2;
    }
    keys[found++] = key;
  }
  return found;
}

bool SplitInlineArgs(std::string_view line, std::string* storage,
                     std::vector<std::string_view>* args) {
  storage->clear();
  storage->reserve(line.size());  // unescaping never grows: views stay valid
  size_t i = 0;
  while (true) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    if (i == line.size()) return true;
    const size_t start = storage->size();
    while (i < line.size() && !IsSpace(line[i])) {
      if (line[i] != '"' && line[i] != '\'') {
        storage->push_back(line[i]);
        ++i;
        continue;
      }
      const size_t next = line[i] == '"' ? ReadDoubleQuoted(line, i + 1, storage)
                                         : ReadSingleQuoted(line, i + 1, storage);
      // A closing quote must end the argument.
      if (next == std::string_view::npos) return false;
      if (next < line.size() && !IsSpace(line[next])) return false;
      i = next;
    }
    args->emplace_back(storage->data() + start, storage->size() - start);
  }
}

}  // namespace ringcache
