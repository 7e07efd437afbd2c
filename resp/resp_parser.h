// RespParser: incremental parser for client requests, in both of Redis's
// request forms: multibulk (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and inline
// (`GET k\n`, as typed into telnet or sent by redis-benchmark's PING_INLINE).
//
// The caller owns the bytes. Parse() is handed the unconsumed input starting
// at the first byte of the current command; when it answers kIncomplete the
// caller reads more and calls again with the same start (the buffer may have
// moved: progress is kept as offsets, so nothing already scanned is scanned
// again). On kComplete, args() are views into the caller's bytes (or, for
// inline requests with escapes, into the parser's own storage); they stay
// valid until the next Parse() call or until the caller changes those bytes.
//
// Single-threaded: one parser per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ringcache {

struct RespLimits {
  int64_t max_bulk_len = 512LL * 1024 * 1024;  // proto-max-bulk-len
  bool authenticated = true;  // false: tiny limits, so strangers cannot make us allocate
};

class RespParser {
 public:
  enum class Result { kComplete, kIncomplete, kError };

  RespParser() = default;
  RespParser(const RespParser&) = delete;
  RespParser& operator=(const RespParser&) = delete;

  void set_limits(const RespLimits& limits) { limits_ = limits; }

  // Parses one command from the front of `data`. kComplete with empty args()
  // means the input held an empty request (blank inline line, `*0`), which
  // callers skip, as Redis does.
  Result Parse(std::string_view data);

  std::span<const std::string_view> args() const { return args_; }
  // Bytes of `data` the last complete command (or empty request) occupied.
  size_t consumed() const { return consumed_; }
  // The error line's text (without "-" and CRLF) after kError.
  const std::string& error() const { return error_; }
  // After kIncomplete: how many more bytes the current command needs at least
  // (0 when unknown). Lets the caller size its buffer for large bulks.
  size_t MinBytesWanted(size_t have) const;

 private:
  Result ParseMultibulk(std::string_view data);
  Result ParseInline(std::string_view data);
  Result Fail(std::string msg);
  Result FinishEmpty(size_t end);
  void ResetCommand();

  RespLimits limits_;

  // Progress through the current command, kept as offsets from its first byte.
  size_t pos_ = 0;
  int64_t expected_args_ = -1;  // -1: multibulk header not yet read
  int64_t bulk_len_ = -1;       // -1: current bulk's header not yet read
  struct ArgRef {
    size_t offset;
    size_t len;
  };
  std::vector<ArgRef> refs_;

  std::vector<std::string_view> args_;
  std::string inline_storage_;
  size_t consumed_ = 0;
  std::string error_;
};

// The second argument (the key, for most commands) of each complete multibulk
// request at the front of `data`, up to keys.size() requests; an empty view
// for a request without one. Returns how many requests it went past: it stops
// at the first that is incomplete, inline or malformed, which Parse() deals
// with. A hint for prefetching only: nothing is checked against the limits.
size_t PeekKeys(std::string_view data, std::span<std::string_view> keys);

// Splits an inline request line the way redis-cli and Redis do (quotes,
// escapes such as "\x41"). Appends unescaped arguments to `storage`, which is
// reserved up front so the views stay valid. Returns false on unbalanced quotes.
bool SplitInlineArgs(std::string_view line, std::string* storage,
                     std::vector<std::string_view>* args);

}  // namespace ringcache
