// OperationPool: free lists by size for the coordinator's reads and writes.
//
// Reads and writes are made and freed by the hundred thousand a second,
// with up to a thousand in flight, and are close to 1 KB (answers for up to
// kMaxReplicas replicas, short keys and values inline): more than jemalloc
// keeps per thread for that size, so most went through its arena, about 300
// instructions a GET. Freed blocks wait here for the next operation of their
// size instead (at most kMaxFreePerSize of each size; blocks over kMaxSize
// are not pooled).
//
// Per thread: a block must be given back on the thread that took it (the
// event loop's, for the coordinator).
#pragma once

#include <array>
#include <cstddef>
#include <vector>

namespace ringcache::cluster {

class OperationPool {
 public:
  static constexpr size_t kGranule = 64;
  static constexpr size_t kMaxSize = 4096;
  static constexpr size_t kMaxFreePerSize = 4096;  // at most 16 MB of the largest kept

  // A block of at least `size` bytes.
  static void* Take(size_t size);
  // REQUIRES: `block` came from Take(size) on this thread.
  static void Give(void* block, size_t size);
  // Blocks of `size`'s class waiting on this thread (for tests and INFO).
  static size_t FreeBlocks(size_t size);

 private:
  static constexpr size_t kSizes = kMaxSize / kGranule;
  struct Lists {
    std::array<std::vector<void*>, kSizes> by_size;
    ~Lists();
  };

  static size_t Rounded(size_t size) { return (size + kGranule - 1) / kGranule * kGranule; }
  static std::vector<void*>* ListFor(size_t rounded);
};

}  // namespace ringcache::cluster
