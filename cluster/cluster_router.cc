#include "cluster/cluster_router.h"

#include <memory>
#include <vector>

#include "cluster/gather.h"
#include "cluster/owned_args.h"
#include "common/wall_clock.h"
#include "resp/reply_builder.h"

namespace ringcache::cluster {
namespace {

// Commands without keys, or about this node's own copy of one. (Arity
// checks guarantee that a row with a first key has it.)
bool RunsHere(const CommandSpec& spec) {
  return (spec.flags & (kInternal | kNodeLocal)) != 0 ||
         (spec.first_key <= 0 && spec.get_keys == nullptr);
}

void ReplyStatus(const DeferredReply& done, const Status& status, int64_t removed,
                 OverwritePlan::Reply kind) {
  std::string out;
  ReplyBuilder reply(&out);
  if (!status.ok()) {
    reply.Error(status);
  } else if (kind == OverwritePlan::Reply::kOk) {
    reply.Ok();
  } else {
    reply.Integer(removed);
  }
  done(std::move(out));
}

}  // namespace

ClusterRouter::ClusterRouter(ServerState& state, ClusterNode& node)
    : state_(state), node_(node), pops_(node.io()) {
  // Pushes through any node reach this one as replica merges.
  state_.keyspace.set_created_hook(
      [](void* pops, std::string_view key) { static_cast<BlockedPops*>(pops)->KeyFilled(key); },
      &pops_);
}

ClusterRouter::~ClusterRouter() { state_.keyspace.set_created_hook(nullptr, nullptr); }

Router::Outcome ClusterRouter::Route(CommandContext& ctx, const CommandSpec& spec, ArgList args) {
  if (spec.cluster == ClusterRoute::kDefault && RunsHere(spec)) return Outcome::kLocal;
  // WATCH inside MULTI: the command's own error.
  if (spec.cluster == ClusterRoute::kWatch && ctx.session().in_multi) return Outcome::kLocal;
  // A transaction waits for this client's earlier one (or read-modify-write).
  if (spec.cluster == ClusterRoute::kAfterHolds)
    return ctx.AnyHeld() ? Outcome::kWait : Outcome::kLocal;
  if (ctx.AnyHeld() && MustWait(ctx, spec, args)) return Outcome::kWait;
  if (spec.cluster == ClusterRoute::kRefused || !ctx.can_defer()) {
    ctx.reply().Error("ERR '" + std::string(spec.name) + "' is not supported in cluster mode");
  } else if (!node_.gossiper().joined()) {
    ctx.reply().Error("CLUSTERDOWN this node has not reached a seed yet");
  } else if (spec.cluster == ClusterRoute::kEveryNode) {
    RouteEveryNode(ctx, spec, args);
  } else if (spec.cluster == ClusterRoute::kWatch) {
    RouteWatch(ctx, args);
  } else if (spec.cluster == ClusterRoute::kAddElements) {
    RouteAddElements(ctx, spec, args);
  } else if (spec.run.read != nullptr) {
    RouteRead(ctx, spec, args);
  } else if (spec.run.increment != nullptr) {
    RouteIncrement(ctx, spec, args);
  } else if (spec.run.overwrite == nullptr) {
    RouteReadModifyWrite(ctx, spec, args);
  } else {
    plan_.changes.clear();
    plan_.reply = OverwritePlan::Reply::kOk;
    switch (spec.run.overwrite(ctx, args, &plan_)) {
      case PlanResult::kPlanned:
        RouteOverwrite(ctx, plan_);
        break;
      case PlanResult::kReadModifyWrite:
        RouteReadModifyWrite(ctx, spec, args);
        break;
      case PlanResult::kReplied:
        break;
    }
  }
  return Outcome::kRouted;
}

bool ClusterRouter::MustWait(const CommandContext& ctx, const CommandSpec& spec,
                             ArgList args) const {
  if (spec.cluster == ClusterRoute::kEveryNode) return true;
  const CommandKeys keys(spec, args);
  const uint64_t lane = LaneOf(ctx, spec, keys);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (ctx.IsHeld(keys[i], lane)) return true;
  }
  return false;
}

QuorumSettings ClusterRouter::QuorumFor(const CommandContext& ctx) const {
  QuorumSettings q = node_.quorum();
  const Session& session = ctx.session();
  if (session.write_quorum > 0) q.write_quorum = static_cast<size_t>(session.write_quorum);
  if (session.read_quorum > 0) q.read_quorum = static_cast<size_t>(session.read_quorum);
  return q;
}

