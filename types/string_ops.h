// String operations on the keyspace: the logic behind SET, INCR, APPEND, ...
// kept apart from argument parsing and reply writing so the cluster layer can
// apply the same operations on replicas. Nothing here knows about RESP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/error_texts.h"
#include "common/status.h"
#include "core/keyspace.h"

namespace ringcache {

struct SetOptions {
  enum class Condition { kAlways, kIfAbsent, kIfPresent };  // -, NX, XX
  Condition condition = Condition::kAlways;
  bool keep_ttl = false;
  bool want_old_value = false;  // GET
  int64_t expire_at_ms = 0;     // 0: no expiry (unless keep_ttl)
};

struct SetOutcome {
  bool written = false;
  bool had_old_value = false;
  std::string old_value;  // filled only with SetOptions::want_old_value
};

Result<SetOutcome> SetWithOptions(Keyspace& keyspace, std::string_view key, std::string_view value,
                                  const SetOptions& options);

// INCRBY's and INCRBYFLOAT's arithmetic on a string's value (`current`,
// null for none), wherever the value came from (a cluster counts it in a
// replicated counter): the result, or kInvalidArgument with Redis's words.
Result<int64_t> AddToInteger(const std::string_view* current, int64_t delta);
Result<std::string> AddToFloat(const std::string_view* current, long double delta);
// INCRBY/DECRBY: the new value, or kInvalidArgument for a value that is not an
// integer or a result that would overflow.
Result<int64_t> IncrementBy(Keyspace& keyspace, std::string_view key, int64_t delta);
// INCRBYFLOAT: the new value as stored (Redis's human long double format).
Result<std::string> IncrementByFloat(Keyspace& keyspace, std::string_view key, long double delta);
// APPEND: the new length. `max_len` is proto-max-bulk-len.
Result<size_t> Append(Keyspace& keyspace, std::string_view key, std::string_view suffix,
                      size_t max_len);
// SETRANGE: the new length (0 and no key created when appending nothing to a
// missing key).
Result<size_t> SetRange(Keyspace& keyspace, std::string_view key, int64_t offset,
                        std::string_view bytes, size_t max_len);
// GETRANGE's index arithmetic (negative indexes count from the end).
std::string_view Substring(std::string_view value, int64_t start, int64_t end);

}  // namespace ringcache
