// How evenly keys spread over nodes for a given number of virtual nodes, and
// what a lookup costs: the measurement behind kDefaultVirtualNodes.
//
// For V in {64..4096} and clusters of 3, 5 and 10 nodes with 100 different
// sets of node ids each, places 100k keys and reports the worst and the 99th
// percentile deviation from an even share, plus ns per PreferenceList(n=3).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "cluster/ring.h"

using ringcache::cluster::Ring;

namespace {

double WorstDeviation(const Ring& ring, int keys) {
  std::vector<int> count(ring.nodes().size(), 0);
  for (int k = 0; k < keys; ++k) {
    ++count[ring.PreferenceList("key:" + std::to_string(k), 1).nodes[0]];
  }
  const double even = static_cast<double>(keys) / static_cast<double>(count.size());
  double worst = 0;
  for (int c : count) worst = std::max(worst, std::abs(c - even) / even);
  return worst;
}

}  // namespace

int main() {
  constexpr int kKeys = 100000;
  constexpr int kIdSets = 100;
  std::printf("%6s %6s %12s %12s %14s\n", "vnodes", "nodes", "p99 dev %", "worst dev %",
              "lookup ns");
  for (int vnodes : {64, 256, 1024, 2048, 4096}) {
    for (int nodes : {3, 5, 10}) {
      std::vector<double> devs;
      Ring ring(vnodes);
      for (int set = 0; set < kIdSets; ++set) {
        std::vector<std::string> ids;
        // Ids as the launcher makes them: consecutive loopback ports.
        for (int n = 0; n < nodes; ++n) {
          ids.push_back("127.0.0.1:" + std::to_string(7001 + set * 16 + n));
        }
        ring.SetNodes(ids);
        devs.push_back(WorstDeviation(ring, kKeys));
      }
      std::sort(devs.begin(), devs.end());
      // Full-size check and lookup timing on the launcher's default ids.
      std::vector<std::string> ids;
      for (int n = 0; n < nodes; ++n) ids.push_back("127.0.0.1:" + std::to_string(7001 + n));
      ring.SetNodes(ids);
      const auto start = std::chrono::steady_clock::now();
      size_t sink = 0;
      for (int k = 0; k < kKeys; ++k)
        sink += ring.PreferenceList("key:" + std::to_string(k), 3).size;
      const double ns =
          std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
              .count() /
          kKeys;
      std::printf("%6d %6d %12.1f %12.1f %14.0f%s\n", vnodes, nodes,
                  100 * devs[devs.size() * 99 / 100], 100 * devs.back(), ns, sink == 0 ? "!" : "");
    }
  }
  return 0;
}
