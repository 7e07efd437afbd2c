// Replica states: what one replica holds for a key, and how it travels
// between nodes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/replica_value.h"
#include "core/state_order.h"
#include "core/version.h"
#include "resp/reply_builder.h"

namespace ringcache::cluster {

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

// The fingerprint anti-entropy compares for what `e` holds (a collection's
// over its encoded state).
StateFingerprint EntryFingerprint(const Entry* e);

// What RC.PICK answers for what `e` holds (may be null): a collection's
// part that `part` names ("MEMBERS" m..., "RANDOM" count, or "HEAD" or
// "TAIL" count of a list or sorted set: ReplicatedCollection::EncodeEnd),
// anything else whole, encoded into `encoded`, which the view then points
// into. False for a malformed `part`.
bool PartOfEntry(const Entry* e, std::span<const std::string_view> part, std::string* encoded,
                 ReplicaValueView* out);

// RC.GET's reply, for people and tests: nil, or [kind ("string", "counter",
// "tombstone", "collection" or "empty-collection"), value, expire-at-ms,
// version].
void WriteReplicaValue(ReplyBuilder& reply, const ReplicaValueView& state);

// A replica's state between nodes is
//   kind (1 byte: 's' a value, 'c' a counter, 't' a tombstone, 'o' a
//   replicated collection, 'e' one without a live element, 'd' a
//   collection command's delta)
//   | expire-at-ms (8 bytes) | version hlc (8) | version node (2) | the bytes,
// numbers little-endian. Not RC.GET's array: a coordinator decodes one of
// these per remote read, and the array's five headers, scanned to find the
// reply's end, again to split the batch, and again to decode, cost it a fifth
// of a GET.
constexpr size_t kStateHeaderSize = 1 + 8 + 8 + 2;

// Appends `state` (found) in that form: RC.MMERGE's argument.
void EncodeState(const ReplicaValueView& state, std::string* out);

// RC.MGET's reply: one bulk string of records, one per key in order, each a
// 4-byte little-endian length and that many bytes of state (0: the replica
// holds nothing). A coordinator finds the reply's end from one header and
// splits it by lengths; as an array of bulk strings it paid a header parse
// per key three times over (to find the end, to split, to decode).
size_t StateRecordSize(std::string_view value);
constexpr size_t kEmptyStateRecordSize = 4;
void AppendStateRecord(std::string* out, const ReplicaValueView& state);
void AppendEmptyStateRecord(std::string* out);
// Takes the first record off `records` into `state` (empty: nothing held);
// false if `records` is empty or malformed.
bool NextStateRecord(std::string_view* records, std::string_view* state);
// A record's state (empty: nothing held). `out->value` points into `state`.
bool DecodeStateBytes(std::string_view state, ReplicaValueView* out);

}  // namespace ringcache::cluster
