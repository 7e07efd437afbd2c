#include "cluster/gossiper.h"

#include <spdlog/spdlog.h>

#include "common/number_parsing.h"

namespace ringcache::cluster {

void AppendGossipArgs(std::span<const GossipEntry> entries, std::vector<std::string>* args) {
  for (const GossipEntry& e : entries) {
    args->push_back(e.id);
    args->push_back(std::to_string(e.heartbeat.generation));
    args->push_back(std::to_string(e.heartbeat.counter));
  }
}

bool ParseGossipArgs(std::span<const std::string_view> args, std::vector<GossipEntry>* out) {
  if (args.size() % 3 != 0) return false;
  out->clear();
  for (size_t i = 0; i < args.size(); i += 3) {
    int64_t generation = 0;
    int64_t counter = 0;
    if (args[i].empty() || !ParseInt64(args[i + 1], &generation) ||
        !ParseInt64(args[i + 2], &counter) || counter < 0) {
      return false;
    }
    out->push_back({std::string(args[i]), {generation, static_cast<uint64_t>(counter)}});
  }
  return true;
}

bool ParseGossipReply(const client::Reply& reply, std::vector<GossipEntry>* out) {
  const auto& el = reply.elements;
  if (reply.type != client::Reply::Type::kArray || el.size() % 3 != 0) return false;
  out->clear();
  for (size_t i = 0; i < el.size(); i += 3) {
    if (el[i].str.empty() || el[i + 2].integer < 0) return false;
    out->push_back({el[i].str, {el[i + 1].integer, static_cast<uint64_t>(el[i + 2].integer)}});
  }
  return true;
}

Gossiper::Gossiper(PeerPool& peers, Membership& membership, std::vector<std::string> seeds,
                   int64_t interval_ms, std::function<void()> on_members_changed)
    : peers_(peers),
      membership_(membership),
      seeds_(std::move(seeds)),
      interval_ms_(interval_ms),
      on_members_changed_(std::move(on_members_changed)),
      joined_(false),
      random_(std::random_device{}()) {
  // A node may list itself among the seeds (all nodes can share one list); a
  // node that is its own only seed starts the cluster.
  std::erase(seeds_, membership_.self_id());
  joined_ = seeds_.empty();
}

void Gossiper::Tick(int64_t now_ms) {
  now_ms_ = now_ms;
  if (now_ms < next_round_ms_) return;
  next_round_ms_ = now_ms + interval_ms_;
  ++rounds_;
  membership_.Beat();
  for (const std::string& id : membership_.Detect(now_ms)) {
    spdlog::info("cluster: node {} is {}", id, membership_.IsUp(id) ? "up" : "down");
  }
  if (!joined_) {
    for (const std::string& seed : seeds_) Exchange(seed, true);
  }
  std::vector<const std::string*> others;
  for (const auto& [id, member] : membership_.members()) {
    if (id != membership_.self_id()) others.push_back(&id);
  }
  if (others.empty()) return;
  std::uniform_int_distribution<size_t> pick(0, others.size() - 1);
  Exchange(*others[pick(random_)], false);
}

void Gossiper::Exchange(const std::string& peer, bool is_seed) {
  if (peer == membership_.self_id()) return;
  std::vector<std::string> args = {"RC.GOSSIP"};
  AppendGossipArgs(membership_.Digest(), &args);
  const std::vector<std::string_view> views(args.begin(), args.end());
  peers_.Send(peer, views, [this, is_seed](const asio::error_code& ec, const client::Reply& reply) {
    std::vector<GossipEntry> entries;
    if (ec || !ParseGossipReply(reply, &entries)) return;
    if (is_seed && !joined_) {
      joined_ = true;
      spdlog::info("cluster: joined through a seed; {} members known", entries.size());
    }
    MergeAndNotify(entries, now_ms_);
  });
}

std::vector<GossipEntry> Gossiper::OnGossip(std::span<const GossipEntry> entries, int64_t now_ms) {
  // A member calling in has joined this node to the cluster as surely as a
  // seed answering would.
  joined_ = true;
  MergeAndNotify(entries, now_ms);
  return membership_.Digest();
}

void Gossiper::MergeAndNotify(std::span<const GossipEntry> entries, int64_t now_ms) {
  if (membership_.Merge(entries, now_ms)) on_members_changed_();
}

}  // namespace ringcache::cluster
