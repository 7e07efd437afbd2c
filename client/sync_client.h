// SyncClient: a blocking RESP client for tools, tests and benchmarks —
// one connection, commands one at a time or pipelined (Append* then Read*).
//
// Not thread-safe; one per thread.
#pragma once

#include <asio.hpp>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "client/reply.h"

namespace ringcache::client {

// Encodes one command as a RESP multibulk request onto `out`.
void AppendCommand(std::span<const std::string_view> args, std::string* out);
// The two halves of it: "*<count>", and the arguments as bulk strings (for a
// command whose arguments are gathered before their count is known).
void AppendArrayHeader(size_t count, std::string* out);
void AppendArguments(std::span<const std::string_view> args, std::string* out);

class SyncClient {
 public:
  SyncClient() : socket_(io_) {}
  SyncClient(const SyncClient&) = delete;
  SyncClient& operator=(const SyncClient&) = delete;

  asio::error_code Connect(const std::string& host, uint16_t port,
                           std::chrono::milliseconds timeout = std::chrono::seconds(5));
  void Close();
  bool connected() const { return socket_.is_open(); }

  // Sends one command and reads its reply.
  asio::error_code Command(std::span<const std::string_view> args, Reply* reply);
  asio::error_code Command(std::initializer_list<std::string_view> args, Reply* reply) {
    return Command(std::span<const std::string_view>(args.begin(), args.size()), reply);
  }

  // Pipelining: queue commands, send them in one write, then read the replies
  // in order.
  void Append(std::span<const std::string_view> args) { AppendCommand(args, &pending_); }
  asio::error_code Flush();
  asio::error_code ReadReply(Reply* reply);

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  std::string pending_;
  std::string input_;
  size_t input_start_ = 0;
};

}  // namespace ringcache::client
