#include "cluster/cluster_router.h"

#include <spdlog/spdlog.h>
#include <xxhash.h>

#include <memory>
#include <stdexcept>
#include <vector>

#include "cluster/gather.h"
#include "commands/command_helpers.h"
#include "commands/info.h"
#include "resp/reply_builder.h"

namespace ringcache::cluster {
namespace {

std::string SelfId(const ServerState& state) {
  const ConfigValues& config = state.config.values();
  if (!config.cluster_announce.empty()) return config.cluster_announce;
  return "127.0.0.1:" + std::to_string(state.tcp_port);
}

uint16_t NodeTag(const std::string& id) {
  return static_cast<uint16_t>(XXH64(id.data(), id.size(), 0) & 0xffff);
}

// Transactions would need every node's keys locked: refused in a cluster.
bool IsRefused(std::string_view name) {
  return name == "multi" || name == "exec" || name == "watch";
}

// EXISTS and DEL: the sum of the per-key counts, or the first error.
void ReplyCount(const Gather<int64_t>& gather, const DeferredReply& done) {
  std::string out;
  ReplyBuilder reply(&out);
  int64_t count = 0;
  for (int64_t n : gather.results) count += n;
  gather.error.ok() ? reply.Integer(count) : reply.Error(gather.error);
  done(std::move(out));
}

}  // namespace

ClusterRouter::ClusterRouter(asio::io_context& io, ServerState& state)
    : state_(state),
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
  if (!ids.empty() && std::find(ids.begin(), ids.end(), self_id_) == ids.end()) {
    throw std::runtime_error("cluster-nodes does not list this node's id " + self_id_ +
                             " (set cluster-announce)");
  }
  if (config.write_quorum > config.replicas || config.read_quorum > config.replicas) {
    throw std::runtime_error("write-quorum and read-quorum must not exceed replicas");
  }
  if (config.cluster_secret.empty()) throw std::runtime_error("cluster mode needs cluster-secret");
  const int64_t now = WallClockMs();
  for (const std::string& id : ids) membership_.Add(id, now);
  ring_.SetNodes(membership_.Ids());
  quorum_.replicas = static_cast<size_t>(config.replicas);
  quorum_.write_quorum = static_cast<size_t>(config.write_quorum);
  quorum_.read_quorum = static_cast<size_t>(config.read_quorum);
  quorum_.timeout = std::chrono::milliseconds(config.cluster_timeout_ms);
  coordinator_.set_max_hints(static_cast<size_t>(config.hinted_handoff_max));
  coordinator_.set_evictor(&state.evictor);
  if (config.anti_entropy_interval > 0) {
    syncer_ = std::make_unique<cluster::Syncer>(peers_, membership_, state.keyspace, clock_,
                                                config.anti_entropy_interval * 1000);
    syncer_->set_evictor(&state.evictor);
    sync_soon_ = !ids.empty();
  }
  const std::pair<std::string_view, Handler> routed[] = {
      {"get", &ClusterRouter::Get},           {"set", &ClusterRouter::Set},
      {"setex", &ClusterRouter::SetEx},       {"psetex", &ClusterRouter::PSetEx},
      {"mset", &ClusterRouter::MSet},         {"mget", &ClusterRouter::MGet},
      {"del", &ClusterRouter::Del},           {"unlink", &ClusterRouter::Del},
      {"exists", &ClusterRouter::Exists},     {"ttl", &ClusterRouter::Ttl},
      {"pttl", &ClusterRouter::PTtl},         {"keys", &ClusterRouter::Keys},
      {"scan", &ClusterRouter::Scan},         {"dbsize", &ClusterRouter::DbSize},
      {"flushall", &ClusterRouter::FlushAll}, {"flushdb", &ClusterRouter::FlushAll},
  };
  // Keyed by the command's table entry: found without comparing names.
  for (const auto& [name, handler] : routed) {
    const CommandSpec* spec = state.commands.Find(name);
    if (spec == nullptr)
      throw std::logic_error("cluster route for unknown command " + std::string(name));
    routed_.emplace(spec, handler);
  }
}

void ClusterRouter::Tick(int64_t now_ms) {
  gossiper_.Tick(now_ms);
  coordinator_.ReplayHints();
  if (syncer_ == nullptr) return;
  if (sync_soon_ && !syncer_->running()) {
    sync_soon_ = false;
    syncer_->StartRound();
  }
  syncer_->Tick(now_ms);
}

void ClusterRouter::OnMembersChanged() {
  ring_.SetNodes(membership_.Ids());
  spdlog::info("cluster: ring rebuilt for {} members", ring_.nodes().size());
  sync_soon_ = true;
}

