#include "common/memory_stats.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#ifdef RINGCACHE_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>
#elif defined(__SANITIZE_ADDRESS__)
// ASan replaces malloc; asking glibc's arenas (mallinfo2) would both be wrong
// and upset glibc's per-thread arena bookkeeping at thread exit.
// (Declared here: Debian's GCC ships the runtime but not this header.)
extern "C" size_t __sanitizer_get_current_allocated_bytes();
extern "C" size_t __sanitizer_get_heap_size();
#endif

namespace ringcache {
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
  stats.used = UsedMemory();
#ifdef RINGCACHE_WITH_JEMALLOC
  // jemalloc caches its global statistics; bumping the epoch refreshes them.
  uint64_t epoch = 1;
  size_t epoch_size = sizeof(epoch);
  mallctl("epoch", &epoch, &epoch_size, &epoch, epoch_size);
  size_t size = sizeof(size_t);
  mallctl("stats.allocated", &stats.allocator_allocated, &size, nullptr, 0);
  mallctl("stats.active", &stats.allocator_active, &size, nullptr, 0);
#elif defined(__SANITIZE_ADDRESS__)
  stats.allocator_allocated = stats.used;
  stats.allocator_active = __sanitizer_get_heap_size();
#else
  const struct mallinfo2 info = mallinfo2();
  stats.allocator_allocated = stats.used;
  stats.allocator_active = info.arena + info.hblkhd;
#endif
  return stats;
}

#ifdef RINGCACHE_WITH_JEMALLOC
namespace {
const uint64_t* ThreadCounter(const char* name) {
  uint64_t* counter = nullptr;
  size_t size = sizeof(counter);
  if (mallctl(name, &counter, &size, nullptr, 0) != 0) std::abort();  // built without stats
  return counter;
}
}  // namespace
#endif

size_t UsedMemory() {
#ifdef RINGCACHE_WITH_JEMALLOC
  // Counted by jemalloc in real size classes at every malloc and free, also
  // for blocks its thread cache keeps (which stats.allocated counts as used).
  thread_local const uint64_t* allocated = ThreadCounter("thread.allocatedp");
  thread_local const uint64_t* deallocated = ThreadCounter("thread.deallocatedp");
  return static_cast<size_t>(*allocated - *deallocated);
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

}  // namespace ringcache
