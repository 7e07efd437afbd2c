// Memory figures for INFO memory, read from the allocator itself (jemalloc's
// stats.allocated when linked with jemalloc, glibc's mallinfo2 otherwise),
// never estimated from key counts.
#pragma once

#include <cstddef>
#include <string_view>

namespace ringcache::server {

struct MemoryStats {
  size_t used = 0;       // bytes handed out by the allocator
  size_t allocator_active = 0;  // bytes in pages the allocator holds
  size_t rss = 0;        // resident set size of the process
};

MemoryStats ReadMemoryStats();
// Just the allocator's used bytes: cheap enough for every cron tick (no /proc read).
size_t UsedMemory();
std::string_view AllocatorName();

}  // namespace ringcache::server
