// Listener: the node's listening sockets and their accept loops. Each
// accepted socket becomes a Connection; one that may not stay (maxclients,
// protected mode) gets its error and is closed.
//
// Out of file descriptors, accept() fails while the connection stays queued,
// so the socket is reported readable again at once: retrying at once would
// spin at full CPU and log without end. Accepting pauses instead, and the
// warning is rate-limited. (The node raises its descriptor limit at start to
// maxclients plus a reserve, as Redis does, so this is the last line.)
//
// Event-loop thread only.
#pragma once

#include <asio.hpp>
#include <memory>
#include <string>
#include <vector>

#include "commands/server_state.h"
#include "common/log_limiter.h"

namespace ringcache::net {

class Listener {
 public:
  Listener(asio::io_context& io, ServerState& state) : io_(io), state_(state) {}
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Binds every configured address (and sets state.tcp_port). Throws
  // std::runtime_error when a required address cannot be bound.
  void Bind();
  void Start();
  void Close();

 private:
  struct Socket {
    explicit Socket(asio::io_context& io) : acceptor(io), pause(io) {}
    asio::ip::tcp::acceptor acceptor;
    asio::steady_timer pause;  // while out of file descriptors
  };
  void DoAccept(Socket& socket);
  void OnAccept(asio::ip::tcp::socket socket);
  void OnAcceptError(Socket& socket, const asio::error_code& ec);
  std::string AdmissionError(const asio::ip::tcp::socket& socket) const;

  asio::io_context& io_;
  ServerState& state_;
  std::vector<std::unique_ptr<Socket>> sockets_;
  bool closed_ = false;
  LogLimiter accept_warnings_{10000};
};

}  // namespace ringcache::net
