// Keyspace: the node's one database — keys, their values and their expiry.
//
// Everything that stores or finds data goes through this interface, so that
// later layers (eviction, write-behind, replication) have one place to hook.
// Expiry is lazy here (a lookup never returns a key whose time has passed);
// the active sweep lives in expiry.h.
//
// Time is pushed in with set_now_ms() once per event-loop turn, as Redis
// caches mstime, so a batch of commands sees one consistent clock and tests
// can drive time by hand.
//
// Single-threaded: owned by the thread that runs the event loop. Entry
// pointers it returns are valid until the next call that modifies the keyspace.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <utility>

#include "core/dirty_keys.h"
#include "core/entry.h"
#include "core/hash_table.h"

namespace ringcache {

struct KeyspaceStats {
  uint64_t expired_keys = 0;
  uint64_t evicted_keys = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
};

// What an access records besides the LRU clock: the LFU counter costs a
// random number per access, so it is kept only under an LFU policy.
struct AccessTracking {
  bool lfu = false;
  int64_t lfu_log_factor = 10;   // higher: the counter saturates later
  int64_t lfu_decay_ms = 60000;  // idle time that takes one off the counter; 0: never
};

class Keyspace {
 public:
  Keyspace() = default;
  ~Keyspace();
  Keyspace(const Keyspace&) = delete;
  Keyspace& operator=(const Keyspace&) = delete;

  void set_now_ms(int64_t now_ms) { now_ms_ = now_ms; }
  int64_t now_ms() const { return now_ms_; }

  // Keys visible to commands (tombstones are not keys).
  size_t size() const { return table_.size() - tombstones_; }
  size_t expires_count() const { return expires_count_ - tombstones_; }
  size_t tombstones() const { return tombstones_; }
  const KeyspaceStats& stats() const { return stats_; }
  void ResetStats() { stats_ = {}; }

  // The live entry for `key`, or nullptr (also for a tombstone). Deletes it
  // first if it has expired.
  Entry* Find(std::string_view key);
  // Find() for commands that read the value: counts a keyspace hit or miss
  // and records the access for eviction.
  Entry* Lookup(std::string_view key);
  // Counts a read answered elsewhere (a cluster read coordinated here).
  void CountRead(bool hit) { ++(hit ? stats_.keyspace_hits : stats_.keyspace_misses); }

  // Eviction bookkeeping: every access stamps the LRU clock (and, under an
  // LFU policy, bumps the frequency counter).
  void set_access_tracking(const AccessTracking& tracking) { tracking_ = tracking; }
  const AccessTracking& access_tracking() const { return tracking_; }
  void RecordAccess(Entry* e);
  uint64_t IdleMs(const Entry* e) const { return AccessClock() - e->access_clock; }
  // The LFU counter with the decay for the time since the last access applied.
  uint8_t DecayedFrequency(const Entry* e) const;
  // Eviction candidates, with the bucket each was found in; see
  // HashTable::SampleEntries.
  template <typename Visit>
  void SampleEntries(uint64_t start, size_t count, size_t max_buckets, Visit&& visit) {
    table_.SampleEntries(start, count, max_buckets, std::forward<Visit>(visit));
  }
  // Frees the live entry at `address`, sampled from `bucket`, to make room,
  // unless it has gone since or `keep(entry)` says otherwise. Not a delete:
  // no tombstone is left, so a replica elsewhere may bring the key back.
  // Counts an evicted key; a key found expired is freed as expired. Returns
  // whether memory was freed.
  template <typename Keep>
  bool EvictSampled(HashTable::Bucket bucket, uintptr_t address, Keep&& keep);
  // Start loading into the cache what later eviction work will read:
  // EvictSampled(bucket, address); the first bucket SampleEntries(start, ...)
  // walks; the first entries it visits (best once that bucket is loaded).
  void PrefetchSampled(HashTable::Bucket bucket, uintptr_t address) const {
    table_.Prefetch(bucket, address);
  }
  void PrefetchBucket(uint64_t start) const { table_.Prefetch(start); }
  void PrefetchSample(uint64_t start, size_t count) const { table_.PrefetchSample(start, count); }
  void set_growth_check(HashTable::GrowthCheck check) { table_.set_growth_check(std::move(check)); }
  static uint64_t NextRandom();
  // Bytes `e` costs: its allocation as the allocator sized it, and its slot
  // in the index.
  static size_t MemoryUsage(const Entry* e);

  // Creates or overwrites `key` as a string with `value` and the given expiry
  // (0: none). Reuses the old allocation when the value fits. Returns the entry.
  Entry* SetString(std::string_view key, std::string_view value, int64_t expire_at_ms);
  // Resizes the value of the live string `entry` to `len` bytes, keeping the
  // first min(old, len) bytes; bytes past the old length are unspecified.
  // Grows geometrically so that APPEND loops stay linear. Returns the entry's
  // (possibly new) address.
  Entry* ResizeValue(Entry* entry, size_t len);
  // Creates or overwrites `key` as a collection of `type` (kHash, kSet) that
  // `object` holds; the entry owns it from then on. Returns the entry.
  Entry* SetObject(std::string_view key, ValueType type, std::unique_ptr<ValueObject> object,
                   int64_t expire_at_ms);
  void SetExpiry(Entry* entry, int64_t expire_at_ms);
  bool Delete(std::string_view key);
  // Moves `from`'s value and expiry to `to`, replacing what `to` held.
  // REQUIRES: `from` is live and differs from `to`.
  void Rename(std::string_view from, std::string_view to);
  void Clear();

