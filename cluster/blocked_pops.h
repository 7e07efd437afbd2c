// BlockedPops: clients of this node waiting in a blocking pop (BLPOP, BRPOP,
// BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP) that found their
// keys empty through the cluster.
//
// A waiter's pop runs again (its `retry`: a read-modify-write like its first
// attempt) when one of its keys may have got an element:
//  - at once when this node's keyspace takes in a live list or sorted set at
//    the key (the keyspace's creation hook: a replica merge here, from a
//    push through any node, a hint or a repair);
//  - otherwise every poll period: a push through another node reaches only
//    the key's replicas, which this node may not be among (a fast poll), or
//    may reach W replicas without this one for a while (a slow poll).
// Waiters of a key retry in the order they blocked; this node's turns
// (cluster_router.h) make them take the elements one after another. A
// waiter whose time is up while its retry is out keeps waiting for that
// retry: a pop that began in time and took an element answers with it.
//
// Event-loop thread only.
#pragma once

#include <asio.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "commands/command_context.h"
#include "common/string_hash.h"

namespace ringcache::cluster {

class BlockedPops {
 public:
  // Polls of waiters with a key this node holds no replica of, and of the others.
  static constexpr int64_t kFastPollMs = 100;
  static constexpr int64_t kSlowPollMs = 1000;

  struct Waiter {
    std::vector<std::string> keys;
    int64_t deadline_ms = 0;  // 0: never
    bool fast_poll = false;
    std::function<void()> retry;     // runs the pop again
    std::function<void()> time_out;  // answers the timeout reply
    KeyHold hold;                    // every key: the client's next commands wait
    std::shared_ptr<ReplyDeferrer> client;
  };

  explicit BlockedPops(asio::io_context& io) : io_(io) {}

  // Starts waiting; returns the waiter's id.
  uint64_t Park(Waiter waiter, int64_t now_ms);
  // The retry of `id` found nothing (or could not read): it waits on, or
  // answers the timeout if its time passed meanwhile.
  void FoundNothing(uint64_t id, int64_t now_ms);
  // The retry of `id` answered (an element, or an error): it waits no more.
  void Served(uint64_t id);
  // The keyspace's creation hook: `key` may hold elements now.
  void KeyFilled(std::string_view key);
  // Timeouts, clients that went away, polls (the server cron).
  void Tick(int64_t now_ms);
  size_t size() const { return waiters_.size(); }

 private:
  struct Parked {
    Waiter waiter;
    int64_t tried_ms = 0;
    bool retrying = false;
    bool again = false;  // its key filled while its retry was out
  };
  void Retry(Parked& parked, int64_t now_ms);
  void ServeFilled();
  // Forgets `id`, releasing its client's commands.
  std::unordered_map<uint64_t, Parked>::node_type Forget(uint64_t id);

  asio::io_context& io_;
  uint64_t next_id_ = 1;
  int64_t gone_checked_ms_ = 0;
  int64_t now_ms_ = 0;
  std::unordered_map<uint64_t, Parked> waiters_;
  // Per key, the waiters in the order they blocked.
  std::unordered_map<std::string, std::vector<uint64_t>, StringHash, std::equal_to<>> by_key_;
  std::vector<std::string> filled_;
  bool serve_posted_ = false;
};

}  // namespace ringcache::cluster
