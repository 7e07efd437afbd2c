// BlockedClients: clients waiting in a blocking pop (BLPOP, BRPOP, BLMOVE,
// BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP) for one of their keys to
// get an element, as Redis's blocking keys are.
//
// A blocked client's reply is deferred and its connection holds every key
// (KeyHold::Every), so its next commands wait, unread, as Redis leaves a
// blocked client's pipeline alone. When a command creates a list or sorted
// set at a key someone waits on (the keyspace's creation hook), the key is
// marked ready; after that command, waiters of ready keys retry their pop in
// the order they blocked, and the first that gets an element is answered
// (one push serves as many waiters as it pushed elements). Timeouts are
// found by the server's cron, hz times a second (a timeout ends up to 1/hz
// late), and clients that went away once a second.
//
// Event-loop thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "commands/command_context.h"
#include "common/string_hash.h"

namespace ringcache {

class BlockedClients {
 public:
  // A blocking command's pop, run again when a key is ready: true once it
  // replied (an element, or an error), false while its keys hold nothing.
  using TryPop = bool (*)(CommandContext& ctx, std::span<const std::string_view> args);

  // Blocks the client of `ctx` on `keys` until `try_pop(args)` replies, or
  // until `deadline_ms` (0: never), when it gets `timeout_reply`.
  // REQUIRES: ctx.can_defer().
  void Block(CommandContext& ctx, std::span<const std::string_view> args,
             std::span<const std::string_view> keys, TryPop try_pop, int64_t deadline_ms,
             std::string timeout_reply);
  // The keyspace's creation hook: `key` now holds a list or sorted set.
  void KeyCreated(std::string_view key) {
    if (waiters_.count(key) != 0) ready_.emplace_back(key);
  }
  bool any_ready() const { return !ready_.empty(); }
  // Lets waiters of ready keys retry their pops (after each command).
  void ServeReady(ServerState& server);
  // Answers waiters whose time is up; forgets those whose client is gone.
  void Expire(int64_t now_ms);
  size_t size() const { return blocked_.size(); }

 private:
  struct Waiter {
    std::vector<std::string> args;
    std::vector<std::string> keys;
    TryPop try_pop = nullptr;
    int protocol = 2;
    int64_t deadline_ms = 0;
    std::string timeout_reply;
    DeferredReply done;
    KeyHold hold;
    std::shared_ptr<ReplyDeferrer> client;
  };
  // Completes a waiter with `reply` and forgets it.
  void Finish(uint64_t id, std::string_view reply);

  uint64_t next_id_ = 1;
  int64_t gone_checked_ms_ = 0;
  std::unordered_map<uint64_t, Waiter> blocked_;
  // Per key, the waiters in the order they blocked.
  std::unordered_map<std::string, std::deque<uint64_t>, StringHash, std::equal_to<>> waiters_;
  std::vector<std::string> ready_;
};

// A blocking pop: parses its `timeout` (seconds, a float), pops if
// try_pop can, else blocks the client on `keys` (a null array at the
// timeout). Inside EXEC it does not block: it answers a null array, or a
// null when `null_unblocked` (BLMOVE's, as Redis 7.0 has it). Returns false
// when it blocked.
bool BlockingPop(CommandContext& ctx, std::span<const std::string_view> args,
                 std::span<const std::string_view> keys, std::string_view timeout,
                 BlockedClients::TryPop try_pop, bool null_unblocked = false);

}  // namespace ringcache
