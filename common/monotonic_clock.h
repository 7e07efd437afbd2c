// MonotonicUs: microseconds on a clock that never goes back, for durations
// (each command's time in INFO commandstats, the cron's time budgets).
//
// It is read twice per command, and clock_gettime costs ~25 ns a call on a
// virtual machine, a few percent of a pipelined GET. Where the kernel itself
// keeps time with the CPU's time-stamp counter (its clock source is "tsc":
// constant rate, synchronized across cores), the counter is read directly and
// scaled, as Redis's monotonic clock does; elsewhere clock_gettime is used.
#pragma once

#include <cstdint>
#include <string>

namespace ringcache {

// Chooses the source and calibrates the counter against CLOCK_MONOTONIC
// (about 10 ms); call once at start-up. Until then, clock_gettime.
void InitMonotonicClock();
int64_t MonotonicUs();
// What INFO shows as monotonic_clock, e.g. "X86 TSC @ 2399 ticks/us".
std::string MonotonicClockName();

}  // namespace ringcache
