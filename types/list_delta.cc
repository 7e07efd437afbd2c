#include "types/list_delta.h"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "types/collection_delta.h"
#include "types/list_position.h"

namespace ringcache {
namespace {

using Items = std::vector<std::pair<std::string_view, std::string_view>>;
constexpr size_t kNew = SIZE_MAX;

void Remove(ReplicatedCollection* delta, const ReplicatedCollection& read,
            std::string_view position) {
  const ReplicatedElement* held = read.Find(position);
  if (held == nullptr) return;
  ReplicatedElement& removed = delta->Element(position);
  for (const WriterClock& c : held->clocks) {
    if (c.live()) removed.clocks.push_back(WriterClock{c.writer, c.added, c.added, true, {}});
  }
}

// For each of `after`'s items, the index in `before` of the item it keeps,
// or kNew: the leftmost embedding of `after` in `before` found greedily
// (exact when the command only removed items, as LREM and LTRIM do). Empty
// when the search would cost more than rewriting the range.
std::vector<size_t> Match(std::span<const std::pair<std::string_view, std::string_view>> before,
                          std::span<const std::string> after) {
  std::vector<size_t> kept(after.size(), kNew);
  size_t budget = 4 * (before.size() + after.size()) + 1'000'000;
  size_t next = 0;
  for (size_t j = 0; j < after.size(); ++j) {
    for (size_t i = next; i < before.size(); ++i) {
      if (budget-- == 0) return {};
      if (before[i].second == after[j]) {
        kept[j] = i;
        next = i + 1;
        break;
      }
    }
  }
  return kept;
}

// New positions for after[from, to), all between `left` and `right`.
void Place(std::span<const std::string> after, size_t from, size_t to, std::string_view left,
           std::string_view right, const Version& stamp, const FreshHlc& fresh,
           ReplicatedCollection* delta) {
  std::vector<std::string> positions(to - from);
  if (left.empty() && !right.empty()) {
    // Before the head: each one in front of the one after it, as LPUSH places them.
    std::string bound(right);
    for (size_t k = positions.size(); k-- > 0;) {
      positions[k] = list_position::Between({}, bound, fresh(), stamp.node);
      bound = positions[k];
    }
  } else {
    std::string bound(left);
    for (std::string& position : positions) {
      position = list_position::Between(bound, right, fresh(), stamp.node);
      bound = position;
    }
  }
  for (size_t k = 0; k < positions.size(); ++k) {
    AddElement(delta, positions[k], after[from + k], stamp);
  }
}

}  // namespace

ReplicatedCollection ListDiff(const ReplicatedCollection* read, std::span<const std::string> after,
                              const Version& stamp, const FreshHlc& fresh) {
  ReplicatedCollection delta(ReplicatedCollection::Kind::kList);
  const Items before = read != nullptr ? read->LiveItems() : Items();
  const size_t n = before.size(), m = after.size();
  // What the command left alone at either end.
  size_t prefix = 0;
  while (prefix < n && prefix < m && before[prefix].second == after[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < n - prefix && suffix < m - prefix &&
         before[n - 1 - suffix].second == after[m - 1 - suffix]) {
    ++suffix;
  }
  const std::span middle_before(before.data() + prefix, n - prefix - suffix);
  const std::span middle_after(after.data() + prefix, m - prefix - suffix);
  std::vector<size_t> kept = Match(middle_before, middle_after);
  const bool none_kept = std::all_of(kept.begin(), kept.end(), [](size_t i) { return i == kNew; });
  if (none_kept && middle_before.size() == middle_after.size()) {  // replaced in place (LSET)
    for (size_t i = 0; i < middle_after.size(); ++i) {
      if (middle_before[i].second != middle_after[i])
        AddElement(&delta, middle_before[i].first, middle_after[i], stamp);
    }
    return delta;
  }
  if (kept.empty()) kept.assign(middle_after.size(), kNew);  // rewrite the range
  std::vector<bool> stays(middle_before.size(), false);
  for (const size_t i : kept) {
    if (i != kNew) stays[i] = true;
  }
  for (size_t i = 0; i < middle_before.size(); ++i) {
    // (Items before the command were read: `read` holds them.)
    if (!stays[i] && read != nullptr) Remove(&delta, *read, middle_before[i].first);
  }
  // Runs of new items go between the kept items around them.
  const std::string_view outer_left = prefix > 0 ? before[prefix - 1].first : "";
  const std::string_view outer_right = suffix > 0 ? before[n - suffix].first : "";
  std::string_view left = outer_left;
  for (size_t j = 0; j < kept.size();) {
    if (kept[j] != kNew) {
      left = middle_before[kept[j++]].first;
      continue;
    }
    size_t end = j;
    while (end < kept.size() && kept[end] == kNew) ++end;
    const std::string_view right = end < kept.size() ? middle_before[kept[end]].first : outer_right;
    Place(middle_after, j, end, left, right, stamp, fresh, &delta);
    j = end;
  }
  return delta;
}

ReplicatedCollection ListRewrite(std::span<const std::string> after, const Version& stamp,
                                 const FreshHlc& fresh) {
  ReplicatedCollection state(ReplicatedCollection::Kind::kList);
  state.ClearBelow(stamp);
  Place(after, 0, after.size(), {}, {}, stamp, fresh, &state);
  return state;
}

}  // namespace ringcache
