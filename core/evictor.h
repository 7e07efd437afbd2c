// Evictor: keeps the node within `maxmemory` by evicting keys, with Redis's
// policies and Redis's approximation of LRU/LFU.
//
// Exact LRU would need a list threaded through every key (16 bytes per key
// and two pointer writes per read). Instead, as Redis does, each eviction
// samples a few keys (`maxmemory-samples`), merges them into a small pool of
// the best candidates seen so far, and evicts the pool's best. The pool
// carries good candidates across evictions, which makes the approximation
// close to exact LRU (bench/eviction.py measures how close).
//
// Used memory is read from the allocator through an injected meter, once per
// write while over the limit: when under it, MakeRoom is a load and a compare.
//
// Single-threaded: the event loop's thread, same as the Keyspace.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/keyspace.h"

namespace ringcache {

enum class EvictionPolicy : uint8_t {
  kNoEviction,
  kAllKeysLru,
  kVolatileLru,
  kAllKeysLfu,
  kVolatileLfu,
  kAllKeysRandom,
  kVolatileRandom,
  kVolatileTtl,
};

// Redis's names: "allkeys-lru", ... Parsing is case-insensitive.
bool ParseEvictionPolicy(std::string_view name, EvictionPolicy* policy);
std::string_view EvictionPolicyName(EvictionPolicy policy);

struct EvictionSettings {
  size_t max_bytes = 0;  // 0: no limit
  EvictionPolicy policy = EvictionPolicy::kNoEviction;
  size_t samples = 5;
  AccessTracking tracking;  // lfu is derived from the policy
};

enum class EvictionResult {
  kUnderLimit,  // nothing to do, or evicted enough
  kRunning,     // still over the limit when the time budget ran out
  kFailed,      // over the limit and nothing may be evicted: refuse writes
};

class Evictor {
 public:
  // Time one write may spend evicting before it runs anyway; the cron goes on
  // evicting (only a lowered limit or a huge value needs more than this).
  static constexpr int64_t kWriteBudgetUs = 1000;

  using MemoryMeter = size_t (*)();
  using MicrosClock = int64_t (*)();

  Evictor(Keyspace& keyspace, MemoryMeter meter, MicrosClock clock);
  ~Evictor();
  Evictor(const Evictor&) = delete;
  Evictor& operator=(const Evictor&) = delete;

  void Configure(const EvictionSettings& settings);
  const EvictionSettings& settings() const { return settings_; }
  bool limited() const { return settings_.max_bytes != 0; }

  // Evicts until used memory is at or below the limit or `budget_us` passed
  // (counted from the 16th eviction, when the clock is first read).
  // Called before every command that may grow memory, so the limit is
  // overshot by at most one command's worth.
  EvictionResult MakeRoom(int64_t budget_us) {
    if (settings_.max_bytes == 0) return EvictionResult::kUnderLimit;
    return EvictUntilUnder(budget_us);
  }
  // MakeRoom for one write: false when the write must be refused.
  bool RoomForWrite() { return MakeRoom(kWriteBudgetUs) != EvictionResult::kFailed; }

 private:
  // A pool entry names its key by the entry's address and bucket, not by a
  // copy of the key: finding it again walks one chain comparing addresses,
  // with no copy per candidate and no hash per victim (together a third of
  // an eviction's instructions when the pool held keys). An entry freed and
  // its memory reused for a key in the same bucket would pass for the
  // candidate; its access clock, compared before evicting, tells them apart.
  struct Candidate {
    uint64_t score = 0;          // higher: evict first
    uintptr_t address = 0;       // never read through: the entry may be gone
    HashTable::Bucket bucket{};  // where it was sampled
    uint32_t access_clock = 0;   // to notice a key read since it was sampled
  };
  static constexpr size_t kPoolSize = 16;

  EvictionResult EvictUntilUnder(int64_t budget_us);
  // Evicts one key under the policy; false when no key may be evicted.
  bool EvictOne();
  bool EvictRandom();
  bool EvictFromPool();
  void FillPool();
  // Starts loading what the next evictions will read, so that they find it
  // in the cache: the entries and buckets they will sample, the likely victim.
  void PrefetchNext();
  void Offer(const Entry* e, HashTable::Bucket bucket);
  uint64_t Score(const Entry* e) const;
  bool Eligible(const Entry* e) const;
  size_t BucketsToWalk() const;

  Keyspace& keyspace_;
  MemoryMeter meter_;
  MicrosClock clock_;
  EvictionSettings settings_;
  bool volatile_only_ = false;             // only keys with a TTL may be evicted
  std::array<Candidate, kPoolSize> pool_;  // ascending by score
  size_t pool_used_ = 0;
  // Where the next two samples start: the buckets of the one after next are
  // loaded one eviction ahead, the entries of the next one just before.
  uint64_t next_sample_start_ = Keyspace::NextRandom();
  uint64_t later_sample_start_ = Keyspace::NextRandom();
};

}  // namespace ringcache
