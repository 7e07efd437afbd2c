#include "server/server.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "cluster/cluster_commands.h"
#include "common/memory_stats.h"
#include "common/monotonic_clock.h"
#include "net/connection.h"

namespace ringcache::server {
namespace {

// Share of each cron period the active expiry may use (Redis: 25%).
constexpr int64_t kExpireBudgetPercent = 25;
// Share of each cron period eviction may use when over the limit.
constexpr int64_t kEvictBudgetPercent = 25;
// Incremental rehashing done by the cron per tick, as Redis's 1 ms.
constexpr int64_t kRehashBudgetUs = 1000;

constexpr std::string_view kProtectedModeError =
    "DENIED ringcache is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from the "
    "loopback interface. If you want to connect from external computers, either set a password "
    "with 'requirepass', or disable protected mode with 'protected-mode no'.";

}  // namespace

Server::Server(ServerState& state)
    : state_(state), io_(1), cron_timer_(io_), signals_(io_, SIGINT, SIGTERM) {
  state_.request_shutdown = [this] { asio::post(io_, [this] { Stop(); }); };
  cluster::RegisterClusterCommands(state_.commands);
}

void Server::Listen() {
  const ConfigValues& config = state_.config.values();
  for (std::string address : config.bind) {
    const bool optional = !address.empty() && address[0] == '-';
    if (optional) address.erase(0, 1);
    if (address == "*") address = "0.0.0.0";
    try {
      const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(address),
                                             static_cast<uint16_t>(config.port));
      auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(io_);
      acceptor->open(endpoint.protocol());
      acceptor->set_option(asio::ip::tcp::acceptor::reuse_address(true));
      if (endpoint.address().is_v6()) acceptor->set_option(asio::ip::v6_only(true));
      acceptor->bind(endpoint);
      acceptor->listen(static_cast<int>(config.tcp_backlog));
      state_.tcp_port = acceptor->local_endpoint().port();
      acceptors_.push_back(std::move(acceptor));
    } catch (const std::exception& e) {
      if (optional) {
        spdlog::warn("could not bind optional address {}: {}", address, e.what());
        continue;
      }
      throw std::runtime_error("could not create server TCP listening socket " + address + ":" +
                               std::to_string(config.port) + ": " + e.what());
    }
  }
  if (acceptors_.empty()) throw std::runtime_error("no address to listen on");
  if (!config.cluster_nodes.empty() || !config.cluster_seeds.empty()) {
    cluster_ = std::make_unique<cluster::ClusterNode>(io_, state_);
    router_ = std::make_unique<cluster::ClusterRouter>(state_, *cluster_);
    state_.router = router_.get();
    spdlog::info("cluster mode: node {} of {}, N={} W={} R={}", cluster_->self_id(),
                 cluster_->ring().nodes().size(), config.replicas, config.write_quorum,
                 config.read_quorum);
  }
  for (auto& acceptor : acceptors_) DoAccept(*acceptor);
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
  asio::error_code ec;
  for (auto& acceptor : acceptors_) acceptor->close(ec);
  std::vector<Session*> sessions;
  state_.clients.ForEach([&](const Session& s) { sessions.push_back(const_cast<Session*>(&s)); });
  for (Session* s : sessions) {
    if (s->kill) s->kill();
  }
  cron_timer_.cancel();
  signals_.cancel();
  io_.stop();
}

void Server::DoAccept(asio::ip::tcp::acceptor& acceptor) {
  acceptor.async_accept(
      [this, &acceptor](const asio::error_code& ec, asio::ip::tcp::socket socket) {
        if (stopping_ || ec == asio::error::operation_aborted) return;
        if (!ec) {
          OnAccept(std::move(socket));
        } else {
          spdlog::warn("accepting a client connection: {}", ec.message());
        }
        DoAccept(acceptor);
      });
}

std::string Server::AdmissionError(const asio::ip::tcp::socket& socket) const {
  const ConfigValues& config = state_.config.values();
  if (static_cast<int64_t>(state_.clients.size()) >= config.maxclients) {
    return "ERR max number of clients reached";
  }
  asio::error_code ec;
  const auto remote = socket.remote_endpoint(ec).address();
  if (config.protected_mode && config.requirepass.empty() && !remote.is_loopback() &&
      !(remote.is_v6() && remote.to_v6().is_v4_mapped() &&
        asio::ip::make_address_v4(asio::ip::v4_mapped, remote.to_v6()).is_loopback())) {
    return std::string(kProtectedModeError);
  }
  return {};
}

void Server::OnAccept(asio::ip::tcp::socket socket) {
  ++state_.stats.total_connections_received;
  const std::string refusal = AdmissionError(socket);
  if (!refusal.empty()) ++state_.stats.rejected_connections;
  const ConfigValues& config = state_.config.values();
  if (config.tcp_keepalive > 0) {
    asio::error_code ec;
    socket.set_option(asio::socket_base::keep_alive(true), ec);
  }
  std::make_shared<net::Connection>(std::move(socket), state_)->Start(refusal);
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
  // Evictions a write's budget left over, a lowered limit, and memory taken
  // by anything other than client writes (buffers, hints).
  if (state_.evictor.limited()) state_.evictor.MakeRoom(period_us * kEvictBudgetPercent / 100);
  const int64_t rehash_deadline = MonotonicUs() + kRehashBudgetUs;
  while (state_.keyspace.RehashStep(100) && MonotonicUs() < rehash_deadline) {
  }
  state_.keyspace.ShrinkIfSparse();
  CloseIdleClients();
  if (cluster_ != nullptr) cluster_->Tick(WallClockMs());
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
