// HashTable: the keyspace's index, a chained hash table of Entry pointers that
// grows and shrinks by incremental rehashing, as Redis's dict does: while a
// resize is under way two bucket arrays coexist and every operation moves one
// bucket, so no single request pays for rehashing millions of keys.
//
// The table links entries through Entry::next but does not allocate or free
// them; Keyspace owns the entries. Single-threaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>

#include "common/prefetch.h"
#include "core/entry.h"

namespace ringcache {

class HashTable {
 public:
  HashTable();
  ~HashTable();
  HashTable(const HashTable&) = delete;
  HashTable& operator=(const HashTable&) = delete;

  size_t size() const { return used_[0] + used_[1]; }
  size_t bucket_count() const { return size_of(0) + size_of(1); }
  bool rehashing() const { return rehash_index_ >= 0; }

  uint64_t Hash(std::string_view key) const;

  // Where an entry sits: the pointer that points at it, and which of the two
  // bucket arrays holds it. Valid until the table is next modified.
  struct Position {
    Entry** link = nullptr;
    int table = 0;
    explicit operator bool() const { return link != nullptr; }
    Entry* entry() const { return *link; }
  };

  Position FindPosition(std::string_view key, uint64_t hash);

  // A bucket of one of the two arrays: where SampleEntries found an entry.
  struct Bucket {
    uint64_t index : 63;
    uint64_t table : 1;
  };
  // The position of the entry at `address` if it is still in `bucket`'s
  // chain; empty when it is not (deleted since, or moved by a resize). Finds
  // a sampled entry again without its key or hash. Compares addresses only:
  // the entry that was at `address` may have been freed.
  Position FindInBucket(Bucket bucket, uintptr_t address);
  // Starts loading `bucket`, and the entry that was at `address`, into the
  // cache (a prefetch never faults, even on freed memory).
  void Prefetch(Bucket bucket, uintptr_t address) const {
    if (bucket.index < size_of(bucket.table)) {
      PrefetchLine(&buckets_[bucket.table][bucket.index]);
    }
    PrefetchLine(reinterpret_cast<const void*>(address));  // NOLINT(performance-no-int-to-ptr)
  }
  Entry* Find(std::string_view key, uint64_t hash) {
    const Position pos = FindPosition(key, hash);
    return pos ? *pos.link : nullptr;
  }

  // REQUIRES: no entry with this key is in the table.
  void Insert(Entry* entry, uint64_t hash);
  // Swaps the entry at `pos` for `replacement` (same key; e.g. after realloc).
  static void Replace(Position pos, Entry* replacement);
  // Unlinks the entry at `pos` and returns it; the caller frees it.
  Entry* Unlink(Position pos);

  // Visits every entry of the buckets for `cursor` and returns the next
  // cursor (0 when done). Guarantees of Redis's SCAN: every entry present for
  // the whole scan is visited at least once, even across resizes. The visitor
  // must not modify the table.
  template <typename Visit>
  uint64_t Scan(uint64_t cursor, Visit&& visit);

  // Visits all entries. The visitor must not modify the table.
  template <typename Visit>
  void ForEach(Visit&& visit) const;

  // A uniformly chosen bucket's random entry; nullptr when empty.
  Entry* RandomEntry(uint64_t (*random)());
  // Eviction sampling, as Redis's dictGetSomeKeys: walks consecutive buckets
  // from `start` (any number; reduced modulo the table) and calls
  // `visit(entry, bucket)` on their entries until it returned true `count`
  // times or `max_buckets` buckets were seen. Cheaper than `count` random
  // picks, and as random for eviction: keys land in buckets independently of
  // how they are used. The visitor must not modify the table.
  template <typename Visit>
  void SampleEntries(uint64_t start, size_t count, size_t max_buckets, Visit&& visit);

  // Starts loading the buckets `hash` maps to into the cache, for work that
  // comes later (the next eviction).
  void Prefetch(uint64_t hash) const {
    for (int t = 0; t < 2; ++t) {
      if (buckets_[t] != nullptr) PrefetchLine(&buckets_[t][hash & mask_[t]]);
    }
  }

  // Starts loading the first entry of each chain `hash` maps to: its header
  // and the line after it, where a short key's value lies. Reads the bucket
  // array: best called after Prefetch(hash) had time to bring it in.
  void PrefetchChainHead(uint64_t hash) const {
    for (int t = 0; t < 2; ++t) {
      if (buckets_[t] == nullptr) continue;
      if (const char* head = reinterpret_cast<const char*>(buckets_[t][hash & mask_[t]])) {
        PrefetchLine(head);
        PrefetchLine(head + 64);
      }
    }
  }

  // Starts loading the first entries of the chains SampleEntries(start,
  // count, ...) will visit first. Reads the bucket array: best called after
  // Prefetch(start) had time to bring it in.
  void PrefetchSample(uint64_t start, size_t count) const {
    const uint64_t mask = mask_[0] > mask_[1] ? mask_[0] : mask_[1];
    const int t = mask_[1] > mask_[0] ? 1 : 0;
    if (buckets_[t] == nullptr) return;
    for (size_t i = 0; i < count * 2 && count > 0; ++i) {
      if (const Entry* head = buckets_[t][(start + i) & mask]; head != nullptr) {
        PrefetchLine(head);
        --count;
      }
    }
  }

