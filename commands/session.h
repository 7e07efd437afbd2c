// Session: what the server knows about one client connection, apart from its
// socket — identity, protocol version, authentication, and the figures that
// CLIENT LIST shows. Connection owns one; command tests build one directly.
//
// Single-threaded: touched only by the event-loop thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ringcache {

struct Session {
  uint64_t id = 0;
  std::string name;
  std::string lib_name;
  std::string lib_ver;
  std::string addr;   // peer "ip:port"
  std::string laddr;  // local "ip:port"
  int fd = -1;
  int protocol = 2;
  bool authenticated = true;
  // Another node of the cluster, authenticated with the cluster secret: may
  // run internal (replica) commands.
  bool is_peer = false;
  // MULTI: commands queued until EXEC; a command refused while queueing
  // makes EXEC fail (EXECABORT), as in Redis.
  bool in_multi = false;
  bool multi_failed = false;
  bool in_exec = false;  // running EXEC's queued commands (blocking pops do not block)
  // Runs a command another cluster node forwarded to this one (RC.RUN): this
  // node coordinates it, it is not forwarded on.
  bool forwarded = false;
  std::vector<std::vector<std::string>> queued;
  // WATCH: the keys, with the expiry each had then; and
  // whether a write to one since spoilt the next EXEC (ClientRegistry).
  // In a cluster, instead of the expiry, a fingerprint of what a quorum
  // read found (cluster/watched_exec.cc).
  struct WatchedKey {
    std::string key;
    int64_t expire_at_ms = 0;
    uint64_t fingerprint = 0;
  };
  std::vector<WatchedKey> watched;
  bool watch_dirty = false;
  // RING QUORUM: this connection's W and R in cluster mode; 0 = the cluster's.
  int write_quorum = 0;
  int read_quorum = 0;
  // Set by QUIT and CLIENT KILL of oneself: close once pending replies are out.
  bool close_after_reply = false;
  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;
  std::string_view last_command;  // a command-table name: static storage
  // Figures the connection keeps current for CLIENT LIST / INFO clients.
  size_t query_buffer_used = 0;
  size_t query_buffer_capacity = 0;
  size_t output_buffer_used = 0;
  uint64_t commands_processed = 0;
  // Closes the connection from outside (CLIENT KILL, timeout); set by Connection.
  std::function<void()> kill;
};

}  // namespace ringcache
