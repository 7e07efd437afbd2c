// CounterShards: this node's own shards of the counters it has counted on,
// as a coordinator (types/counter_state.h).
//
// A coordinator writes increments into a shard of its own per key, of an id
// drawn at random, and is the only writer of that shard: it keeps the
// shard's totals here and sends them whole (never "add 5"), so a replica
// takes the greater totals and a retried or duplicated delivery counts once.
// A restart, a shard dropped from this cache, or a new base (a SET reset the
// counter) starts a new shard under a new id, so totals never go back.
// Bounded: past `max_keys` an arbitrary shard is forgotten.
//
// Single-threaded: the event loop's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/string_hash.h"
#include "core/version.h"
#include "types/counter_state.h"

namespace ringcache::cluster {

class CounterShards {
 public:
  explicit CounterShards(size_t max_keys = 100000);

  // This node's shard of `key` counting on the base of version `base`;
  // null when it has none.
  const CounterShard* Find(std::string_view key, const Version& base) const;
  // Counts `by` in that shard (a new one when there is none) and returns it.
  const CounterShard& Advance(std::string_view key, const Version& base, const Increment& by);
  size_t size() const { return shards_.size(); }

 private:
  struct Kept {
    Version base;
    CounterShard shard;
  };
  size_t max_keys_;
  std::unordered_map<std::string, Kept, StringHash, std::equal_to<>> shards_;
  std::mt19937_64 random_;
};

}  // namespace ringcache::cluster
