#include "server/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "cluster/cluster_commands.h"
#include "commands/blocked_clients.h"
#include "commands/collection_helpers.h"
#include "common/fd_limit.h"
#include "common/memory_stats.h"
#include "common/monotonic_clock.h"
#include "net/connection.h"
#include "net/listener.h"

namespace ringcache::server {
namespace {

// Share of each cron period the active expiry may use (Redis: 25%).
constexpr int64_t kExpireBudgetPercent = 25;
// Share of each cron period eviction may use when over the limit.
constexpr int64_t kEvictBudgetPercent = 25;
// Incremental rehashing done by the cron per tick, as Redis's 1 ms.
constexpr int64_t kRehashBudgetUs = 1000;
// Loading at start goes in slices, so that INFO and PING answer meanwhile.
constexpr int64_t kLoadSliceUs = 20000;
// Write-behind looks for a batch to cut this often (or each flush interval,
// when that is shorter).
constexpr int64_t kPersistenceTickMs = 10;
// The data store's folder under `dir`.
constexpr const char* kStoreFolder = "ringcache-data";

persistence::WriteBehindSettings WriteBehindSettingsOf(const ConfigValues& config) {
  persistence::WriteBehindSettings settings;
  settings.flush_interval_ms = config.flush_interval_ms;
  settings.flush_batch_keys = config.flush_batch_keys;
  settings.max_dirty_keys = config.max_dirty_keys;
  settings.max_flush_lag_ms = config.max_flush_lag_ms;
  return settings;
}

}  // namespace

Server::Server(ServerState& state)
    : state_(state),
      io_(1),
      listener_(io_, state),
      cron_timer_(io_),
      persistence_timer_(io_),
      signals_(io_, SIGINT, SIGTERM) {
  state_.request_shutdown = [this] { asio::post(io_, [this] { Stop(); }); };
  cluster::RegisterClusterCommands(state_.commands);
}

void Server::AdjustOpenFilesLimit() {
  const int64_t maxclients = state_.config.values().maxclients;
  const int64_t wanted = maxclients + kReservedFds;
  const int64_t limit = RaiseFileLimit(wanted);
  if (limit >= wanted) return;
  const int64_t clients = limit - kReservedFds;
  if (clients < 1) {
    throw std::runtime_error("Your current 'ulimit -n' of " + std::to_string(limit) +
                             " is not enough for the server to start. Please increase your "
                             "open file limit to at least " +
                             std::to_string(kReservedFds + 1) + ".");
  }
  spdlog::warn(
      "You requested maxclients of {} requiring at least {} max file descriptors, but the "
      "limit is {}: maxclients has been reduced to {} to compensate for low ulimit. If you need "
      "higher maxclients increase 'ulimit -n'.",
      maxclients, wanted, limit, clients);
  (void)state_.config.Set("maxclients", std::to_string(clients), /*at_runtime=*/false);
}

void Server::Listen() {
  AdjustOpenFilesLimit();
  const ConfigValues& config = state_.config.values();
  listener_.Bind();
  if (config.persistence != "off") OpenPersistence();
  if (!config.cluster_nodes.empty() || !config.cluster_seeds.empty()) {
    cluster_ = std::make_unique<cluster::ClusterNode>(io_, state_);
    router_ = std::make_unique<cluster::ClusterRouter>(state_, *cluster_);
    state_.router = router_.get();
    spdlog::info("cluster mode: node {} of {}, N={} W={} R={}", cluster_->self_id(),
                 cluster_->ring().nodes().size(), config.replicas, config.write_quorum,
                 config.read_quorum);
  }
  listener_.Start();
}

void Server::OpenPersistence() {
  const std::string path = (std::filesystem::current_path() / kStoreFolder).string();
  state_.persistence = std::make_unique<persistence::WriteBehind>(
      std::make_unique<persistence::Store>(path), state_.keyspace);
  state_.loading = true;
  spdlog::info("loading the data store {}", path);
  asio::post(io_, [this] { LoadSlice(); });
}

void Server::LoadSlice() {
  if (stopping_) return;
  const ConfigValues& config = state_.config.values();
  persistence::WriteBehind& wb = *state_.persistence;
  state_.keyspace.set_now_ms(WallClockMs());
  if (wb.LoadSome(WallClockMs(), LimitsOf(config), static_cast<size_t>(config.maxmemory),
                  kLoadSliceUs)) {
    asio::post(io_, [this] { LoadSlice(); });
    return;
  }
  const persistence::WriteBehindStats& st = wb.stats();
  spdlog::info(
      "loaded {} keys from disk in {} ms ({} expired while stopped, {} unreadable){}",
      st.loaded_keys, st.load_ms, st.loaded_expired, st.loaded_malformed,
      st.load_stopped_at_maxmemory ? "; stopped at maxmemory, the rest stays on disk" : "");
  state_.loading = false;
  wb.set_settings(WriteBehindSettingsOf(config));
  wb.Start();
  SchedulePersistenceTick();
}

void Server::SchedulePersistenceTick() {
  const int64_t period_ms = std::min(kPersistenceTickMs, state_.config.values().flush_interval_ms);
  persistence_timer_.expires_after(std::chrono::milliseconds(period_ms));
  persistence_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec || stopping_) return;
    persistence::WriteBehind& wb = *state_.persistence;
    wb.set_settings(WriteBehindSettingsOf(state_.config.values()));
    const int64_t now_ms = WallClockMs();
    wb.Tick(now_ms);
    if (!wb.saturated(now_ms) && !state_.backlog_waiters.empty()) {
      std::vector<std::function<void()>> waiters;
      waiters.swap(state_.backlog_waiters);
      for (const auto& release : waiters) release();
    }
    SchedulePersistenceTick();
  });
}

