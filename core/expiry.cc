#include "core/expiry.h"

namespace ringcache {
namespace {

// A slice examines this many keys with a TTL (or ten times as many buckets'
// worth of keys without one) before it checks the clock and the stale ratio.
constexpr size_t kSliceTtlKeys = 200;
constexpr size_t kSliceAnyKeys = 2000;
// Keep sweeping while more than this share of examined TTL keys was expired.
constexpr size_t kAcceptableStalePercent = 10;

}  // namespace

std::pair<size_t, size_t> ActiveExpiry::RunSlice(Keyspace& keyspace) {
  size_t with_ttl = 0;
  size_t seen = 0;
  size_t buckets = 0;
  due_.clear();
  do {
    cursor_ = keyspace.ScanIncludingExpired(cursor_, [&](const Entry* e) {
      ++seen;
      if (!e->has_expiry()) return;
      ++with_ttl;
      if (keyspace.IsExpired(e)) due_.emplace_back(e->key());
    });
    ++buckets;
  } while (cursor_ != 0 && with_ttl < kSliceTtlKeys && seen < kSliceAnyKeys &&
           buckets < kSliceAnyKeys);
  // Deleting during the scan would disturb the cursor's bucket; do it after.
  size_t deleted = 0;
  for (const std::string& key : due_) deleted += keyspace.ExpireIfDue(key) ? 1 : 0;
  return {with_ttl, deleted};
}

size_t ActiveExpiry::RunCycle(Keyspace& keyspace, int64_t budget_us) {
  if (keyspace.expires_count() == 0) return 0;
  const int64_t deadline = clock_() + budget_us;
  size_t deleted = 0;
  while (true) {
    const auto [examined, expired] = RunSlice(keyspace);
    deleted += expired;
    if (keyspace.expires_count() == 0 || clock_() >= deadline) break;
    if (examined == 0 || expired * 100 <= examined * kAcceptableStalePercent) break;
  }
  return deleted;
}

}  // namespace ringcache