bool ClusterRouter::Route(CommandContext& ctx, const CommandSpec& spec, ArgList args) {
  if ((spec.flags & (kInternal | kNodeLocal)) != 0) return false;
  const auto it = routed_.find(&spec);
  const bool refused = it == routed_.end() && IsRefused(spec.name);
  if (it == routed_.end() && spec.first_key <= 0 && !refused) return false;
  if (refused || !ctx.can_defer()) {
    ctx.reply().Error("ERR '" + std::string(spec.name) + "' is not supported in cluster mode");
  } else if (!gossiper_.joined()) {
    ctx.reply().Error("CLUSTERDOWN this node has not reached a seed yet");
  } else if (it != routed_.end()) {
    (this->*(it->second))(ctx, args);
  } else {
    RouteByKeys(ctx, spec, args);
  }
  return true;
}

void ClusterRouter::AppendInfo(std::string* out) const {
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
  InfoField(out, "ring_hints_pending", coordinator_.hints_pending());
  InfoField(out, "ring_hints_delivered", coordinator_.hints_delivered());
  InfoField(out, "ring_hints_dropped", coordinator_.hints_dropped());
  InfoField(out, "ring_bus_buffers", peers_.BufferedBytes());
  if (syncer_ != nullptr) {
    InfoField(out, "ring_sync_running", syncer_->running() ? 1 : 0);
    InfoField(out, "ring_sync_rounds", syncer_->stats().rounds);
    InfoField(out, "ring_sync_keys_compared", syncer_->stats().keys_compared);
    InfoField(out, "ring_sync_keys_pulled", syncer_->stats().keys_pulled);
    InfoField(out, "ring_sync_failures", syncer_->stats().failures);
  }
}

cluster::QuorumSettings ClusterRouter::QuorumFor(const CommandContext& ctx) const {
  cluster::QuorumSettings q = quorum_;
  const Session& session = ctx.session();
  if (session.write_quorum > 0) q.write_quorum = static_cast<size_t>(session.write_quorum);
  if (session.read_quorum > 0) q.read_quorum = static_cast<size_t>(session.read_quorum);
  return q;
}

bool ClusterRouter::LiveNow(const cluster::ReplicaValueView& v) const {
  // The keyspace's clock, as a local read uses: set when the request's bytes
  // were read, or later, and a clock read per reply cost as much as the rest
  // of this check.
  return v.live() && (v.expire_at_ms == 0 || v.expire_at_ms > state_.keyspace.now_ms());
}

bool ClusterRouter::CountRead(bool hit) {
  state_.keyspace.CountRead(hit);
  return hit;
}

void ClusterRouter::Get(CommandContext& ctx, ArgList args) {
  const int protocol = ctx.session().protocol;
  coordinator_.Get(
      args[1], QuorumFor(ctx),
      [this, done = ctx.Defer(), protocol](const Status& s, const cluster::ReplicaValueView& v) {
        done.Write([&](std::string* out) {
          ReplyBuilder reply(out, protocol);
          if (!s.ok()) {
            reply.Error(s);
          } else if (CountRead(LiveNow(v))) {
            reply.Bulk(v.value);
          } else {
            reply.Null();
          }
        });
      });
}

void ClusterRouter::PutAndReplyOk(CommandContext& ctx, std::string_view key, std::string_view value,
                                  int64_t expire_at) {
  coordinator_.Put(key, value, expire_at, QuorumFor(ctx), [done = ctx.Defer()](const Status& s) {
    std::string out;
    ReplyBuilder reply(&out);
    if (s.ok()) {
      reply.Ok();
    } else {
      reply.Error(s);
    }
    done(std::move(out));
  });
}

void ClusterRouter::Set(CommandContext& ctx, ArgList args) {
  int64_t expire_at = 0;
  for (size_t i = 3; i < args.size(); ++i) {
    const std::string_view opt = args[i];
    const auto expire = AsExpireOption(opt);
    if (!expire) {
      // NX, XX, GET, KEEPTTL read the old value: a read-modify-write.
      RouteByKeys(ctx, *state_.commands.Find("set"), args);
      return;
    }
    if (expire_at != 0 || i + 1 >= args.size()) {
      ctx.reply().Error("ERR syntax error");
      return;
    }
    if (!ExpireAtOrReply(ctx, args[++i], expire->unit, expire->relative,
                         /*require_positive=*/true, "set", &expire_at)) {
      return;
    }
  }
  PutAndReplyOk(ctx, args[1], args[2], expire_at);
}

void ClusterRouter::SetEx(CommandContext& ctx, ArgList args) {
  int64_t expire_at = 0;
  if (ExpireAtOrReply(ctx, args[2], TimeUnit::kSeconds, true, true, "setex", &expire_at)) {
    PutAndReplyOk(ctx, args[1], args[3], expire_at);
  }
}

