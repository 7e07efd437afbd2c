#include "types/collection_delta.h"

#include "common/number_parsing.h"
#include "types/hash_value.h"
#include "types/set_value.h"
#include "types/zset_value.h"

namespace ringcache {

ElementMap ElementsOf(const ValueObject& object, ValueType type) {
  ElementMap elements;
  elements.reserve(object.size());
  if (type == ValueType::kZSet) {
    static_cast<const ZSetValue&>(object).Walk(0, false, [&](const ScoredMember& item) {
      elements.emplace(item.member, FormatDouble(item.score));
      return true;
    });
  } else if (type == ValueType::kHash) {
    static_cast<const HashValue&>(object).ForEach(
        [&](std::string_view field, std::string_view value) { elements.emplace(field, value); });
  } else {
    static_cast<const SetValue&>(object).ForEach(
        [&](std::string_view member) { elements.emplace(member, std::string()); });
  }
  return elements;
}

ReplicatedCollection::Kind KindOf(ValueType type) {
  return type == ValueType::kHash   ? ReplicatedCollection::Kind::kHash
         : type == ValueType::kZSet ? ReplicatedCollection::Kind::kZSet
         : type == ValueType::kList ? ReplicatedCollection::Kind::kList
                                    : ReplicatedCollection::Kind::kSet;
}

ValueType TypeOf(ReplicatedCollection::Kind kind) {
  return kind == ReplicatedCollection::Kind::kHash   ? ValueType::kHash
         : kind == ReplicatedCollection::Kind::kZSet ? ValueType::kZSet
         : kind == ReplicatedCollection::Kind::kList ? ValueType::kList
                                                     : ValueType::kSet;
}

void AddElement(ReplicatedCollection* delta, std::string_view member, std::string_view value,
                const Version& stamp) {
  WriterClock clock;
  clock.writer = stamp.node;
  clock.added = stamp.hlc;
  if (ReplicatedCollection::HasValues(delta->kind())) {
    clock.sets_value = true;
    clock.value.assign(value);
  }
  ReplicatedElement& element = delta->Element(member);
  element.clocks.clear();  // a later add of the same member in one command
  element.clocks.push_back(std::move(clock));
}

void AddCount(ReplicatedCollection* delta, std::string_view field, bool live, const Version& base,
              const CounterShard& shard, const Version& stamp) {
  ReplicatedElement& element = delta->Element(field);
  FieldCount& count = element.Count();
  count.counter_base = base;
  count.shards = {shard};
  if (!live) element.clocks = {WriterClock{stamp.node, stamp.hlc, 0, false, {}}};
}

ReplicatedCollection DiffDelta(ReplicatedCollection::Kind kind, const ReplicatedCollection* read,
                               const ElementMap& before, const ElementMap& after,
                               const Version& stamp, std::string_view skip) {
  ReplicatedCollection delta(kind);
  for (const auto& [member, value] : after) {
    if (member == skip) continue;
    const auto it = before.find(member);
    if (it == before.end() || it->second != value) AddElement(&delta, member, value, stamp);
  }
  for (const auto& [member, value] : before) {
    if (member == skip || after.contains(member)) continue;
    const ReplicatedElement* held = read != nullptr ? read->Find(member) : nullptr;
    if (held == nullptr) continue;
    ReplicatedElement& removed = delta.Element(member);
    for (const WriterClock& c : held->clocks) {
      if (c.live())
        removed.clocks.push_back(WriterClock{c.writer, c.added, c.added, c.sets_value, {}});
    }
    // HINCRBY (ZINCRBY) on the absent field counts from 0 again, from this delete.
    if (ReplicatedCollection::HasValues(kind)) removed.Count().reset = stamp;
  }
  return delta;
}

ReplicatedCollection Rewrite(ReplicatedCollection::Kind kind, const ElementMap& after,
                             const Version& stamp) {
  ReplicatedCollection state(kind);
  state.ClearBelow(stamp);
  for (const auto& [member, value] : after) AddElement(&state, member, value, stamp);
  return state;
}

}  // namespace ringcache
