#include "types/replica_merge.h"

#include <memory>
#include <optional>

#include "types/counter_state.h"
#include "types/replicated_collection.h"

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

ReplicaApplied ApplyWholeValue(Keyspace& keyspace, std::string_view key,
                               const ReplicaValueView& state) {
  ReplicaApplied out;
  if (state.tombstone) {
    out.changed = keyspace.DeleteIfNewer(key, state.version, state.expire_at_ms, &out.removed_live);
  } else if (state.counter) {
    out.changed = ApplyCounter(keyspace, key, state);
  } else {
    out.changed = keyspace.PutIfNewer(key, state.value, state.expire_at_ms, state.version);
  }
  return out;
}

// A whole value, counter or tombstone stamped after adds to the collection
// `held` holds clears them; what was added after it stays a collection.
ReplicaApplied ClearCollection(Keyspace& keyspace, std::string_view key, Entry* held,
                               const ReplicaValueView& state) {
  auto& mine = *static_cast<ReplicatedCollection*>(held->object());
  const bool was_live = mine.size() > 0;
  if (!(mine.cleared() < state.version)) return {};
  mine.ClearBelow(state.version);
  if (mine.records() == 0) {  // nothing added since: the value stands alone
    keyspace.Forget(key);
    ReplicaApplied out = ApplyWholeValue(keyspace, key, state);
    out.removed_live = was_live && state.tombstone;
    return out;
  }
  const bool live = mine.size() > 0;
  const int64_t expire = live == was_live  ? held->expire_at_ms
                         : state.tombstone ? state.expire_at_ms
                                           : 0;
  keyspace.RefileReplicated(held, live, expire, std::max(held->version(), state.version));
  ReplicaApplied out;
  out.changed = true;
  out.removed_live = was_live && !live;
  return out;
}

// The expiry of a collection that merged in `state`: a live one's comes with
// the newest whole-collection write (a rewrite's, such as EXPIRE's); an
// empty one keeps its removals until the later grace end it was given.
int64_t MergedExpiry(const Entry* held, bool was_live, bool live, bool newer_clear,
                     const ReplicaValueView& state) {
  if (live) {
    if (newer_clear && !state.delta) return state.expire_at_ms;
    return was_live ? held->expire_at_ms : 0;
  }
  const int64_t kept = was_live ? 0 : held->expire_at_ms;
  return std::max(kept, state.expire_at_ms);
}

// `state` into the collection of its kind that `held` holds, merged as it
// decodes.
ReplicaApplied MergeInto(Keyspace& keyspace, Entry* held, const ReplicaValueView& state) {
  ReplicaApplied out;
  auto& mine = *static_cast<ReplicatedCollection*>(held->object());
  const bool was_live = mine.size() > 0;
  const Version cleared_before = mine.cleared();
  const std::optional<size_t> added =
      mine.MergeEncoded(state.value, keyspace.version_floor(), &out.changed);
  out.added = added.value_or(0);  // malformed: what came before its bad element is in
  // A list push reports the list's length, as LPUSH replies.
  if (mine.kind() == ReplicatedCollection::Kind::kList) out.added = mine.size();
  if (!out.changed) return out;
  const bool live = mine.size() > 0;
  const bool newer_clear = cleared_before < mine.cleared();
  keyspace.RefileReplicated(held, live, MergedExpiry(held, was_live, live, newer_clear, state),
                            std::max(held->version(), state.version));
  return out;
}

ReplicaApplied ApplyCollection(Keyspace& keyspace, std::string_view key,
                               const ReplicaValueView& state) {
  ReplicaApplied out;
  Entry* held = keyspace.FindForMerge(key);
  const bool held_collection = held != nullptr && held->is_replicated_collection();
  if (held_collection && static_cast<ReplicatedCollection*>(held->object())->kind() ==
                             ReplicatedCollection::KindOfEncoded(state.value)) {
    return MergeInto(keyspace, held, state);
  }
  std::unique_ptr<ReplicatedCollection> incoming = ReplicatedCollection::Decode(state.value);
  if (incoming == nullptr) return out;  // malformed: nothing to take
  incoming->ClearBelow(keyspace.version_floor());
  if (held_collection) {
    const bool was_live = held->object()->size() > 0;
    // A hash meets a set: the newer kind stands.
    if ((state.delta && was_live) || !(held->version() < state.version)) {
      out.refused = state.delta;
      return out;
    }
  } else if (held != nullptr && !held->is_tombstone()) {  // a string or counter
    if (state.delta) {
      out.refused = true;
      return out;
    }
    incoming->ClearBelow(held->version());
    if (incoming->records() == 0 && !(held->version() < incoming->cleared())) return out;
  } else if (held != nullptr) {  // a tombstone
    incoming->ClearBelow(held->version());
    if (incoming->records() == 0) return out;
  }
  const bool live = incoming->size() > 0;
  out.changed = true;
  out.added = incoming->size();
  out.removed_live = held != nullptr && !held->is_tombstone() && !live;
  const int64_t expire = live && state.delta ? 0 : state.expire_at_ms;
  keyspace.StoreReplicated(key, std::move(incoming), live, expire, state.version);
  return out;
}

}  // namespace

ReplicaApplied ApplyReplicaState(Keyspace& keyspace, std::string_view key,
                                 const ReplicaValueView& state) {
  if (state.collection) return ApplyCollection(keyspace, key, state);
  if (keyspace.has_replicated()) {
    Entry* held = keyspace.FindForMerge(key);
    if (held != nullptr && held->is_replicated_collection()) {
      return ClearCollection(keyspace, key, held, state);
    }
  }
  return ApplyWholeValue(keyspace, key, state);
}

ReplicaValue MergeReplicaStates(const ReplicaValueView& a, const ReplicaValueView& b) {
  Keyspace scratch;  // a replica that held `a` and took in `b`
  ApplyReplicaState(scratch, "k", a);
  ApplyReplicaState(scratch, "k", b);
  std::string encoded;
  return ToOwned(ViewOfEntry(scratch.FindIncludingTombstone("k"), &encoded));
}

}  // namespace ringcache
