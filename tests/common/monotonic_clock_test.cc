#include "common/monotonic_clock.h"

#include <time.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <thread>

using ringcache::MonotonicUs;

namespace {

int64_t PosixUs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

}  // namespace

TEST_CASE("the monotonic clock never goes back and keeps pace with CLOCK_MONOTONIC",
          "[monotonic_clock]") {
  ringcache::InitMonotonicClock();
  INFO(ringcache::MonotonicClockName());
  int64_t last = MonotonicUs();
  for (int i = 0; i < 100000; ++i) {
    const int64_t now = MonotonicUs();
    REQUIRE(now >= last);
    last = now;
  }
  // A sleep lasts at least what it asked for, so the scaled counter must
  // not run slow; and its interval lies within CLOCK_MONOTONIC's, so it must
  // not run fast beyond the calibration's error (well under 1%). Neither
  // bound depends on how busy the machine is.
  const int64_t posix_start = PosixUs();
  const int64_t start = MonotonicUs();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const int64_t elapsed = MonotonicUs() - start;
  const int64_t posix_elapsed = PosixUs() - posix_start;
  REQUIRE(elapsed >= 49000);
  REQUIRE(elapsed <= posix_elapsed * 101 / 100 + 2);
}
