#include "cluster/operation_pool.h"

#include <catch2/catch.hpp>
#include <cstring>

using ringcache::cluster::OperationPool;

TEST_CASE("freed blocks are handed out again for their size class", "[operation_pool]") {
  const size_t before = OperationPool::FreeBlocks(900);
  void* a = OperationPool::Take(900);
  std::memset(a, 0xab, 900);  // usable for all it asked
  OperationPool::Give(a, 900);
  REQUIRE(OperationPool::FreeBlocks(900) == before + 1);
  // 900 and 960 round to the same 64-byte class.
  void* b = OperationPool::Take(960);
  REQUIRE(b == a);
  OperationPool::Give(b, 960);
}

TEST_CASE("blocks beyond the largest class are not pooled", "[operation_pool]") {
  const size_t big = OperationPool::kMaxSize + 1;
  void* a = OperationPool::Take(big);
  OperationPool::Give(a, big);
  REQUIRE(OperationPool::FreeBlocks(big) == 0);
}

TEST_CASE("each class keeps at most kMaxFreePerSize blocks", "[operation_pool]") {
  constexpr size_t kSize = 128;
  std::vector<void*> blocks;
  for (size_t i = 0; i < OperationPool::kMaxFreePerSize + 10; ++i) {
    blocks.push_back(OperationPool::Take(kSize));
  }
  for (void* block : blocks) OperationPool::Give(block, kSize);
  REQUIRE(OperationPool::FreeBlocks(kSize) == OperationPool::kMaxFreePerSize);
}
