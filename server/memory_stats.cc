#include "server/memory_stats.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>

#ifdef RINGCACHE_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>
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
#else
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
#endif
}

std::string_view AllocatorName() {
#ifdef RINGCACHE_WITH_JEMALLOC
#define RINGCACHE_STR2(x) #x
#define RINGCACHE_STR(x) RINGCACHE_STR2(x)
  return "jemalloc-" RINGCACHE_STR(JEMALLOC_VERSION_MAJOR) "." RINGCACHE_STR(
      JEMALLOC_VERSION_MINOR) "." RINGCACHE_STR(JEMALLOC_VERSION_BUGFIX);
#else
  return "libc";
#endif
}

}  // namespace ringcache::server
