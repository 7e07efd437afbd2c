// Gather: collects the results of several asynchronous calls (one per key of
// a multi-key command) and says when the last has arrived. Shared by the
// callbacks through a shared_ptr; single-threaded.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "common/status.h"

namespace ringcache::cluster {

template <typename T>
struct Gather {
  explicit Gather(size_t n) : results(n), pending(n) {}
  std::vector<T> results;
  size_t pending;
  Status error;  // the first failure, if any
  // Records result `i`; returns true when it was the last one.
  bool Done(size_t i, const Status& status, T value) {
    if (!status.ok() && error.ok()) error = status;
    results[i] = std::move(value);
    return --pending == 0;
  }
};

}  // namespace ringcache::cluster
