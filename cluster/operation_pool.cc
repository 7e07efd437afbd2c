#include "cluster/operation_pool.h"

#include <new>

namespace ringcache::cluster {

OperationPool::Lists::~Lists() {
  for (size_t i = 0; i < kSizes; ++i) {
    for (void* block : by_size[i]) ::operator delete(block, (i + 1) * kGranule);
  }
}

std::vector<void*>* OperationPool::ListFor(size_t rounded) {
  thread_local Lists lists;
  return rounded <= kMaxSize ? &lists.by_size[rounded / kGranule - 1] : nullptr;
}

void* OperationPool::Take(size_t size) {
  const size_t rounded = Rounded(size);
  std::vector<void*>* list = ListFor(rounded);
  if (list == nullptr || list->empty()) return ::operator new(rounded);
  void* block = list->back();
  list->pop_back();
  return block;
}

void OperationPool::Give(void* block, size_t size) {
  const size_t rounded = Rounded(size);
  std::vector<void*>* list = ListFor(rounded);
  if (list == nullptr || list->size() >= kMaxFreePerSize) {
    ::operator delete(block, rounded);
    return;
  }
  list->push_back(block);
}

size_t OperationPool::FreeBlocks(size_t size) {
  const std::vector<void*>* list = ListFor(Rounded(size));
  return list == nullptr ? 0 : list->size();
}

}  // namespace ringcache::cluster
