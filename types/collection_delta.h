// Collection deltas: what a cluster coordinator sends the replicas of a hash
// or set for a command — the elements the command changed, as a
// ReplicatedCollection state (types/replicated_collection.h) that replicas
// merge into theirs. Adds carry the command's stamp; removes mark the adds
// the coordinator's quorum read observed, and no others.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/string_hash.h"
#include "core/entry.h"
#include "core/value_object.h"
#include "core/version.h"
#include "types/counter_state.h"
#include "types/replicated_collection.h"

namespace ringcache {

// A plain hash's fields and values, a set's members (with empty values), or
// a sorted set's members and scores (as FormatDouble writes them).
using ElementMap = std::unordered_map<std::string, std::string, StringHash, std::equal_to<>>;
// REQUIRES: `type` is kHash (a HashValue), kSet (a SetValue) or kZSet (a ZSetValue).
ElementMap ElementsOf(const ValueObject& object, ValueType type);

ReplicatedCollection::Kind KindOf(ValueType type);
ValueType TypeOf(ReplicatedCollection::Kind kind);

// SADD's or HSET's add of `member` (with `value`, for a hash), stamped `stamp`.
void AddElement(ReplicatedCollection* delta, std::string_view member, std::string_view value,
                const Version& stamp);
// HINCRBY's count on `field`: this writer's `shard` on `base`, and, when
// the field is not there (`live` false), its presence stamped `stamp`.
void AddCount(ReplicatedCollection* delta, std::string_view field, bool live, const Version& base,
              const CounterShard& shard, const Version& stamp);

// What turns `before` into `after` (both as commands saw them): adds for the
// elements `after` lacks in `before` or holds with another value, removes
// for the elements of `before` it lacks, observing what `read` (the merged
// state `before` was rendered from; may be null) holds for them. `skip`'s
// element is left out (HINCRBY's field, counted instead).
ReplicatedCollection DiffDelta(ReplicatedCollection::Kind kind, const ReplicatedCollection* read,
                               const ElementMap& before, const ElementMap& after,
                               const Version& stamp, std::string_view skip = {});

// The value `member` has in `object` as ElementsOf gives it; nullopt when
// `object` lacks it. REQUIRES: as ElementsOf.
std::optional<std::string> ElementOf(const ValueObject& object, ValueType type,
                                     std::string_view member);

// DiffDelta for a command whose changes `object`'s element log listed
// (`changed`, each name once): adds for the names `object` holds, with their
// values now; removes, as DiffDelta's, for those it lacks that `read` held
// live. Costs what changed, not what the collection holds.
ReplicatedCollection LoggedDelta(ReplicatedCollection::Kind kind, const ReplicatedCollection* read,
                                 const ValueObject& object, ValueType type,
                                 std::span<const std::string_view> changed, const Version& stamp,
                                 std::string_view skip = {});

// A whole collection written anew (a type change, an expiry set, a copy):
// `after`'s elements stamped `stamp`, clearing whatever was added before.
ReplicatedCollection Rewrite(ReplicatedCollection::Kind kind, const ElementMap& after,
                             const Version& stamp);

}  // namespace ringcache
