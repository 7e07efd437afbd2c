// AsyncClient: a pipelined RESP client on an Asio io_context — what nodes use
// to talk to each other. Commands may be sent at any time; they are batched
// into one write while a write is in flight, and each callback runs with its
// reply in the order the commands were sent.
//
// Lifetime: create with std::make_shared; handlers keep it alive. All calls
// and callbacks happen on the io_context's thread.
#pragma once

#include <array>
#include <asio.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "client/reply.h"

namespace ringcache::client {

class AsyncClient : public std::enable_shared_from_this<AsyncClient> {
 public:
  using ReplyCallback = std::function<void(const asio::error_code&, Reply)>;
  // Gets the reply's RESP bytes (valid during the call only), for callers
  // that decode a reply of known shape without building a Reply tree.
  using RawReplyCallback = std::function<void(const asio::error_code&, std::string_view resp)>;
  using ConnectCallback = std::function<void(const asio::error_code&)>;

  AsyncClient(asio::io_context& io, std::string host, uint16_t port);

  void Connect(const ConnectCallback& done);
  // Queues a command. Before Connect() completes, commands wait in the queue.
  void Send(std::span<const std::string_view> args, ReplyCallback done);
  // The same for a command already in RESP (one request encoded once and
  // sent to several servers), with the reply handed over as RESP.
  void SendEncodedRaw(std::string_view command, RawReplyCallback done);
  // Closes the connection; every pending callback gets operation_aborted.
  void Close();
  bool connected() const { return connected_; }
  size_t pending() const { return callbacks_.size(); }
  // Bytes held by this connection's buffers (requests queued and being
  // written, replies read and not yet parsed).
  size_t buffered_bytes() const {
    return queued_.capacity() + in_flight_.capacity() + input_.capacity();
  }

 private:
  void MaybeWrite();
  void DoRead();
  void DeliverReplies();
  void Fail(const asio::error_code& ec);

  asio::ip::tcp::socket socket_;
  std::string host_;
  uint16_t port_;
  bool connected_ = false;
  bool writing_ = false;
  std::string queued_;     // requests not yet handed to a write
  std::string in_flight_;  // the buffer of the write in progress
  std::string input_;
  ReplyScanner scanner_;  // how far the reply at the front of input_ has arrived
  std::array<char, size_t{16} * 1024> read_chunk_;  // one read in flight at a time
  struct Pending {                                  // one of the two is set
    ReplyCallback done;
    RawReplyCallback raw;
  };
  std::deque<Pending> callbacks_;
};

}  // namespace ringcache::client
