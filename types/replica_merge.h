// ApplyReplicaState: how a replica takes in a state another node sent (a
// write, a read repair, a hint, an anti-entropy pull): last writer wins by
// version for values and tombstones, counters of one base merge shard by
// shard (types/counter_state.h), and replicated collections merge element by
// element (types/replicated_collection.h), a whole-value write clearing what
// was added before it. Every path that applies a replica's state goes
// through here, so replicas resolve the same way whatever path a state took.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/keyspace.h"
#include "core/replica_value.h"

namespace ringcache {

struct ReplicaApplied {
  bool changed = false;       // what this replica holds for the key changed
  bool removed_live = false;  // a live value was deleted
  bool refused = false;       // a collection command's delta met another type
  size_t added = 0;           // elements of a collection that became live here

  // RC.MMERGE's and RC.DEL's reply for it: -2 refused, 0 unchanged, 2 a
  // live value deleted, else 1 plus the elements added.
  int64_t Code() const {
    if (refused) return -2;
    if (!changed) return 0;
    return removed_live ? 2 : 1 + static_cast<int64_t>(added);
  }
};

// REQUIRES: state.found.
ReplicaApplied ApplyReplicaState(Keyspace& keyspace, std::string_view key,
                                 const ReplicaValueView& state);

// The merge of two states of one key, as a replica that held `a` and took
// in `b` would hold it (for a coordinator's read, which merges its answers).
ReplicaValue MergeReplicaStates(const ReplicaValueView& a, const ReplicaValueView& b);

}  // namespace ringcache
