#include "common/monotonic_clock.h"

#include <time.h>

#include <cmath>
#include <cstdint>
#include <fstream>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace ringcache {
namespace {

int64_t ClockGettimeUs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

// Microseconds = ticks * scale >> kShift: a multiply instead of a division.
constexpr int kShift = 32;
bool use_tsc = false;
uint64_t tsc_scale = 0;
double ticks_per_us = 0;

#if defined(__x86_64__)
bool KernelClockIsTsc() {
  std::ifstream in("/sys/devices/system/clocksource/clocksource0/current_clocksource");
  std::string source;
  return static_cast<bool>(in >> source) && source == "tsc";
}

struct ClockPair {
  int64_t us;
  uint64_t ticks;
};

// A counter reading and the time it was taken, bracketed by two clock reads:
// the narrowest bracket of a few tries, so a preemption between the reads
// does not skew the calibration (slow clocks, as under valgrind, still end).
ClockPair ReadBoth() {
  constexpr int kTries = 64;
  constexpr int64_t kGoodBracketUs = 5;
  ClockPair best{};
  int64_t best_bracket = INT64_MAX;
  for (int i = 0; i < kTries && best_bracket > kGoodBracketUs; ++i) {
    const int64_t before = ClockGettimeUs();
    const uint64_t ticks = __rdtsc();
    const int64_t after = ClockGettimeUs();
    if (after - before < best_bracket) {
      best_bracket = after - before;
      best = {before + (after - before) / 2, ticks};
    }
  }
  return best;
}

void CalibrateTsc() {
  constexpr int64_t kCalibrationUs = 10000;
  const ClockPair start = ReadBoth();
  while (ClockGettimeUs() - start.us < kCalibrationUs) {
  }
  const ClockPair end = ReadBoth();
  ticks_per_us =
      static_cast<double>(end.ticks - start.ticks) / static_cast<double>(end.us - start.us);
  if (ticks_per_us < 1) return;  // not a counter to trust
  tsc_scale = static_cast<uint64_t>(static_cast<double>(uint64_t{1} << kShift) / ticks_per_us);
  use_tsc = true;
}
#endif

}  // namespace

void InitMonotonicClock() {
#if defined(__x86_64__)
  if (KernelClockIsTsc()) CalibrateTsc();
#endif
}

int64_t MonotonicUs() {
#if defined(__x86_64__)
  if (use_tsc) {
    // 128-bit product: no overflow however long the process runs.
    const unsigned __int128 product = static_cast<unsigned __int128>(__rdtsc()) * tsc_scale;
    return static_cast<int64_t>(product >> kShift);
  }
#endif
  return ClockGettimeUs();
}

std::string MonotonicClockName() {
  if (!use_tsc) return "POSIX clock_gettime";
  return "X86 TSC @ " + std::to_string(std::lround(ticks_per_us)) + " ticks/us";
}

}  // namespace ringcache