void Server::Run() {
  signals_.async_wait([this](const asio::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("received {}, scheduling shutdown...", signal == SIGINT ? "SIGINT" : "SIGTERM");
    Stop();
  });
  ScheduleCron();
  io_.run();
}

void Server::Stop() {
  if (stopping_) return;
  stopping_ = true;
  spdlog::info("ringcache is now ready to exit, bye bye...");
  listener_.Close();
  std::vector<Session*> sessions;
  state_.clients.ForEach([&](const Session& s) { sessions.push_back(const_cast<Session*>(&s)); });
  for (Session* s : sessions) {
    if (s->kill) s->kill();
  }
  cron_timer_.cancel();
  persistence_timer_.cancel();
  if (state_.persistence != nullptr && !state_.loading) {
    const Status saved = state_.persistence->Stop(WallClockMs());
    saved.ok() ? spdlog::info("DB saved on disk")
               : spdlog::error("writing the last changes to disk failed: {}", saved.message());
  }
  signals_.cancel();
  io_.stop();
}

void Server::ScheduleCron() {
  const int64_t period_ms = 1000 / state_.config.values().hz;
  cron_timer_.expires_after(std::chrono::milliseconds(period_ms));
  cron_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec || stopping_) return;
    Cron();
    ScheduleCron();
  });
}

void Server::Cron() {
  const int64_t now = WallClockMs();
  state_.keyspace.set_now_ms(now);
  const int64_t period_us = 1000000 / state_.config.values().hz;
  state_.active_expiry.RunCycle(state_.keyspace, period_us * kExpireBudgetPercent / 100);
  state_.blocked->Expire(now);
  // Evictions a write's budget left over, a lowered limit, and memory taken
  // by anything other than client writes (buffers, hints).
  if (state_.evictor.limited()) state_.evictor.MakeRoom(period_us * kEvictBudgetPercent / 100);
  const int64_t rehash_deadline = MonotonicUs() + kRehashBudgetUs;
  while (state_.keyspace.RehashStep(100) && MonotonicUs() < rehash_deadline) {
  }
  state_.keyspace.ShrinkIfSparse();
  CloseIdleClients();
  if (cluster_ != nullptr) {
    cluster_->Tick(WallClockMs());
    router_->Tick(now);
  }
  state_.ops_per_sec.Sample(now, state_.stats.total_commands_processed);
  state_.input_kbps.Sample(now, state_.stats.total_net_input_bytes);
  state_.output_kbps.Sample(now, state_.stats.total_net_output_bytes);
  state_.NoteMemoryPeak();
}

void Server::CloseIdleClients() {
  const int64_t timeout_s = state_.config.values().timeout;
  if (timeout_s <= 0) return;
  const int64_t now = state_.keyspace.now_ms();
  std::vector<Session*> idle;
  state_.clients.ForEach([&](const Session& s) {
    if (now - s.last_interaction_ms > timeout_s * 1000) idle.push_back(const_cast<Session*>(&s));
  });
  for (Session* s : idle) {
    spdlog::debug("closing idle client {}", s->addr);
    if (s->kill) s->kill();
  }
}

}  // namespace ringcache::server
