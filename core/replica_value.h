// ReplicaValue: what one replica holds for a key, as replicas exchange and
// compare it — owning its bytes (ReplicaValue), or viewing them where they
// lie, in a bus reply or an entry (ReplicaValueView, for answers that are
// compared and mostly dropped, not kept).
//
// A state is nothing, a tombstone (a delete, remembered), a string value, a
// counter: a string that INCR-family commands counted on in a cluster, whose
// bytes are a types/counter_state.h encoding (a base value and per-writer
// shards) rather than the string itself, or a replicated collection (a hash
// or a set), whose bytes are a types/replicated_collection.h encoding: its
// whole state, or, sent by a command, a delta (the elements it touched).
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
  bool collection = false;
  bool empty = false;  // a collection without a live element
  bool delta = false;  // a collection command's, refused by a key of another type
  Bytes value;
  int64_t expire_at_ms = 0;  // a tombstone's: the end of its grace period
  Version version;

  bool live() const { return found && !tombstone && !empty; }
  BasicReplicaValue<std::string_view> view() const {
    return {found, tombstone, counter, collection, empty, delta, value, expire_at_ms, version};
  }
  template <typename Other>
  void Assign(const BasicReplicaValue<Other>& other) {
    found = other.found;
    tombstone = other.tombstone;
    counter = other.counter;
    collection = other.collection;
    empty = other.empty;
    delta = other.delta;
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
// valid until the keyspace next changes. A replicated collection is encoded
// into `encoded`, which the view then points into.
inline ReplicaValueView ViewOfCollection(const Entry* e, std::string* encoded) {
  ReplicaValueView v;
  v.found = true;
  v.collection = true;
  v.empty = e->type == ValueType::kReplicatedEmpty;
  encoded->clear();
  e->object()->EncodeReplicaState(encoded);
  v.value = *encoded;
  v.expire_at_ms = e->expire_at_ms;
  v.version = e->version();
  return v;
}
inline ReplicaValueView ViewOfEntry(const Entry* e, std::string* encoded) {
  ReplicaValueView v;
  if (e == nullptr) return v;
  if (e->is_replicated_collection()) return ViewOfCollection(e, encoded);
  v.found = true;
  v.tombstone = e->is_tombstone();
  v.counter = e->type == ValueType::kCounter;
  v.value = e->value();
  v.expire_at_ms = e->expire_at_ms;
  v.version = e->version();
  return v;
}

}  // namespace ringcache
