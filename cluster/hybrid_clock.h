// HybridClock: a hybrid logical clock (Kulkarni et al.) that stamps this
// node's writes. Stamps follow wall-clock milliseconds when clocks agree, and
// still increase strictly when they do not: a node that has seen a stamp from
// a node whose clock runs ahead continues from that stamp, so a later write
// anywhere gets a greater version than any write it could have observed.
//
// Single-threaded (the event loop's thread).
#pragma once

#include <cstdint>

#include "core/version.h"

namespace ringcache::cluster {

class HybridClock {
 public:
  using WallClockMs = int64_t (*)();

  HybridClock(uint16_t node_tag, WallClockMs wall_clock)
      : node_tag_(node_tag), wall_clock_(wall_clock) {}

  // A new stamp for a local write, greater than every stamp issued or seen.
  Version Tick();
  // Merges a stamp received from another node.
  void Observe(const Version& seen);

 private:
  static constexpr uint64_t kLogicalBits = 16;
  static constexpr uint64_t kLogicalMask = (uint64_t{1} << kLogicalBits) - 1;

  uint16_t node_tag_;
  WallClockMs wall_clock_;
  uint64_t last_ = 0;  // the greatest hlc issued or observed
};

}  // namespace ringcache::cluster
