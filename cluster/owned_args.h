// OwnedArgs: a copy of a command's arguments, for a reply built after the
// replicas have answered (the originals are views into the connection's
// input, valid only while the handler runs). Short commands (GET key, TTL
// key) fit inline, so a read through the cluster allocates nothing for them.
//
// Movable; single-threaded.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ringcache::cluster {

class OwnedArgs {
 public:
  explicit OwnedArgs(std::span<const std::string_view> args) : count_(args.size()) {
    size_t bytes = 0;
    for (std::string_view arg : args) bytes += arg.size();
    inline_ = bytes <= kInlineBytes && args.size() <= kInlineArgs;
    if (!inline_) {
      heap_bytes_.reserve(bytes);
      heap_lengths_.resize(args.size());
      heap_views_.resize(args.size());
    }
    char* out = inline_bytes_.data();
    for (size_t i = 0; i < args.size(); ++i) {
      lengths()[i] = static_cast<uint32_t>(args[i].size());
      if (inline_) {
        out = std::copy(args[i].begin(), args[i].end(), out);
      } else {
        heap_bytes_.append(args[i]);
      }
    }
  }
  OwnedArgs(OwnedArgs&&) noexcept = default;
  OwnedArgs& operator=(OwnedArgs&&) noexcept = default;
  OwnedArgs(const OwnedArgs&) = delete;
  OwnedArgs& operator=(const OwnedArgs&) = delete;

  // The arguments, as the handler saw them; valid until this is moved or
  // destroyed.
  std::span<const std::string_view> views() {
    const char* at = inline_ ? inline_bytes_.data() : heap_bytes_.data();
    std::string_view* views = inline_ ? inline_views_.data() : heap_views_.data();
    for (size_t i = 0; i < count_; ++i) {
      views[i] = {at, lengths()[i]};
      at += lengths()[i];
    }
    return {views, count_};
  }

 private:
  static constexpr size_t kInlineBytes = 80;
  static constexpr size_t kInlineArgs = 6;

  uint32_t* lengths() { return inline_ ? inline_lengths_.data() : heap_lengths_.data(); }

  size_t count_;
  bool inline_;
  std::array<char, kInlineBytes> inline_bytes_;
  std::array<uint32_t, kInlineArgs> inline_lengths_;
  std::array<std::string_view, kInlineArgs> inline_views_;
  std::string heap_bytes_;
  std::vector<uint32_t> heap_lengths_;
  std::vector<std::string_view> heap_views_;
};

}  // namespace ringcache::cluster
