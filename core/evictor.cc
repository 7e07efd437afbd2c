#include "core/evictor.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace ringcache {
namespace {

struct PolicyName {
  EvictionPolicy policy;
  std::string_view name;
};

constexpr PolicyName kPolicyNames[] = {
    {EvictionPolicy::kNoEviction, "noeviction"},
    {EvictionPolicy::kAllKeysLru, "allkeys-lru"},
    {EvictionPolicy::kVolatileLru, "volatile-lru"},
    {EvictionPolicy::kAllKeysLfu, "allkeys-lfu"},
    {EvictionPolicy::kVolatileLfu, "volatile-lfu"},
    {EvictionPolicy::kAllKeysRandom, "allkeys-random"},
    {EvictionPolicy::kVolatileRandom, "volatile-random"},
    {EvictionPolicy::kVolatileTtl, "volatile-ttl"},
};

// Buckets one sample may walk per wanted key. Keys with a TTL may be rare,
// so volatile policies look further before giving up on a round.
constexpr size_t kBucketsPerSample = 10;
constexpr size_t kVolatileBucketsPerSample = 200;
// Sampling rounds that found nothing eligible before a write is refused.
constexpr int kFruitlessRounds = 16;
// How often (in evictions) the time budget is checked.
constexpr size_t kEvictionsPerClockRead = 16;

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

bool IsLfu(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysLfu || p == EvictionPolicy::kVolatileLfu;
}

bool IsVolatileOnly(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLru || p == EvictionPolicy::kVolatileLfu ||
         p == EvictionPolicy::kVolatileRandom || p == EvictionPolicy::kVolatileTtl;
}

bool IsRandom(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysRandom || p == EvictionPolicy::kVolatileRandom;
}

}  // namespace

bool ParseEvictionPolicy(std::string_view name, EvictionPolicy* policy) {
  for (const PolicyName& p : kPolicyNames) {
    if (EqualsIgnoringCase(p.name, name)) {
      *policy = p.policy;
      return true;
    }
  }
  return false;
}

std::string_view EvictionPolicyName(EvictionPolicy policy) {
  for (const PolicyName& p : kPolicyNames) {
    if (p.policy == policy) return p.name;
  }
  return "noeviction";
}

Evictor::Evictor(Keyspace& keyspace, MemoryMeter meter, MicrosClock clock)
    : keyspace_(keyspace), meter_(meter), clock_(clock) {
  // Growing the index allocates its new bucket array at once (8 MB at a
  // million keys): under a limit, postpone that rather than overshoot.
  keyspace_.set_growth_check([this](size_t bytes) {
    return settings_.max_bytes == 0 || meter_() + bytes <= settings_.max_bytes;
  });
}

Evictor::~Evictor() { keyspace_.set_growth_check(nullptr); }

void Evictor::Configure(const EvictionSettings& settings) {
  // Scores of different policies do not compare: start the pool afresh.
  if (settings.policy != settings_.policy) pool_used_ = 0;
  settings_ = settings;
  settings_.samples = std::max<size_t>(1, settings_.samples);
  settings_.tracking.lfu = IsLfu(settings_.policy);
  volatile_only_ = IsVolatileOnly(settings_.policy);
  keyspace_.set_access_tracking(settings_.tracking);
}

EvictionResult Evictor::EvictUntilUnder(int64_t budget_us) {
  size_t used = meter_();
  if (used <= settings_.max_bytes) return EvictionResult::kUnderLimit;
  if (settings_.policy == EvictionPolicy::kNoEviction) return EvictionResult::kFailed;
  // The budget starts at the first clock read, after kEvictionsPerClockRead
  // evictions: a write at the limit evicts about one key, and need not read
  // the clock for it (~30 instructions of the ~1,200 an eviction costs).
  int64_t deadline = 0;
  for (size_t evicted = 1; used > settings_.max_bytes; ++evicted, used = meter_()) {
    if (!EvictOne()) return EvictionResult::kFailed;
    if (evicted % kEvictionsPerClockRead != 0) continue;
    const int64_t now = clock_();
    if (deadline == 0) {
      deadline = now + budget_us;
    } else if (now >= deadline) {
      return EvictionResult::kRunning;
    }
  }
  return EvictionResult::kUnderLimit;
}

