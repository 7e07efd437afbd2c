// CommandRunner: runs commands through the real Dispatcher with no sockets,
// as a client on a fresh node, and returns the exact reply bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "commands/server_state.h"
#include "commands/session.h"

namespace ringcache::testing {

class CommandRunner {
 public:
  CommandRunner();

  // Runs one command; returns its reply as RESP bytes.
  std::string Run(std::vector<std::string> args);
  // Sets the node's clock (Unix ms) for expiry tests.
  void SetTimeMs(int64_t now_ms) { state_.keyspace.set_now_ms(now_ms); }
  int64_t now_ms() const { return state_.keyspace.now_ms(); }

  ServerState& state() { return state_; }
  Session& session() { return session_; }

 private:
  ServerState state_;
  Session session_;
};

// RESP helpers for expected replies.
std::string Bulk(std::string_view s);
std::string Int(int64_t v);
inline const std::string kOk = "+OK\r\n";
inline const std::string kNil = "$-1\r\n";

}  // namespace ringcache::testing
