// The cluster's own commands: the internal replica commands nodes send each
// other over the cluster bus (RC.*, and RC.RUN, a forwarded client command),
// and RING, the cluster as a client sees it. Registered on every node by the server (a node that is
// no cluster member can still serve as a replica, and answers RING with an error).
#pragma once

#include "commands/command_context.h"
#include "commands/command_table.h"

namespace ringcache::cluster {

class ClusterRouter;

void RegisterReplicaCommands(CommandTable& table);
void RegisterRingCommands(CommandTable& table);
// RC.RUN: a command another node forwarded to a key's home (forwarding.cc).
void RegisterForwardCommands(CommandTable& table);
// RC.EXEC: a transaction with WATCH, at its home (watched_exec.cc).
// Both carry the time by which they must start (SendHome's run-by-ms): past
// it, this replies an error and returns true.
bool RefusedPastRunBy(CommandContext& ctx, std::string_view run_by_ms);
void RegisterTransactionHomeCommands(CommandTable& table);
// All of them.
inline void RegisterClusterCommands(CommandTable& table) {
  RegisterReplicaCommands(table);
  RegisterRingCommands(table);
  RegisterForwardCommands(table);
  RegisterTransactionHomeCommands(table);
}

// This node's cluster router, or nullptr after replying that this node is
// not in cluster mode.
ClusterRouter* ClusterRouterOrReply(CommandContext& ctx);

}  // namespace ringcache::cluster
