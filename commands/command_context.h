// CommandContext: what a command handler gets besides its arguments — the
// node's state, the calling client's session, and where to write the reply.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands/server_state.h"
#include "commands/session.h"
#include "resp/reply_builder.h"

namespace ringcache {

class ReplyDeferrer;

// Completes a deferred reply; call it (or Write) exactly once. A reference
// to the connection and a slot number (not a std::function, which would
// allocate: cluster nodes defer almost every reply).
class DeferredReply {
 public:
  DeferredReply() = default;
  DeferredReply(std::shared_ptr<ReplyDeferrer> target, uint64_t slot)
      : target_(std::move(target)), slot_(slot) {}
  // Completes it with these RESP bytes.
  inline void operator()(std::string_view resp) const;
  // Completes it with what `write(std::string* out)` appends to `out`: the
  // connection's output itself when no reply before this one is pending, so
  // that the reply is written once, into no buffer of its own.
  template <typename WriteFn>
  void Write(WriteFn&& write) const;

 private:
  std::shared_ptr<ReplyDeferrer> target_;
  uint64_t slot_ = 0;
};

// Implemented by whatever carries replies to the client (a Connection).
class ReplyDeferrer {
 public:
  virtual ~ReplyDeferrer() = default;
  virtual DeferredReply DeferReply() = 0;
  virtual std::shared_ptr<ReplyDeferrer> shared_from_this_deferrer() = 0;
  // What DeferredReply calls: where the reply in `slot` is to be appended,
  // then that it is there.
  virtual std::string* DeferredBuffer(uint64_t slot) = 0;
  virtual void CompleteDeferred(uint64_t slot) = 0;
  // Keys of a cluster read-modify-write between its read and its write:
  // this client's next commands on them wait (see KeyHold). Keys go by hash
  // (KeyHold::HashOf): two keys that share one only make a command wait that
  // need not have; KeyHold::kEveryKey holds them all. A hold in a lane
  // (KeyHold::kExclusive is none) lets the client's commands in that lane
  // pass: whatever the lane orders them by keeps them in order.
  virtual void HoldKeys(std::span<const uint64_t> key_hashes, uint64_t lane) = 0;
  virtual void ReleaseKeys(std::span<const uint64_t> key_hashes, uint64_t lane) = 0;
  virtual bool IsHeld(uint64_t key_hash, uint64_t lane) const = 0;
  virtual bool AnyHeld() const = 0;
  // Runs `task` from the event loop after the current handler, never inside it.
  virtual void RunLater(std::function<void()> task) = 0;
  // Whether the client has gone (closed, or its peer hung up): a blocked
  // client that went away must not take an element.
  virtual bool Gone() const = 0;
};

// Makes a client's next commands on `keys` (and its keyspace-wide ones)
// wait until it is released or destroyed: a cluster read-modify-write holds
// its keys between its read and its write, so that a command pipelined after
// it sees its effect, while commands on other keys go on. A hold in a lane
// lets the client's later commands in the same lane by: pops of one key
// that take their turns, in order, at one node (cluster_router.h). Movable.
class KeyHold {
 public:
  static constexpr uint64_t kEveryKey = 0;
  static constexpr uint64_t kExclusive = 0;  // the lane of a hold nothing passes

  KeyHold() = default;
  template <typename Keys>
  KeyHold(std::shared_ptr<ReplyDeferrer> target, const Keys& keys, uint64_t lane = kExclusive)
      : target_(std::move(target)), lane_(lane) {
    hashes_.reserve(std::size(keys));
    for (const auto& key : keys) hashes_.push_back(HashOf(key));
    if (target_) target_->HoldKeys(hashes_, lane_);
  }
  // A hold on every key (kEveryKey), such as EXEC's through a cluster node.
  static KeyHold Every(std::shared_ptr<ReplyDeferrer> target) {
    KeyHold hold;
    hold.target_ = std::move(target);
    hold.hashes_ = {kEveryKey};
    if (hold.target_) hold.target_->HoldKeys(hold.hashes_, kExclusive);
    return hold;
  }
  static uint64_t HashOf(std::string_view key) {
    const uint64_t hash = std::hash<std::string_view>()(key);
    return hash == kEveryKey ? 1 : hash;
  }
  KeyHold(KeyHold&& other) noexcept = default;
  KeyHold& operator=(KeyHold&& other) noexcept {
    Release();
    target_ = std::move(other.target_);
    hashes_ = std::move(other.hashes_);
    lane_ = other.lane_;
    return *this;
  }
  KeyHold(const KeyHold&) = delete;
  KeyHold& operator=(const KeyHold&) = delete;
  ~KeyHold() { Release(); }
  void Release() {
    if (target_) std::exchange(target_, nullptr)->ReleaseKeys(hashes_, lane_);
  }

