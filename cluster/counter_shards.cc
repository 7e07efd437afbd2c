#include "cluster/counter_shards.h"

namespace ringcache::cluster {

CounterShards::CounterShards(size_t max_keys)
    : max_keys_(max_keys),
      random_((uint64_t{std::random_device{}()} << 32) | std::random_device{}()) {}

const CounterShard* CounterShards::Find(std::string_view key, const Version& base) const {
  const auto it = shards_.find(key);
  return it != shards_.end() && it->second.base == base ? &it->second.shard : nullptr;
}

const CounterShard& CounterShards::Advance(std::string_view key, const Version& base,
                                           const Increment& by) {
  auto it = shards_.find(key);
  if (it == shards_.end()) {
    if (shards_.size() >= max_keys_) shards_.erase(shards_.begin());
    it = shards_.emplace(std::string(key), Kept{}).first;
    it->second.base = base;
    it->second.shard.id = random_();
  } else if (it->second.base != base) {
    it->second = Kept{base, CounterShard{}};
    it->second.shard.id = random_();
  }
  CounterState::Add(&it->second.shard, by);
  return it->second.shard;
}

}  // namespace ringcache::cluster
