#include "client/reply.h"

#include <cstdint>
#include <cstring>

namespace ringcache::client {
namespace {

using Result = ReplyParser::Result;

// Reads the line starting at `pos` (after the type byte); sets `line` and
// advances `pos` past its CRLF.
Result ReadLine(std::string_view data, size_t* pos, std::string_view* line) {
  // memchr for the CR (the lines are short: a general substring search cost
  // more than the rest of reading a header).
  size_t from = *pos;
  for (;;) {
    const void* found = std::memchr(data.data() + from, '\r', data.size() - from);
    if (found == nullptr) return Result::kIncomplete;
    const auto cr = static_cast<size_t>(static_cast<const char*>(found) - data.data());
    if (cr + 1 >= data.size()) return Result::kIncomplete;
    if (data[cr + 1] == '\n') {
      *line = data.substr(*pos, cr - *pos);
      *pos = cr + 2;
      return Result::kComplete;
    }
    from = cr + 1;
  }
}

// A decimal int64: optional '-', at least one digit, nothing else.
bool ToInt(std::string_view s, int64_t* out) {
  size_t i = s.size() > 1 && s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  uint64_t magnitude = 0;
  for (; i < s.size(); ++i) {
    const auto digit = static_cast<unsigned>(s[i] - '0');
    // The bound keeps magnitude * 10 + 9 within 64 bits.
    if (digit > 9 || magnitude > (UINT64_MAX - 9) / 10) return false;
    magnitude = magnitude * 10 + digit;
  }
  const bool negative = s[0] == '-';
  if (magnitude > static_cast<uint64_t>(INT64_MAX) + (negative ? 1 : 0)) return false;
  *out = negative ? static_cast<int64_t>(uint64_t{0} - magnitude) : static_cast<int64_t>(magnitude);
  return true;
}

Result ParseAt(std::string_view data, size_t* pos, Reply* out, int depth) {
  if (depth > 64) return Result::kError;  // no sane reply nests this deep
  if (*pos >= data.size()) return Result::kIncomplete;
  const char type = data[(*pos)++];
  std::string_view line;
  if (Result r = ReadLine(data, pos, &line); r != Result::kComplete) return r;
  int64_t n = 0;
  switch (type) {
    case '+':
    case '-':
    case ',':
      out->type = type == '+'   ? Reply::Type::kStatus
                  : type == '-' ? Reply::Type::kError
                                : Reply::Type::kDouble;
      out->str.assign(line);
      return Result::kComplete;
    case ':':
      out->type = Reply::Type::kInteger;
      return ToInt(line, &out->integer) ? Result::kComplete : Result::kError;
    case '#':
      out->type = Reply::Type::kBool;
      out->integer = line == "t" ? 1 : 0;
      return Result::kComplete;
    case '_':
      out->type = Reply::Type::kNil;
      return Result::kComplete;
    case '(':
      out->type = Reply::Type::kString;
      out->str.assign(line);
      return Result::kComplete;
    case '$':
    case '=': {
      if (!ToInt(line, &n)) return Result::kError;
      if (n < 0) {
        out->type = Reply::Type::kNil;
        return Result::kComplete;
      }
      const auto len = static_cast<size_t>(n);
      if (data.size() < *pos + len + 2) return Result::kIncomplete;
      out->type = Reply::Type::kString;
      std::string_view payload = data.substr(*pos, len);
      if (type == '=' && payload.size() >= 4) payload.remove_prefix(4);  // "txt:"
      out->str.assign(payload);
      *pos += len + 2;
      return Result::kComplete;
    }
    case '*':
    case '~':
    case '>':
    case '%': {
      if (!ToInt(line, &n)) return Result::kError;
      if (n < 0) {
        out->type = Reply::Type::kNil;
        return Result::kComplete;
      }
      out->type = type == '%' ? Reply::Type::kMap : Reply::Type::kArray;
      const size_t count = static_cast<size_t>(n) * (type == '%' ? 2 : 1);
      out->elements.clear();
      out->elements.reserve(count < 1024 ? count : 1024);
      for (size_t i = 0; i < count; ++i) {
        out->elements.emplace_back();
        if (Result r = ParseAt(data, pos, &out->elements.back(), depth + 1);
            r != Result::kComplete) {
          return r;
        }
      }
      return Result::kComplete;
    }
    default:
      return Result::kError;
  }
}

}  // namespace

ReplyParser::Result ReplyParser::Parse(std::string_view data, Reply* out, size_t* consumed) {
  size_t pos = 0;
  *out = Reply();
  const Result r = ParseAt(data, &pos, out, 0);
  if (r == Result::kComplete) *consumed = pos;
  return r;
}

ReplyParser::Result ReplyScanner::Scan(std::string_view data, size_t* end) {
  for (;;) {
    size_t pos = pos_;
    if (pos >= data.size()) return Result::kIncomplete;
    const char type = data[pos++];
    std::string_view line;
    if (Result r = ReadLine(data, &pos, &line); r != Result::kComplete) return r;
    int64_t n = 0;
    if (type == '$' || type == '=') {
      if (!ToInt(line, &n)) return Result::kError;
      if (n >= 0) {
        if (data.size() - pos < static_cast<size_t>(n) + 2) return Result::kIncomplete;
        pos += static_cast<size_t>(n) + 2;
      }
    } else if (type == '*' || type == '~' || type == '>' || type == '%') {
      if (!ToInt(line, &n) || n > INT32_MAX || depth_ == kMaxDepth) return Result::kError;
      if (n > 0) {
        pos_ = pos;
        remaining_[depth_++] = type == '%' ? 2 * n : n;
        continue;  // its elements follow
      }
    }  // other types are one line; Parse checks them
    pos_ = pos;
    // The element is complete, and so is every aggregate it was the last of.
    while (depth_ > 0 && --remaining_[depth_ - 1] == 0) --depth_;
    if (depth_ == 0) {
      *end = pos_;
      Reset();
      return Result::kComplete;
    }
  }
}

void ReplyScanner::Reset() {
  pos_ = 0;
  depth_ = 0;
}

bool RespCursor::Header(char type, int64_t* n) {
  if (pos_ >= data_.size() || data_[pos_] != type) return false;
  size_t pos = pos_ + 1;
  std::string_view line;
  if (ReadLine(data_, &pos, &line) != Result::kComplete || !ToInt(line, n)) return false;
  pos_ = pos;
  return true;
}

bool RespCursor::Bulk(std::string_view* out) {
  int64_t n = 0;
  if (!Header('$', &n) || n < 0 || data_.size() - pos_ < static_cast<size_t>(n) + 2) return false;
  *out = data_.substr(pos_, static_cast<size_t>(n));
  pos_ += static_cast<size_t>(n) + 2;
  return true;
}

bool RespCursor::Element(std::string_view* out) {
  ReplyScanner scanner;
  size_t end = 0;
  if (scanner.Scan(data_.substr(pos_), &end) != Result::kComplete) return false;
  *out = data_.substr(pos_, end);
  pos_ += end;
  return true;
}

std::string Reply::ToString() const {
  switch (type) {
    case Type::kString:
    case Type::kStatus:
    case Type::kDouble:
      return str;
    case Type::kError:
      return "(error) " + str;
    case Type::kInteger:
      return "(integer) " + std::to_string(integer);
    case Type::kBool:
      return integer != 0 ? "true" : "false";
    case Type::kNil:
      return "(nil)";
    case Type::kArray:
    case Type::kMap: {
      std::string s = "[";
      for (size_t i = 0; i < elements.size(); ++i) {
        if (i > 0) s += ", ";
        s += elements[i].ToString();
      }
      return s + "]";
    }
  }
  return {};
}

}  // namespace ringcache::client
