// AntiEntropy: anti-entropy by pulling. A node asks a peer for the versions
// of every key they both replicate (RC.DIGEST, a page at a time), and
// fetches (RC.MGET) each key the peer holds a newer version of (or the same
// version with other content: see core/state_order.h), tombstones included,
// applying it last-writer-wins. Every node pulling from every peer makes all
// replicas converge once writes stop, whatever hints and repairs missed —
// e.g. writes half-done by a coordinator that was killed.
//
// A round runs when a node joins (a restarted node comes back empty and
// refills from its peers), every `interval_ms`, and on RING SYNC.
// Single-threaded (the event loop's thread).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "cluster/membership.h"
#include "cluster/peer_pool.h"
#include "core/evictor.h"
#include "core/keyspace.h"

namespace ringcache::cluster {

class HybridClock;

struct AntiEntropyStats {
  uint64_t rounds = 0;  // completed
  uint64_t keys_compared = 0;
  uint64_t keys_pulled = 0;  // a newer version fetched and applied
  uint64_t failures = 0;     // peers that broke off a round
};

class AntiEntropy {
 public:
  AntiEntropy(PeerPool& peers, const Membership& membership, Keyspace& keyspace, HybridClock& clock,
              int64_t interval_ms);

  // Starts a round now unless one is running. Keys a peer last wrote after
  // `settled_before_ms` (wall clock) are left to the writes still reaching
  // them; every key is compared by default.
  void StartRound(int64_t settled_before_ms = INT64_MAX);
  // Starts a round when the interval has passed. A periodic round skips keys
  // written in the last kSettleMs: a hot key differs between replicas all
  // the time while writes are in flight, and pulling it whole (a large
  // collection: megabytes) stalled the nodes past their write timeouts.
  // RING SYNC's and a rejoin's rounds compare everything.
  static constexpr int64_t kSettleMs = 5000;
  void Tick(int64_t now_ms);
  bool running() const { return peers_left_ > 0; }
  // Whether a round has finished with at least one peer (or there is no
  // other member). A node starts empty (no persistence yet): until then its
  // replica would answer "nothing" for keys its peers hold, and a quorum
  // read counting that answer could miss an acknowledged write, so it does
  // not answer replica reads (cluster/replica_commands.cc).
  bool refilled() const { return refilled_; }
  // Pulled values first make room under maxmemory; they are skipped when
  // nothing may be evicted.
  void set_evictor(Evictor* evictor) { evictor_ = evictor; }
  const AntiEntropyStats& stats() const { return stats_; }

  static constexpr int64_t kPageSize = 500;

 private:
  struct Pull;
  void RequestPage(const std::shared_ptr<Pull>& pull);
  // Whether the peer's state of `key` may be newer than this node's.
  bool Differs(std::string_view key, const Version& theirs, std::string_view their_fingerprint);
  void PeerDone(bool ok);

  PeerPool& peers_;
  const Membership& membership_;
  Keyspace& keyspace_;
  Evictor* evictor_ = nullptr;
  HybridClock& clock_;
  int64_t interval_ms_;
  int64_t next_round_ms_ = 0;
  int64_t settled_before_ms_ = INT64_MAX;  // the running round's
  bool refilled_ = false;
  bool round_reached_peer_ = false;  // the running round's
  size_t peers_left_ = 0;
  AntiEntropyStats stats_;
};

}  // namespace ringcache::cluster
