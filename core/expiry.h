// ActiveExpiry: the background sweep that deletes expired keys nobody reads.
//
// Lazy expiry (Keyspace::Find) only catches keys that are touched again. This
// sweep walks the table with a SCAN cursor, a slice at a time, so every key is
// examined once per lap and memory held by dead keys is returned within a lap.
// Like Redis's activeExpireCycle it adapts its effort: it keeps going while
// more than 10% of the keys with a TTL it examines turn out expired, and stops
// at its time budget; when few keys are stale it costs one small slice a tick.
//
// Single-threaded: called from the event loop's timer, same thread as Keyspace.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/keyspace.h"

namespace ringcache {

class ActiveExpiry {
 public:
  // Reads a monotonic clock in microseconds; injected so tests can bound work.
  using MicrosClock = int64_t (*)();

  explicit ActiveExpiry(MicrosClock clock) : clock_(clock) {}

  // Runs one cycle for at most `budget_us` microseconds. Returns the number of
  // keys deleted.
  size_t RunCycle(Keyspace& keyspace, int64_t budget_us);

  uint64_t cursor() const { return cursor_; }
  // The average time to live of keys with a TTL, in ms, estimated from the
  // keys the sweep examines (INFO keyspace's avg_ttl); 0 without such keys.
  int64_t avg_ttl_ms() const { return avg_ttl_ms_; }

 private:
  // Examines one slice; returns {keys with a TTL examined, keys deleted}.
  std::pair<size_t, size_t> RunSlice(Keyspace& keyspace);

  MicrosClock clock_;
  uint64_t cursor_ = 0;
  int64_t avg_ttl_ms_ = 0;
  std::vector<std::string> due_;  // reused between slices
};

}  // namespace ringcache
