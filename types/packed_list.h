// PackedList: short strings one after another in a single buffer, each
// behind its length — the compact encoding of small hashes and sets (as
// Redis's listpack is). A lookup walks the buffer: cheap while collections
// are small, which is why they convert to a hash table past a size
// (CollectionLimits).
//
// Lengths take one byte below 255, else a marker byte and four bytes.
// Value type; no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ringcache {

class PackedList {
 public:
  size_t count() const { return count_; }
  bool empty() const { return count_ == 0; }

  // Reads the item at byte offset *pos and moves *pos past it; false at the end.
  bool Next(size_t* pos, std::string_view* item) const {
    if (*pos >= buf_.size()) return false;
    const auto first = static_cast<uint8_t>(buf_[*pos]);
    uint32_t len = first;
    size_t header = 1;
    if (first == kLongMarker) {
      std::memcpy(&len, buf_.data() + *pos + 1, sizeof(len));
      header = 1 + sizeof(len);
    }
    *item = std::string_view(buf_.data() + *pos + header, len);
    *pos += header + len;
    return true;
  }
  void Append(std::string_view item) {
    AppendLength(static_cast<uint32_t>(item.size()));
    buf_.append(item);
    ++count_;
    ReleaseSlack();
  }
  // Removes `items` items starting at byte offset `pos`.
  void Erase(size_t pos, size_t items) {
    size_t end = pos;
    std::string_view ignored;
    for (size_t i = 0; i < items && Next(&end, &ignored); ++i) --count_;
    buf_.erase(pos, end - pos);
    ReleaseSlack();
  }
  // Replaces the item at byte offset `pos` with `item`.
  void Replace(size_t pos, std::string_view item) {
    size_t end = pos;
    std::string_view old;
    Next(&end, &old);
    PackedList one;
    one.Append(item);
    buf_.replace(pos, end - pos, one.buf_);
    ReleaseSlack();
  }
  // Heap bytes of the buffer (0 while it fits in the string itself).
  size_t heap_bytes() const { return buf_.capacity() > kInline ? buf_.capacity() + 1 : 0; }
  size_t byte_size() const { return buf_.size(); }

 private:
  static constexpr uint8_t kLongMarker = 0xff;
  static constexpr size_t kInline = 15;
  void AppendLength(uint32_t len) {
    if (len < kLongMarker) {
      buf_.push_back(static_cast<char>(len));
      return;
    }
    buf_.push_back(static_cast<char>(kLongMarker));
    buf_.append(reinterpret_cast<const char*>(&len), sizeof(len));
  }
  // Small collections are many: a buffer keeps at most a quarter of its
  // size spare (std::string doubles as it grows).
  void ReleaseSlack() {
    if (buf_.capacity() > kInline && buf_.capacity() > buf_.size() + buf_.size() / 4 + 16) {
      buf_.shrink_to_fit();
    }
  }

  std::string buf_;
  uint32_t count_ = 0;
};

}  // namespace ringcache
