// Config: the node's settings, under Redis's names, from a redis.conf-style
// file, `--name value` command-line options and CONFIG SET.
//
// Settings the node acts on are typed fields of ConfigValues. Redis settings
// that do not apply to ringcache (RDB/AOF tuning, encodings, ...) are still
// accepted and reported back, because tools and test harnesses set them on
// connect; README.md lists them as "accepted, not applied".
//
// Single-threaded after start-up (CONFIG SET runs on the event loop).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace ringcache {

struct OutputBufferLimit {
  uint64_t hard_bytes = 0;  // 0: no limit
  uint64_t soft_bytes = 0;
  int64_t soft_seconds = 0;
};

struct ConfigValues {
  int64_t port = 6379;
  std::vector<std::string> bind = {"127.0.0.1"};  // a leading '-' marks an optional address
  std::string dir = ".";
  // Write-behind to RocksDB under dir (persistence/write_behind.h), or off.
  std::string persistence = "write-behind";
  int64_t flush_interval_ms = 100;   // the longest a change waits for its batch
  int64_t flush_batch_keys = 10000;  // a batch is cut sooner with this many keys
  int64_t max_dirty_keys = 1000000;  // writers wait while this many are unwritten
  int64_t max_flush_lag_ms = 1000;   // writers wait while a change waited this long (0: never)
  std::string requirepass;
  bool protected_mode = true;
  int64_t maxclients = 10000;
  int64_t timeout = 0;  // seconds a client may idle; 0: forever
  int64_t tcp_backlog = 511;
  int64_t tcp_keepalive = 300;
  int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  int64_t client_query_buffer_limit = 1024LL * 1024 * 1024;
  OutputBufferLimit client_output_buffer_limit_normal;
  int64_t hz = 10;
  // Memory limit in bytes (0: none) and what to do when it is reached.
  int64_t maxmemory = 0;
  std::string maxmemory_policy = "noeviction";
  int64_t maxmemory_samples = 5;
  // The largest table LCS may allocate (its length matrix is 4 bytes per pair
  // of positions): two 10 KB strings need 400 MB.
  int64_t lcs_max_memory = 256LL * 1024 * 1024;
  int64_t lfu_log_factor = 10;
  int64_t lfu_decay_time = 1;  // minutes of idleness that take one off a key's LFU counter
  // Sizes up to which hashes and sets keep their compact encodings
  // (types/collection_limits.h); the *-ziplist-* names are aliases.
  int64_t hash_max_listpack_entries = 128;
  int64_t hash_max_listpack_value = 64;
  int64_t set_max_intset_entries = 512;
  int64_t set_max_listpack_entries = 128;
  int64_t set_max_listpack_value = 64;
  int64_t list_max_listpack_size = -2;  // a list node's items, or bytes (-1: 4 KB ... -5: 64 KB)
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
  std::string loglevel = "notice";
  std::string logfile;
  std::string pidfile;
  // Shared by the nodes of a cluster; RC.AUTH with it makes a connection a
  // peer. Empty: no connection can become a peer.
  std::string cluster_secret;
  // Cluster mode is on when either is set. Seeds: "host:port" addresses a
  // node calls to join (it may list itself). Nodes: member ids known from the
  // start, on the ring before they first answer.
  std::string cluster_seeds;
  std::string cluster_nodes;
  std::string cluster_announce;  // this node's id; default 127.0.0.1:<port>
  int64_t replicas = 3;          // N
  int64_t write_quorum = 2;      // W
  int64_t read_quorum = 2;       // R
  int64_t vnodes = 2048;
  int64_t cluster_timeout_ms = 1000;       // a replica's answer, before NOQUORUM
  int64_t cluster_node_timeout_ms = 2000;  // a silent member is marked down
  int64_t tombstone_grace = 3600;          // seconds a delete is remembered
  int64_t hinted_handoff_max = 100000;     // writes kept for replicas that are down
  // Seconds between anti-entropy rounds (each node pulls newer versions from
  // its peers); 0 turns anti-entropy off, also the refill of a joining node.
  int64_t anti_entropy_interval = 60;
};

class Config {
 public:
  Config();

  const ConfigValues& values() const { return values_; }
  std::string_view config_file() const { return config_file_; }

  // Sets one setting from its textual value (several words joined by spaces,
  // e.g. "normal 0 0 0"). `at_runtime` refuses settings that cannot change
  // while running. The Status message is Redis's explanation, e.g.
  // "argument couldn't be parsed into an integer".
  Status Set(std::string_view name, std::string_view value, bool at_runtime);
  // CONFIG SET with several pairs: all or nothing. On failure `failed_name`
  // (if given) names the setting that was refused.
  Status SetMany(const std::vector<std::pair<std::string_view, std::string_view>>& pairs,
                 std::string_view* failed_name = nullptr);
  // name/value pairs of every setting matching any of the glob patterns.
  std::vector<std::pair<std::string, std::string>> Get(
      const std::vector<std::string_view>& patterns) const;
  bool IsKnown(std::string_view name) const;
  // Redis settings that are accepted but change nothing here, whose value
  // differs from what a Redis without the feature reports (e.g.
  // activedefrag yes): the node warns about them at start. Redis's own
  // persistence (save, appendonly) is among them when asked for at start:
  // CONFIG GET still reports none, and CONFIG SET refuses it.
  std::vector<std::pair<std::string, std::string>> InertChanges() const;
  // Whether `name` is such a setting, set to something other than that value.
  bool IsInertChange(std::string_view name) const;

  // Reads a redis.conf-style file. Throws std::runtime_error with the file,
  // line and reason on a bad line (start-up only).
  void LoadFile(const std::string& path);
  // Applies `[config-file] [--name value...]` command-line arguments
  // (argv without the program name). Throws std::runtime_error.
  void LoadArgs(const std::vector<std::string>& args);

 private:
  std::string Format(std::string_view name) const;
  void LoadText(std::string_view text, std::string_view origin);

  static bool IsRedisPersistence(std::string_view name);

  ConfigValues values_;
  std::map<std::string, std::string, std::less<>> inert_;  // accepted, not applied
  // save / appendonly values asked for at start, kept for the warning.
  std::map<std::string, std::string, std::less<>> replaced_;
  std::string config_file_;
};

// Parses Redis memory values: "1gb", "100mb", "64k", "1024".
bool ParseMemory(std::string_view text, int64_t* bytes);

}  // namespace ringcache
