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
//
// A collection of kElementRecordsFrom elements or more is kept element by
// element, so that an SADD into a 1M-member set writes one member and not
// the set: its record is then a head, kind 'E', whose payload is the
// collection's own kind ('H', 'S', 'Z', or 'o' then the replicated state
// without elements: kind and `cleared`), and each element has a record of
// its own (Store::ElementPrefix): a hash field's value, nothing for a set
// member, a sorted set member's score (a raw double), a replicated
// element's clocks. A single node's lists stay whole: their elements have
// no name to file them under.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/entry.h"
#include "core/keyspace.h"
#include "core/version.h"
#include "types/collection_limits.h"
#include "types/hash_value.h"
#include "types/replicated_collection.h"
#include "types/set_value.h"
#include "types/zset_value.h"

namespace ringcache::persistence {

constexpr size_t kRecordHeaderSize = 1 + 8 + 8 + 2;

struct EncodedRecord {
  char header[kRecordHeaderSize];
  // The entry's own value bytes for a string or counter (valid until the
  // keyspace changes), else bytes encoded into the caller's scratch string.
  std::string_view payload;
};

void EncodeRecord(const Entry& e, std::string* scratch, EncodedRecord* out);

constexpr size_t kElementRecordsFrom = 128;
constexpr char kElementHead = 'E';
// Whether `e` is written element by element: large enough, or written so
// before (its object keeps an element log; core/value_object.h).
bool KeptByElement(const Entry& e);
// REQUIRES: KeptByElement(e).
void EncodeHead(const Entry& e, std::string* scratch, EncodedRecord* out);
// `element`'s record into `out`; false when `e` holds no such element (its
// record goes).
bool EncodeElement(const Entry& e, std::string_view element, std::string* out);
// visit(element, record) for every element.
template <typename Visit>
void ForEachElement(const Entry& e, std::string* scratch, Visit&& visit);

// The expiry a record carries (0: none); false for a malformed record.
bool RecordExpiry(std::string_view record, int64_t* expire_at_ms);

// A collection kept by element, while its elements load.
struct CollectionLoad {
  std::string key;
  ValueType type = ValueType::kHash;
  int64_t expire_at_ms = 0;
  Version version;
  std::unique_ptr<ValueObject> object;
};

enum class LoadOutcome : uint8_t { kLoaded, kExpired, kMalformed, kElementsFollow };
// Stores `record` into `keyspace` as `key`'s state, unless its time passed
// before `now_ms` (a key that expired, a tombstone whose grace ended). A
// head (kElementsFollow) starts `load` instead: LoadElement each element
// into it, then FinishLoad.
LoadOutcome LoadRecord(std::string_view key, std::string_view record, int64_t now_ms,
                       const CollectionLimits& limits, Keyspace* keyspace, CollectionLoad* load);
bool LoadElement(std::string_view element, std::string_view record, const CollectionLimits& limits,
                 CollectionLoad* load);
// Stores the collection; kMalformed when it has no element (with none
// live, a replicated one is still kept: its removals count).
LoadOutcome FinishLoad(CollectionLoad* load, Keyspace* keyspace);
bool IsElementHead(std::string_view record);

// ---- implementation ----

template <typename Visit>
void ForEachElement(const Entry& e, std::string* scratch, Visit&& visit) {
  const ValueObject& object = *e.object();
  switch (e.type) {
    case ValueType::kHash:
      static_cast<const HashValue&>(object).ForEach(visit);
      return;
    case ValueType::kSet:
      static_cast<const SetValue&>(object).ForEach(
          [&](std::string_view member) { visit(member, std::string_view()); });
      return;
    case ValueType::kZSet:
      static_cast<const ZSetValue&>(object).Walk(0, false, [&](const ScoredMember& item) {
        visit(item.member,
              std::string_view(reinterpret_cast<const char*>(&item.score), sizeof(item.score)));
        return true;
      });
      return;
    case ValueType::kReplicated:
    case ValueType::kReplicatedEmpty: {
      const auto& collection = static_cast<const ReplicatedCollection&>(object);
      for (const auto& [member, element] : collection.elements()) {
        scratch->clear();
        collection.EncodeMember(member, scratch);
        visit(std::string_view(member), std::string_view(*scratch));
      }
      return;
    }
    default:
      return;
  }
}

}  // namespace ringcache::persistence