  // A random live key; nullptr when there are none.
  Entry* RandomEntry();

  // SCAN over the live entries; see HashTable::Scan for the guarantees.
  template <typename Visit>
  uint64_t Scan(uint64_t cursor, Visit&& visit);
  // Scan() that also shows entries whose time has passed (for the sweep).
  template <typename Visit>
  uint64_t ScanIncludingExpired(uint64_t cursor, Visit&& visit) {
    return table_.Scan(cursor, [&](Entry* e) { visit(static_cast<const Entry*>(e)); });
  }
  template <typename Visit>
  void ForEachLive(Visit&& visit) const;

  // Replica-side writes, last writer wins: each applies only when `version`
  // is newer than the version the key holds, value or tombstone (for the same
  // version, when the new state orders after the held one by
  // CompareTiedStates), and returns whether it did. A delete leaves a tombstone until
  // `tombstone_until_ms` and, through `removed_value`, says whether it replaced a live value.
  bool PutIfNewer(std::string_view key, std::string_view value, int64_t expire_at_ms,
                  const Version& version);
  bool DeleteIfNewer(std::string_view key, const Version& version, int64_t tombstone_until_ms,
                     bool* removed_value = nullptr);
  // Stores a replicated counter's state (types/counter_state.h) as `key`'s,
  // whatever it held: the caller has merged it. Refused below the version
  // floor (not at it: counting on a flushed key starts from the flush).
  bool StoreCounter(std::string_view key, std::string_view bytes, int64_t expire_at_ms,
                    const Version& version);
  // Stores a replicated collection (types/replicated_collection.h) as
  // `key`'s state, whatever it held (the caller has merged it). `live`:
  // whether any element is; without one the entry is a tombstone keeping the
  // collection's removals until `expire_at_ms` (the grace period's end),
  // else `expire_at_ms` is the key's expiry.
  void StoreReplicated(std::string_view key, std::unique_ptr<ValueObject> object, bool live,
                       int64_t expire_at_ms, const Version& version);
  // Whether a replicated collection was ever stored here: until then a
  // replica write need not look for one.
  bool has_replicated() const { return has_replicated_; }
  // Files `e` anew after the replicated collection it holds changed in place.
  void RefileReplicated(Entry* e, bool live, int64_t expire_at_ms, const Version& version);
  // Removes whatever `key` holds, tombstones too, leaving nothing: for a
  // replica merge that replaces a collection with a newer whole value.
  void Forget(std::string_view key);
  // FindIncludingTombstone() for a replica merge that changes the entry's
  // collection in place.
  Entry* FindForMerge(std::string_view key);
  const Version& version_floor() const { return version_floor_; }
  // The greatest version a replica write has brought here: the hybrid clock
  // of this node must stamp later writes above it.
  const Version& max_version() const { return max_version_; }
  // A cluster-wide FLUSHALL stamped `version`: empties the keyspace and from
  // then on refuses replica writes stamped at or below it (late hints and
  // repairs must not bring flushed keys back).
  void FlushUpTo(const Version& version);
  // The key's live entry or tombstone; nullptr if neither.
  const Entry* FindIncludingTombstone(std::string_view key);
  // FindIncludingTombstone() for a replica read, which counts as an access
  // of a live key for eviction (hits and misses are counted by the coordinator).
  const Entry* ReadReplica(std::string_view key);
  // Starts loading what looking up these keys will read: the bucket and the
  // first entry of each key's chain. A lookup waits on two or three cache
  // misses (bucket, entry header, value); asking for a batch's first lets
  // the batch's misses overlap instead of following one another.
  static constexpr size_t kPrefetchBatch = 16;
  void PrefetchKeys(std::span<const std::string_view> keys) const;
  // ReadReplica() of each key in turn, calling visit(index, entry), with the
  // keys prefetched kPrefetchBatch at a time.
  template <typename Visit>
  void ReadReplicas(std::span<const std::string_view> keys, Visit&& visit);

  // Deletes `key` if its expiry has passed; returns true if it did.
  bool ExpireIfDue(std::string_view key);
  bool IsExpired(const Entry* e) const {
    return e->expire_at_ms != 0 && e->expire_at_ms <= now_ms_;
  }

  // Background upkeep: one slice of incremental rehashing (returns false
  // when none is pending) and shrinking after mass deletion.
  bool RehashStep(size_t buckets) { return table_.RehashStep(buckets); }
  void ShrinkIfSparse() { table_.ShrinkIfSparse(); }

