#include "types/string_ops.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "common/number_parsing.h"

namespace ringcache {
namespace {

Status CheckString(const Entry* e) {
  return e == nullptr || e->type == ValueType::kString ? Status::Ok() : Status::WrongType();
}

// Stores `text` as the value of `key`, keeping the TTL of an existing entry.
void StoreKeepingTtl(Keyspace& keyspace, std::string_view key, Entry* existing,
                     std::string_view text) {
  if (existing == nullptr) {
    keyspace.SetString(key, text, 0);
    return;
  }
  Entry* e = keyspace.ResizeValue(existing, text.size());
  std::memcpy(e->value_data(), text.data(), text.size());
}

Status ExceedsMaxLen() {
  return Status::InvalidArgument("string exceeds maximum allowed size (proto-max-bulk-len)");
}

}  // namespace

Result<SetOutcome> SetWithOptions(Keyspace& keyspace, std::string_view key, std::string_view value,
                                  const SetOptions& options) {
  SetOutcome outcome;
  Entry* existing = keyspace.Find(key);
  if (options.want_old_value) {
    if (Status s = CheckString(existing); !s.ok()) return s;
    if (existing != nullptr) outcome.old_value = existing->value();
  }
  outcome.had_old_value = existing != nullptr;
  if ((options.condition == SetOptions::Condition::kIfAbsent && existing != nullptr) ||
      (options.condition == SetOptions::Condition::kIfPresent && existing == nullptr)) {
    return outcome;
  }
  int64_t expire_at = options.expire_at_ms;
  if (options.keep_ttl && existing != nullptr) expire_at = existing->expire_at_ms;
  keyspace.SetString(key, value, expire_at);
  outcome.written = true;
  return outcome;
}

Result<int64_t> AddToInteger(const std::string_view* current, int64_t delta) {
  int64_t value = 0;
  if (current != nullptr && !ParseInt64(*current, &value)) {
    return Status::InvalidArgument(kNotAnInteger);
  }
  if ((delta < 0 && value < 0 && delta < std::numeric_limits<int64_t>::min() - value) ||
      (delta > 0 && value > 0 && delta > std::numeric_limits<int64_t>::max() - value)) {
    return Status::InvalidArgument("increment or decrement would overflow");
  }
  return value + delta;
}

Result<std::string> AddToFloat(const std::string_view* current, long double delta) {
  long double value = 0;
  if (current != nullptr && !ParseLongDouble(*current, &value)) {
    return Status::InvalidArgument(kNotAFloat);
  }
  const long double result = value + delta;
  if (std::isnan(result) || std::isinf(result)) {
    return Status::InvalidArgument("increment would produce NaN or Infinity");
  }
  return FormatLongDouble(result);
}

Result<int64_t> IncrementBy(Keyspace& keyspace, std::string_view key, int64_t delta) {
  Entry* e = keyspace.Find(key);
  if (Status s = CheckString(e); !s.ok()) return s;
  const std::string_view current = e != nullptr ? e->value() : std::string_view();
  Result<int64_t> result = AddToInteger(e != nullptr ? &current : nullptr, delta);
  if (!result.ok()) return result;
  char buf[24];
  const size_t len = FormatInt64(*result, buf);
  StoreKeepingTtl(keyspace, key, e, {buf, len});
  return result;
}

Result<std::string> IncrementByFloat(Keyspace& keyspace, std::string_view key, long double delta) {
  Entry* e = keyspace.Find(key);
  if (Status s = CheckString(e); !s.ok()) return s;
  const std::string_view current = e != nullptr ? e->value() : std::string_view();
  Result<std::string> result = AddToFloat(e != nullptr ? &current : nullptr, delta);
  if (result.ok()) StoreKeepingTtl(keyspace, key, e, *result);
  return result;
}

Result<size_t> Append(Keyspace& keyspace, std::string_view key, std::string_view suffix,
                      size_t max_len) {
  Entry* e = keyspace.Find(key);
  if (Status s = CheckString(e); !s.ok()) return s;
  if (e == nullptr) {
    if (suffix.size() > max_len) return ExceedsMaxLen();
    keyspace.SetString(key, suffix, 0);
    return suffix.size();
  }
  const size_t old_len = e->value_len;
  if (old_len + suffix.size() > max_len) return ExceedsMaxLen();
  e = keyspace.ResizeValue(e, old_len + suffix.size());
  if (!suffix.empty()) std::memcpy(e->value_data() + old_len, suffix.data(), suffix.size());
  return e->value_len;
}

Result<size_t> SetRange(Keyspace& keyspace, std::string_view key, int64_t offset,
                        std::string_view bytes, size_t max_len) {
  if (offset < 0) return Status::InvalidArgument("offset is out of range");
  Entry* e = keyspace.Find(key);
  if (Status s = CheckString(e); !s.ok()) return s;
  const size_t old_len = e == nullptr ? 0 : e->value_len;
  if (bytes.empty()) return old_len;  // nothing to write; a missing key stays missing
  const auto start = static_cast<uint64_t>(offset);
  if (start + bytes.size() > max_len) return ExceedsMaxLen();
  const size_t new_len = std::max<size_t>(old_len, start + bytes.size());
  if (e == nullptr) {
    e = keyspace.SetString(key, {}, 0);
  }
  e = keyspace.ResizeValue(e, new_len);
  // Zero-fill any gap between the old end and the offset, as Redis does.
  if (start > old_len) std::memset(e->value_data() + old_len, 0, start - old_len);
  std::memcpy(e->value_data() + start, bytes.data(), bytes.size());
  return new_len;
}

std::string_view Substring(std::string_view value, int64_t start, int64_t end) {
  const auto len = static_cast<int64_t>(value.size());
  if (start < 0 && end < 0 && start > end) return {};
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (len == 0 || start > end) return {};
  return value.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1));
}

}  // namespace ringcache
