// WallClockMs: Unix time in milliseconds, the unit of expiry times and of the
// hybrid clock's physical part. For durations use monotonic_clock.h.
#pragma once

#include <time.h>

#include <cstdint>

namespace ringcache {

inline int64_t WallClockMs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace ringcache
