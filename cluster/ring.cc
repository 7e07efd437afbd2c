#include "cluster/ring.h"

#include <xxhash.h>

#include <algorithm>
#include <stdexcept>

namespace ringcache::cluster {

bool ReplicaSet::Contains(uint32_t node) const { return std::find(begin(), end(), node) != end(); }

Ring::Ring(int virtual_nodes)
    : virtual_nodes_(virtual_nodes), nodes_(std::make_shared<std::vector<std::string>>()) {
  if (virtual_nodes <= 0) throw std::invalid_argument("virtual nodes must be positive");
}

void Ring::SetNodes(std::vector<std::string> node_ids) {
  std::sort(node_ids.begin(), node_ids.end());
  node_ids.erase(std::unique(node_ids.begin(), node_ids.end()), node_ids.end());
  nodes_ = std::make_shared<const std::vector<std::string>>(std::move(node_ids));
  const std::vector<std::string>& ids = *nodes_;
  tokens_.clear();
  tokens_.reserve(ids.size() * static_cast<size_t>(virtual_nodes_));
  for (uint32_t n = 0; n < ids.size(); ++n) {
    for (int i = 0; i < virtual_nodes_; ++i) {
      const std::string label = ids[n] + "#" + std::to_string(i);
      tokens_.push_back({XXH64(label.data(), label.size(), 0), n});
    }
  }
  // Ties (vanishingly rare) break by node so every member sorts alike.
  std::sort(tokens_.begin(), tokens_.end(), [](const Token& a, const Token& b) {
    return a.position != b.position ? a.position < b.position : a.node < b.node;
  });
  bucket_bits_ = 1;
  while (bucket_bits_ < 32 && (size_t{1} << bucket_bits_) < tokens_.size()) ++bucket_bits_;
  bucket_start_.assign((size_t{1} << bucket_bits_) + 1, 0);
  size_t t = 0;
  for (size_t b = 0; b < bucket_start_.size(); ++b) {
    while (t < tokens_.size() && (tokens_[t].position >> (64 - bucket_bits_)) < b) ++t;
    bucket_start_[b] = static_cast<uint32_t>(t);
  }
}

size_t Ring::FirstTokenAtOrAfter(uint64_t token) const {
  const uint64_t bucket = token >> (64 - bucket_bits_);
  // Tokens in later arcs all lie after `token`; so does the end.
  size_t i = bucket_start_[bucket];
  const size_t end = bucket_start_[bucket + 1];
  while (i < end && tokens_[i].position < token) ++i;
  return i;
}

std::string_view Ring::HashTag(std::string_view key) {
  const size_t open = key.find('{');
  if (open == std::string_view::npos) return key;
  const size_t close = key.find('}', open + 1);
  if (close == std::string_view::npos || close == open + 1) return key;
  return key.substr(open + 1, close - open - 1);
}

uint64_t Ring::KeyToken(std::string_view key) {
  const std::string_view tag = HashTag(key);
  return XXH64(tag.data(), tag.size(), 0);
}

ReplicaSet Ring::PreferenceList(std::string_view key, size_t n) const {
  return PreferenceListForToken(KeyToken(key), n);
}

ReplicaSet Ring::PreferenceListForToken(uint64_t token, size_t n) const {
  ReplicaSet set;
  n = std::min({n, nodes_->size(), kMaxReplicas});
  if (n == 0) return set;
  // The first token at or after the key's position owns it; wrap at the end.
  auto it = tokens_.begin() + static_cast<ptrdiff_t>(FirstTokenAtOrAfter(token));
  // Nodes already taken: a bit each for the first 64, a search for the rest.
  uint64_t taken = 0;
  for (size_t walked = 0; set.size < n && walked < tokens_.size(); ++walked, ++it) {
    if (it == tokens_.end()) it = tokens_.begin();
    const uint32_t node = it->node;
    const uint64_t bit = node < 64 ? uint64_t{1} << node : 0;
    if (bit != 0 ? (taken & bit) != 0 : set.Contains(node)) continue;
    taken |= bit;
    set.nodes[set.size++] = node;
  }
  return set;
}

std::vector<double> Ring::Ownership() const {
  std::vector<double> share(nodes_->size(), 0.0);
  if (tokens_.empty()) return share;
  constexpr double kRingSize = 18446744073709551616.0;  // 2^64
  // Token i owns the arc (previous token, token i].
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const uint64_t prev = i == 0 ? tokens_.back().position : tokens_[i - 1].position;
    const uint64_t arc = tokens_[i].position - prev;  // wraps correctly for i == 0
    share[tokens_[i].node] += static_cast<double>(arc) / kRingSize;
  }
  if (tokens_.size() == 1) share[0] = 1.0;
  return share;
}

}  // namespace ringcache::cluster
