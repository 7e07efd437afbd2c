// FakePeer: a RESP server on loopback, driven by the test's own io_context,
// that records every command it receives and answers each as the test says.
// For the cluster bus's client side (PeerPool, Gossiper) without a node.
#pragma once

#include <asio.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "resp/resp_parser.h"

namespace ringcache::testing {

class FakePeer {
 public:
  using Command = std::vector<std::string>;
  // The RESP reply to one command.
  using Answer = std::function<std::string(const Command& command)>;

  FakePeer(asio::io_context& io, Answer answer)
      : acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}), answer_(std::move(answer)) {
    Accept();
  }

  // The peer's cluster id, "127.0.0.1:<port>".
  std::string id() const {
    return "127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  const std::vector<Command>& received() const { return received_; }
  // Closes every connection accepted so far, as a crashed peer would.
  void DropConnections() {
    for (auto& c : connections_) {
      asio::error_code ec;
      c->socket.close(ec);
    }
    connections_.clear();
  }

 private:
  struct Connection {
    explicit Connection(asio::ip::tcp::socket s) : socket(std::move(s)) {}
    asio::ip::tcp::socket socket;
    std::string input;
    std::string output;
    std::array<char, 16384> chunk;
    RespParser parser;
  };

  void Accept() {
    acceptor_.async_accept([this](const asio::error_code& ec, asio::ip::tcp::socket socket) {
      if (ec) return;
      auto c = std::make_shared<Connection>(std::move(socket));
      connections_.push_back(c);
      Read(c);
      Accept();
    });
  }

  void Read(const std::shared_ptr<Connection>& c) {
    c->socket.async_read_some(asio::buffer(c->chunk),
                              [this, c](const asio::error_code& ec, size_t n) {
                                if (ec) return;
                                c->input.append(c->chunk.data(), n);
                                size_t used = 0;
                                while (c->socket.is_open() && used < c->input.size() &&
                                       c->parser.Parse(std::string_view(c->input).substr(used)) ==
                                           RespParser::Result::kComplete) {
                                  Command command(c->parser.args().begin(), c->parser.args().end());
                                  used += c->parser.consumed();
                                  c->output += answer_(command);
                                  received_.push_back(std::move(command));
                                }
                                if (!c->socket.is_open()) return;  // dropped by the test
                                c->input.erase(0, used);
                                asio::error_code write_ec;
                                asio::write(c->socket, asio::buffer(c->output), write_ec);
                                c->output.clear();
                                Read(c);
                              });
  }

  asio::ip::tcp::acceptor acceptor_;
  Answer answer_;
  std::vector<Command> received_;
  std::vector<std::shared_ptr<Connection>> connections_;
};

}  // namespace ringcache::testing