void ClusterRouter::PSetEx(CommandContext& ctx, ArgList args) {
  int64_t expire_at = 0;
  if (ExpireAtOrReply(ctx, args[2], TimeUnit::kMilliseconds, true, true, "psetex", &expire_at)) {
    PutAndReplyOk(ctx, args[1], args[3], expire_at);
  }
}

void ClusterRouter::MSet(CommandContext& ctx, ArgList args) {
  if (args.size() % 2 == 0) {
    ctx.reply().Error("ERR wrong number of arguments for 'mset' command");
    return;
  }
  auto gather = std::make_shared<Gather<bool>>((args.size() - 1) / 2);
  auto done = std::make_shared<DeferredReply>(ctx.Defer());
  for (size_t i = 1; i < args.size(); i += 2) {
    const size_t slot = i / 2;
    coordinator_.Put(args[i], args[i + 1], 0, QuorumFor(ctx),
                     [gather, done, slot](const Status& s) {
                       if (!gather->Done(slot, s, true)) return;
                       std::string out;
                       ReplyBuilder reply(&out);
                       gather->error.ok() ? reply.Ok() : reply.Error(gather->error);
                       (*done)(std::move(out));
                     });
  }
}

void ClusterRouter::MGet(CommandContext& ctx, ArgList args) {
  auto gather = std::make_shared<Gather<cluster::ReplicaValue>>(args.size() - 1);
  auto done = std::make_shared<DeferredReply>(ctx.Defer());
  const int protocol = ctx.session().protocol;
  for (size_t i = 1; i < args.size(); ++i) {
    coordinator_.Get(args[i], QuorumFor(ctx),
                     [this, gather, done, protocol, slot = i - 1](
                         const Status& s, const cluster::ReplicaValueView& v) {
                       if (!gather->Done(slot, s, cluster::ToOwned(v))) return;
                       std::string out;
                       ReplyBuilder reply(&out, protocol);
                       if (!gather->error.ok()) {
                         reply.Error(gather->error);
                       } else {
                         reply.ArrayHeader(gather->results.size());
                         for (const auto& value : gather->results) {
                           CountRead(LiveNow(value.view())) ? reply.Bulk(value.value)
                                                            : reply.Null();
                         }
                       }
                       (*done)(std::move(out));
                     });
  }
}

void ClusterRouter::Exists(CommandContext& ctx, ArgList args) {
  auto gather = std::make_shared<Gather<int64_t>>(args.size() - 1);
  auto done = std::make_shared<DeferredReply>(ctx.Defer());
  for (size_t i = 1; i < args.size(); ++i) {
    coordinator_.Get(
        args[i], QuorumFor(ctx),
        [this, gather, done, slot = i - 1](const Status& s, const cluster::ReplicaValueView& v) {
          if (gather->Done(slot, s, LiveNow(v) ? 1 : 0)) ReplyCount(*gather, *done);
        });
  }
}

void ClusterRouter::Del(CommandContext& ctx, ArgList args) {
  auto gather = std::make_shared<Gather<int64_t>>(args.size() - 1);
  auto done = std::make_shared<DeferredReply>(ctx.Defer());
  const int64_t grace_ms = state_.config.values().tombstone_grace * 1000;
  for (size_t i = 1; i < args.size(); ++i) {
    // One phase, stamped now, so commands pipelined after it see its effect.
    // The count is what the acknowledging replicas removed.
    coordinator_.Delete(args[i], WallClockMs() + grace_ms, QuorumFor(ctx),
                        [gather, done, slot = i - 1](const Status& s, bool existed) {
                          if (gather->Done(slot, s, existed ? 1 : 0)) ReplyCount(*gather, *done);
                        });
  }
}

void ClusterRouter::TtlGeneric(CommandContext& ctx, ArgList args, bool millis) {
  coordinator_.Get(
      args[1], QuorumFor(ctx),
      [this, done = ctx.Defer(), millis](const Status& s, const cluster::ReplicaValueView& v) {
        std::string out;
        ReplyBuilder reply(&out);
        if (!s.ok()) {
          reply.Error(s);
        } else if (!LiveNow(v)) {
          reply.Integer(-2);
        } else if (v.expire_at_ms == 0) {
          reply.Integer(-1);
        } else {
          const int64_t left = std::max<int64_t>(0, v.expire_at_ms - WallClockMs());
          reply.Integer(millis ? left : (left + 500) / 1000);
        }
        done(std::move(out));
      });
}

void ClusterRouter::Ttl(CommandContext& ctx, ArgList args) { TtlGeneric(ctx, args, false); }
void ClusterRouter::PTtl(CommandContext& ctx, ArgList args) { TtlGeneric(ctx, args, true); }

}  // namespace ringcache::cluster
