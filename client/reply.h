// Reply: one RESP2/RESP3 reply as a client sees it, and the incremental
// parser that reads replies off the wire.
//
// Value type, copyable. The parser keeps no state between calls: it is handed
// the unconsumed bytes and either returns a complete reply and how many bytes
// it used, or says it needs more.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ringcache::client {

struct Reply {
  enum class Type {
    kString,   // $ bulk string (also RESP3 verbatim = and big number ()
    kStatus,   // + simple string
    kError,    // - error
    kInteger,  // :
    kNil,      // $-1, *-1, _
    kArray,    // *, and RESP3 sets (~) and pushes (>)
    kMap,      // % (elements alternate key, value)
    kDouble,   // ,
    kBool,     // #
  };

  Type type = Type::kNil;
  std::string str;      // kString, kStatus, kError, kDouble (as text)
  int64_t integer = 0;  // kInteger, kBool
  std::vector<Reply> elements;

  bool is_error() const { return type == Type::kError; }
  bool is_nil() const { return type == Type::kNil; }
  // For tests and tools: "OK", "(nil)", "(integer) 3", "[a, b]".
  std::string ToString() const;
};

class ReplyParser {
 public:
  enum class Result { kComplete, kIncomplete, kError };

  // Parses one reply from the front of `data`. On kComplete fills `out` and
  // `consumed`; on kError the stream is not RESP and the connection is unusable.
  static Result Parse(std::string_view data, Reply* out, size_t* consumed);
};

// Reads a reply of known shape straight from its RESP bytes (no Reply tree,
// no copies): what the cluster bus decodes on every replica read.
class RespCursor {
 public:
  explicit RespCursor(std::string_view resp) : data_(resp) {}
  // "*<n>": the element count, -1 for a nil array.
  bool ArrayHeader(int64_t* count) { return Header('*', count); }
  // "$<n>" and its bytes (a nil bulk is not accepted).
  bool Bulk(std::string_view* out);
  bool Integer(int64_t* out) { return Header(':', out); }
  // Passes over one whole element and returns its bytes.
  bool Element(std::string_view* out);
  bool at_end() const { return pos_ == data_.size(); }

 private:
  bool Header(char type, int64_t* n);

  std::string_view data_;
  size_t pos_ = 0;
};

// Finds where a reply ends as its bytes arrive, without building it and
// without starting over: a large reply (a batch of replica values) comes in
// over several reads, and parsing it afresh after each one cost a cluster
// coordinator more than all its other work.
class ReplyScanner {
 public:
  // `data` starts with the reply and only grows between calls. kComplete:
  // the reply is data[0, *end) and the scanner is ready for the next one.
  ReplyParser::Result Scan(std::string_view data, size_t* end);
  void Reset();

 private:
  static constexpr size_t kMaxDepth = 64;  // no sane reply nests deeper

  size_t pos_ = 0;  // where the next element starts
  // Elements left in each open aggregate (inline: scanning allocates nothing).
  std::array<int64_t, kMaxDepth> remaining_;
  size_t depth_ = 0;
};

}  // namespace ringcache::client
