// OwnedArgs: a copy of a command's arguments, for a reply built after the
// replicas have answered (the originals are views into the connection's
// input, valid only while the handler runs). Short commands (GET key, TTL
// key) fit inline, so a read through the cluster allocates nothing for them,
// and moving the copy (once, into the read) stays cheap.
//
// Movable; single-threaded.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace ringcache::cluster {

class OwnedArgs {
 public:
  explicit OwnedArgs(std::span<const std::string_view> args)
      : count_(static_cast<uint32_t>(args.size())) {
    size_t bytes = 0;
    for (std::string_view arg : args) bytes += arg.size();
    inline_ = bytes <= kInlineBytes && args.size() <= kInlineArgs;
    if (inline_) {
      char* out = inline_bytes_.data();
      for (size_t i = 0; i < args.size(); ++i) {
        inline_lengths_[i] = static_cast<uint8_t>(args[i].size());
        out = std::copy(args[i].begin(), args[i].end(), out);
      }
      return;
    }
    heap_bytes_ = std::make_unique_for_overwrite<char[]>(bytes);
    heap_lengths_ = std::make_unique_for_overwrite<uint32_t[]>(args.size());
    char* out = heap_bytes_.get();
    for (size_t i = 0; i < args.size(); ++i) {
      heap_lengths_[i] = static_cast<uint32_t>(args[i].size());
      out = std::copy(args[i].begin(), args[i].end(), out);
    }
  }
  OwnedArgs(OwnedArgs&&) noexcept = default;
  OwnedArgs& operator=(OwnedArgs&&) noexcept = default;
  OwnedArgs(const OwnedArgs&) = delete;
  OwnedArgs& operator=(const OwnedArgs&) = delete;

  // Calls fn(args) with the arguments as the handler saw them.
  template <typename Fn>
  void WithViews(Fn&& fn) const {
    if (inline_) {
      std::array<std::string_view, kInlineArgs> views;
      const char* at = inline_bytes_.data();
      for (size_t i = 0; i < count_; ++i) {
        views[i] = {at, inline_lengths_[i]};
        at += inline_lengths_[i];
      }
      fn(std::span<const std::string_view>(views.data(), count_));
      return;
    }
    std::vector<std::string_view> views(count_);
    const char* at = heap_bytes_.get();
    for (size_t i = 0; i < count_; ++i) {
      views[i] = {at, heap_lengths_[i]};
      at += heap_lengths_[i];
    }
    fn(std::span<const std::string_view>(views));
  }

 private:
  static constexpr size_t kInlineBytes = 64;
  static constexpr size_t kInlineArgs = 6;

  uint32_t count_;
  bool inline_;
  std::array<uint8_t, kInlineArgs> inline_lengths_;
  std::array<char, kInlineBytes> inline_bytes_;
  std::unique_ptr<char[]> heap_bytes_;
  std::unique_ptr<uint32_t[]> heap_lengths_;
};

}  // namespace ringcache::cluster
