#include "core/hash_table.h"

#include <xxhash.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <random>

namespace ringcache {
namespace {

constexpr size_t kInitialSize = 4;
// Shrink when fewer than 1 in 10 buckets would be used, as Redis does.
constexpr size_t kMinFillPercent = 10;
// Chains this long on average grow the table whatever the growth check says
// (Redis's dict_force_resize_ratio).
constexpr size_t kForcedGrowthLoad = 5;
// Visiting empty buckets is cheap but not free: bound it per step.
constexpr size_t kEmptyVisitsPerBucket = 10;

size_t NextPowerOfTwo(size_t n) {
  size_t size = kInitialSize;
  while (size < n) size *= 2;
  return size;
}

uint64_t ReverseBits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
  return __builtin_bswap64(v);
}

bool KeyEquals(const Entry* e, std::string_view key) {
  return e->key_len == key.size() && std::memcmp(e->data(), key.data(), key.size()) == 0;
}

}  // namespace

namespace hash_table_internal {
// Increments the cursor's masked bits from the most significant end, so that
// buckets split by a resize are visited next to each other.
uint64_t NextCursor(uint64_t cursor, uint64_t mask) {
  cursor |= ~mask;
  cursor = ReverseBits(cursor);
  ++cursor;
  return ReverseBits(cursor);
}
}  // namespace hash_table_internal

namespace {

// A seed per table, from one random draw per process: a cluster builds a
// scratch keyspace for each read-modify-write, and std::random_device per
// table cost a tenth of a coordinator's time under SPOP.
uint64_t NextTableSeed() {
  static const uint64_t base = (uint64_t{std::random_device{}()} << 32) | std::random_device{}();
  static std::atomic<uint64_t> tables{0};
  return base ^ ((tables.fetch_add(1, std::memory_order_relaxed) + 1) * 0x9e3779b97f4a7c15ULL);
}

}  // namespace

HashTable::HashTable() : seed_(NextTableSeed()) {}

HashTable::~HashTable() { FreeTables(); }

uint64_t HashTable::Hash(std::string_view key) const {
  return XXH3_64bits_withSeed(key.data(), key.size(), seed_);
}

HashTable::Position HashTable::FindPosition(std::string_view key, uint64_t hash) {
  if (size() == 0) return {};
  if (rehashing()) RehashStep(1);
  for (int t = 0; t < 2 && buckets_[t] != nullptr; ++t) {
    Entry** link = &buckets_[t][hash & mask_[t]];
    while (*link != nullptr) {
      if (KeyEquals(*link, key)) return {link, t};
      link = &(*link)->next;
    }
  }
  return {};
}

HashTable::Position HashTable::FindInBucket(Bucket bucket, uintptr_t address) {
  const int t = static_cast<int>(bucket.table);
  if (bucket.index >= size_of(t)) return {};
  for (Entry** link = &buckets_[t][bucket.index]; *link != nullptr; link = &(*link)->next) {
    if (reinterpret_cast<uintptr_t>(*link) == address) return {link, t};
  }
  return {};
}

void HashTable::Insert(Entry* entry, uint64_t hash) {
  if (rehashing()) RehashStep(1);
  GrowIfNeeded();
  const int t = rehashing() ? 1 : 0;
  Entry** bucket = &buckets_[t][hash & mask_[t]];
  entry->next = *bucket;
  *bucket = entry;
  ++used_[t];
}

void HashTable::Replace(Position pos, Entry* replacement) {
  replacement->next = (*pos.link)->next;
  *pos.link = replacement;
}

Entry* HashTable::Unlink(Position pos) {
  Entry* e = *pos.link;
  *pos.link = e->next;
  e->next = nullptr;
  --used_[pos.table];
  return e;
}

