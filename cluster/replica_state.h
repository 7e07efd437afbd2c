// Replica states: what one replica holds for a key, and how it travels
// between nodes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/state_order.h"
#include "core/version.h"
#include "resp/reply_builder.h"

namespace ringcache::cluster {

// What one replica holds for a key: owning the value (ReplicaValue), or
// viewing it where it lies, in a bus reply or an entry (ReplicaValueView, for
// answers that are compared and mostly dropped, not kept).
template <typename Bytes>
struct BasicReplicaValue {
  bool found = false;  // a value or a tombstone
  bool tombstone = false;
  Bytes value;
  int64_t expire_at_ms = 0;
  Version version;

  bool live() const { return found && !tombstone; }
  BasicReplicaValue<std::string_view> view() const {
    return {found, tombstone, value, expire_at_ms, version};
  }
  template <typename Other>
  void Assign(const BasicReplicaValue<Other>& other) {
    found = other.found;
    tombstone = other.tombstone;
    value = other.value;  // an owning value keeps its capacity
    expire_at_ms = other.expire_at_ms;
    version = other.version;
  }
};
using ReplicaValue = BasicReplicaValue<std::string>;
using ReplicaValueView = BasicReplicaValue<std::string_view>;

// How `a` orders against `b` (<0, 0, >0): by version, and for the same
// version by CompareTiedStates. Holding nothing orders first. Inline: a read
// compares every answer with the newest so far.
inline int CompareReplicaStates(const ReplicaValueView& a, const ReplicaValueView& b) {
  if (a.found != b.found) return a.found ? 1 : -1;
  if (!a.found) return 0;
  if (a.version != b.version) return a.version < b.version ? -1 : 1;
  return CompareTiedStates(a.tombstone, a.value, a.expire_at_ms, b.tombstone, b.value,
                           b.expire_at_ms);
}

inline ReplicaValue ToOwned(const ReplicaValueView& view) {
  ReplicaValue owned;
  owned.Assign(view);
  return owned;
}

// RC.GET's reply, for people and tests: nil, or [kind ("string" or
// "tombstone"), value, expire-at-ms, version].
void WriteReplicaValue(ReplyBuilder& reply, bool tombstone, std::string_view value,
                       int64_t expire_at_ms, const Version& version);

// A replica's state between nodes is
//   kind (1 byte: 's' a value, 't' a tombstone) | expire-at-ms (8 bytes)
//   | version hlc (8) | version node (2) | the value's bytes,
// numbers little-endian. Not RC.GET's array: a coordinator decodes one of
// these per remote read, and the array's five headers, scanned to find the
// reply's end, again to split the batch, and again to decode, cost it a fifth
// of a GET.
constexpr size_t kStateHeaderSize = 1 + 8 + 8 + 2;

// RC.APPLY's results: nil when the replica holds nothing, else the state as
// one bulk string.
void WriteReplicaState(ReplyBuilder& reply, bool tombstone, std::string_view value,
                       int64_t expire_at_ms, const Version& version);
void WriteReplicaState(ReplyBuilder& reply, const ReplicaValue& value);
// `out->value` points into `resp`.
bool DecodeReplicaState(std::string_view resp, ReplicaValueView* out);

// RC.MGET's reply: one bulk string of records, one per key in order, each a
// 4-byte little-endian length and that many bytes of state (0: the replica
// holds nothing). A coordinator finds the reply's end from one header and
// splits it by lengths; as an array of bulk strings it paid a header parse
// per key three times over (to find the end, to split, to decode).
size_t StateRecordSize(std::string_view value);
constexpr size_t kEmptyStateRecordSize = 4;
void AppendStateRecord(std::string* out, bool tombstone, std::string_view value,
                       int64_t expire_at_ms, const Version& version);
void AppendEmptyStateRecord(std::string* out);
// Takes the first record off `records` into `state` (empty: nothing held);
// false if `records` is empty or malformed.
bool NextStateRecord(std::string_view* records, std::string_view* state);
// A record's state (empty: nothing held). `out->value` points into `state`.
bool DecodeStateBytes(std::string_view state, ReplicaValueView* out);

}  // namespace ringcache::cluster
