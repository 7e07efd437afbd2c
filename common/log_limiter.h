// LogLimiter: lets a warning that can fire per request or per event (a
// failed AUTH, accept() out of file descriptors) through at most once per
// interval, and says how many were held back meanwhile, so that a hostile or
// broken client cannot fill the disk with the log.
//
// Single-threaded.
#pragma once

#include <cstdint>
#include <string>

namespace ringcache {

class LogLimiter {
 public:
  explicit LogLimiter(int64_t interval_ms) : interval_ms_(interval_ms) {}

  // Whether to log now (`now_ms` from any clock that only goes forward). When
  // it says yes, suppressed() is how many were held back since the last one.
  bool Allow(int64_t now_ms) {
    if (logged_once_ && now_ms - last_ms_ < interval_ms_) {
      ++held_back_;
      return false;
    }
    suppressed_ = held_back_;
    held_back_ = 0;
    last_ms_ = now_ms;
    logged_once_ = true;
    return true;
  }
  uint64_t suppressed() const { return suppressed_; }

 private:
  int64_t interval_ms_;
  int64_t last_ms_ = 0;
  bool logged_once_ = false;
  uint64_t held_back_ = 0;
  uint64_t suppressed_ = 0;
};

// " (N more since the last warning)" when some were held back, else "".
inline std::string SuppressedNote(const LogLimiter& limiter) {
  if (limiter.suppressed() == 0) return {};
  return " (" + std::to_string(limiter.suppressed()) + " more since the last warning)";
}

}  // namespace ringcache
