#include "cluster/blocked_pops.h"

#include <algorithm>
#include <utility>

namespace ringcache::cluster {

uint64_t BlockedPops::Park(Waiter waiter, int64_t now_ms) {
  now_ms_ = std::max(now_ms_, now_ms);
  const uint64_t id = next_id_++;
  for (const std::string& key : waiter.keys) {
    std::vector<uint64_t>& queue = by_key_[key];
    if (std::find(queue.begin(), queue.end(), id) == queue.end()) queue.push_back(id);
  }
  Parked& parked = waiters_[id];
  parked.waiter = std::move(waiter);
  parked.tried_ms = now_ms;
  return id;
}

std::unordered_map<uint64_t, BlockedPops::Parked>::node_type BlockedPops::Forget(uint64_t id) {
  auto node = waiters_.extract(id);
  if (node.empty()) return node;
  for (const std::string& key : node.mapped().waiter.keys) {
    const auto queue = by_key_.find(key);
    if (queue == by_key_.end()) continue;
    std::erase(queue->second, id);
    if (queue->second.empty()) by_key_.erase(queue);
  }
  node.mapped().waiter.hold.Release();
  return node;
}

void BlockedPops::FoundNothing(uint64_t id, int64_t now_ms) {
  const auto it = waiters_.find(id);
  if (it == waiters_.end()) return;
  Parked& parked = it->second;
  parked.retrying = false;
  const Waiter& w = parked.waiter;
  if (w.client->Gone()) {
    Forget(id);
  } else if (w.deadline_ms != 0 && w.deadline_ms <= now_ms) {
    auto node = Forget(id);
    node.mapped().waiter.time_out();
  } else if (std::exchange(parked.again, false)) {
    Retry(parked, now_ms);
  }
}

void BlockedPops::Served(uint64_t id) { Forget(id); }

void BlockedPops::Retry(Parked& parked, int64_t now_ms) {
  if (parked.retrying) {
    parked.again = true;
    return;
  }
  parked.retrying = true;
  parked.tried_ms = now_ms;
  parked.waiter.retry();  // may answer at once: `parked` may be gone after it
}

void BlockedPops::KeyFilled(std::string_view key) {
  // Called on every replica merge into a live collection: nothing when no one waits.
  if (by_key_.empty() || by_key_.find(key) == by_key_.end()) return;
  filled_.emplace_back(key);
  // Filled inside a replica merge: the pops run from the event loop.
  if (std::exchange(serve_posted_, true)) return;
  asio::post(io_, [this] { ServeFilled(); });
}

void BlockedPops::ServeFilled() {
  serve_posted_ = false;
  std::vector<std::string> filled = std::move(filled_);
  filled_.clear();
  for (const std::string& key : filled) {
    const auto queue = by_key_.find(key);
    if (queue == by_key_.end()) continue;
    const std::vector<uint64_t> ids = queue->second;
    for (const uint64_t id : ids) {
      const auto it = waiters_.find(id);
      if (it != waiters_.end()) Retry(it->second, now_ms_);
    }
  }
}

void BlockedPops::Tick(int64_t now_ms) {
  now_ms_ = std::max(now_ms_, now_ms);
  // Whether a client went costs a syscall: asked once a second.
  const bool ask_gone = now_ms - gone_checked_ms_ >= 1000;
  if (ask_gone) gone_checked_ms_ = now_ms;
  std::vector<uint64_t> ended, polled;
  for (const auto& [id, parked] : waiters_) {
    if (parked.retrying) continue;  // decided when its retry comes back
    const Waiter& w = parked.waiter;
    if ((w.deadline_ms != 0 && w.deadline_ms <= now_ms) || (ask_gone && w.client->Gone())) {
      ended.push_back(id);
    } else if (now_ms - parked.tried_ms >= (w.fast_poll ? kFastPollMs : kSlowPollMs)) {
      polled.push_back(id);
    }
  }
  for (const uint64_t id : ended) {
    auto node = Forget(id);
    if (!node.mapped().waiter.client->Gone()) node.mapped().waiter.time_out();
  }
  for (const uint64_t id : polled) {
    const auto it = waiters_.find(id);
    if (it != waiters_.end()) Retry(it->second, now_ms);
  }
}

}  // namespace ringcache::cluster
