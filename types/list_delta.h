// List deltas: what a cluster coordinator sends the replicas of a list for
// a command it ran over the list (or over the part of it at one end, as
// read): the elements the command changed, as a ReplicatedCollection state
// of kind kList that replicas merge into theirs. Items that stayed keep
// their positions; new ones get positions between their neighbours'
// (types/list_position.h); removed ones have the adds the read observed
// marked removed, and no others.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "core/version.h"
#include "types/replicated_collection.h"

namespace ringcache {

// A fresh hlc for each new position (one the stamp's writer never used).
using FreshHlc = std::function<uint64_t()>;

// What turns the list `read` renders to (null: none) into `after`.
// Items kept keep their positions; when the command kept none of a range
// and left as many items there (LSET), those positions take the new values.
ReplicatedCollection ListDiff(const ReplicatedCollection* read, std::span<const std::string> after,
                              const Version& stamp, const FreshHlc& fresh);

// A whole list written anew (a copy, an expiry set): `after`'s items at new
// positions, clearing whatever was added before `stamp`.
ReplicatedCollection ListRewrite(std::span<const std::string> after, const Version& stamp,
                                 const FreshHlc& fresh);

}  // namespace ringcache
