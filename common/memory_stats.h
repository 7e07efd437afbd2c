// Memory figures for INFO memory and maxmemory, read from the allocator
// itself, never estimated from key counts: with jemalloc, the event-loop
// thread's running totals of bytes allocated and freed (exact, and cheap
// enough to read on every write); under ASan, its allocator's count; else
// glibc's mallinfo2.
#pragma once

#include <cstddef>
#include <string_view>

namespace ringcache {

struct MemoryStats {
  size_t used = 0;                 // bytes the node holds (UsedMemory())
  size_t allocator_allocated = 0;  // bytes handed out, as the allocator's global stats say
  size_t allocator_active = 0;     // bytes in pages the allocator holds
  size_t rss = 0;                  // resident set size of the process
};

MemoryStats ReadMemoryStats();
// Bytes allocated and not yet freed by the calling thread, which must be the
// event loop's: the node allocates on no other thread. A few loads with
// jemalloc.
size_t UsedMemory();
std::string_view AllocatorName();

}  // namespace ringcache
