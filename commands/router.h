// Router: how the dispatcher hands a command to the cluster. A node that is
// part of a cluster has one (cluster/cluster_router.h implements it); a single
// node has none and runs every command on its own keyspace.
//
// Event-loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "commands/command_table.h"
#include "commands/session.h"

namespace ringcache {

class CommandContext;

class Router {
 public:
  virtual ~Router() = default;
  enum class Outcome : uint8_t {
    kLocal,   // not the cluster's: run it on this node
    kRouted,  // answered, or its reply deferred
    kWait,    // must wait for an earlier command of this client: run it again later
  };
  // Runs `spec` through the cluster, replying through `ctx` (usually by
  // deferring the reply). REQUIRES: `args` passed the dispatcher's checks.
  virtual Outcome Route(CommandContext& ctx, const CommandSpec& spec, ArgList args) = 0;
  // INFO's ring_* fields ("name:value\r\n" lines) for the Cluster section.
  virtual void AppendInfo(std::string* out) const = 0;
  // Clients waiting in a blocking pop through the cluster (INFO clients).
  virtual size_t blocked_clients() const = 0;
  // EXEC after WATCH (its `watched` keys as the router's WATCH left them);
  // replies through `ctx`. REQUIRES: ctx.can_defer().
  virtual void ExecWatched(CommandContext& ctx, std::vector<Session::WatchedKey> watched,
                           std::vector<std::vector<std::string>> queued) = 0;
};

}  // namespace ringcache
