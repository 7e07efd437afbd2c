// ReplyBuilder: encodes replies in RESP2 or RESP3 into a connection's output
// buffer. Handlers describe *what* they answer (a map, a null, a double) and
// the builder picks the wire form for the client's protocol version, e.g. a
// map is `%2` in RESP3 and a flat `*4` array in RESP2.
//
// Not thread-safe; the output string is owned by the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ringcache {

class ReplyBuilder {
 public:
  explicit ReplyBuilder(std::string* out, int protocol = 2) : out_(out), protocol_(protocol) {}

  int protocol() const { return protocol_; }
  void set_protocol(int protocol) { protocol_ = protocol; }
  std::string* buffer() { return out_; }
  void set_buffer(std::string* out) { out_ = out; }

  void SimpleString(std::string_view s);
  void Ok() { out_->append("+OK\r\n", 5); }
  // `line` is the whole error without '-' and CRLF, e.g. "ERR syntax error".
  // CR and LF inside it are replaced by spaces: they would break the framing.
  void Error(std::string_view line);
  void Error(const Status& status);
  void Integer(int64_t value);
  void Bulk(std::string_view s);
  // One bulk string of two pieces, without joining them first.
  void Bulk(std::string_view head, std::string_view tail);
  // A bulk string the caller writes in place: after this, exactly `len`
  // bytes and CRLF appended to buffer().
  void BulkHeader(size_t len) { Header('$', len); }
  void Null();       // missing value: `$-1` / `_`
  void NullArray();  // missing aggregate: `*-1` / `_`
  void ArrayHeader(size_t n);
  void MapHeader(size_t n);  // n key/value pairs
  void SetHeader(size_t n);
  void Double(double value);  // `,` in RESP3, a bulk string in RESP2
  void Bool(bool value);      // `#t` in RESP3, `:1` in RESP2
  // Text for humans (INFO, CLIENT LIST): `=` with "txt:" in RESP3, bulk in RESP2.
  void Verbatim(std::string_view text);

  void BulkArray(std::initializer_list<std::string_view> items);

 private:
  void Header(char type, size_t n);

  std::string* out_;
  int protocol_;
};

// The error line for a Status, with Redis's prefix ("ERR", "WRONGTYPE", ...).
std::string ToRespError(const Status& status);

}  // namespace ringcache
