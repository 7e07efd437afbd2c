#include "cluster/hybrid_clock.h"

#include <algorithm>

namespace ringcache::cluster {

Version HybridClock::Tick() {
  const uint64_t physical = static_cast<uint64_t>(wall_clock_()) << kLogicalBits;
  // Either the wall clock moved past everything seen (logical part resets),
  // or we count on from the last stamp. The logical part overflowing into the
  // millisecond bits is harmless: stamps stay strictly increasing.
  last_ = std::max(physical, last_ + 1);
  return {last_, node_tag_};
}

void HybridClock::Observe(const Version& seen) { last_ = std::max(last_, seen.hlc); }

}  // namespace ringcache::cluster