bool Evictor::EvictOne() {
  if (keyspace_.size() == 0) return false;
  if (volatile_only_ && keyspace_.expires_count() == 0) return false;
  return IsRandom(settings_.policy) ? EvictRandom() : EvictFromPool();
}

bool Evictor::Eligible(const Entry* e) const {
  return !e->is_tombstone() && (!volatile_only_ || e->has_expiry());
}

size_t Evictor::BucketsToWalk() const {
  return settings_.samples * (volatile_only_ ? kVolatileBucketsPerSample : kBucketsPerSample);
}

bool Evictor::EvictRandom() {
  for (int round = 0; round < kFruitlessRounds; ++round) {
    Candidate pick;
    keyspace_.SampleEntries(Keyspace::NextRandom(), 1, BucketsToWalk(),
                            [&](const Entry* e, HashTable::Bucket bucket) {
                              if (!Eligible(e)) return false;
                              pick = {0, reinterpret_cast<uintptr_t>(e), bucket, e->access_clock};
                              return true;
                            });
    if (pick.address == 0) continue;
    if (keyspace_.EvictSampled(pick.bucket, pick.address, [](const Entry*) { return false; })) {
      return true;
    }
  }
  return false;
}

bool Evictor::EvictFromPool() {
  for (int round = 0; round < kFruitlessRounds; ++round) {
    FillPool();
    while (pool_used_ > 0) {
      const Candidate best = pool_[--pool_used_];
      // Spared if read since it was sampled: no longer a good candidate.
      const bool freed = keyspace_.EvictSampled(best.bucket, best.address, [&](const Entry* e) {
        return e->access_clock != best.access_clock || !Eligible(e);
      });
      if (freed) {
        PrefetchNext();
        return true;
      }
    }
  }
  return false;
}

void Evictor::PrefetchNext() {
  keyspace_.PrefetchSample(next_sample_start_, settings_.samples);
  keyspace_.PrefetchBucket(later_sample_start_);
  if (pool_used_ > 0) {
    const Candidate& next = pool_[pool_used_ - 1];
    keyspace_.PrefetchSampled(next.bucket, next.address);
  }
}

uint64_t Evictor::Score(const Entry* e) const {
  switch (settings_.policy) {
    case EvictionPolicy::kAllKeysLfu:
    case EvictionPolicy::kVolatileLfu:
      return 255 - keyspace_.DecayedFrequency(e);
    case EvictionPolicy::kVolatileTtl:
      return std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(e->expire_at_ms);
    default:
      return keyspace_.IdleMs(e);
  }
}

// Inserts `e` into the pool, kept in ascending score order, if it beats the
// worst candidate or there is room. Inlined into FillPool's visitor: called
// about four times per eviction, the call itself cost a sixth of it.
[[gnu::always_inline]] inline void Evictor::Offer(const Entry* e, HashTable::Bucket bucket) {
  const uint64_t score = Score(e);
  if (pool_used_ == kPoolSize && score <= pool_[0].score) return;  // worse than all held
  const Candidate candidate{score, reinterpret_cast<uintptr_t>(e), bucket, e->access_clock};
  // Insertion as in insertion sort, shifting while searching: cheaper for 16
  // entries than a binary search and a memmove call.
  if (pool_used_ < kPoolSize) {
    size_t i = pool_used_++;
    for (; i > 0 && pool_[i - 1].score >= score; --i) pool_[i] = pool_[i - 1];
    pool_[i] = candidate;
  } else {
    // The worst (pool_[0]) gives way; entries worse than `e` move down one.
    size_t i = 0;
    for (; i + 1 < kPoolSize && pool_[i + 1].score < score; ++i) pool_[i] = pool_[i + 1];
    pool_[i] = candidate;
  }
}

void Evictor::FillPool() {
  keyspace_.SampleEntries(next_sample_start_, settings_.samples, BucketsToWalk(),
                          [&](const Entry* e, HashTable::Bucket bucket) {
                            if (!Eligible(e)) return false;
                            Offer(e, bucket);
                            return true;
                          });
  next_sample_start_ = later_sample_start_;
  later_sample_start_ = Keyspace::NextRandom();
}

}  // namespace ringcache
