#include "net/listener.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "common/monotonic_clock.h"
#include "net/connection.h"

namespace ringcache::net {
namespace {

// How long accepting pauses when the process is out of file descriptors.
constexpr auto kNoDescriptorsPause = std::chrono::milliseconds(100);

constexpr std::string_view kProtectedModeError =
    "DENIED ringcache is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from the "
    "loopback interface. If you want to connect from external computers, either set a password "
    "with 'requirepass', or disable protected mode with 'protected-mode no'.";

bool IsLoopback(const asio::ip::address& address) {
  return address.is_loopback() ||
         (address.is_v6() && address.to_v6().is_v4_mapped() &&
          asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).is_loopback());
}

}  // namespace

void Listener::Bind() {
  const ConfigValues& config = state_.config.values();
  for (std::string address : config.bind) {
    const bool optional = !address.empty() && address[0] == '-';
    if (optional) address.erase(0, 1);
    if (address == "*") address = "0.0.0.0";
    try {
      const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(address),
                                             static_cast<uint16_t>(config.port));
      auto socket = std::make_unique<Socket>(io_);
      asio::ip::tcp::acceptor& acceptor = socket->acceptor;
      acceptor.open(endpoint.protocol());
      acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true));
      if (endpoint.address().is_v6()) acceptor.set_option(asio::ip::v6_only(true));
      acceptor.bind(endpoint);
      acceptor.listen(static_cast<int>(config.tcp_backlog));
      state_.tcp_port = acceptor.local_endpoint().port();
      sockets_.push_back(std::move(socket));
    } catch (const std::exception& e) {
      if (optional) {
        spdlog::warn("could not bind optional address {}: {}", address, e.what());
        continue;
      }
      throw std::runtime_error("could not create server TCP listening socket " + address + ":" +
                               std::to_string(config.port) + ": " + e.what());
    }
  }
  if (sockets_.empty()) throw std::runtime_error("no address to listen on");
}

void Listener::Start() {
  for (auto& socket : sockets_) DoAccept(*socket);
}

void Listener::Close() {
  closed_ = true;
  asio::error_code ec;
  for (auto& socket : sockets_) {
    socket->acceptor.close(ec);
    socket->pause.cancel();
  }
}

void Listener::DoAccept(Socket& socket) {
  socket.acceptor.async_accept(
      [this, &socket](const asio::error_code& ec, asio::ip::tcp::socket accepted) {
        if (closed_ || ec == asio::error::operation_aborted) return;
        if (ec) {
          OnAcceptError(socket, ec);
          return;
        }
        OnAccept(std::move(accepted));
        DoAccept(socket);
      });
}

void Listener::OnAcceptError(Socket& socket, const asio::error_code& ec) {
  const bool out_of_descriptors = ec == asio::error::no_descriptors || ec.value() == ENFILE ||
                                  ec == asio::error::no_memory ||
                                  ec == asio::error::no_buffer_space;
  if (accept_warnings_.Allow(MonotonicUs() / 1000)) {
    spdlog::warn("accepting a client connection: {}{}", ec.message(),
                 SuppressedNote(accept_warnings_));
  }
  if (!out_of_descriptors) {
    DoAccept(socket);  // that client's trouble (it reset the connection, say)
    return;
  }
  socket.pause.expires_after(kNoDescriptorsPause);
  socket.pause.async_wait([this, &socket](const asio::error_code& wait_ec) {
    if (!wait_ec && !closed_) DoAccept(socket);
  });
}

std::string Listener::AdmissionError(const asio::ip::tcp::socket& socket) const {
  const ConfigValues& config = state_.config.values();
  if (static_cast<int64_t>(state_.clients.size()) >= config.maxclients) {
    return "ERR max number of clients reached";
  }
  asio::error_code ec;
  const auto remote = socket.remote_endpoint(ec).address();
  if (config.protected_mode && config.requirepass.empty() && !IsLoopback(remote)) {
    return std::string(kProtectedModeError);
  }
  return {};
}

void Listener::OnAccept(asio::ip::tcp::socket socket) {
  ++state_.stats.total_connections_received;
  const std::string refusal = AdmissionError(socket);
  if (!refusal.empty()) ++state_.stats.rejected_connections;
  if (state_.config.values().tcp_keepalive > 0) {
    asio::error_code ec;
    socket.set_option(asio::socket_base::keep_alive(true), ec);
  }
  std::make_shared<Connection>(std::move(socket), state_)->Start(refusal);
}

}  // namespace ringcache::net
