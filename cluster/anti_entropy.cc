#include "cluster/anti_entropy.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "cluster/coordinator.h"
#include "cluster/hybrid_clock.h"
#include "core/state_order.h"
#include "types/replica_merge.h"

namespace ringcache::cluster {

struct AntiEntropy::Pull {
  std::string peer;
  std::string cursor = "0";
};

AntiEntropy::AntiEntropy(PeerPool& peers, const Membership& membership, Keyspace& keyspace,
                         HybridClock& clock, int64_t interval_ms)
    : peers_(peers),
      membership_(membership),
      keyspace_(keyspace),
      clock_(clock),
      interval_ms_(interval_ms) {}

void AntiEntropy::Tick(int64_t now_ms) {
  if (next_round_ms_ == 0) next_round_ms_ = now_ms + interval_ms_;
  if (interval_ms_ <= 0 || now_ms < next_round_ms_) return;
  next_round_ms_ = now_ms + interval_ms_;
  StartRound(now_ms - kSettleMs);
}

void AntiEntropy::StartRound(int64_t settled_before_ms) {
  if (running()) return;
  settled_before_ms_ = settled_before_ms;
  std::vector<std::string> targets;
  for (const auto& [id, member] : membership_.members()) {
    if (member.up && id != membership_.self_id()) targets.push_back(id);
  }
  if (targets.empty()) {
    ++stats_.rounds;
    if (membership_.members().size() <= 1) refilled_ = true;  // nobody to refill from
    return;
  }
  peers_left_ = targets.size();
  for (const std::string& peer : targets) {
    auto pull = std::make_shared<Pull>();
    pull->peer = peer;
    RequestPage(pull);
  }
}

bool AntiEntropy::Differs(std::string_view key, const Version& theirs,
                          std::string_view their_fingerprint) {
  if (theirs.physical_ms() > settled_before_ms_) return false;  // still being written
  const Entry* mine = keyspace_.FindIncludingTombstone(key);
  if (mine == nullptr || mine->version() < theirs) return true;
  // A collection's version is only its newest stamp: a replica that took a
  // newer add may still lack older ones (a node that restarted empty, then
  // took writes before its refill), so any difference is pulled and merged.
  if (theirs < mine->version()) return mine->is_replicated_collection();
  // The same version: fetched when the content differs; the keyspace then
  // keeps whichever state orders last, as the peer will when it pulls ours.
  return their_fingerprint != EntryFingerprint(mine).view();
}

void AntiEntropy::RequestPage(const std::shared_ptr<Pull>& pull) {
  const std::string count = std::to_string(kPageSize);
  const std::string_view args[] = {"RC.DIGEST", membership_.self_id(), pull->cursor, count};
  peers_.Send(
      pull->peer, args, [this, pull](const asio::error_code& ec, const client::Reply& page) {
        // [next-cursor, key, version, fingerprint, ...]
        if (ec || page.type != client::Reply::Type::kArray || page.elements.size() % 3 != 1) {
          spdlog::warn("anti-entropy: pull from {} broke off", pull->peer);
          PeerDone(false);
          return;
        }
        for (size_t i = 1; i < page.elements.size(); i += 3) {
          ++stats_.keys_compared;
          const std::string& key = page.elements[i].str;
          Version theirs;
          if (!Version::Parse(page.elements[i + 1].str, &theirs)) continue;
          if (!Differs(key, theirs, page.elements[i + 2].str)) continue;
          const std::string_view get[] = {"RC.STATE", key};
          peers_.SendForState(
              peers_.Resolve(pull->peer), get,
              [this, key](const asio::error_code& get_ec, std::string_view state) {
                ReplicaValueView value;
                if (get_ec || !DecodeStateBytes(state, &value) || !value.found) return;
                clock_.Observe(value.version);
                if (!value.tombstone && evictor_ != nullptr && !evictor_->RoomForWrite()) return;
                if (ApplyReplicaState(keyspace_, key, value).changed) ++stats_.keys_pulled;
              });
        }
        pull->cursor = page.elements[0].str;
        // The connection is FIFO: the fetches above are answered before the
        // next page, so a round ends after its last fetch.
        if (pull->cursor == "0") {
          const std::string_view ping[] = {"PING"};
          peers_.Send(pull->peer, ping,
                      [this](const asio::error_code& ping_ec, const client::Reply&) {
                        PeerDone(!ping_ec);
                      });
        } else {
          RequestPage(pull);
        }
      });
}

void AntiEntropy::PeerDone(bool ok) {
  ok ? round_reached_peer_ = true : ++stats_.failures;
  if (--peers_left_ != 0) return;
  ++stats_.rounds;
  if (round_reached_peer_) refilled_ = true;
  round_reached_peer_ = false;
}

}  // namespace ringcache::cluster
