// PackedList: short strings one after another in a single buffer, each
// behind its length — the compact encoding of small hashes and sets (as
// Redis's listpack is). A lookup walks the buffer: cheap while collections
// are small, which is why they convert to a hash table past a size
// (CollectionLimits).
//
// Lengths take one byte below 255, else a marker byte and four bytes.
// Value type; no I/O.
#pragma once

#include <malloc.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace ringcache {

class PackedList {
 public:
  PackedList() = default;
  PackedList(const PackedList& other) { *this = other; }
  PackedList(PackedList&& other) noexcept { *this = std::move(other); }
  PackedList& operator=(const PackedList& other) {
    if (this != &other) {
      Reserve(other.size_, true);
      if (other.size_ != 0) std::memcpy(data_, other.data_, other.size_);
      size_ = other.size_;
      count_ = other.count_;
    }
    return *this;
  }
  PackedList& operator=(PackedList&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
    std::swap(count_, other.count_);
    return *this;
  }
  ~PackedList() { std::free(data_); }

  size_t count() const { return count_; }
  bool empty() const { return count_ == 0; }

  // Reads the item at byte offset *pos and moves *pos past it; false at the end.
  bool Next(size_t* pos, std::string_view* item) const {
    if (*pos >= size_) return false;
    const auto first = static_cast<uint8_t>(data_[*pos]);
    uint32_t len = first;
    size_t header = 1;
    if (first == kLongMarker) {
      std::memcpy(&len, data_ + *pos + 1, sizeof(len));
      header = 1 + sizeof(len);
    }
    *item = std::string_view(data_ + *pos + header, len);
    *pos += header + len;
    return true;
  }
  void Append(std::string_view item) {
    char header[1 + sizeof(uint32_t)];
    const size_t header_size = EncodeLength(static_cast<uint32_t>(item.size()), header);
    Reserve(size_ + header_size + item.size(), false);
    // Reserve made room for at least the header: data_ is not null.
    // NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker)
    std::memcpy(data_ + size_, header, header_size);
    if (!item.empty()) std::memcpy(data_ + size_ + header_size, item.data(), item.size());
    size_ += static_cast<uint32_t>(header_size + item.size());
    ++count_;
  }
  // Removes `items` items starting at byte offset `pos`.
  void Erase(size_t pos, size_t items) {
    size_t end = pos;
    std::string_view ignored;
    for (size_t i = 0; i < items && Next(&end, &ignored); ++i) --count_;
    std::memmove(data_ + pos, data_ + end, size_ - end);
    size_ -= static_cast<uint32_t>(end - pos);
    Reserve(size_, true);
  }
  // Replaces the item at byte offset `pos` with `item`.
  void Replace(size_t pos, std::string_view item) {
    size_t end = pos;
    std::string_view old;
    Next(&end, &old);
    char header[1 + sizeof(uint32_t)];
    const size_t header_size = EncodeLength(static_cast<uint32_t>(item.size()), header);
    const size_t new_size = size_ - (end - pos) + header_size + item.size();
    Reserve(std::max<size_t>(new_size, size_), false);
    std::memmove(data_ + pos + header_size + item.size(), data_ + end, size_ - end);
    std::memcpy(data_ + pos, header, header_size);
    if (!item.empty()) std::memcpy(data_ + pos + header_size, item.data(), item.size());
    size_ = static_cast<uint32_t>(new_size);
    Reserve(size_, true);
  }
  // Heap bytes of the buffer.
  size_t heap_bytes() const { return capacity_; }
  size_t byte_size() const { return size_; }

 private:
  static constexpr uint8_t kLongMarker = 0xff;
  static size_t EncodeLength(uint32_t len, char* out) {
    if (len < kLongMarker) {
      out[0] = static_cast<char>(len);
      return 1;
    }
    out[0] = static_cast<char>(kLongMarker);
    std::memcpy(out + 1, &len, sizeof(len));
    return 1 + sizeof(len);
  }
  // Room for `needed` bytes. Small collections are many, so the buffer is
  // sized to its bytes (the allocator's size classes give the slack) rather
  // than doubled; `shrink` also gives back what is no longer needed.
  void Reserve(size_t needed, bool shrink) {
    if (needed <= capacity_ && !(shrink && capacity_ > needed + needed / 4 + 16)) return;
    if (needed == 0) {
      std::free(data_);
      data_ = nullptr;
      capacity_ = 0;
      return;
    }
    void* grown = std::realloc(data_, needed);
    if (grown == nullptr) std::abort();
    data_ = static_cast<char*>(grown);
    capacity_ = static_cast<uint32_t>(malloc_usable_size(data_));
  }

  char* data_ = nullptr;
  uint32_t size_ = 0;
  uint32_t capacity_ = 0;
  uint32_t count_ = 0;
};

}  // namespace ringcache