  // Write-behind (persistence/write_behind.h): from now on every change of
  // a key's state lists the key in `dirty` (null: none is tracked). The
  // keyspace lists what passes through its own calls; a command that
  // changed a collection in place says so with NoteWritten.
  void set_dirty_keys(DirtyKeys* dirty) { dirty_ = dirty; }
  bool tracks_changes() const { return dirty_ != nullptr; }
  void NoteWritten(std::string_view key);
  // What `key` holds, tombstone or expired value included, with no side
  // effect (no expiry, no access): for write-behind to take its state.
  // Clears the entry's dirty bit.
  const Entry* TakeDirty(std::string_view key);

  // Called with `key` when SetObject or Rename makes it a list or sorted set,
  // or a replica merge leaves a live replicated collection there: clients
  // blocked in a pop wait for that (commands/blocked_clients.h, and a
  // cluster node's cluster/blocked_pops.h).
  using CreatedHook = void (*)(void* context, std::string_view key);
  void set_created_hook(CreatedHook hook, void* context) {
    created_hook_ = hook;
    created_context_ = context;
  }

 private:
  void MarkDirty(Entry* e) {
    if (dirty_ != nullptr && e->dirty == 0) {
      e->dirty = 1;
      dirty_->Add(e->key());
    }
  }
  void MarkRemoved(std::string_view key) {
    if (dirty_ != nullptr) dirty_->Add(key);
  }
  void NoteCreated(std::string_view key, ValueType type) {
    if (created_hook_ != nullptr &&
        (type == ValueType::kList || type == ValueType::kZSet || type == ValueType::kReplicated)) {
      created_hook_(created_context_, key);
    }
  }
  Entry* NewEntry(std::string_view key, size_t value_len);
  // Moves the entry at `pos` into a block with room for its key only (its
  // value bytes are dropped); returns the new entry.
  Entry* ShrinkToKey(HashTable::Position pos);
  // Whether a replica write of this state and version replaces `held`.
  static bool Supersedes(const Version& version, bool tombstone, std::string_view value,
                         int64_t expire_at_ms, const Entry* held);
  // SetString at a position already found (no entry: insert with `hash`).
  Entry* StoreString(HashTable::Position pos, uint64_t hash, std::string_view key,
                     std::string_view value, int64_t expire_at_ms);
  static size_t ValueCapacity(const Entry* e);
  void FreeEntry(Entry* e);
  // Deletes the collection `e` holds, if any, leaving an empty string.
  static void DropObject(Entry* e);
  void DeleteAt(HashTable::Position pos);
  // Returns `pos` if its entry is live, or deletes it and returns no position.
  HashTable::Position LiveOrExpire(HashTable::Position pos);
  uint32_t AccessClock() const { return static_cast<uint32_t>(now_ms_); }

  HashTable table_;
  size_t expires_count_ = 0;  // includes tombstones, which always expire
  size_t tombstones_ = 0;
  bool has_replicated_ = false;
  Version max_version_;
  Version version_floor_;
  int64_t now_ms_ = 0;
  KeyspaceStats stats_;
  AccessTracking tracking_;
  CreatedHook created_hook_ = nullptr;
  void* created_context_ = nullptr;
  DirtyKeys* dirty_ = nullptr;
};

template <typename Keep>
bool Keyspace::EvictSampled(HashTable::Bucket bucket, uintptr_t address, Keep&& keep) {
  const HashTable::Position pos = table_.FindInBucket(bucket, address);
  if (!pos || pos.entry()->is_tombstone()) return false;
  if (IsExpired(pos.entry())) {
    ++stats_.expired_keys;
  } else if (keep(static_cast<const Entry*>(pos.entry()))) {
    return false;
  } else {
    ++stats_.evicted_keys;
  }
  // Until a miss reads from disk, an evicted key leaves the disk too: else
  // a restart would bring back what readers already saw gone.
  MarkRemoved(pos.entry()->key());
  DeleteAt(pos);
  return true;
}

template <typename Visit>
uint64_t Keyspace::Scan(uint64_t cursor, Visit&& visit) {
  return table_.Scan(cursor, [&](Entry* e) {
    if (!IsExpired(e) && !e->is_tombstone()) visit(static_cast<const Entry*>(e));
  });
}

template <typename Visit>
void Keyspace::ForEachLive(Visit&& visit) const {
  table_.ForEach([&](const Entry* e) {
    if (!IsExpired(e) && !e->is_tombstone()) visit(e);
  });
}

template <typename Visit>
void Keyspace::ReadReplicas(std::span<const std::string_view> keys, Visit&& visit) {
  for (size_t start = 0; start < keys.size(); start += kPrefetchBatch) {
    const auto batch = keys.subspan(start, std::min(kPrefetchBatch, keys.size() - start));
    PrefetchKeys(batch);
    for (size_t i = 0; i < batch.size(); ++i) visit(start + i, ReadReplica(batch[i]));
  }
}

}  // namespace ringcache
