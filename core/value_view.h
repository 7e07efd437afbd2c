// ValueView: what a read command sees of one key, wherever the value came
// from — an entry of this node's keyspace, or the newest of several
// replicas' answers in a cluster. Views the bytes where they lie: valid until
// the keyspace changes or the answer is dropped.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/entry.h"

namespace ringcache {

struct ValueView {
  bool exists = false;  // a live value (not missing, expired or deleted)
  ValueType type = ValueType::kString;
  std::string_view value;
  int64_t expire_at_ms = 0;  // absolute Unix ms; 0: no expiry

  // REQUIRES: `e` is null or a live entry (as Keyspace::Find returns).
  static ValueView Of(const Entry* e) {
    if (e == nullptr) return {};
    return {true, e->type, e->value(), e->expire_at_ms};
  }
  bool is_string() const { return exists && type == ValueType::kString; }
};

}  // namespace ringcache
