#include "server/memory_stats.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>

#ifdef RINGCACHE_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>
#elif defined(__SANITIZE_ADDRESS__)
// ASan replaces malloc; asking glibc's arenas (mallinfo2) would both be wrong
// and upset glibc's per-thread arena bookkeeping at thread exit.
// (Declared here: Debian's GCC ships the runtime but not this header.)
extern "C" size_t __sanitizer_get_current_allocated_bytes();
extern "C" size_t __sanitizer_get_heap_size();
#endif

namespace ringcache::server {
namespace {

size_t ReadRss() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long pages_total = 0;
  unsigned long pages_resident = 0;
  const int read = std::fscanf(f, "%lu %lu", &pages_total, &pages_resident);
  std::fclose(f);
  if (read != 2) return 0;
  return pages_resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

MemoryStats ReadMemoryStats() {
  MemoryStats stats;
  stats.rss = ReadRss();
#ifdef RINGCACHE_WITH_JEMALLOC
  stats.used = UsedMemory();  // refreshes jemalloc's statistics epoch first
  size_t size = sizeof(size_t);
  mallctl("stats.active", &stats.allocator_active, &size, nullptr, 0);
#elif defined(__SANITIZE_ADDRESS__)
  stats.used = __sanitizer_get_current_allocated_bytes();
  stats.allocator_active = __sanitizer_get_heap_size();
#else
  const struct mallinfo2 info = mallinfo2();
  stats.used = info.uordblks + info.hblkhd;
  stats.allocator_active = info.arena + info.hblkhd;
#endif
  return stats;
}

size_t UsedMemory() {
#ifdef RINGCACHE_WITH_JEMALLOC
  // jemalloc caches its statistics; bumping the epoch refreshes them.
  uint64_t epoch = 1;
  size_t epoch_size = sizeof(epoch);
  mallctl("epoch", &epoch, &epoch_size, &epoch, epoch_size);
  size_t used = 0;
  size_t size = sizeof(used);
  mallctl("stats.allocated", &used, &size, nullptr, 0);
  return used;
#elif defined(__SANITIZE_ADDRESS__)
  return __sanitizer_get_current_allocated_bytes();
#else
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
#endif
}

std::string_view AllocatorName() {
#if defined(RINGCACHE_WITH_JEMALLOC)
#define RINGCACHE_STR2(x) #x
#define RINGCACHE_STR(x) RINGCACHE_STR2(x)
  return "jemalloc-" RINGCACHE_STR(JEMALLOC_VERSION_MAJOR) "." RINGCACHE_STR(
      JEMALLOC_VERSION_MINOR) "." RINGCACHE_STR(JEMALLOC_VERSION_BUGFIX);
#elif defined(__SANITIZE_ADDRESS__)
  return "asan";
#else
  return "libc";
#endif
}

}  // namespace ringcache::server
