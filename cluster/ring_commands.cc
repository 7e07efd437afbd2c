// RING: the cluster as a client sees it — members and their share of the
// ring, the replicas of a key, and this connection's quorums.
#include <cstdio>
#include <string>

#include "cluster/cluster_commands.h"
#include "cluster/cluster_router.h"
#include "commands/command_context.h"
#include "commands/command_helpers.h"
#include "commands/command_table.h"

namespace ringcache::cluster {
namespace {

// RING NODES -> [[id, share-percent, state], ...] in order of ids; state is
// "myself", "up" or "down" as this node's failure detector sees it.
void RingNodesCommand(CommandContext& ctx, ArgList /*args*/) {
  const ClusterRouter* router = ClusterRouterOrReply(ctx);
  if (router == nullptr) return;
  const auto& nodes = router->node().ring().nodes();
  const std::vector<double> shares = router->node().ring().Ownership();
  ctx.reply().ArrayHeader(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    char share[32];
    std::snprintf(share, sizeof(share), "%.2f", 100 * shares[i]);
    ctx.reply().ArrayHeader(3);
    ctx.reply().Bulk(nodes[i]);
    ctx.reply().Bulk(share);
    const bool self = nodes[i] == router->node().self_id();
    ctx.reply().Bulk(self ? "myself" : router->node().membership().IsUp(nodes[i]) ? "up" : "down");
  }
}

// RING REPLICAS <key> -> the key's preference list, home node first.
void RingReplicasCommand(CommandContext& ctx, ArgList args) {
  const ClusterRouter* router = ClusterRouterOrReply(ctx);
  if (router == nullptr) return;
  const auto set = router->node().ring().PreferenceList(args[2], router->node().quorum().replicas);
  ctx.reply().ArrayHeader(set.size);
  for (uint32_t node : set) ctx.reply().Bulk(router->node().ring().nodes()[node]);
}

// RING QUORUM [<W> <R>] -> sets (or with no arguments shows) this connection's
// write and read quorums; 0 means the cluster's setting.
void RingQuorumCommand(CommandContext& ctx, ArgList args) {
  const ClusterRouter* router = ClusterRouterOrReply(ctx);
  if (router == nullptr) return;
  Session& session = ctx.session();
  if (args.size() == 4) {
    int64_t w = 0;
    int64_t r = 0;
    if (!ParseInt64OrReply(ctx, args[2], &w) || !ParseInt64OrReply(ctx, args[3], &r)) return;
    const auto n = static_cast<int64_t>(router->node().quorum().replicas);
    if (w < 0 || r < 0 || w > n || r > n) {
      ctx.reply().Error("ERR quorums must be between 0 (the cluster's) and " + std::to_string(n));
      return;
    }
    session.write_quorum = static_cast<int>(w);
    session.read_quorum = static_cast<int>(r);
  } else if (args.size() != 2) {
    ctx.reply().Error("ERR wrong number of arguments for 'ring|quorum' command");
    return;
  }
  const auto& q = router->node().quorum();
  ctx.reply().MapHeader(3);
  ctx.reply().Bulk("replicas");
  ctx.reply().Integer(static_cast<int64_t>(q.replicas));
  ctx.reply().Bulk("write-quorum");
  ctx.reply().Integer(session.write_quorum > 0 ? session.write_quorum
                                               : static_cast<int64_t>(q.write_quorum));
  ctx.reply().Bulk("read-quorum");
  ctx.reply().Integer(session.read_quorum > 0 ? session.read_quorum
                                              : static_cast<int64_t>(q.read_quorum));
}

// RING SYNC -> starts an anti-entropy round now (INFO cluster shows progress).
void RingSyncCommand(CommandContext& ctx, ArgList /*args*/) {
  ClusterRouter* router = ClusterRouterOrReply(ctx);
  if (router == nullptr) return;
  if (router->node().anti_entropy() == nullptr) {
    ctx.reply().Error("ERR anti-entropy is off (anti-entropy-interval 0)");
    return;
  }
  router->node().anti_entropy()->StartRound();
  ctx.reply().Ok();
}

void RingHelpCommand(CommandContext& ctx, ArgList /*args*/) {
  ReplyHelp(
      ctx, "RING",
      {"NODES", "    Return the members, their share of the ring and their state as seen here.",
       "REPLICAS <key>", "    Return the replicas of <key>, its home node first.",
       "QUORUM [<w> <r>]",
       "    Show, or set for this connection, the write and read quorums (0: the cluster's).",
       "SYNC", "    Start an anti-entropy round: pull newer versions from every peer."});
}

const CommandSpec kRingSubcommands[] = {
    {"ring|nodes", 2, kLoading | kStale, 0, 0, 0, RingNodesCommand, "cluster", "0.1.0",
     "Lists the cluster's members and their share of the ring."},
    {"ring|replicas", 3, kLoading | kStale, 0, 0, 0, RingReplicasCommand, "cluster", "0.1.0",
     "Lists the replicas of a key, its home node first."},
    {"ring|quorum", -2, kLoading | kStale, 0, 0, 0, RingQuorumCommand, "cluster", "0.1.0",
     "Shows or sets this connection's write and read quorums."},
    {"ring|sync", 2, kAdmin, 0, 0, 0, RingSyncCommand, "cluster", "0.1.0",
     "Starts an anti-entropy round: pulls newer versions from every peer."},
    {"ring|help", 2, kLoading | kStale, 0, 0, 0, RingHelpCommand, "cluster", "0.1.0",
     "Returns helpful text about the different subcommands."},
};

const CommandSpec kRingCommands[] = {
    {"ring", -2, 0, 0, 0, 0, nullptr, "cluster", "0.1.0",
     "A container for cluster membership and quorum commands.", ClusterRoute::kDefault,
     kRingSubcommands},
};

}  // namespace

ClusterRouter* ClusterRouterOrReply(CommandContext& ctx) {
  auto* router = dynamic_cast<ClusterRouter*>(ctx.server().router);
  if (router == nullptr) ctx.reply().Error("ERR this node is not in cluster mode");
  return router;
}

void RegisterRingCommands(CommandTable& table) {
  for (const CommandSpec& spec : kRingCommands) table.Register(spec);
}

}  // namespace ringcache::cluster
