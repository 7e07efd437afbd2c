// Records: a key's state as write-behind keeps it on disk, and back.
//
// A record is
//   kind (1 byte) | expire-at-ms (8) | version hlc (8) | version node (2) | payload
// with numbers in the host's byte order (a data directory is read by the
// build that wrote it, on the machine that wrote it). Kinds:
//   's' a string, 'c' a cluster counter (types/counter_state.h bytes),
//   't' a cluster tombstone (its expiry ends the grace period),
//   'o' a cluster replicated collection, 'e' one with no live element
//       (types/replicated_collection.h bytes),
//   'H' a hash, 'S' a set, 'L' a list, 'Z' a sorted set of a single node:
//       an element count (u32), then each element (length-prefixed strings;
//       a sorted set's member follows its score, a raw double).
// Everything a replica compares travels along (versions, expiry), so that a
// restarted cluster's replicas still agree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/entry.h"
#include "core/keyspace.h"
#include "types/collection_limits.h"

namespace ringcache::persistence {

constexpr size_t kRecordHeaderSize = 1 + 8 + 8 + 2;

struct EncodedRecord {
  char header[kRecordHeaderSize];
  // The entry's own value bytes for a string or counter (valid until the
  // keyspace changes), else bytes encoded into the caller's scratch string.
  std::string_view payload;
};

void EncodeRecord(const Entry& e, std::string* scratch, EncodedRecord* out);

// The expiry a record carries (0: none); false for a malformed record.
bool RecordExpiry(std::string_view record, int64_t* expire_at_ms);

enum class LoadOutcome : uint8_t { kLoaded, kExpired, kMalformed };
// Stores `record` into `keyspace` as `key`'s state, unless its time passed
// before `now_ms` (a key that expired, a tombstone whose grace ended).
LoadOutcome LoadRecord(std::string_view key, std::string_view record, int64_t now_ms,
                       const CollectionLimits& limits, Keyspace* keyspace);

}  // namespace ringcache::persistence
