#include "cluster/hinted_handoff.h"

namespace ringcache::cluster {

void HintedHandoff::Store(const std::string& node, const Hint& hint) {
  if (max_hints_ == 0) {
    ++dropped_;
    return;
  }
  if (pending_ >= max_hints_) DropOne();
  queues_[node].push_back(hint);
  ++pending_;
}

void HintedHandoff::DropOne() {
  auto longest = queues_.begin();
  for (auto it = queues_.begin(); it != queues_.end(); ++it) {
    if (it->second.size() > longest->second.size()) longest = it;
  }
  // The front of a queue being delivered is in flight: drop from the back.
  if (delivering_.count(longest->first) != 0) {
    longest->second.pop_back();
  } else {
    longest->second.pop_front();
  }
  --pending_;
  ++dropped_;
}

size_t HintedHandoff::pending_for(const std::string& node) const {
  auto it = queues_.find(node);
  return it == queues_.end() ? 0 : it->second.size();
}

void HintedHandoff::Replay(const IsDown& is_down) {
  for (const auto& [node, queue] : queues_) {
    if (!queue.empty() && delivering_.count(node) == 0 && !is_down(node)) DeliverNext(node);
  }
}

void HintedHandoff::DeliverNext(const std::string& node) {
  auto it = queues_.find(node);
  if (it == queues_.end() || it->second.empty()) {
    delivering_.erase(node);
    return;
  }
  delivering_.insert(node);
  deliver_(node, it->second.front(), [this, node](bool delivered) {
    if (!delivered) {
      delivering_.erase(node);
      return;
    }
    auto queue = queues_.find(node);
    // The front may have been dropped meanwhile only from the back: it is the one sent.
    if (queue != queues_.end() && !queue->second.empty()) {
      queue->second.pop_front();
      --pending_;
      ++delivered_;
    }
    DeliverNext(node);
  });
}

}  // namespace ringcache::cluster
