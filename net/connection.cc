#include "net/connection.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "commands/dispatcher.h"
#include "common/buffers.h"
#include "resp/reply_builder.h"

namespace ringcache::net {
namespace {

// Read this much per read call, as Redis's PROTO_IOBUF_LEN.
constexpr size_t kReadChunk = size_t{16} * 1024;
// Pipelined commands whose replies may be pending at once per connection.
constexpr size_t kMaxDeferredReplies = 1024;
// An unauthenticated client whose replies waiting to be sent pass this is
// closed, as Redis does: otherwise it could pipeline ~300k password guesses
// a second.
constexpr size_t kUnauthenticatedOutputLimit = 1024;
// An input buffer that a big request grew is released once drained, as output
// buffers are (common/buffers.h).
constexpr size_t kKeepInputCapacity = kKeptBufferBytes;

std::string Endpoint(const asio::ip::tcp::endpoint& ep) {
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, ServerState& state)
    : socket_(std::move(socket)), state_(state) {}

// A connection can go without Close(): its socket failed while a deferred
// reply was still pending, and the last reference went with that reply. The
// client registry must not keep its session then (SHUTDOWN, CLIENT LIST and
// CLIENT KILL walk the registry).
Connection::~Connection() {
  if (!closed_) state_.clients.Remove(&session_);
}

void Connection::Start(std::string_view greeting_error) {
  asio::error_code ec;
  const auto remote = socket_.remote_endpoint(ec);
  const auto local = socket_.local_endpoint(ec);
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  session_.id = state_.clients.NextId();
  session_.addr = Endpoint(remote);
  session_.laddr = Endpoint(local);
  session_.fd = socket_.native_handle();
  session_.created_ms = session_.last_interaction_ms = state_.keyspace.now_ms();
  session_.authenticated = state_.config.values().requirepass.empty();
  session_.kill = [self = weak_from_this()] {
    if (auto conn = self.lock()) conn->Close();
  };
  state_.clients.Add(&session_);
  if (!greeting_error.empty()) {
    ReplyBuilder(&replies_.output()).Error(greeting_error);
    session_.close_after_reply = true;
    DoWrite();
    return;
  }
  ReserveInput(kReadChunk);
  Pump();
}

DeferredReply Connection::DeferReply() {
  // Holds the connection: while it waits, no Asio handler of its own may.
  return {shared_from_this(), replies_.Defer()};
}

std::string* Connection::DeferredBuffer(uint64_t slot) {
  if (closed_) {
    discarded_.clear();
    return &discarded_;
  }
  return replies_.DeferredBuffer(slot);
}

void Connection::CompleteDeferred(uint64_t slot) {
  if (closed_) return;
  replies_.Complete(slot);
  // Completed from inside a handler (every replica was local): the running
  // ProcessInput loop goes on and pumps afterwards; do not re-enter it.
  if (processing_) return;
  if (replies_.pending() == 0) {
    Pump();
  } else if (!flush_posted_) {
    // More replies are on their way, often in bus replies that this same
    // turn of the event loop is about to handle: write once after them
    // rather than once per bus reply (each write to a client is a syscall
    // that also pays the receiver's side of loopback TCP).
    flush_posted_ = true;
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      self->flush_posted_ = false;
      self->Pump();
    });
  }
}

void Connection::ReleaseKeys(std::span<const uint64_t> key_hashes, uint64_t lane) {
  held_keys_.Remove(key_hashes, lane);
  if (!waiting_for_keys_ || closed_) return;
  waiting_for_keys_ = false;
  // Released from a bus reply's callback, or inside a handler: run the
  // waiting command from the event loop, not re-entrantly.
  if (!flush_posted_) {
    flush_posted_ = true;
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      self->flush_posted_ = false;
      self->Pump();
    });
  }
}

void Connection::RunLater(std::function<void()> task) {
  asio::post(socket_.get_executor(),
             [self = shared_from_this(), task = std::move(task)] { task(); });
}

