#include "types/replica_merge.h"

#include "types/counter_state.h"

namespace ringcache {
namespace {

bool ApplyCounter(Keyspace& keyspace, std::string_view key, const ReplicaValueView& state) {
  const Entry* held = keyspace.FindIncludingTombstone(key);
  if (held == nullptr || held->version() < state.version) {
    return keyspace.StoreCounter(key, state.value, state.expire_at_ms, state.version);
  }
  if (state.version < held->version()) return false;  // reset since by a newer write
  if (held->is_tombstone()) {
    // Counting that started after this very delete.
    return keyspace.StoreCounter(key, state.value, state.expire_at_ms, state.version);
  }
  const bool held_counter = held->type == ValueType::kCounter;
  const std::optional<std::string> merged =
      MergeCounterStates(held->value(), held_counter, state.value, true);
  if (!merged || (held_counter && *merged == held->value())) return false;
  // The expiry travels with the base: equal versions carry equal expiries.
  return keyspace.StoreCounter(key, *merged, held->expire_at_ms, state.version);
}

}  // namespace

bool ApplyReplicaState(Keyspace& keyspace, std::string_view key, const ReplicaValueView& state,
                       bool* removed_live) {
  if (removed_live != nullptr) *removed_live = false;
  if (state.tombstone) {
    return keyspace.DeleteIfNewer(key, state.version, state.expire_at_ms, removed_live);
  }
  if (state.counter) return ApplyCounter(keyspace, key, state);
  return keyspace.PutIfNewer(key, state.value, state.expire_at_ms, state.version);
}

}  // namespace ringcache
