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
  int64_t ttl_sum_ms = 0;
  int64_t ttl_samples = 0;
  due_.clear();
  do {
    cursor_ = keyspace.ScanIncludingExpired(cursor_, [&](const Entry* e) {
      ++seen;
      if (!e->has_expiry()) return;
      ++with_ttl;
      if (keyspace.IsExpired(e)) {
        due_.emplace_back(e->key());
      } else if (!e->is_tombstone()) {
        ttl_sum_ms += e->expire_at_ms - keyspace.now_ms();
        ++ttl_samples;
      }
    });
    ++buckets;
  } while (cursor_ != 0 && with_ttl < kSliceTtlKeys && seen < kSliceAnyKeys &&
           buckets < kSliceAnyKeys);
  if (ttl_samples > 0) {
    // As Redis estimates avg_ttl: a moving average over the sweep's samples.
    const int64_t slice_average = ttl_sum_ms / ttl_samples;
    avg_ttl_ms_ = avg_ttl_ms_ == 0 ? slice_average : avg_ttl_ms_ / 50 * 49 + slice_average / 50;
  }
  // Deleting during the scan would disturb the cursor's bucket; do it after.
  size_t deleted = 0;
  for (const std::string& key : due_) deleted += keyspace.ExpireIfDue(key) ? 1 : 0;
  return {with_ttl, deleted};
}

size_t ActiveExpiry::RunCycle(Keyspace& keyspace, int64_t budget_us) {
  if (keyspace.expires_count() == 0) {
    avg_ttl_ms_ = 0;
    return 0;
  }
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
