#include "types/list_value.h"

#include <algorithm>

namespace ringcache {
namespace {

// Redis's node sizes for list-max-listpack-size -1 ... -5, and its cap on a
// node's bytes when the setting counts items instead.
constexpr size_t kNodeBytes[] = {4096, 8192, 16384, 32768, 65536};
constexpr size_t kCountedNodeBytes = 8192;

}  // namespace

bool ListValue::Fits(const ListPack& node, size_t item_len, const CollectionLimits& limits) {
  if (node.empty()) return true;
  const size_t bytes = node.byte_size() + ListPack::ItemBytes(item_len);
  const int64_t fill = limits.list_max_listpack_size;
  if (fill >= 0) {
    return node.count() < static_cast<size_t>(std::max<int64_t>(fill, 1)) &&
           bytes <= kCountedNodeBytes;
  }
  return bytes <= kNodeBytes[std::min<int64_t>(-fill, 5) - 1];
}

void ListValue::Push(End end, std::string_view item, const CollectionLimits& limits) {
  if (end == End::kHead) {
    if (nodes_.empty() || !Fits(nodes_.front(), item.size(), limits)) {
      nodes_.insert(nodes_.begin(), ListPack());
    }
    nodes_.front().PushFront(item);
  } else {
    if (nodes_.empty() || !Fits(nodes_.back(), item.size(), limits)) nodes_.emplace_back();
    nodes_.back().PushBack(item);
  }
  ++size_;
}

bool ListValue::Pop(End end, std::string* out) {
  if (size_ == 0) return false;
  std::string_view item;
  if (end == End::kHead) {
    ListPack& node = nodes_.front();
    size_t pos = 0;
    node.Next(&pos, &item);
    out->assign(item);
    node.EraseBytes(0, pos, 1);
    DropIfEmpty(0);
  } else {
    ListPack& node = nodes_.back();
    size_t pos = node.byte_size();
    node.Prev(&pos, &item);
    out->assign(item);
    node.EraseBytes(pos, node.byte_size(), 1);
    DropIfEmpty(nodes_.size() - 1);
  }
  --size_;
  return true;
}

void ListValue::DropIfEmpty(size_t node) {
  if (nodes_[node].empty()) nodes_.erase(nodes_.begin() + static_cast<std::ptrdiff_t>(node));
}

ListValue::Where ListValue::Locate(size_t index) const {
  Where where;
  if (index * 2 < size_) {
    while (index >= nodes_[where.node].count()) index -= nodes_[where.node++].count();
  } else {
    size_t from_end = size_ - index;  // >= 1
    where.node = nodes_.size() - 1;
    while (from_end > nodes_[where.node].count()) from_end -= nodes_[where.node--].count();
    index = nodes_[where.node].count() - from_end;
  }
  where.in_node = index;
  const ListPack& node = nodes_[where.node];
  std::string_view item;
  if (index * 2 < node.count()) {
    for (size_t i = 0; i < index; ++i) node.Next(&where.pos, &item);
  } else {
    where.pos = node.byte_size();
    for (size_t i = node.count(); i > index; --i) node.Prev(&where.pos, &item);
  }
  return where;
}

std::string_view ListValue::At(size_t index) const {
  const Where where = Locate(index);
  size_t pos = where.pos;
  std::string_view item;
  nodes_[where.node].Next(&pos, &item);
  return item;
}

void ListValue::Set(size_t index, std::string_view item) {
  const Where where = Locate(index);
  nodes_[where.node].Replace(where.pos, item);
}

void ListValue::InsertAt(size_t index, std::string_view item, const CollectionLimits& limits) {
  if (index == 0 || index == size_) {
    Push(index == 0 ? End::kHead : End::kTail, item, limits);
    return;
  }
  const Where where = Locate(index);
  ListPack& node = nodes_[where.node];
  if (where.in_node == 0 && Fits(nodes_[where.node - 1], item.size(), limits)) {
    nodes_[where.node - 1].PushBack(item);  // the end of the node before
  } else if (Fits(node, item.size(), limits)) {
    node.Insert(where.pos, item);
  } else {
    // Full: split it where the item goes, which then ends the first half.
    ListPack rest;
    node.SplitAt(where.pos, where.in_node, &rest);
    node.PushBack(item);
    nodes_.insert(nodes_.begin() + static_cast<std::ptrdiff_t>(where.node + 1), std::move(rest));
  }
  ++size_;
}

void ListValue::Erase(size_t index, size_t count) {
  count = std::min(count, size_ - std::min(index, size_));
  if (count == 0) return;
  const Where where = Locate(index);
  size_t n = where.node;
  size_t pos = where.pos;
  size_t left = count;
  while (left > 0) {
    ListPack& node = nodes_[n];
    size_t end = pos;
    size_t items = 0;
    std::string_view item;
    while (items < left && node.Next(&end, &item)) ++items;
    node.EraseBytes(pos, end, items);
    left -= items;
    if (node.empty()) {
      nodes_.erase(nodes_.begin() + static_cast<std::ptrdiff_t>(n));
    } else {
      ++n;
    }
    pos = 0;
  }
  size_ -= count;
}

size_t ListValue::RemoveEqual(std::string_view item, int64_t count) {
  const bool reverse = count < 0;
  const size_t limit = count == 0 ? size_ : static_cast<size_t>(reverse ? -count : count);
  size_t removed = 0;
  std::string_view seen;
  for (size_t k = 0; k < nodes_.size() && removed < limit; ++k) {
    const size_t n = reverse ? nodes_.size() - 1 - k : k;
    ListPack& node = nodes_[n];
    if (!reverse) {
      size_t pos = 0;
      size_t end = 0;
      while (removed < limit && node.Next(&end, &seen)) {
        if (seen == item) {
          node.EraseBytes(pos, end, 1);
          end = pos;
          ++removed;
        } else {
          pos = end;
        }
      }
    } else {
      size_t pos = node.byte_size();
      size_t start = pos;
      while (removed < limit && node.Prev(&start, &seen)) {
        if (seen == item) {
          node.EraseBytes(start, pos, 1);
          ++removed;
        }
        pos = start;
      }
    }
  }
  std::erase_if(nodes_, [](const ListPack& node) { return node.empty(); });
  size_ -= removed;
  return removed;
}

size_t ListValue::MemoryUsage() const {
  size_t bytes = sizeof(*this) + nodes_.capacity() * sizeof(ListPack);
  for (const ListPack& node : nodes_) bytes += node.heap_bytes();
  return bytes;
}

}  // namespace ringcache
