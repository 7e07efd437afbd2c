#include "cluster/cluster_node.h"

#include <spdlog/spdlog.h>
#include <xxhash.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "commands/info.h"
#include "common/strings.h"
#include "common/wall_clock.h"

namespace ringcache::cluster {
namespace {

std::string SelfId(const ServerState& state) {
  const ConfigValues& config = state.config.values();
  if (!config.cluster_announce.empty()) return config.cluster_announce;
  return "127.0.0.1:" + std::to_string(state.tcp_port);
}

// Two nodes may share a tag: versions they stamp alike are ordered by
// CompareTiedStates (core/state_order.h), so replicas still agree.
uint16_t NodeTag(const std::string& id) {
  return static_cast<uint16_t>(XXH64(id.data(), id.size(), 0) & 0xffff);
}

void CheckSettings(const ConfigValues& config, const std::string& self_id,
                   const std::vector<std::string>& ids) {
  if (!ids.empty() && std::find(ids.begin(), ids.end(), self_id) == ids.end()) {
    throw std::runtime_error("cluster-nodes does not list this node's id " + self_id +
                             " (set cluster-announce)");
  }
  if (config.write_quorum > config.replicas || config.read_quorum > config.replicas) {
    throw std::runtime_error("write-quorum and read-quorum must not exceed replicas");
  }
  if (config.cluster_secret.empty()) throw std::runtime_error("cluster mode needs cluster-secret");
}

}  // namespace

ClusterNode::ClusterNode(asio::io_context& io, ServerState& state)
    : io_(io),
      self_id_(SelfId(state)),
      ring_(static_cast<int>(state.config.values().vnodes)),
      membership_(self_id_, WallClockMs(), state.config.values().cluster_node_timeout_ms),
      peers_(io, state.config.values().cluster_secret),
      gossiper_(peers_, membership_, SplitList(state.config.values().cluster_seeds),
                std::max<int64_t>(50, state.config.values().cluster_node_timeout_ms / 10),
                [this] { OnMembersChanged(); }),
      clock_(NodeTag(self_id_), &WallClockMs),
      coordinator_(io, ring_, peers_, clock_, self_id_, &state.keyspace, &membership_) {
  const ConfigValues& config = state.config.values();
  const std::vector<std::string> ids = SplitList(config.cluster_nodes);
  CheckSettings(config, self_id_, ids);
  const int64_t now = WallClockMs();
  for (const std::string& id : ids) membership_.Add(id, now);
  ring_.SetNodes(membership_.Ids());
  NoteVersionTags();
  quorum_.replicas = static_cast<size_t>(config.replicas);
  quorum_.write_quorum = static_cast<size_t>(config.write_quorum);
  quorum_.read_quorum = static_cast<size_t>(config.read_quorum);
  quorum_.timeout = std::chrono::milliseconds(config.cluster_timeout_ms);
  coordinator_.set_max_hints(static_cast<size_t>(config.hinted_handoff_max));
  coordinator_.set_evictor(&state.evictor);
  if (config.anti_entropy_interval > 0) {
    anti_entropy_ = std::make_unique<AntiEntropy>(peers_, membership_, state.keyspace, clock_,
                                                  config.anti_entropy_interval * 1000);
    anti_entropy_->set_evictor(&state.evictor);
    sync_soon_ = !ids.empty();
  }
}

void ClusterNode::Tick(int64_t now_ms) {
  gossiper_.Tick(now_ms);
  coordinator_.ReplayHints();
  if (anti_entropy_ == nullptr) return;
  // Until a round has reached a peer, one more each tick: reads wait on it.
  if ((sync_soon_ || !anti_entropy_->refilled()) && !anti_entropy_->running()) {
    sync_soon_ = false;
    anti_entropy_->StartRound();
  }
  coordinator_.set_local_reads(anti_entropy_->refilled());
  anti_entropy_->Tick(now_ms);
}

void ClusterNode::OnMembersChanged() {
  ring_.SetNodes(membership_.Ids());
  NoteVersionTags();
  spdlog::info("cluster: ring rebuilt for {} members", ring_.nodes().size());
  sync_soon_ = true;
}

void ClusterNode::NoteVersionTags() {
  std::set<uint16_t> tags;
  bool collide = false;
  for (const std::string& id : ring_.nodes()) collide |= !tags.insert(NodeTag(id)).second;
  if (collide) spdlog::warn("cluster: two members share a version tag; reads compare values too");
  coordinator_.set_tags_collide(collide);
}

bool ClusterNode::IsHome(std::string_view key, const std::vector<std::string>& down) const {
  for (uint32_t node : ring_.PreferenceList(key, quorum_.replicas)) {
    const std::string& id = ring_.nodes()[node];
    if (std::find(down.begin(), down.end(), id) == down.end()) return id == self_id_;
  }
  return false;
}

const std::string& ClusterNode::HomeOf(std::string_view key) const {
  for (uint32_t node : ring_.PreferenceList(key, quorum_.replicas)) {
    const std::string& id = ring_.nodes()[node];
    if (id == self_id_ || membership_.IsUp(id)) return id;
  }
  return self_id_;
}

bool ClusterNode::IsReplica(std::string_view node, std::string_view key) const {
  const std::vector<std::string>& nodes = ring_.nodes();
  if (nodes.size() <= quorum_.replicas) {  // every member holds every key
    return std::binary_search(nodes.begin(), nodes.end(), node);
  }
  for (uint32_t index : ring_.PreferenceList(key, quorum_.replicas)) {
    if (ring_.nodes()[index] == node) return true;
  }
  return false;
}

std::string ClusterNode::DownList() const {
  std::string down;
  for (const auto& [id, member] : membership_.members()) {
    if (member.up) continue;
    if (!down.empty()) down += ',';
    down += id;
  }
  return down.empty() ? "-" : down;
}

void ClusterNode::FanOut(
    std::vector<std::string> args,
    std::function<void(const std::vector<client::Reply>&, size_t failed)> done) {
  struct State {
    std::vector<client::Reply> replies;
    size_t failed = 0;
    size_t pending = 0;
    std::function<void(const std::vector<client::Reply>&, size_t)> done;
  };
  auto state = std::make_shared<State>();
  state->done = std::move(done);
  std::vector<std::string> targets;
  for (const auto& [id, member] : membership_.members()) {
    if (member.up) targets.push_back(id);
  }
  state->pending = targets.size();
  const std::vector<std::string_view> views(args.begin(), args.end());
  for (const std::string& target : targets) {
    peers_.Send(target, views, [state](const asio::error_code& ec, client::Reply reply) {
      if (ec || reply.is_error()) {
        ++state->failed;
      } else {
        state->replies.push_back(std::move(reply));
      }
      if (--state->pending == 0) state->done(state->replies, state->failed);
    });
  }
}

void ClusterNode::AppendInfo(std::string* out) const {
  const auto& nodes = ring_.nodes();
  const auto me = std::find(nodes.begin(), nodes.end(), self_id_) - nodes.begin();
  InfoField(out, "ring_node", self_id_);
  InfoField(out, "ring_size", nodes.size());
  InfoField(out, "ring_nodes_up", membership_.up_count());
  InfoField(out, "ring_joined", gossiper_.joined() ? 1 : 0);
  InfoField(out, "ring_gossip_rounds", gossiper_.rounds());
  InfoField(out, "ring_replicas", quorum_.replicas);
  InfoField(out, "ring_write_quorum", quorum_.write_quorum);
  InfoField(out, "ring_read_quorum", quorum_.read_quorum);
  InfoField(out, "ring_vnodes", ring_.virtual_nodes());
  InfoField(out, "ring_share", FormatFloat(100 * ring_.Ownership()[static_cast<size_t>(me)], 2));
  InfoField(out, "ring_read_repairs", coordinator_.read_repairs());
  const HintedHandoff& hints = coordinator_.hints();
  InfoField(out, "ring_hints_pending", hints.pending());
  InfoField(out, "ring_hints_delivered", hints.delivered());
  InfoField(out, "ring_hints_dropped", hints.dropped());
  InfoField(out, "ring_bus_buffers", peers_.BufferedBytes());
  if (anti_entropy_ != nullptr) {
    const AntiEntropyStats& stats = anti_entropy_->stats();
    InfoField(out, "ring_sync_running", anti_entropy_->running() ? 1 : 0);
    InfoField(out, "ring_sync_rounds", stats.rounds);
    InfoField(out, "ring_sync_keys_compared", stats.keys_compared);
    InfoField(out, "ring_sync_keys_pulled", stats.keys_pulled);
    InfoField(out, "ring_sync_failures", stats.failures);
  }
}

}  // namespace ringcache::cluster
