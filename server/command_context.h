// CommandContext: what a command handler gets besides its arguments — the
// node's state, the calling client's session, and where to write the reply.
#pragma once

#include "server/reply_builder.h"
#include "server/server_state.h"
#include "server/session.h"

namespace ringcache::server {

class CommandContext {
 public:
  CommandContext(ServerState& server, Session& session, ReplyBuilder& reply)
      : server_(server), session_(session), reply_(reply) {}

  ServerState& server() { return server_; }
  Keyspace& keyspace() { return server_.keyspace; }
  const ConfigValues& config() const { return server_.config.values(); }
  Session& session() { return session_; }
  ReplyBuilder& reply() { return reply_; }

 private:
  ServerState& server_;
  Session& session_;
  ReplyBuilder& reply_;
};

}  // namespace ringcache::server