bool Connection::Gone() const {
  if (closed_) return true;
  // A blocked client's input is not read: peek whether its peer hung up.
  char byte = 0;
  const ssize_t n = ::recv(const_cast<Connection*>(this)->socket_.native_handle(), &byte, 1,
                           MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

void Connection::Pump() {
  if (closed_) return;
  if (replies_.pending() < kMaxDeferredReplies && !waiting_for_keys_) ProcessInput();
  UpdateSessionFigures();
  if (writing_) return;  // OnWrite pumps again
  if (!replies_.output().empty()) {
    DoWrite();
  } else if (replies_.waiting()) {
    return;  // a deferred reply's completion pumps again
  } else if (session_.close_after_reply) {
    Close();
  } else if (!reading_) {
    DoRead();
  }
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  // Unregistered, so nothing calls session_.kill again; it is not reset here
  // because Close() may be running inside it.
  state_.clients.Remove(&session_);
  asio::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

void Connection::ReserveInput(size_t min_free) {
  if (fill_pos_ == parse_pos_ && input_capacity_ > kKeepInputCapacity && min_free <= kReadChunk) {
    input_ = std::make_unique_for_overwrite<char[]>(kReadChunk);
    input_capacity_ = kReadChunk;
    parse_pos_ = fill_pos_ = 0;
    return;
  }
  if (input_capacity_ - fill_pos_ >= min_free) return;
  const size_t pending = fill_pos_ - parse_pos_;
  size_t capacity = std::max(input_capacity_, kReadChunk);
  while (capacity - pending < min_free) capacity *= 2;
  if (capacity == input_capacity_) {
    std::memmove(input_.get(), input_.get() + parse_pos_, pending);
  } else {
    // Not zero-filled: a buffer nobody has written to yet costs no memory.
    auto grown = std::make_unique_for_overwrite<char[]>(capacity);
    if (pending > 0) std::memcpy(grown.get(), input_.get() + parse_pos_, pending);
    input_ = std::move(grown);
    input_capacity_ = capacity;
  }
  parse_pos_ = 0;
  fill_pos_ = pending;
}

void Connection::DoRead() {
  if (closed_) return;
  reading_ = true;
  // A large bulk announces its size, but the room made for it grows with
  // what has arrived (at most doubling the pending bytes per read): a
  // 40-byte header announcing 512 MB must not make the node allocate them,
  // and client-query-buffer-limit, which counts bytes received, bounds it.
  const size_t pending = fill_pos_ - parse_pos_;
  const size_t wanted = std::min(parser_.MinBytesWanted(pending), std::max(pending, kReadChunk));
  ReserveInput(std::max(wanted, kReadChunk / 4));
  socket_.async_read_some(asio::buffer(input_.get() + fill_pos_, input_capacity_ - fill_pos_),
                          [self = shared_from_this()](const asio::error_code& ec, size_t bytes) {
                            self->OnRead(ec, bytes);
                          });
}

void Connection::OnRead(const asio::error_code& ec, size_t bytes) {
  reading_ = false;
  if (closed_) return;
  if (ec) {
    Close();
    return;
  }
  fill_pos_ += bytes;
  state_.stats.total_net_input_bytes += bytes;
  state_.keyspace.set_now_ms(WallClockMs());
  session_.last_interaction_ms = state_.keyspace.now_ms();
  const auto limit = static_cast<size_t>(state_.config.values().client_query_buffer_limit);
  if (fill_pos_ - parse_pos_ >= limit) {
    // Complete commands in the buffer still run; an incomplete one this big
    // is refused.
    ProcessInput();
    if (!session_.close_after_reply && fill_pos_ - parse_pos_ >= limit) {
      spdlog::warn("closing client {} that reached max query buffer length", session_.addr);
      ++state_.stats.client_query_buffer_limit_disconnections;
      Close();
      return;
    }
  }
  Pump();
}

void Connection::ProcessInput() {
  ReplyBuilder reply(replies_.ImmediateTarget(), session_.protocol);
  CommandContext ctx(state_, session_, reply, this);
  RespLimits limits;
  limits.max_bulk_len = state_.config.values().proto_max_bulk_len;
  while (parse_pos_ < fill_pos_ && !session_.close_after_reply &&
         replies_.pending() < kMaxDeferredReplies && !waiting_for_keys_) {
    limits.authenticated = session_.authenticated;
    parser_.set_limits(limits);
    const auto result =
        parser_.Parse(std::string_view(input_.get() + parse_pos_, fill_pos_ - parse_pos_));
    if (result == RespParser::Result::kIncomplete) break;
    if (result == RespParser::Result::kError) {
      spdlog::info("protocol error from client {}: {}", session_.addr, parser_.error());
      reply.Error("ERR " + parser_.error());
      session_.close_after_reply = true;
      break;
    }
    parse_pos_ += parser_.consumed();
    PrefetchNextKeys();
    const ArgList args = parser_.args();
    if (args.empty()) continue;
    processing_ = true;
    const bool ran = Dispatcher::Dispatch(ctx, args);
    processing_ = false;
    if (!ran) {
      // Waits, unread, for an earlier command's keys (ReleaseKeys pumps).
      parse_pos_ -= parser_.consumed();
      prefetched_ahead_ = 0;
      waiting_for_keys_ = true;
      break;
    }
    replies_.FlushImmediate();
    reply.set_buffer(replies_.ImmediateTarget());
    ++session_.commands_processed;
    if (!CheckOutputLimit() || (!session_.authenticated && !CheckUnauthenticatedOutput())) break;
  }
  replies_.FlushImmediate();  // a protocol error's reply
  // Not while a read is pending: it fills the buffer from the old fill_pos_
  // (ProcessInput runs with one pending when a held client is released).
  if (parse_pos_ == fill_pos_ && !reading_) parse_pos_ = fill_pos_ = 0;
}

void Connection::PrefetchNextKeys() {
  if (prefetched_ahead_ > 0) {
    --prefetched_ahead_;
    return;
  }
  if (parse_pos_ == fill_pos_) return;  // no pipeline: nothing to overlap with
  std::string_view keys[Keyspace::kPrefetchBatch];
  prefetched_ahead_ =
      PeekKeys(std::string_view(input_.get() + parse_pos_, fill_pos_ - parse_pos_), keys);
  state_.keyspace.PrefetchKeys({keys, prefetched_ahead_});
}

bool Connection::CheckOutputLimit() {
  const OutputBufferLimit& limit = state_.config.values().client_output_buffer_limit_normal;
  const size_t used = replies_.output().size();
  bool over = limit.hard_bytes != 0 && used >= limit.hard_bytes;
  if (!over && limit.soft_bytes != 0 && used >= limit.soft_bytes) {
    const int64_t now = state_.keyspace.now_ms();
    if (output_soft_limit_since_ms_ == 0) output_soft_limit_since_ms_ = now;
    over = now - output_soft_limit_since_ms_ > limit.soft_seconds * 1000;
  } else if (!over) {
    output_soft_limit_since_ms_ = 0;
  }
  if (!over) return true;
  spdlog::warn("closing client {} for overcoming of output buffer limits", session_.addr);
  ++state_.stats.client_output_buffer_limit_disconnections;
  replies_.output().clear();
  session_.close_after_reply = true;
  return false;
}

bool Connection::CheckUnauthenticatedOutput() {
  if (replies_.output().size() <= kUnauthenticatedOutputLimit) return true;
  if (state_.unauthenticated_warnings.Allow(state_.keyspace.now_ms())) {
    spdlog::warn("closing unauthenticated client {} that pipelines commands{}", session_.addr,
                 SuppressedNote(state_.unauthenticated_warnings));
  }
  session_.close_after_reply = true;  // what it has is sent; nothing more is read
  return false;
}

void Connection::DoWrite() {
  writing_ = true;
  sending_.swap(replies_.output());
  asio::async_write(socket_, asio::buffer(sending_),
                    [self = shared_from_this()](const asio::error_code& ec, size_t bytes) {
                      self->OnWrite(ec, bytes);
                    });
}

void Connection::OnWrite(const asio::error_code& ec, size_t bytes) {
  writing_ = false;
  if (closed_) return;
  if (ec) {
    Close();
    return;
  }
  state_.stats.total_net_output_bytes += bytes;
  ReleaseIfLarge(&sending_);
  Pump();
}

void Connection::UpdateSessionFigures() {
  session_.query_buffer_used = fill_pos_ - parse_pos_;
  session_.query_buffer_capacity = input_capacity_;
  session_.output_buffer_used = replies_.output().size();
}

}  // namespace ringcache::net
