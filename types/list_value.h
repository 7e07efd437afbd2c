// ListValue: the value of a list key (LPUSH and friends): a sequence of
// nodes, each a ListPack of items, as Redis's quicklist is a list of
// listpacks. Pushes and pops at either end touch one node; an index walks
// node counts and then one node, from whichever end is nearer. A node holds
// up to CollectionLimits::list_max_listpack_size (items, or bytes when
// negative); an item larger than that gets a node of its own.
//
// Views it returns are valid until the list changes. Value type; no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/value_object.h"
#include "types/collection_limits.h"
#include "types/list_pack.h"

namespace ringcache {

class ListValue final : public ValueObject {
 public:
  enum class End : uint8_t { kHead, kTail };

  void Push(End end, std::string_view item, const CollectionLimits& limits);
  // Removes the item at `end` into *out; false when the list is empty.
  bool Pop(End end, std::string* out);
  // REQUIRES: index < size().
  std::string_view At(size_t index) const;
  void Set(size_t index, std::string_view item);
  // Inserts `item` before the item at `index` (at the tail when index ==
  // size()). REQUIRES: index <= size().
  void InsertAt(size_t index, std::string_view item, const CollectionLimits& limits);
  // Removes `count` items from `index` on (fewer when the list ends first).
  void Erase(size_t index, size_t count);
  // Removes up to |count| items equal to `item` (all when count is 0), from
  // the tail when count is negative; returns how many.
  size_t RemoveEqual(std::string_view item, int64_t count);

  // visit(item) for the items from `from` on, until visit returns false or
  // the list ends; backwards (towards the head) when `reverse`.
  template <typename Visit>
  void Walk(size_t from, bool reverse, Visit&& visit) const;

  size_t size() const override { return size_; }
  size_t MemoryUsage() const override;
  // Redis 7.0's name for every list (7.2 says "listpack" for a one-node list).
  std::string_view encoding() const override { return "quicklist"; }
  std::unique_ptr<ValueObject> Clone() const override { return std::make_unique<ListValue>(*this); }

 private:
  // An item's place: its node, and its start's byte offset there.
  struct Where {
    size_t node = 0;
    size_t pos = 0;
    size_t in_node = 0;  // its index in that node
  };
  // REQUIRES: index < size().
  Where Locate(size_t index) const;
  static bool Fits(const ListPack& node, size_t item_len, const CollectionLimits& limits);
  // Drops the node at `node` once it holds nothing.
  void DropIfEmpty(size_t node);

  std::vector<ListPack> nodes_;
  size_t size_ = 0;
};

template <typename Visit>
void ListValue::Walk(size_t from, bool reverse, Visit&& visit) const {
  if (from >= size_) return;
  const Where start = Locate(from);
  std::string_view item;
  if (!reverse) {
    size_t pos = start.pos;
    for (size_t n = start.node; n < nodes_.size(); ++n, pos = 0) {
      while (nodes_[n].Next(&pos, &item)) {
        if (!visit(item)) return;
      }
    }
    return;
  }
  // Backwards from the end of the starting item.
  size_t pos = start.pos;
  nodes_[start.node].Next(&pos, &item);
  for (size_t n = start.node + 1; n-- > 0;) {
    if (n != start.node) pos = nodes_[n].byte_size();
    while (nodes_[n].Prev(&pos, &item)) {
      if (!visit(item)) return;
    }
  }
}

}  // namespace ringcache