  // Asked before the table grows, with the bytes the new bucket array takes;
  // false postpones growing (a memory limit would be overshot) until chains
  // get long. Empty: always allowed.
  using GrowthCheck = std::function<bool(size_t bytes)>;
  void set_growth_check(GrowthCheck check) { growth_check_ = std::move(check); }

  // Moves up to `buckets` buckets to the new array; returns false when the
  // rehash is finished.
  bool RehashStep(size_t buckets);
  // Starts shrinking when the table is mostly empty (after mass deletion).
  void ShrinkIfSparse();
  // Forgets all entries; calls `dispose` on each first.
  template <typename Dispose>
  void Clear(Dispose&& dispose);

 private:
  size_t size_of(int t) const { return buckets_[t] == nullptr ? 0 : mask_[t] + 1; }
  void StartResize(size_t min_size);
  void GrowIfNeeded();
  void FreeTables();

  Entry** buckets_[2] = {nullptr, nullptr};
  size_t mask_[2] = {0, 0};
  size_t used_[2] = {0, 0};
  int64_t rehash_index_ = -1;  // next bucket of table 0 to move; -1 when not rehashing
  uint64_t seed_;
  GrowthCheck growth_check_;
};

namespace hash_table_internal {
uint64_t NextCursor(uint64_t cursor, uint64_t mask);
}

template <typename Visit>
uint64_t HashTable::Scan(uint64_t cursor, Visit&& visit) {
  if (size() == 0) return 0;
  auto visit_chain = [&](Entry* e) {
    while (e != nullptr) {
      Entry* next = e->next;
      visit(e);
      e = next;
    }
  };
  if (!rehashing()) {
    visit_chain(buckets_[0][cursor & mask_[0]]);
    return hash_table_internal::NextCursor(cursor, mask_[0]);
  }
  int small = 0;
  int large = 1;
  if (mask_[0] > mask_[1]) {
    small = 1;
    large = 0;
  }
  const uint64_t m0 = mask_[small];
  const uint64_t m1 = mask_[large];
  visit_chain(buckets_[small][cursor & m0]);
  // Visit every bucket of the larger table that expands the smaller one's.
  do {
    visit_chain(buckets_[large][cursor & m1]);
    cursor = hash_table_internal::NextCursor(cursor, m1);
  } while ((cursor & (m0 ^ m1)) != 0);
  return cursor;
}

template <typename Visit>
void HashTable::SampleEntries(uint64_t start, size_t count, size_t max_buckets, Visit&& visit) {
  if (size() == 0 || count == 0) return;
  const uint64_t mask = mask_[0] > mask_[1] ? mask_[0] : mask_[1];
  uint64_t index = start & mask;
  size_t seen = 0;
  // In rounds: gather the chains of the next non-empty buckets and prefetch
  // their first entries, so that the cache misses of a sample overlap
  // instead of following one another (they are most of an eviction's cost).
  constexpr size_t kChainsPerRound = 8;
  struct Chain {
    Entry* head;
    Bucket bucket;
  };
  Chain chains[kChainsPerRound];
  size_t found = 0;
  auto gather = [&](int table) {
    Entry* head = buckets_[table][index];
    if (head == nullptr) return;
    PrefetchLine(head);
    chains[found++] = {head, {index, static_cast<uint64_t>(table)}};
  };
  while (seen < max_buckets) {
    found = 0;
    if (!rehashing()) {
      // The common case, kept to one table and no range checks.
      const size_t wanted = count < kChainsPerRound ? count : kChainsPerRound;
      for (; seen < max_buckets && found < wanted; ++seen, index = (index + 1) & mask) gather(0);
    } else {
      // Both tables may hold a chain for the index (room for two per round's
      // bucket): table 0 only from the rehash index on (below it, moved).
      for (; seen < max_buckets && found + 1 < kChainsPerRound && found < count;
           ++seen, index = (index + 1) & mask) {
        if (index >= static_cast<uint64_t>(rehash_index_) && index < size_of(0)) gather(0);
        if (index < size_of(1)) gather(1);
      }
    }
    for (size_t i = 0; i < found; ++i) {
      for (Entry* e = chains[i].head; e != nullptr; e = e->next) {
        if (visit(e, chains[i].bucket) && --count == 0) return;
      }
    }
  }
}

template <typename Visit>
void HashTable::ForEach(Visit&& visit) const {
  for (int t = 0; t < 2; ++t) {
    for (size_t i = 0; i < size_of(t); ++i) {
      for (Entry* e = buckets_[t][i]; e != nullptr; e = e->next) visit(e);
    }
  }
}

template <typename Dispose>
void HashTable::Clear(Dispose&& dispose) {
  for (int t = 0; t < 2; ++t) {
    for (size_t i = 0; i < size_of(t); ++i) {
      Entry* e = buckets_[t][i];
      while (e != nullptr) {
        Entry* next = e->next;
        dispose(e);
        e = next;
      }
    }
  }
  FreeTables();
}

}  // namespace ringcache
