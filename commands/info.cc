#include "commands/info.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "commands/blocked_clients.h"
#include "commands/command_table.h"
#include "commands/router.h"
#include "common/memory_stats.h"
#include "common/monotonic_clock.h"

namespace ringcache {
namespace {

using Sections = std::set<std::string, std::less<>>;

template <typename T>
void Field(std::string* out, std::string_view name, const T& value) {
  InfoField(out, name, value);
}

void ServerSection(ServerState& server, std::string* out) {
  utsname uts{};
  uname(&uts);
  const int64_t uptime_s = (WallClockMs() - server.start_time_ms) / 1000;
  out->append("# Server\r\n");
  Field(out, "redis_version", kRedisCompatVersion);
  Field(out, "ringcache_version", std::string_view(RINGCACHE_VERSION));
  Field(out, "redis_mode", std::string_view("standalone"));
  Field(out, "os", std::string(uts.sysname) + " " + uts.release + " " + uts.machine);
  Field(out, "arch_bits", 64);
  Field(out, "monotonic_clock", MonotonicClockName());
  Field(out, "multiplexing_api", std::string_view("epoll"));
  Field(out, "process_id", static_cast<int64_t>(getpid()));
  Field(out, "run_id", server.run_id);
  Field(out, "tcp_port", server.tcp_port);
  Field(out, "server_time_usec", WallClockMs() * 1000);
  Field(out, "uptime_in_seconds", uptime_s);
  Field(out, "uptime_in_days", uptime_s / 86400);
  Field(out, "hz", server.config.values().hz);
  Field(out, "executable", std::string_view("ringcache-server"));
  Field(out, "config_file", server.config.config_file());
}

void ClientsSection(ServerState& server, std::string* out) {
  size_t biggest_input = 0;
  size_t biggest_output = 0;
  server.clients.ForEach([&](const Session& s) {
    biggest_input = std::max(biggest_input, s.query_buffer_capacity);
    biggest_output = std::max(biggest_output, s.output_buffer_used);
  });
  out->append("# Clients\r\n");
  Field(out, "connected_clients", server.clients.size());
  Field(out, "maxclients", server.config.values().maxclients);
  Field(out, "client_recent_max_input_buffer", biggest_input);
  Field(out, "client_recent_max_output_buffer", biggest_output);
  const size_t routed = server.router != nullptr ? server.router->blocked_clients() : 0;
  Field(out, "blocked_clients", server.blocked->size() + routed);
}

void MemorySection(ServerState& server, std::string* out) {
  const MemoryStats mem = ReadMemoryStats();
  server.peak_memory = std::max<uint64_t>(server.peak_memory, mem.used);
  out->append("# Memory\r\n");
  Field(out, "used_memory", mem.used);
  Field(out, "used_memory_human", HumanBytes(mem.used));
  Field(out, "used_memory_rss", mem.rss);
  Field(out, "used_memory_rss_human", HumanBytes(mem.rss));
  Field(out, "used_memory_peak", server.peak_memory);
  Field(out, "used_memory_peak_human", HumanBytes(server.peak_memory));
  Field(out, "allocator_allocated", mem.allocator_allocated);
  Field(out, "allocator_active", mem.allocator_active);
  const EvictionSettings& eviction = server.evictor.settings();
  Field(out, "maxmemory", eviction.max_bytes);
  Field(out, "maxmemory_human", HumanBytes(eviction.max_bytes));
  Field(out, "maxmemory_policy", EvictionPolicyName(eviction.policy));
  const double ratio =
      mem.used == 0 ? 0 : static_cast<double>(mem.rss) / static_cast<double>(mem.used);
  Field(out, "mem_fragmentation_ratio", FormatFloat(ratio, 2));
  Field(out, "mem_allocator", AllocatorName());
}

// Redis's fields where they have a meaning here (a write-behind batch
// stands for a save, the dirty keys for the changes since it), then
// write-behind's own.
void PersistenceSection(ServerState& server, std::string* out) {
  out->append("# Persistence\r\n");
  const persistence::WriteBehind* wb = server.persistence.get();
  const int64_t now = WallClockMs();
  const persistence::WriteBehindStats none;
  const persistence::WriteBehindStats& st = wb != nullptr ? wb->stats() : none;
  Field(out, "loading", server.loading ? 1 : 0);
  Field(out, "async_loading", 0);
  Field(out, "rdb_changes_since_last_save", wb != nullptr ? wb->dirty_keys() : 0);
  Field(out, "rdb_bgsave_in_progress", wb != nullptr && wb->writing() ? 1 : 0);
  Field(out, "rdb_last_save_time",
        (st.last_flush_ms != 0 ? st.last_flush_ms : server.start_time_ms) / 1000);
  Field(out, "rdb_last_bgsave_status", wb != nullptr && wb->failing() ? "err" : "ok");
  Field(out, "aof_enabled", 0);
  Field(out, "aof_rewrite_in_progress", 0);
  Field(out, "persistence", wb != nullptr ? "write-behind" : "off");
  if (wb == nullptr) return;
  Field(out, "persistence_path", wb->store().path());
  Field(out, "dirty_keys", wb->dirty_keys());
  Field(out, "flush_in_progress", wb->writing() ? 1 : 0);
  Field(out, "flush_lag_ms", wb->flush_lag_ms(now));
  Field(out, "last_flush_time", st.last_flush_ms / 1000);
  Field(out, "last_flush_duration_us", st.last_flush_us);
  Field(out, "flushes", st.flushes);
  Field(out, "keys_written", st.keys_written);
  Field(out, "bytes_written", st.bytes_written);
  Field(out, "disk_bytes", wb->store().DiskBytes());
  Field(out, "write_errors", st.write_errors);
  Field(out, "last_write_error", st.last_error);
  Field(out, "writes_refused", wb->failing() ? 1 : 0);
  Field(out, "writers_waiting", server.backlog_waiters.size());
  Field(out, "writer_waits", server.backlog_waits);
  Field(out, "loading_loaded_keys", st.loaded_keys);
  Field(out, "loading_expired_keys", st.loaded_expired);
  Field(out, "loading_malformed_records", st.loaded_malformed);
  Field(out, "loading_stopped_at_maxmemory", st.load_stopped_at_maxmemory ? 1 : 0);
  Field(out, "loading_duration_ms", server.loading ? now - st.load_started_ms : st.load_ms);
}

void StatsSection(ServerState& server, std::string* out) {
  const ServerStats& s = server.stats;
  const KeyspaceStats& k = server.keyspace.stats();
  out->append("# Stats\r\n");
  Field(out, "total_connections_received", s.total_connections_received);
  Field(out, "total_commands_processed", s.total_commands_processed);
  Field(out, "instantaneous_ops_per_sec", static_cast<int64_t>(server.ops_per_sec.PerSecond()));
  Field(out, "total_net_input_bytes", s.total_net_input_bytes);
  Field(out, "total_net_output_bytes", s.total_net_output_bytes);
  Field(out, "instantaneous_input_kbps", FormatFloat(server.input_kbps.PerSecond() / 1024, 2));
  Field(out, "instantaneous_output_kbps", FormatFloat(server.output_kbps.PerSecond() / 1024, 2));
  Field(out, "rejected_connections", s.rejected_connections);
  Field(out, "expired_keys", k.expired_keys);
  Field(out, "evicted_keys", k.evicted_keys);
  Field(out, "keyspace_hits", k.keyspace_hits);
  Field(out, "keyspace_misses", k.keyspace_misses);
  Field(out, "total_error_replies", s.total_error_replies);
  Field(out, "client_query_buffer_limit_disconnections",
        s.client_query_buffer_limit_disconnections);
  Field(out, "client_output_buffer_limit_disconnections",
        s.client_output_buffer_limit_disconnections);
}

void ReplicationSection(std::string* out) {
  out->append("# Replication\r\n");
  Field(out, "role", std::string_view("master"));
  Field(out, "connected_slaves", 0);
}

void ClusterSection(ServerState& server, std::string* out) {
  out->append("# Cluster\r\n");
  // Always 0: ringcache does not speak the Redis Cluster protocol, and clients
  // that see 1 switch to it (CLUSTER SLOTS, MOVED). Its own ring is "ring_*".
  Field(out, "cluster_enabled", 0);
  Field(out, "ring_enabled", server.router != nullptr ? 1 : 0);
  if (server.router != nullptr) server.router->AppendInfo(out);
}

void CommandStatsSection(ServerState& server, std::string* out) {
  out->append("# Commandstats\r\n");
  server.commands.ForEachSpec([&](const CommandSpec& spec) {
    const CommandStats& st = spec.stats;
    if (st.calls == 0 && st.rejected_calls == 0 && st.failed_calls == 0) return;
    const double per_call =
        st.calls == 0 ? 0 : static_cast<double>(st.usec) / static_cast<double>(st.calls);
    Field(out, "cmdstat_" + std::string(spec.name),
          "calls=" + std::to_string(st.calls) + ",usec=" + std::to_string(st.usec) +
              ",usec_per_call=" + FormatFloat(per_call, 2) +
              ",rejected_calls=" + std::to_string(st.rejected_calls) +
              ",failed_calls=" + std::to_string(st.failed_calls));
  });
}

void KeyspaceSection(ServerState& server, std::string* out) {
  out->append("# Keyspace\r\n");
  if (server.keyspace.size() == 0) return;
  Field(out, "db0",
        "keys=" + std::to_string(server.keyspace.size()) +
            ",expires=" + std::to_string(server.keyspace.expires_count()) +
            ",avg_ttl=" + std::to_string(server.active_expiry.avg_ttl_ms()));
}

Sections Requested(ArgList args) {
  Sections wanted;
  for (size_t i = 1; i < args.size(); ++i) {
    std::string name(args[i]);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    wanted.insert(name);
  }
  if (wanted.empty() || wanted.count("default") != 0) {
    wanted.insert({"server", "clients", "memory", "persistence", "stats", "replication", "cluster",
                   "keyspace"});
  }
  if (wanted.count("all") != 0 || wanted.count("everything") != 0) {
    wanted.insert({"server", "clients", "memory", "persistence", "stats", "replication", "cluster",
                   "commandstats", "keyspace"});
  }
  return wanted;
}

}  // namespace

std::string FormatFloat(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
  return buf;
}

std::string HumanBytes(uint64_t bytes) {
  const char* units = "BKMGTP";
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  if (unit == 0) return std::to_string(bytes) + "B";
  return FormatFloat(value, 2) + units[unit];
}

std::string BuildInfo(ServerState& server, ArgList args) {
  const Sections wanted = Requested(args);
  std::string out;
  auto section = [&](std::string_view name, auto&& build) {
    if (wanted.count(name) == 0) return;
    if (!out.empty()) out.append("\r\n");
    build();
  };
  section("server", [&] { ServerSection(server, &out); });
  section("clients", [&] { ClientsSection(server, &out); });
  section("memory", [&] { MemorySection(server, &out); });
  section("persistence", [&] { PersistenceSection(server, &out); });
  section("stats", [&] { StatsSection(server, &out); });
  section("replication", [&] { ReplicationSection(&out); });
  section("cluster", [&] { ClusterSection(server, &out); });
  section("commandstats", [&] { CommandStatsSection(server, &out); });
  section("keyspace", [&] { KeyspaceSection(server, &out); });
  return out;
}

std::string DescribeClient(const Session& s) {
  const int64_t now = WallClockMs();
  std::string line;
  line.reserve(256);
  line += "id=" + std::to_string(s.id);
  line += " addr=" + s.addr;
  line += " laddr=" + s.laddr;
  line += " fd=" + std::to_string(s.fd);
  line += " name=" + s.name;
  line += " age=" + std::to_string((now - s.created_ms) / 1000);
  line += " idle=" + std::to_string((now - s.last_interaction_ms) / 1000);
  line += " flags=N db=0 sub=0 psub=0 ssub=0 multi=-1";
  line += " qbuf=" + std::to_string(s.query_buffer_used);
  line += " qbuf-free=" + std::to_string(s.query_buffer_capacity - s.query_buffer_used);
  line += " obl=" + std::to_string(s.output_buffer_used);
  line += " oll=0 omem=" + std::to_string(s.output_buffer_used);
  line += " tot-mem=" + std::to_string(s.query_buffer_capacity + s.output_buffer_used);
  line += " events=r cmd=" +
          (s.last_command.empty() ? std::string("NULL") : std::string(s.last_command));
  line += " user=default redir=-1 resp=" + std::to_string(s.protocol);
  line += " lib-name=" + s.lib_name;
  line += " lib-ver=" + s.lib_ver;
  return line;
}

}  // namespace ringcache
