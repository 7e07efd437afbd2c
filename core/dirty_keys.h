// DirtyKeys: the keys whose state changed since write-behind last took them
// (persistence/write_behind.h), in the order they first changed.
//
// The keyspace appends a key when it changes and is not listed yet (the
// entry's dirty bit says so), and appends a removed key's name for its
// record to go. Keys are kept back to back in one buffer: listing one costs
// no allocation of its own, and taking the list is a swap.
//
// A large collection lists its changed elements in one too
// (core/value_object.h): there AddClear() means that every element changed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace ringcache {

class DirtyKeys {
 public:
  void Add(std::string_view key) {
    const auto size = static_cast<uint32_t>(key.size());
    char header[sizeof(size)];
    std::memcpy(header, &size, sizeof(size));
    keys_.append(header, sizeof(size));
    keys_.append(key);
    ++count_;
  }
  // Everything was removed (FLUSHALL): what was listed before is gone too.
  void AddClear() {
    Reset();
    cleared_ = true;
  }

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0 && !cleared_; }
  bool cleared() const { return cleared_; }

  template <typename Visit>
  void ForEach(Visit&& visit) const {
    size_t pos = 0;
    while (pos < keys_.size()) {
      uint32_t size = 0;
      std::memcpy(&size, keys_.data() + pos, sizeof(size));
      pos += sizeof(size);
      visit(std::string_view(keys_.data() + pos, size));
      pos += size;
    }
  }

  void Reset() {
    keys_.clear();
    count_ = 0;
    cleared_ = false;
  }
  void Swap(DirtyKeys& other) noexcept {
    keys_.swap(other.keys_);
    std::swap(count_, other.count_);
    std::swap(cleared_, other.cleared_);
  }

 private:
  std::string keys_;
  size_t count_ = 0;
  bool cleared_ = false;
};

}  // namespace ringcache
