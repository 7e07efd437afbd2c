#include "client/async_client.h"

#include "client/sync_client.h"
#include "common/buffers.h"

namespace ringcache::client {

AsyncClient::AsyncClient(asio::io_context& io, std::string host, uint16_t port)
    : socket_(io), host_(std::move(host)), port_(port) {}

void AsyncClient::Connect(const ConnectCallback& done) {
  asio::error_code ec;
  const auto address = asio::ip::make_address(host_, ec);
  if (ec) {
    asio::post(socket_.get_executor(), [done, ec] { done(ec); });
    return;
  }
  socket_.async_connect({address, port_},
                        [self = shared_from_this(), done](const asio::error_code& error) {
                          if (error) {
                            self->Fail(error);
                            done(error);
                            return;
                          }
                          asio::error_code ignored;
                          self->socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
                          self->connected_ = true;
                          self->DoRead();
                          self->MaybeWrite();
                          done({});
                        });
}

void AsyncClient::Send(std::span<const std::string_view> args, ReplyCallback done) {
  AppendCommand(args, &queued_);
  callbacks_.push_back({std::move(done), nullptr});
  MaybeWrite();
}

void AsyncClient::SendEncodedRaw(std::string_view command, RawReplyCallback done) {
  queued_.append(command);
  callbacks_.push_back({nullptr, std::move(done)});
  MaybeWrite();
}

void AsyncClient::MaybeWrite() {
  if (!connected_ || writing_ || queued_.empty()) return;
  writing_ = true;
  in_flight_.swap(queued_);
  asio::async_write(socket_, asio::buffer(in_flight_),
                    [self = shared_from_this()](const asio::error_code& ec, size_t) {
                      self->writing_ = false;
                      ReleaseIfLarge(&self->in_flight_);
                      if (ec) {
                        self->Fail(ec);
                        return;
                      }
                      self->MaybeWrite();
                    });
}

void AsyncClient::DoRead() {
  socket_.async_read_some(asio::buffer(read_chunk_),
                          [self = shared_from_this()](const asio::error_code& ec, size_t n) {
                            if (ec) {
                              self->Fail(ec);
                              return;
                            }
                            self->input_.append(self->read_chunk_.data(), n);
                            self->DeliverReplies();
                            if (self->connected_) self->DoRead();
                          });
}

void AsyncClient::DeliverReplies() {
  size_t start = 0;
  while (!callbacks_.empty()) {
    const std::string_view rest = std::string_view(input_).substr(start);
    size_t end = 0;
    auto result = scanner_.Scan(rest, &end);
    if (result == ReplyParser::Result::kIncomplete) break;
    const bool raw = static_cast<bool>(callbacks_.front().raw);
    Reply reply;
    size_t consumed = end;
    if (result == ReplyParser::Result::kComplete && !raw) {
      result = ReplyParser::Parse(rest.substr(0, end), &reply, &consumed);
    }
    if (result != ReplyParser::Result::kComplete) {
      Fail(asio::error::invalid_argument);
      return;
    }
    Pending pending = std::move(callbacks_.front());
    callbacks_.pop_front();
    start += consumed;
    if (raw) {
      // input_ is not touched until the loop ends, so the view stays valid.
      pending.raw({}, rest.substr(0, end));
    } else {
      pending.done({}, std::move(reply));
    }
  }
  input_.erase(0, start);
  if (input_.empty()) ReleaseIfLarge(&input_);
}

void AsyncClient::Fail(const asio::error_code& ec) {
  connected_ = false;
  asio::error_code ignored;
  socket_.close(ignored);
  queued_.clear();
  scanner_.Reset();
  std::deque<Pending> failed;
  failed.swap(callbacks_);
  for (Pending& pending : failed) {
    pending.raw ? pending.raw(ec, {}) : pending.done(ec, Reply());
  }
}

void AsyncClient::Close() { Fail(asio::error::operation_aborted); }

}  // namespace ringcache::client
