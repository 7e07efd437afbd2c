// ServerState: everything a command handler may reach on this node — the
// keyspace, the settings, the command table, the connected clients and the
// counters INFO reports. The network layer (Server) owns one; command tests
// build one with no sockets at all.
//
// Single-threaded: the event-loop thread owns it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "commands/client_registry.h"
#include "commands/command_table.h"
#include "common/log_limiter.h"
#include "common/wall_clock.h"
#include "config/config.h"
#include "core/evictor.h"
#include "core/expiry.h"
#include "core/keyspace.h"
#include "persistence/write_behind.h"

namespace ringcache {

class Router;

struct ServerStats {
  uint64_t total_connections_received = 0;
  uint64_t total_commands_processed = 0;
  uint64_t rejected_connections = 0;
  uint64_t total_net_input_bytes = 0;
  uint64_t total_net_output_bytes = 0;
  uint64_t total_error_replies = 0;
  uint64_t client_query_buffer_limit_disconnections = 0;
  uint64_t client_output_buffer_limit_disconnections = 0;
};

// Samples a counter every cron tick and reports its recent rate per second,
// as Redis's instantaneous_ops_per_sec does.
class RateMeter {
 public:
  void Sample(int64_t now_ms, uint64_t value);
  double PerSecond() const;

 private:
  static constexpr int kSamples = 16;
  int64_t last_ms_ = 0;
  uint64_t last_value_ = 0;
  double samples_[kSamples] = {};
  int next_ = 0;
};

class BlockedClients;

class ServerState {
 public:
  ServerState();
  ~ServerState();
  ServerState(const ServerState&) = delete;
  ServerState& operator=(const ServerState&) = delete;

  Config config;
  Keyspace keyspace;
  Evictor evictor;
  CommandTable commands;
  ClientRegistry clients;
  ActiveExpiry active_expiry;
  ServerStats stats;
  RateMeter ops_per_sec;
  RateMeter input_kbps;
  RateMeter output_kbps;

  std::string run_id;
  int64_t start_time_ms = 0;
  uint64_t peak_memory = 0;  // greatest used memory seen after a command
  int tcp_port = 0;          // the port actually bound (the configured one may be 0)

  // Cluster mode only: runs key commands through the cluster.
  Router* router = nullptr;
  // Clients in a blocking pop (commands/blocked_clients.h).
  std::unique_ptr<BlockedClients> blocked;
  // Write-behind to disk; null when persistence is off.
  std::unique_ptr<persistence::WriteBehind> persistence;
  // While the data store loads at start, commands without the `loading`
  // flag are refused with -LOADING.
  bool loading = false;
  // Writers waiting for the write-behind backlog to shrink: each releases
  // its client (commands/dispatcher.cc).
  std::vector<std::function<void()>> backlog_waiters;
  uint64_t backlog_waits = 0;

  // Failed AUTH / RC.AUTH, and unauthenticated clients closed for
  // pipelining: each logged at most every few seconds, however fast a client
  // guesses or reconnects.
  LogLimiter auth_warnings{5000};
  LogLimiter unauthenticated_warnings{5000};

  // Set by the network layer: stops the node after the current batch.
  std::function<void()> request_shutdown;

  // Hands the maxmemory settings to the evictor; after CONFIG SET lowered the
  // limit, evicts towards it at once (within `budget_us`; the cron goes on).
  void ApplyMemorySettings(int64_t budget_us);
  void NoteMemoryPeak();
};

}  // namespace ringcache
