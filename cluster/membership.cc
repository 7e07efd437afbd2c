#include "cluster/membership.h"

#include <utility>

namespace ringcache::cluster {

Membership::Membership(std::string self_id, int64_t generation, int64_t fail_after_ms)
    : self_id_(std::move(self_id)), fail_after_ms_(fail_after_ms) {
  members_[self_id_].heartbeat = Heartbeat{generation, 0};
}

bool Membership::Add(const std::string& id, int64_t now_ms) {
  auto [it, inserted] = members_.try_emplace(id);
  if (inserted) it->second.last_progress_ms = now_ms;
  return inserted;
}

void Membership::Beat() { ++members_[self_id_].heartbeat.counter; }

bool Membership::Merge(std::span<const GossipEntry> entries, int64_t now_ms) {
  bool grew = false;
  for (const GossipEntry& entry : entries) {
    if (entry.id == self_id_) continue;  // only this node speaks for itself
    auto [it, inserted] = members_.try_emplace(entry.id);
    Member& member = it->second;
    if (inserted) {
      grew = true;
      member.last_progress_ms = now_ms;
    }
    if (member.heartbeat < entry.heartbeat) {
      member.heartbeat = entry.heartbeat;
      member.last_progress_ms = now_ms;
      if (!member.up) {
        member.up = true;
        --down_count_;
        changed_.push_back(entry.id);
      }
    }
  }
  return grew;
}

std::vector<std::string> Membership::Detect(int64_t now_ms) {
  for (auto& [id, member] : members_) {
    if (id != self_id_ && member.up && now_ms - member.last_progress_ms > fail_after_ms_) {
      member.up = false;
      ++down_count_;
      changed_.push_back(id);
    }
  }
  return std::exchange(changed_, {});
}

bool Membership::IsUp(std::string_view id) const {
  auto it = members_.find(id);
  return it != members_.end() && it->second.up;
}

std::vector<std::string> Membership::Ids() const {
  std::vector<std::string> ids;
  ids.reserve(members_.size());
  for (const auto& [id, member] : members_) ids.push_back(id);
  return ids;
}

std::vector<GossipEntry> Membership::Digest() const {
  std::vector<GossipEntry> digest;
  digest.reserve(members_.size());
  for (const auto& [id, member] : members_) digest.push_back({id, member.heartbeat});
  return digest;
}

}  // namespace ringcache::cluster
