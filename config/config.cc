#include "config/config.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/glob.h"
#include "common/number_parsing.h"
#include "common/strings.h"
#include "core/evictor.h"
#include "resp/resp_parser.h"

namespace ringcache {
namespace {

enum class Kind {
  kInt,
  kMemory,
  kBool,
  kString,
  kLogLevel,
  kBind,
  kOutputLimit,
  kEvictionPolicy,
  kPersistence
};

struct Setting {
  std::string_view name;
  Kind kind;
  bool runtime_mutable;
  int64_t min = 0;
  int64_t max = 0;
  int64_t ConfigValues::*int_field = nullptr;
  bool ConfigValues::*bool_field = nullptr;
  std::string ConfigValues::*string_field = nullptr;
};

constexpr int64_t kMaxInt = INT64_MAX;

// Settings the node acts on.
const Setting kSettings[] = {
    {"port", Kind::kInt, false, 0, 65535, &ConfigValues::port},
    {"bind", Kind::kBind, false},
    {"dir", Kind::kString, false, 0, 0, nullptr, nullptr, &ConfigValues::dir},
    {"persistence", Kind::kPersistence, false, 0, 0, nullptr, nullptr, &ConfigValues::persistence},
    {"flush-interval-ms", Kind::kInt, true, 1, 60000, &ConfigValues::flush_interval_ms},
    {"flush-batch-keys", Kind::kInt, true, 1, INT32_MAX, &ConfigValues::flush_batch_keys},
    {"max-dirty-keys", Kind::kInt, true, 1, INT32_MAX, &ConfigValues::max_dirty_keys},
    {"max-flush-lag-ms", Kind::kInt, true, 0, 3600000, &ConfigValues::max_flush_lag_ms},
    {"requirepass", Kind::kString, true, 0, 0, nullptr, nullptr, &ConfigValues::requirepass},
    {"protected-mode", Kind::kBool, true, 0, 0, nullptr, &ConfigValues::protected_mode},
    {"maxclients", Kind::kInt, true, 1, 1000000, &ConfigValues::maxclients},
    {"timeout", Kind::kInt, true, 0, INT32_MAX, &ConfigValues::timeout},
    {"tcp-backlog", Kind::kInt, false, 0, INT32_MAX, &ConfigValues::tcp_backlog},
    {"tcp-keepalive", Kind::kInt, true, 0, INT32_MAX, &ConfigValues::tcp_keepalive},
    // Entry lengths are 31 bits for a key (core/entry.h): 2 GB - 1 at most.
    {"proto-max-bulk-len", Kind::kMemory, true, int64_t{1024} * 1024, INT32_MAX,
     &ConfigValues::proto_max_bulk_len},
    {"client-query-buffer-limit", Kind::kMemory, true, int64_t{1024} * 1024, kMaxInt,
     &ConfigValues::client_query_buffer_limit},
    {"client-output-buffer-limit", Kind::kOutputLimit, true},
    {"hz", Kind::kInt, true, 1, 500, &ConfigValues::hz},
    {"maxmemory", Kind::kMemory, true, 0, kMaxInt, &ConfigValues::maxmemory},
    {"maxmemory-policy", Kind::kEvictionPolicy, true, 0, 0, nullptr, nullptr,
     &ConfigValues::maxmemory_policy},
    {"maxmemory-samples", Kind::kInt, true, 1, 64, &ConfigValues::maxmemory_samples},
    {"lcs-max-memory", Kind::kMemory, true, 0, kMaxInt, &ConfigValues::lcs_max_memory},
    {"lfu-log-factor", Kind::kInt, true, 0, INT32_MAX, &ConfigValues::lfu_log_factor},
    {"lfu-decay-time", Kind::kInt, true, 0, INT32_MAX, &ConfigValues::lfu_decay_time},
    {"hash-max-listpack-entries", Kind::kInt, true, 0, kMaxInt,
     &ConfigValues::hash_max_listpack_entries},
    {"hash-max-ziplist-entries", Kind::kInt, true, 0, kMaxInt,
     &ConfigValues::hash_max_listpack_entries},
    {"hash-max-listpack-value", Kind::kInt, true, 0, kMaxInt,
     &ConfigValues::hash_max_listpack_value},
    {"hash-max-ziplist-value", Kind::kInt, true, 0, kMaxInt,
     &ConfigValues::hash_max_listpack_value},
    {"set-max-intset-entries", Kind::kInt, true, 0, kMaxInt, &ConfigValues::set_max_intset_entries},
    {"set-max-listpack-entries", Kind::kInt, true, 0, kMaxInt,
     &ConfigValues::set_max_listpack_entries},
    {"set-max-listpack-value", Kind::kInt, true, 0, kMaxInt, &ConfigValues::set_max_listpack_value},
    {"list-max-listpack-size", Kind::kInt, true, INT32_MIN, INT32_MAX,
     &ConfigValues::list_max_listpack_size},
    {"list-max-ziplist-size", Kind::kInt, true, INT32_MIN, INT32_MAX,
     &ConfigValues::list_max_listpack_size},
    {"zset-max-listpack-entries", Kind::kInt, true, 0, kMaxInt,
     &ConfigValues::zset_max_listpack_entries},
    {"zset-max-ziplist-entries", Kind::kInt, true, 0, kMaxInt,
     &ConfigValues::zset_max_listpack_entries},
    {"zset-max-listpack-value", Kind::kInt, true, 0, kMaxInt,
     &ConfigValues::zset_max_listpack_value},
    {"zset-max-ziplist-value", Kind::kInt, true, 0, kMaxInt,
     &ConfigValues::zset_max_listpack_value},
    {"loglevel", Kind::kLogLevel, true, 0, 0, nullptr, nullptr, &ConfigValues::loglevel},
    {"logfile", Kind::kString, false, 0, 0, nullptr, nullptr, &ConfigValues::logfile},
    {"pidfile", Kind::kString, false, 0, 0, nullptr, nullptr, &ConfigValues::pidfile},
    {"cluster-secret", Kind::kString, true, 0, 0, nullptr, nullptr, &ConfigValues::cluster_secret},
    {"cluster-seeds", Kind::kString, false, 0, 0, nullptr, nullptr, &ConfigValues::cluster_seeds},
    {"cluster-nodes", Kind::kString, false, 0, 0, nullptr, nullptr, &ConfigValues::cluster_nodes},
    {"cluster-announce", Kind::kString, false, 0, 0, nullptr, nullptr,
     &ConfigValues::cluster_announce},
    {"replicas", Kind::kInt, false, 1, 16, &ConfigValues::replicas},
    {"write-quorum", Kind::kInt, false, 1, 16, &ConfigValues::write_quorum},
    {"read-quorum", Kind::kInt, false, 1, 16, &ConfigValues::read_quorum},
    {"vnodes", Kind::kInt, false, 1, 65536, &ConfigValues::vnodes},
    {"cluster-timeout", Kind::kInt, true, 10, 600000, &ConfigValues::cluster_timeout_ms},
    {"cluster-node-timeout", Kind::kInt, false, 100, 600000,
     &ConfigValues::cluster_node_timeout_ms},
    {"tombstone-grace", Kind::kInt, true, 1, INT32_MAX, &ConfigValues::tombstone_grace},
    {"hinted-handoff-max", Kind::kInt, false, 0, INT32_MAX, &ConfigValues::hinted_handoff_max},
    {"anti-entropy-interval", Kind::kInt, false, 0, int64_t{86400} * 365,
     &ConfigValues::anti_entropy_interval},
};

// Redis settings that tools set or read but that ringcache does not act on,
// with the values a Redis without the feature would report.
const std::pair<std::string_view, std::string_view> kInertDefaults[] = {
    {"save", ""},
    {"appendonly", "no"},
    {"appendfsync", "everysec"},
    {"appendfilename", "appendonly.aof"},
    {"appenddirname", "appendonlydir"},
    {"dbfilename", "dump.rdb"},
    {"rdbcompression", "yes"},
    {"rdbchecksum", "yes"},
    {"stop-writes-on-bgsave-error", "yes"},
    {"databases", "1"},
    {"daemonize", "no"},
    {"supervised", "no"},
    {"maxmemory-eviction-tenacity", "10"},
    {"active-expire-effort", "1"},
    {"activerehashing", "yes"},
    {"activedefrag", "no"},
    {"lazyfree-lazy-eviction", "no"},
    {"lazyfree-lazy-expire", "no"},
    {"lazyfree-lazy-server-del", "no"},
    {"lazyfree-lazy-user-del", "no"},
    {"lazyfree-lazy-user-flush", "no"},
    {"io-threads", "1"},
    {"io-threads-do-reads", "no"},
    {"dynamic-hz", "yes"},
    {"slowlog-log-slower-than", "10000"},
    {"slowlog-max-len", "128"},
    {"latency-monitor-threshold", "0"},
    {"latency-tracking", "yes"},
    {"notify-keyspace-events", ""},
    {"lua-time-limit", "5000"},
    {"busy-reply-threshold", "5000"},
    {"list-compress-depth", "0"},
    {"hll-sparse-max-bytes", "3000"},
    {"stream-node-max-bytes", "4096"},
    {"stream-node-max-entries", "100"},
    {"repl-backlog-size", "1048576"},
    {"repl-diskless-sync", "yes"},
    {"replica-read-only", "yes"},
    {"replica-serve-stale-data", "yes"},
    {"min-replicas-to-write", "0"},
    {"min-replicas-max-lag", "10"},
    {"enable-debug-command", "no"},
    {"enable-protected-configs", "no"},
    {"enable-module-command", "no"},
    {"syslog-enabled", "no"},
    {"always-show-logo", "no"},
    {"set-proc-title", "yes"},
    {"crash-log-enabled", "yes"},
    {"jemalloc-bg-thread", "yes"},
    {"oom-score-adj", "no"},
    {"acllog-max-len", "128"},
    {"tracking-table-max-keys", "1000000"},
    {"aof-rewrite-incremental-fsync", "yes"},
    {"rdb-save-incremental-fsync", "yes"},
    {"auto-aof-rewrite-percentage", "100"},
    {"auto-aof-rewrite-min-size", "67108864"},
    {"no-appendfsync-on-rewrite", "no"},
    {"cluster-enabled", "no"},
    {"unixsocket", ""},
    {"unixsocketperm", "0"},
};

const Setting* FindSetting(std::string_view name) {
  for (const Setting& s : kSettings) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    const size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

Status ParseBool(std::string_view value, bool* out) {
  const std::string v = Lowercase(value);
  if (v == "yes") {
    *out = true;
  } else if (v == "no") {
    *out = false;
  } else {
    return Status::InvalidArgument("argument must be 'yes' or 'no'");
  }
  return Status::Ok();
}

Status ParseBoundedInt(const Setting& s, std::string_view value, int64_t* out) {
  int64_t v = 0;
  if (s.kind == Kind::kMemory) {
    if (!ParseMemory(value, &v)) return Status::InvalidArgument("argument must be a memory value");
  } else if (!ParseInt64(value, &v)) {
    return Status::InvalidArgument("argument couldn't be parsed into an integer");
  }
  if (v < s.min || v > s.max) {
    return Status::InvalidArgument("argument must be between " + std::to_string(s.min) + " and " +
                                   std::to_string(s.max) + " inclusive");
  }
  *out = v;
  return Status::Ok();
}

// "normal <hard> <soft> <seconds> [class ...]": only the normal class applies.
Status ParseOutputLimit(std::string_view value, OutputBufferLimit* out) {
  const std::vector<std::string_view> words = Words(value);
  if (words.empty() || words.size() % 4 != 0) {
    return Status::InvalidArgument("Wrong number of arguments in buffer limit configuration.");
  }
  for (size_t i = 0; i < words.size(); i += 4) {
    const std::string cls = Lowercase(words[i]);
    int64_t hard = 0;
    int64_t soft = 0;
    int64_t seconds = 0;
    if (cls != "normal" && cls != "replica" && cls != "slave" && cls != "pubsub") {
      return Status::InvalidArgument(
          "Invalid client class specified in buffer limit configuration.");
    }
    if (!ParseMemory(words[i + 1], &hard) || !ParseMemory(words[i + 2], &soft) ||
        !ParseInt64(words[i + 3], &seconds) || hard < 0 || soft < 0 || seconds < 0) {
      return Status::InvalidArgument(
          "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
    }
    if (cls == "normal") {
      *out = {static_cast<uint64_t>(hard), static_cast<uint64_t>(soft), seconds};
    }
  }
  return Status::Ok();
}

std::string JoinWords(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

}  // namespace

bool ParseMemory(std::string_view text, int64_t* bytes) {
  const std::string t = Lowercase(text);
  size_t digits = t.size();
  while (digits > 0 && std::isalpha(static_cast<unsigned char>(t[digits - 1]))) --digits;
  const std::string_view unit = std::string_view(t).substr(digits);
  int64_t mul = 1;
  if (unit.empty() || unit == "b") {
    mul = 1;
  } else if (unit == "k") {
    mul = 1000;
  } else if (unit == "kb") {
    mul = 1024;
  } else if (unit == "m") {
    mul = int64_t{1000} * 1000;
  } else if (unit == "mb") {
    mul = int64_t{1024} * 1024;
  } else if (unit == "g") {
    mul = 1000LL * 1000 * 1000;
  } else if (unit == "gb") {
    mul = 1024LL * 1024 * 1024;
  } else {
    return false;
  }
  int64_t n = 0;
  if (!ParseInt64(std::string_view(t).substr(0, digits), &n) || n < 0) return false;
  if (n > INT64_MAX / mul) return false;
  *bytes = n * mul;
  return true;
}

Config::Config() {
  for (const auto& [name, value] : kInertDefaults) inert_.emplace(name, value);
}

bool Config::IsRedisPersistence(std::string_view name) {
  return name == "save" || name == "appendonly";
}

std::vector<std::pair<std::string, std::string>> Config::InertChanges() const {
  std::vector<std::pair<std::string, std::string>> changed(replaced_.begin(), replaced_.end());
  for (const auto& [name, fallback] : kInertDefaults) {
    const auto it = inert_.find(name);
    if (it != inert_.end() && it->second != fallback) changed.emplace_back(name, it->second);
  }
  return changed;
}

bool Config::IsInertChange(std::string_view name) const {
  const std::string lower = Lowercase(name);
  for (const auto& [inert, fallback] : kInertDefaults) {
    if (inert == lower) return inert_.find(lower)->second != fallback;
  }
  return false;
}

bool Config::IsKnown(std::string_view name) const {
  const std::string lower = Lowercase(name);
  return FindSetting(lower) != nullptr || inert_.count(lower) != 0;
}

Status Config::Set(std::string_view raw_name, std::string_view value, bool at_runtime) {
  const std::string name = Lowercase(raw_name);
  const Setting* s = FindSetting(name);
  if (s == nullptr) {
    auto it = inert_.find(name);
    if (it == inert_.end()) return Status::NotFound("unknown setting");
    if (IsRedisPersistence(name) && value != it->second) {
      // CONFIG GET keeps telling the truth (no snapshots, no AOF); a Redis
      // config file that asks for them still starts a node, with a warning.
      if (at_runtime) {
        return Status::InvalidArgument(
            "ringcache takes no RDB snapshots and keeps no AOF: it writes behind to RocksDB "
            "(see CONFIG GET persistence)");
      }
      replaced_[name] = std::string(value);
      return Status::Ok();
    }
    if (at_runtime && name == "databases")
      return Status::InvalidArgument("can't set immutable config");
    if (name == "databases" && value != "1") {
      return Status::InvalidArgument("ringcache has one database; databases must be 1");
    }
    it->second = std::string(value);
    return Status::Ok();
  }
  if (at_runtime && !s->runtime_mutable)
    return Status::InvalidArgument("can't set immutable config");
  switch (s->kind) {
    case Kind::kInt:
    case Kind::kMemory:
      return ParseBoundedInt(*s, value, &(values_.*(s->int_field)));
    case Kind::kBool:
      return ParseBool(value, &(values_.*(s->bool_field)));
    case Kind::kString:
      values_.*(s->string_field) = std::string(value);
      return Status::Ok();
    case Kind::kLogLevel: {
      const std::string level = Lowercase(value);
      if (level != "debug" && level != "verbose" && level != "notice" && level != "warning" &&
          level != "nothing") {
        return Status::InvalidArgument(
            "argument(s) must be one of the following: debug, verbose, notice, warning, nothing");
      }
      values_.loglevel = level;
      return Status::Ok();
    }
    case Kind::kBind: {
      std::vector<std::string> addresses;
      for (std::string_view w : Words(value)) addresses.emplace_back(w);
      if (addresses.empty()) return Status::InvalidArgument("bind needs at least one address");
      values_.bind = std::move(addresses);
      return Status::Ok();
    }
    case Kind::kOutputLimit:
      return ParseOutputLimit(value, &values_.client_output_buffer_limit_normal);
    case Kind::kPersistence: {
      const std::string mode = Lowercase(value);
      if (mode != "write-behind" && mode != "off") {
        return Status::InvalidArgument(
            "argument(s) must be one of the following: write-behind, off");
      }
      values_.persistence = mode;
      return Status::Ok();
    }
    case Kind::kEvictionPolicy: {
      EvictionPolicy policy;
      if (!ParseEvictionPolicy(value, &policy)) {
        return Status::InvalidArgument(
            "argument(s) must be one of the following: volatile-lru, allkeys-lru, volatile-lfu, "
            "allkeys-lfu, volatile-random, allkeys-random, volatile-ttl, noeviction");
      }
      values_.maxmemory_policy = std::string(EvictionPolicyName(policy));
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("unsupported setting");
}

Status Config::SetMany(const std::vector<std::pair<std::string_view, std::string_view>>& pairs,
                       std::string_view* failed_name) {
  const ConfigValues saved_values = values_;
  const auto saved_inert = inert_;
  for (const auto& [name, value] : pairs) {
    Status s = Set(name, value, /*at_runtime=*/true);
    if (!s.ok()) {
      values_ = saved_values;
      inert_ = saved_inert;
      if (failed_name != nullptr) *failed_name = name;
      return s;
    }
  }
  return Status::Ok();
}

std::string Config::Format(std::string_view name) const {
  if (const Setting* s = FindSetting(name)) {
    switch (s->kind) {
      case Kind::kInt:
      case Kind::kMemory:
        return std::to_string(values_.*(s->int_field));
      case Kind::kBool:
        return values_.*(s->bool_field) ? "yes" : "no";
      case Kind::kString:
      case Kind::kLogLevel:
      case Kind::kEvictionPolicy:
      case Kind::kPersistence:
        return values_.*(s->string_field);
      case Kind::kBind:
        return JoinWords(values_.bind);
      case Kind::kOutputLimit: {
        const OutputBufferLimit& l = values_.client_output_buffer_limit_normal;
        return "normal " + std::to_string(l.hard_bytes) + " " + std::to_string(l.soft_bytes) + " " +
               std::to_string(l.soft_seconds) +
               " slave 268435456 67108864 60 pubsub 33554432 8388608 60";
      }
    }
  }
  auto it = inert_.find(name);
  return it == inert_.end() ? std::string() : it->second;
}

std::vector<std::pair<std::string, std::string>> Config::Get(
    const std::vector<std::string_view>& patterns) const {
  std::vector<std::pair<std::string, std::string>> out;
  auto consider = [&](std::string_view name) {
    for (std::string_view pattern : patterns) {
      if (GlobMatch(pattern, name, /*nocase=*/true)) {
        out.emplace_back(name, Format(name));
        return;
      }
    }
  };
  for (const Setting& s : kSettings) consider(s.name);
  for (const auto& [name, value] : inert_) consider(name);
  return out;
}

void Config::LoadText(std::string_view text, std::string_view origin) {
  size_t line_number = 0;
  std::istringstream stream{std::string(text)};
  std::string line;
  while (std::getline(stream, line)) {
    ++line_number;
    std::string storage;
    std::vector<std::string_view> words;
    const auto fail = [&](std::string_view why) {
      throw std::runtime_error(std::string(origin) + ":" + std::to_string(line_number) + ": " +
                               std::string(why) + " ('" + line + "')");
    };
    if (!SplitInlineArgs(line, &storage, &words)) fail("unbalanced quotes");
    if (words.empty() || words[0][0] == '#') continue;
    std::vector<std::string> rest(words.begin() + 1, words.end());
    const std::string name = Lowercase(words[0]);
    if (rest.empty() && name != "save" && name != "requirepass" && name != "logfile") {
      fail("Bad directive or wrong number of arguments");
    }
    Status s = Set(name, JoinWords(rest), /*at_runtime=*/false);
    if (s.IsNotFound()) fail("Bad directive or wrong number of arguments");
    if (!s.ok()) fail(s.message());
  }
}

void Config::LoadFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot open config file '" + path + "'");
  std::stringstream text;
  text << file.rdbuf();
  config_file_ = path;
  LoadText(text.str(), path);
}

void Config::LoadArgs(const std::vector<std::string>& args) {
  size_t i = 0;
  if (!args.empty() && args[0].rfind("--", 0) != 0) {
    LoadFile(args[0]);
    i = 1;
  }
  // Like redis-server: each "--name" starts a line, the words after it are its
  // value (quoted so spaces survive).
  std::string text;
  for (; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) == 0 && arg.size() > 2) {
      if (!text.empty()) text += '\n';
      text += arg.substr(2);
      continue;
    }
    if (text.empty()) throw std::runtime_error("unexpected argument '" + arg + "'");
    text += " \"";
    for (char c : arg) {
      if (c == '"' || c == '\\') text += '\\';
      text += c;
    }
    text += '"';
  }
  LoadText(text, "command line");
}

}  // namespace ringcache
