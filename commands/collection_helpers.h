// What the hash and set commands share: finding a key's collection with
// Redis's WRONGTYPE rule, creating it on the first write, removing it when
// its last element goes, and the encoding limits from the configuration.
#pragma once

#include <memory>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "commands/command_context.h"
#include "core/keyspace.h"
#include "types/collection_limits.h"

namespace ringcache {

inline CollectionLimits LimitsOf(const ConfigValues& v) {
  CollectionLimits limits;
  limits.hash_max_listpack_entries = static_cast<size_t>(v.hash_max_listpack_entries);
  limits.hash_max_listpack_value = static_cast<size_t>(v.hash_max_listpack_value);
  limits.set_max_intset_entries = static_cast<size_t>(v.set_max_intset_entries);
  limits.set_max_listpack_entries = static_cast<size_t>(v.set_max_listpack_entries);
  limits.set_max_listpack_value = static_cast<size_t>(v.set_max_listpack_value);
  limits.list_max_listpack_size = v.list_max_listpack_size;
  limits.zset_max_listpack_entries = static_cast<size_t>(v.zset_max_listpack_entries);
  limits.zset_max_listpack_value = static_cast<size_t>(v.zset_max_listpack_value);
  return limits;
}

inline CollectionLimits LimitsOf(CommandContext& ctx) {
  return LimitsOf(ctx.server().config.values());
}

// The collection of type T (a kType value) at `key`, nullptr when there is
// none; false after replying WRONGTYPE for a key of another type. Counts a
// hit or miss and an access.
template <typename T, ValueType kType>
bool FindOrReply(CommandContext& ctx, std::string_view key, T** out) {
  Entry* e = ctx.keyspace().Lookup(key);
  if (e != nullptr && e->type != kType) {
    ctx.reply().Error(Status::WrongType());
    return false;
  }
  *out = e != nullptr ? static_cast<T*>(e->object()) : nullptr;
  return true;
}

// The first of `keys` that holds a collection of type T (LMPOP, BLPOP,
// ZMPOP...): *key and *out, or *out nullptr when none does; false after
// replying WRONGTYPE for a key of another type met first.
template <typename T, ValueType kType>
bool FirstOfOrReply(CommandContext& ctx, ArgList keys, std::string_view* key, T** out) {
  for (const std::string_view k : keys) {
    if (!FindOrReply<T, kType>(ctx, k, out)) return false;
    if (*out != nullptr) {
      *key = k;
      return true;
    }
  }
  return true;
}

// The collection at `key`, created empty when there is none; nullptr after
// replying WRONGTYPE.
template <typename T, ValueType kType>
T* FindOrCreateOrReply(CommandContext& ctx, std::string_view key) {
  T* found = nullptr;
  if (!FindOrReply<T, kType>(ctx, key, &found)) return nullptr;
  if (found != nullptr) return found;
  auto created = std::make_unique<T>();
  found = created.get();
  ctx.keyspace().SetObject(key, kType, std::move(created), 0);
  return found;
}

// `n` distinct elements of a collection of `size`, at random (SPOP,
// SRANDMEMBER and HRANDFIELD with a count): while few are wanted, drawn one
// by one until distinct (draw() returns a random element); else all of them
// (each(push) pushes every one) partly shuffled. key(element) names an
// element. REQUIRES: n <= size.
template <typename Element, typename Draw, typename Each, typename Key>
std::vector<Element> DistinctRandom(size_t size, size_t n, Draw&& draw, Each&& each, Key&& key) {
  std::vector<Element> out;
  if (n * 4 < size) {
    out.reserve(n);  // never reallocated: `seen` views the elements in place
    std::unordered_set<std::string_view> seen;
    while (out.size() < n) {
      out.push_back(draw());
      if (!seen.insert(key(out.back())).second) out.pop_back();
    }
    return out;
  }
  out.reserve(size);
  each([&](Element element) { out.push_back(std::move(element)); });
  for (size_t i = 0; i < n; ++i) {
    std::swap(out[i], out[i + Keyspace::NextRandom() % (out.size() - i)]);
  }
  out.resize(n);
  return out;
}

// Empty collections do not exist: removes `key` once `value` has no elements.
inline void DeleteIfEmpty(CommandContext& ctx, std::string_view key, const ValueObject& value) {
  if (value.size() == 0) ctx.keyspace().Delete(key);
}

}  // namespace ringcache
