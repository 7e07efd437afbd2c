// What hashes and sets in their hash-table encoding share: a SCAN step over
// std::unordered_* buckets and a random element.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>

namespace ringcache {

// Visits the elements of buckets from `cursor` on until at least `count`
// were visited; returns the bucket to go on from, 0 when done. A table
// rehashed between calls may repeat or skip elements (unlike Redis's
// reverse-binary cursor: the standard containers do not expose one).
template <typename Table, typename Visit>
uint64_t ScanBuckets(const Table& table, uint64_t cursor, size_t count, Visit&& visit) {
  size_t bucket = cursor;
  size_t seen = 0;
  for (; bucket < table.bucket_count() && seen < count; ++bucket) {
    for (auto it = table.begin(bucket); it != table.end(bucket); ++it, ++seen) visit(*it);
  }
  return bucket < table.bucket_count() ? bucket : 0;
}

// A non-empty bucket, then one of its elements: cheap, and close to uniform
// while the load factor keeps chains short (Redis's dictGetFairRandomKey
// makes the same trade). REQUIRES: !table.empty().
template <typename Table>
auto RandomElement(const Table& table, uint64_t random) {
  const size_t buckets = table.bucket_count();
  size_t bucket = random % buckets;
  while (table.bucket_size(bucket) == 0) bucket = (bucket + 1) % buckets;
  auto it = table.begin(bucket);
  std::advance(it, static_cast<ptrdiff_t>((random >> 32) % table.bucket_size(bucket)));
  return it;
}

}  // namespace ringcache