void ClusterRouter::ReplyFromValues(const CommandSpec& spec, ArgList args,
                                    std::span<const ValueView> values, int protocol,
                                    std::string* out) {
  ReplyBuilder reply(out, protocol);
  reply_session_.protocol = protocol;
  CommandContext ctx(state_, reply_session_, reply);
  spec.run.read(ctx, args, values);
}

void ClusterRouter::RouteRead(CommandContext& ctx, const CommandSpec& spec, ArgList args) {
  if (spec.first_key != spec.last_key || spec.get_keys != nullptr) {
    const CommandKeys keys(spec, args);
    if (keys.empty()) {  // get_keys found none: the command refuses its arguments itself
      ReplyFromValues(spec, args, {}, ctx.session().protocol, ctx.reply().buffer());
    } else {
      RouteReadMany(ctx, spec, args, keys);
    }
    return;
  }
  node_.coordinator().Get(
      args[static_cast<size_t>(spec.first_key)], QuorumFor(ctx),
      [this, &spec, done = ctx.Defer(), args = OwnedArgs(args), protocol = ctx.session().protocol](
          const Status& s, const ReplicaValueView& v) mutable {
        done.Write([&](std::string* out) {
          if (!s.ok()) {
            ReplyBuilder(out, protocol).Error(s);
            return;
          }
          std::string rendered;
          const ValueView value = ViewOf(spec, v, &rendered);
          args.WithViews([&](ArgList views) {
            ReplyFromValues(spec, views, {&value, 1}, protocol, out);
          });
        });
      });
}

void ClusterRouter::RouteReadMany(CommandContext& ctx, const CommandSpec& spec, ArgList args,
                                  const CommandKeys& keys) {
  struct Read {
    Read(ArgList a, size_t n, DeferredReply d) : args(a), gather(n), done(std::move(d)) {}
    OwnedArgs args;
    Gather<ReplicaValue> gather;
    DeferredReply done;
  };
  auto read = std::make_shared<Read>(args, keys.size(), ctx.Defer());
  const int protocol = ctx.session().protocol;
  for (size_t i = 0; i < keys.size(); ++i) {
    node_.coordinator().Get(
        keys[i], QuorumFor(ctx),
        [this, &spec, read, protocol, i](const Status& s, const ReplicaValueView& v) {
          if (!read->gather.Done(i, s, ToOwned(v))) return;
          std::string out;
          if (!read->gather.error.ok()) {
            ReplyBuilder(&out, protocol).Error(read->gather.error);
          } else {
            const size_t n = read->gather.results.size();
            std::vector<std::string> rendered(n);
            std::vector<ValueView> values;
            values.reserve(n);
            for (size_t k = 0; k < n; ++k) {
              values.push_back(ViewOf(spec, read->gather.results[k].view(), &rendered[k]));
            }
            read->args.WithViews(
                [&](ArgList views) { ReplyFromValues(spec, views, values, protocol, &out); });
          }
          read->done(out);
        });
  }
}

void ClusterRouter::RouteOverwrite(CommandContext& ctx, const OverwritePlan& plan) {
  Coordinator& coordinator = node_.coordinator();
  const QuorumSettings quorum = QuorumFor(ctx);
  const int64_t tombstone_until = WallClockMs() + ctx.config().tombstone_grace * 1000;
  const OverwritePlan::Reply kind = plan.reply;
  if (plan.changes.size() == 1) {  // SET, SETEX, DEL of one key: no gathering
    const Overwrite& change = plan.changes[0];
    auto reply = [done = ctx.Defer(), kind](const Status& s, bool removed = false) {
      ReplyStatus(done, s, removed ? 1 : 0, kind);
    };
    if (change.remove) {
      // Stamped now, so commands pipelined after it see its effect. The
      // count is what the acknowledging replicas removed.
      coordinator.Delete(change.key, tombstone_until, quorum, std::move(reply));
    } else {
      coordinator.Put(change.key, change.value, change.expire_at_ms, quorum, std::move(reply));
    }
    return;
  }
  auto gather = std::make_shared<Gather<int64_t>>(plan.changes.size());
  auto done = std::make_shared<DeferredReply>(ctx.Defer());
  for (size_t i = 0; i < plan.changes.size(); ++i) {
    const Overwrite& change = plan.changes[i];
    auto record = [gather, done, kind, i](const Status& s, bool removed = false) {
      if (!gather->Done(i, s, removed ? 1 : 0)) return;
      int64_t count = 0;
      for (int64_t n : gather->results) count += n;
      ReplyStatus(*done, gather->error, count, kind);
    };
    if (change.remove) {
      coordinator.Delete(change.key, tombstone_until, quorum, std::move(record));
    } else {
      coordinator.Put(change.key, change.value, change.expire_at_ms, quorum, std::move(record));
    }
  }
}

}  // namespace ringcache::cluster
