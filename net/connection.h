// Connection: one client socket. Reads into an input buffer, runs every
// complete command in it, and sends all their replies with one write —
// Redis's processInputBuffer loop on Asio. While a write is in flight it does
// not read, which bounds memory per client and keeps replies in order.
//
// Lifetime: owned by the shared_ptrs its pending Asio handlers hold (the
// pattern of Asio's HTTP server example); Close() makes them all finish.
// Runs on the server's single event-loop thread.
#pragma once

#include <algorithm>
#include <asio.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "commands/command_context.h"
#include "commands/server_state.h"
#include "commands/session.h"
#include "net/reply_slots.h"
#include "resp/resp_parser.h"

namespace ringcache::net {

class Connection : public std::enable_shared_from_this<Connection>, public ReplyDeferrer {
 public:
  Connection(asio::ip::tcp::socket socket, ServerState& state);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Registers the session and starts reading. `greeting_error`, when not
  // empty, is sent instead and the connection closed (maxclients, protected mode).
  void Start(std::string_view greeting_error = {});
  void Close();
  DeferredReply DeferReply() override;
  std::string* DeferredBuffer(uint64_t slot) override;
  void CompleteDeferred(uint64_t slot) override;
  std::shared_ptr<ReplyDeferrer> shared_from_this_deferrer() override { return shared_from_this(); }
  void HoldKeys(std::span<const uint64_t> key_hashes, uint64_t lane) override {
    held_keys_.Add(key_hashes, lane);
  }
  void ReleaseKeys(std::span<const uint64_t> key_hashes, uint64_t lane) override;
  bool IsHeld(uint64_t key_hash, uint64_t lane) const override {
    return held_keys_.Holds(key_hash, lane);
  }
  bool AnyHeld() const override { return !held_keys_.empty(); }
  void RunLater(std::function<void()> task) override;
  bool Gone() const override;

 private:
  // Moves the connection along after any event: runs buffered commands
  // unless a reply is pending, then writes, waits, closes or reads.
  void Pump();
  void DoRead();
  void OnRead(const asio::error_code& ec, size_t bytes);
  // Runs the complete commands in the input buffer, appending their replies
  // to the output buffer; stops early when the connection must close.
  void ProcessInput();
  // In a pipeline, starts loading the keyspace entries of the requests after
  // the current one, a batch at a time, so that their cache misses overlap
  // with each other and with the current request's work.
  void PrefetchNextKeys();
  bool CheckOutputLimit();
  bool CheckUnauthenticatedOutput();
  void DoWrite();
  void OnWrite(const asio::error_code& ec, size_t bytes);
  // Makes room for at least `min_free` more bytes after the unparsed data.
  void ReserveInput(size_t min_free);
  void UpdateSessionFigures();
  asio::ip::tcp::socket socket_;
  ServerState& state_;
  Session session_;
  RespParser parser_;

  std::unique_ptr<char[]> input_;
  size_t input_capacity_ = 0;
  size_t parse_pos_ = 0;         // first byte not yet consumed by a complete command
  size_t fill_pos_ = 0;          // end of the bytes read so far
  size_t prefetched_ahead_ = 0;  // requests after the current one already prefetched

  ReplySlots replies_;     // replies in request order, some still awaited
  std::string sending_;    // replies in the write under way
  std::string discarded_;  // where deferred replies go once the connection closed
  int64_t output_soft_limit_since_ms_ = 0;
  bool reading_ = false;
  bool writing_ = false;
  bool processing_ = false;    // inside a command handler
  bool flush_posted_ = false;  // a Pump() is queued on the event loop
  bool closed_ = false;
  // The keys this client's cluster read-modify-writes in flight hold, and
  // whether the next command waits for one of them.
  HeldKeys held_keys_;
  bool waiting_for_keys_ = false;
};

}  // namespace ringcache::net
