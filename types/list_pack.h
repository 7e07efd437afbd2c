// ListPack: strings one after another in one buffer, each between two copies
// of its length, so the buffer reads from either end — one node of a list
// (types/list_value.h), as Redis's listpack is one node of its quicklist.
// PackedList (hashes, sets) reads forwards only and so spends one byte less
// per item; a list pops and indexes from its tail as often as its head.
//
// An item is [length][bytes][length]: a length takes one byte below 255,
// else five — forwards a marker byte then four bytes, backwards the four
// bytes then the marker. Positions are byte offsets of item boundaries.
// Value type; no I/O.
#pragma once

#include <malloc.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <utility>

namespace ringcache {

class ListPack {
 public:
  ListPack() = default;
  ListPack(const ListPack& other) { *this = other; }
  ListPack(ListPack&& other) noexcept { *this = std::move(other); }
  ListPack& operator=(const ListPack& other) {
    if (this != &other) {
      Resize(other.size_);
      if (other.size_ != 0) std::memcpy(data_, other.data_, other.size_);
      count_ = other.count_;
    }
    return *this;
  }
  ListPack& operator=(ListPack&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
    std::swap(count_, other.count_);
    return *this;
  }
  ~ListPack() { std::free(data_); }

  size_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  size_t byte_size() const { return size_; }
  size_t heap_bytes() const { return capacity_; }
  // What an item of `len` bytes takes here.
  static size_t ItemBytes(size_t len) { return len + 2 * (len < kMarker ? 1 : 5); }

  // Reads the item that starts at *pos and moves *pos past it; false at the end.
  bool Next(size_t* pos, std::string_view* item) const {
    if (*pos >= size_) return false;
    size_t len = static_cast<uint8_t>(data_[*pos]);
    size_t header = 1;
    if (len == kMarker) {
      uint32_t long_len = 0;
      std::memcpy(&long_len, data_ + *pos + 1, sizeof(long_len));
      len = long_len;
      header = 5;
    }
    *item = std::string_view(data_ + *pos + header, len);
    *pos += 2 * header + len;
    return true;
  }
  // Reads the item that ends at *pos and moves *pos to its start; false at the start.
  bool Prev(size_t* pos, std::string_view* item) const {
    if (*pos == 0) return false;
    size_t len = static_cast<uint8_t>(data_[*pos - 1]);
    size_t trailer = 1;
    if (len == kMarker) {
      uint32_t long_len = 0;
      std::memcpy(&long_len, data_ + *pos - 5, sizeof(long_len));
      len = long_len;
      trailer = 5;
    }
    *pos -= 2 * trailer + len;
    *item = std::string_view(data_ + *pos + trailer, len);
    return true;
  }

  // Inserts `item` at the item boundary `pos` (0: first; byte_size(): last).
  void Insert(size_t pos, std::string_view item) {
    const size_t bytes = ItemBytes(item.size());
    Resize(size_ + bytes);
    // An item takes at least two bytes: Resize allocated, data_ is not null.
    // NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker)
    std::memmove(data_ + pos + bytes, data_ + pos, size_ - bytes - pos);
    Write(data_ + pos, item);
    ++count_;
  }
  void PushBack(std::string_view item) { Insert(size_, item); }
  void PushFront(std::string_view item) { Insert(0, item); }
  // Removes the bytes [from, to), which hold `items` whole items.
  void EraseBytes(size_t from, size_t to, size_t items) {
    std::memmove(data_ + from, data_ + to, size_ - to);
    count_ -= static_cast<uint32_t>(items);
    Resize(size_ - (to - from));
  }
  // Replaces the item that starts at `pos` with `item`.
  void Replace(size_t pos, std::string_view item) {
    size_t end = pos;
    std::string_view old;
    Next(&end, &old);
    const size_t old_bytes = end - pos;
    const size_t bytes = ItemBytes(item.size());
    const size_t tail = size_ - end;
    if (bytes > old_bytes) Resize(size_ + bytes - old_bytes);
    // There was an item at `pos`: data_ is not null.
    // NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker)
    std::memmove(data_ + pos + bytes, data_ + end, tail);
    Write(data_ + pos, item);
    if (bytes < old_bytes) Resize(size_ - (old_bytes - bytes));
  }
  // Moves the items from byte `pos` on to the end of `out` (empty).
  void SplitAt(size_t pos, size_t items_before, ListPack* out) {
    out->Resize(size_ - pos);
    std::memcpy(out->data_, data_ + pos, size_ - pos);
    out->count_ = count_ - static_cast<uint32_t>(items_before);
    count_ = static_cast<uint32_t>(items_before);
    Resize(pos);
  }

 private:
  static constexpr uint8_t kMarker = 0xff;

  static void Write(char* at, std::string_view item) {
    const auto len = static_cast<uint32_t>(item.size());
    size_t length_bytes = 1;
    if (len < kMarker) {
      at[0] = static_cast<char>(len);
    } else {
      at[0] = static_cast<char>(kMarker);
      std::memcpy(at + 1, &len, sizeof(len));
      length_bytes = 5;
    }
    if (len != 0) std::memcpy(at + length_bytes, item.data(), len);
    char* trailer = at + length_bytes + len;
    if (len < kMarker) {
      trailer[0] = static_cast<char>(len);
    } else {
      std::memcpy(trailer, &len, sizeof(len));
      trailer[4] = static_cast<char>(kMarker);
    }
  }
  // Sets the byte size, growing the buffer as needed and giving back a
  // quarter or more that is no longer needed (lists are many and small; the
  // allocator's size classes give the slack that growth needs).
  void Resize(size_t size) {
    if (size > capacity_ || capacity_ > size + size / 4 + 16) {
      if (size == 0) {
        std::free(data_);
        data_ = nullptr;
        capacity_ = 0;
      } else {
        void* moved = std::realloc(data_, size);
        if (moved == nullptr) std::abort();
        data_ = static_cast<char*>(moved);
        capacity_ = malloc_usable_size(data_);
      }
    }
    size_ = size;
  }

  char* data_ = nullptr;
  // 64-bit: an item may be as long as proto-max-bulk-len allows (4 GB - 1),
  // and LSET can put one in a node that holds others.
  size_t size_ = 0;
  size_t capacity_ = 0;
  uint32_t count_ = 0;
};

}  // namespace ringcache
