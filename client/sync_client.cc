#include "client/sync_client.h"

#include <charconv>

namespace ringcache::client {

namespace {

// Appends "<prefix><n>\r\n" without building a temporary string.
void AppendHeader(char prefix, size_t n, std::string* out) {
  char buf[24];
  buf[0] = prefix;
  const auto [end, ec] = std::to_chars(buf + 1, buf + sizeof(buf) - 2, n);
  end[0] = '\r';
  end[1] = '\n';
  out->append(buf, static_cast<size_t>(end + 2 - buf));
}

}  // namespace

void AppendCommand(std::span<const std::string_view> args, std::string* out) {
  size_t total = 16;
  for (std::string_view arg : args) total += arg.size() + 16;
  out->reserve(out->size() + total);  // one growth for the whole command
  AppendHeader('*', args.size(), out);
  for (std::string_view arg : args) {
    AppendHeader('$', arg.size(), out);
    out->append(arg);
    out->append("\r\n", 2);
  }
}

asio::error_code SyncClient::Connect(const std::string& host, uint16_t port,
                                     std::chrono::milliseconds timeout) {
  Close();
  asio::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return ec;
  // Connect asynchronously so the attempt can time out.
  asio::error_code result = asio::error::timed_out;
  socket_.async_connect({address, port}, [&](const asio::error_code& e) { result = e; });
  io_.restart();
  io_.run_for(timeout);
  if (result) {
    Close();
    return result;
  }
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  return {};
}

void SyncClient::Close() {
  asio::error_code ec;
  socket_.close(ec);
  pending_.clear();
  input_.clear();
  input_start_ = 0;
}

asio::error_code SyncClient::Command(std::span<const std::string_view> args, Reply* reply) {
  Append(args);
  if (asio::error_code ec = Flush()) return ec;
  return ReadReply(reply);
}

asio::error_code SyncClient::Flush() {
  asio::error_code ec;
  asio::write(socket_, asio::buffer(pending_), ec);
  pending_.clear();
  return ec;
}

asio::error_code SyncClient::ReadReply(Reply* reply) {
  while (true) {
    size_t consumed = 0;
    const auto result = ReplyParser::Parse(std::string_view(input_).substr(input_start_), reply,
                                           &consumed);
    if (result == ReplyParser::Result::kComplete) {
      input_start_ += consumed;
      if (input_start_ == input_.size()) {
        input_.clear();
        input_start_ = 0;
      }
      return {};
    }
    if (result == ReplyParser::Result::kError) return asio::error::invalid_argument;
    char chunk[16 * 1024];
    asio::error_code ec;
    const size_t n = socket_.read_some(asio::buffer(chunk), ec);
    if (ec) return ec;
    input_.append(chunk, n);
  }
}

}  // namespace ringcache::client