void HashTable::GrowIfNeeded() {
  if (rehashing()) return;
  if (buckets_[0] == nullptr) {
    StartResize(kInitialSize);
    // A fresh table needs no rehash: adopt the new array as table 0.
    buckets_[0] = buckets_[1];
    mask_[0] = mask_[1];
    buckets_[1] = nullptr;
    mask_[1] = 0;
    rehash_index_ = -1;
    return;
  }
  if (used_[0] < size_of(0)) return;
  const size_t new_bytes =
      NextPowerOfTwo(used_[0] * 2) * sizeof(Entry*);  // NOLINT(bugprone-sizeof-expression)
  if (used_[0] >= kForcedGrowthLoad * size_of(0) || !growth_check_ || growth_check_(new_bytes)) {
    StartResize(used_[0] * 2);
  }
}

void HashTable::ShrinkIfSparse() {
  if (rehashing() || buckets_[0] == nullptr) return;
  const size_t buckets = size_of(0);
  if (buckets > kInitialSize && used_[0] * 100 / buckets < kMinFillPercent) {
    StartResize(used_[0]);
  }
}

void HashTable::StartResize(size_t min_size) {
  const size_t size = NextPowerOfTwo(min_size);
  if (size == size_of(0)) return;
  // An array of bucket heads, i.e. of pointers; zeroed means empty.
  buckets_[1] = static_cast<Entry**>(
      std::calloc(size, sizeof(Entry*)));  // NOLINT(bugprone-sizeof-expression)
  if (buckets_[1] == nullptr) std::abort();
  mask_[1] = size - 1;
  used_[1] = 0;
  rehash_index_ = 0;
}

bool HashTable::RehashStep(size_t buckets) {
  if (!rehashing()) return false;
  size_t empty_visits = buckets * kEmptyVisitsPerBucket;
  const size_t old_size = size_of(0);
  while (buckets-- > 0 && used_[0] != 0) {
    while (buckets_[0][rehash_index_] == nullptr) {
      ++rehash_index_;
      if (--empty_visits == 0) return true;
    }
    Entry* e = buckets_[0][rehash_index_];
    while (e != nullptr) {
      Entry* next = e->next;
      Entry** bucket = &buckets_[1][Hash(e->key()) & mask_[1]];
      e->next = *bucket;
      *bucket = e;
      --used_[0];
      ++used_[1];
      e = next;
    }
    buckets_[0][rehash_index_] = nullptr;
    ++rehash_index_;
  }
  if (used_[0] != 0 && static_cast<size_t>(rehash_index_) < old_size) return true;
  std::free(buckets_[0]);
  buckets_[0] = buckets_[1];
  mask_[0] = mask_[1];
  used_[0] = used_[1];
  buckets_[1] = nullptr;
  mask_[1] = 0;
  used_[1] = 0;
  rehash_index_ = -1;
  return false;
}

Entry* HashTable::RandomEntry(uint64_t (*random)()) {
  if (size() == 0) return nullptr;
  if (rehashing()) RehashStep(1);
  Entry* head = nullptr;
  while (head == nullptr) {
    if (rehashing()) {
      // Buckets of table 0 below rehash_index_ are empty: skip them.
      const size_t first = static_cast<size_t>(rehash_index_);
      const size_t span = size_of(0) + size_of(1) - first;
      const size_t pick = first + random() % span;
      // While rehashing both arrays exist (the analyzer cannot tell).
      head = pick >= size_of(0) ? buckets_[1][pick - size_of(0)]
                                : buckets_[0][pick];  // NOLINT(clang-analyzer-core.NullDereference)
    } else {
      head = buckets_[0][random() & mask_[0]];
    }
  }
  size_t length = 0;
  for (Entry* e = head; e != nullptr; e = e->next) ++length;
  size_t index = random() % length;
  // index < length, so the walk stays on the chain.
  while (index-- > 0) head = head->next;  // NOLINT(clang-analyzer-core.NullDereference)
  return head;
}

void HashTable::FreeTables() {
  std::free(buckets_[0]);
  std::free(buckets_[1]);
  buckets_[0] = buckets_[1] = nullptr;
  mask_[0] = mask_[1] = 0;
  used_[0] = used_[1] = 0;
  rehash_index_ = -1;
}

}  // namespace ringcache
