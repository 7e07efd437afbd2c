// ReplicaValue: what one replica holds for a key, as replicas exchange and
// compare it — owning its bytes (ReplicaValue), or viewing them where they
// lie, in a bus reply or an entry (ReplicaValueView, for answers that are
// compared and mostly dropped, not kept).
//
// A state is nothing, a tombstone (a delete, remembered), a string value, or
// a counter: a string that INCR-family commands counted on in a cluster,
// whose bytes are a types/counter_state.h encoding (a base value and
// per-writer shards) rather than the string itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/entry.h"
#include "core/version.h"

namespace ringcache {

template <typename Bytes>
struct BasicReplicaValue {
  bool found = false;  // a value, a counter or a tombstone
  bool tombstone = false;
  bool counter = false;
  Bytes value;
  int64_t expire_at_ms = 0;  // a tombstone's: the end of its grace period
  Version version;

  bool live() const { return found && !tombstone; }
  BasicReplicaValue<std::string_view> view() const {
    return {found, tombstone, counter, value, expire_at_ms, version};
  }
  template <typename Other>
  void Assign(const BasicReplicaValue<Other>& other) {
    found = other.found;
    tombstone = other.tombstone;
    counter = other.counter;
    value = other.value;  // an owning value keeps its capacity
    expire_at_ms = other.expire_at_ms;
    version = other.version;
  }
};
using ReplicaValue = BasicReplicaValue<std::string>;
using ReplicaValueView = BasicReplicaValue<std::string_view>;

inline ReplicaValue ToOwned(const ReplicaValueView& view) {
  ReplicaValue owned;
  owned.Assign(view);
  return owned;
}

// What an entry of this node's keyspace holds (nothing for null), as a view
// valid until the keyspace next changes.
inline ReplicaValueView ViewOfEntry(const Entry* e) {
  ReplicaValueView v;
  if (e == nullptr) return v;
  v.found = true;
  v.tombstone = e->is_tombstone();
  v.counter = e->type == ValueType::kCounter;
  v.value = e->value();
  v.expire_at_ms = e->expire_at_ms;
  v.version = e->version();
  return v;
}

}  // namespace ringcache
