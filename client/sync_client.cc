#include "client/sync_client.h"

#include <cstring>

#include "common/number_parsing.h"

namespace ringcache::client {

namespace {

// Writes "<prefix><n>\r\n" at `at` and returns the end (at most 24 bytes).
char* WriteHeader(char prefix, size_t n, char* at) {
  *at++ = prefix;
  at = WriteUint64(n, at);
  *at++ = '\r';
  *at++ = '\n';
  return at;
}

constexpr size_t kMaxHeaderBytes = 24;

}  // namespace

void AppendArrayHeader(size_t count, std::string* out) {
  const size_t start = out->size();
  out->resize(start + kMaxHeaderBytes);
  out->resize(static_cast<size_t>(WriteHeader('*', count, out->data() + start) - out->data()));
}

// Grows `out` once by an upper bound, writes in place, then trims: the bus
// encodes a command per replica request, and appending piece by piece cost
// a capacity check and a call per piece.
void AppendArguments(std::span<const std::string_view> args, std::string* out) {
  size_t bound = 0;
  for (std::string_view arg : args) bound += kMaxHeaderBytes + arg.size() + 2;
  const size_t start = out->size();
  out->resize(start + bound);
  char* at = out->data() + start;
  for (std::string_view arg : args) {
    at = WriteHeader('$', arg.size(), at);
    if (!arg.empty()) std::memcpy(at, arg.data(), arg.size());
    at += arg.size();
    *at++ = '\r';
    *at++ = '\n';
  }
  out->resize(static_cast<size_t>(at - out->data()));
}

void AppendCommand(std::span<const std::string_view> args, std::string* out) {
  AppendArrayHeader(args.size(), out);
  AppendArguments(args, out);
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
    const auto result =
        ReplyParser::Parse(std::string_view(input_).substr(input_start_), reply, &consumed);
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
