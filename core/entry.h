// Entry: one key and its value in a single allocation.
//
// Layout: this 40-byte header, then the key bytes, then the value bytes. One
// malloc per key keeps the per-key overhead below Redis's (which spends a
// dictEntry, two robj and two sds headers per string key) and keeps a GET to
// two cache misses: the bucket and the entry.
//
// Every entry carries what later layers need without side tables: an absolute
// expiry, a replication version, and an access clock and frequency counter
// for eviction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/value_object.h"
#include "core/version.h"

namespace ringcache {

enum class ValueType : uint8_t {
  kString = 0,
  // A deleted key remembered with its delete's version, so that replica
  // repair cannot bring it back. Invisible to commands; swept at expire_at_ms.
  kTombstone = 1,
  // In a cluster: a string that INCR-family commands counted on, as a
  // replicated counter (types/counter_state.h encodes the value bytes: a
  // base value and per-writer shards). Commands never see one: reads render
  // it into the string it stands for.
  kCounter = 2,
  // Collections: the value bytes hold a pointer to the entry's own
  // ValueObject (core/value_object.h), which the keyspace deletes with it.
  kHash = 3,
  kSet = 4,
  kList = 5,
  kZSet = 6,
  // In a cluster: a collection as a replicated collection
  // (types/replicated_collection.h); commands never see one, reads render it.
  kReplicated = 7,
  // The same with no live element: a tombstone that keeps the collection's
  // removals (and adds that removes observed) for the grace period.
  kReplicatedEmpty = 8,
};

struct Entry {
  Entry* next;           // hash-chain link, owned by HashTable
  int64_t expire_at_ms;  // absolute Unix time in ms; 0 means no expiry
  uint64_t version_hlc;  // replication version (see version.h); 0 = unversioned
  // Low 32 bits of the millisecond clock at the last access (LRU). Wraps
  // after 49 days: a key idle longer looks younger than it is.
  uint32_t access_clock;
  // Keys are at most 2 GB - 1 (proto-max-bulk-len's bound), which leaves a
  // bit for write-behind: whether the key waits in the dirty list
  // (core/dirty_keys.h), so that a key written often is listed once.
  uint32_t key_len : 31;
  uint32_t dirty : 1;
  uint32_t value_len;
  ValueType type;
  uint8_t lfu_counter;  // logarithmic access frequency (LFU), as Redis's
  uint16_t version_node;

  std::string_view key() const { return {data(), key_len}; }
  std::string_view value() const { return {data() + key_len, value_len}; }
  char* value_data() { return data() + key_len; }
  bool has_expiry() const { return expire_at_ms != 0; }
  bool is_tombstone() const {
    return type == ValueType::kTombstone || type == ValueType::kReplicatedEmpty;
  }
  bool is_replicated_collection() const { return type >= ValueType::kReplicated; }
  bool holds_object() const { return type >= ValueType::kHash; }
  // REQUIRES: holds_object().
  ValueObject* object() const {
    uintptr_t address = 0;
    std::memcpy(&address, data() + key_len, sizeof(address));
    return reinterpret_cast<ValueObject*>(address);
  }
  Version version() const { return {version_hlc, version_node}; }
  void set_version(const Version& v) {
    version_hlc = v.hlc;
    version_node = v.node;
  }

  // Bytes that follow the header, including unused allocator slack.
  char* data() { return reinterpret_cast<char*>(this + 1); }
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
};

static_assert(sizeof(Entry) == 40, "the entry header is part of the memory budget per key");

}  // namespace ringcache
