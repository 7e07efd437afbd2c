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

namespace {

// The remove of `member`: of the adds the read held live for it (`held`).
void AddRemove(ReplicatedCollection* delta, const ReplicatedElement& held, std::string_view member,
               const Version& stamp) {
  ReplicatedElement& removed = delta->Element(member);
  for (const WriterClock& c : held.clocks) {
    if (c.live())
      removed.clocks.push_back(WriterClock{c.writer, c.added, c.added, c.sets_value, {}});
  }
  // HINCRBY (ZINCRBY) on the absent field counts from 0 again, from this delete.
  if (ReplicatedCollection::HasValues(delta->kind())) removed.Count().reset = stamp;
}

}  // namespace

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
    if (held != nullptr) AddRemove(&delta, *held, member, stamp);
  }
  return delta;
}

std::optional<std::string> ElementOf(const ValueObject& object, ValueType type,
                                     std::string_view member) {
  if (type == ValueType::kZSet) {
    const std::optional<double> score = static_cast<const ZSetValue&>(object).Score(member);
    if (!score) return std::nullopt;
    return FormatDouble(*score);
  }
  if (type == ValueType::kHash) {
    const std::optional<std::string_view> value = static_cast<const HashValue&>(object).Get(member);
    if (!value) return std::nullopt;
    return std::string(*value);
  }
  if (!static_cast<const SetValue&>(object).Contains(member)) return std::nullopt;
  return std::string();
}

ReplicatedCollection LoggedDelta(ReplicatedCollection::Kind kind, const ReplicatedCollection* read,
                                 const ValueObject& object, ValueType type,
                                 std::span<const std::string_view> changed, const Version& stamp,
                                 std::string_view skip) {
  ReplicatedCollection delta(kind);
  for (const std::string_view member : changed) {
    if (member == skip) continue;
    const std::optional<std::string> value = ElementOf(object, type, member);
    if (value) {
      AddElement(&delta, member, *value, stamp);
      continue;
    }
    // Absent now: removed if it was there (listed, it may have come and gone).
    const ReplicatedElement* held = read != nullptr ? read->Find(member) : nullptr;
    if (held != nullptr && held->live()) AddRemove(&delta, *held, member, stamp);
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
