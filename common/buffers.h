// ReleaseIfLarge: buffers keep their capacity between uses (no allocation
// per request), but one that a large message or a burst grew past
// kKeptBufferBytes gives its memory back once emptied: kept, it would hold
// that memory for as long as its owner lives, and count against maxmemory.
#pragma once

#include <cstddef>
#include <string>

namespace ringcache {

inline constexpr size_t kKeptBufferBytes = size_t{64} * 1024;

// Empties `buffer`, and frees its block when larger than kKeptBufferBytes.
inline void ReleaseIfLarge(std::string* buffer) {
  buffer->clear();
  if (buffer->capacity() > kKeptBufferBytes) std::string().swap(*buffer);
}

}  // namespace ringcache
