// ApplyReplicaState: how a replica takes in a state another node sent (a
// write, a read repair, a hint, an anti-entropy pull): last writer wins by
// version for values and tombstones, and counters of one base merge shard by
// shard (types/counter_state.h). Every path that applies a replica's state
// goes through here, so replicas resolve the same way whatever path a state
// took.
#pragma once

#include <string_view>

#include "core/keyspace.h"
#include "core/replica_value.h"

namespace ringcache {

// Returns whether `state` changed what this replica holds for `key`;
// `removed_live` (if given) says whether a live value was deleted.
// REQUIRES: state.found.
bool ApplyReplicaState(Keyspace& keyspace, std::string_view key, const ReplicaValueView& state,
                       bool* removed_live = nullptr);

}  // namespace ringcache