 private:
  std::shared_ptr<ReplyDeferrer> target_;
  std::vector<uint64_t> hashes_;
  uint64_t lane_ = kExclusive;
};

// The holds a client's commands in flight have: what a ReplyDeferrer keeps
// (few at a time: a vector).
class HeldKeys {
 public:
  void Add(std::span<const uint64_t> hashes, uint64_t lane) {
    for (const uint64_t hash : hashes) {
      held_.push_back({hash, lane});
      if (hash == KeyHold::kEveryKey) ++every_key_;
    }
  }
  void Remove(std::span<const uint64_t> hashes, uint64_t lane) {
    for (const uint64_t hash : hashes) {
      const auto it = std::find(held_.begin(), held_.end(), Held{hash, lane});
      if (it == held_.end()) continue;
      if (hash == KeyHold::kEveryKey) --every_key_;
      *it = held_.back();
      held_.pop_back();
    }
  }
  // Whether a command on `hash` in `lane` waits.
  bool Holds(uint64_t hash, uint64_t lane) const {
    if (every_key_ > 0) return true;
    return std::any_of(held_.begin(), held_.end(), [&](const Held& h) {
      return h.hash == hash && (lane == KeyHold::kExclusive || h.lane != lane);
    });
  }
  bool empty() const { return held_.empty(); }

 private:
  struct Held {
    uint64_t hash;
    uint64_t lane;
    bool operator==(const Held&) const = default;
  };
  std::vector<Held> held_;
  ptrdiff_t every_key_ = 0;  // holds of KeyHold::kEveryKey, among held_
};

template <typename WriteFn>
void DeferredReply::Write(WriteFn&& write) const {
  write(target_->DeferredBuffer(slot_));
  target_->CompleteDeferred(slot_);
}

void DeferredReply::operator()(std::string_view resp) const {
  Write([resp](std::string* out) { out->append(resp); });
}

class CommandContext {
 public:
  CommandContext(ServerState& server, Session& session, ReplyBuilder& reply,
                 ReplyDeferrer* deferrer = nullptr)
      : server_(server), session_(session), reply_(reply), deferrer_(deferrer) {}

  // For handlers that answer later (e.g. after other nodes replied): the
  // client's next commands wait until the returned completion runs, so
  // replies keep request order. The arguments are only valid until the
  // handler returns: copy what the completion needs.
  // REQUIRES: can_defer().
  DeferredReply Defer() { return deferrer_->DeferReply(); }
  // REQUIRES: can_defer().
  template <typename Keys>  // a range of strings or string_views
  KeyHold HoldKeys(const Keys& keys, uint64_t lane = KeyHold::kExclusive) {
    return KeyHold(deferrer_->shared_from_this_deferrer(), keys, lane);
  }
  // Whether an earlier command of this client holds `key` against a command
  // in `lane` (false when the context cannot defer: nothing is held there).
  bool IsHeld(std::string_view key, uint64_t lane = KeyHold::kExclusive) const {
    return deferrer_ != nullptr && deferrer_->IsHeld(KeyHold::HashOf(key), lane);
  }
  bool AnyHeld() const { return deferrer_ != nullptr && deferrer_->AnyHeld(); }
  bool can_defer() const { return deferrer_ != nullptr; }
  // What carries this client's replies, for work that outlives the handler.
  // REQUIRES: can_defer().
  std::shared_ptr<ReplyDeferrer> deferrer() const { return deferrer_->shared_from_this_deferrer(); }

  ServerState& server() { return server_; }
  // The node's keyspace, unless the command runs over a scratch copy of some
  // keys (cluster mode evaluates commands on the newest replica values).
  Keyspace& keyspace() { return keyspace_ != nullptr ? *keyspace_ : server_.keyspace; }
  void UseKeyspace(Keyspace* keyspace) { keyspace_ = keyspace; }
  // Commands that list keys (KEYS, SCAN, DBSIZE) show only the keys this
  // filter accepts, when one is set: in a cluster each node lists the keys it
  // is the home replica of, so the union has every key once.
  using KeyFilter = std::function<bool(std::string_view key)>;
  void UseKeyFilter(const KeyFilter* filter) { key_filter_ = filter; }
  bool filters_keys() const { return key_filter_ != nullptr; }
  bool Shows(std::string_view key) const { return key_filter_ == nullptr || (*key_filter_)(key); }
  const ConfigValues& config() const { return server_.config.values(); }
  Session& session() { return session_; }
  const Session& session() const { return session_; }
  ReplyBuilder& reply() { return reply_; }

 private:
  ServerState& server_;
  Session& session_;
  ReplyBuilder& reply_;
  ReplyDeferrer* deferrer_;
  Keyspace* keyspace_ = nullptr;
  const KeyFilter* key_filter_ = nullptr;
};

}  // namespace ringcache
