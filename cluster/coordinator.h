// Coordinator: runs one client write or read against the replicas of a key,
// Dynamo-style and without a leader.
//
// Writes get a fresh version from the hybrid clock and go to all N replicas
// of the key (from the ring); the caller hears back once W have acknowledged,
// or with a NOQUORUM error saying how many did once W can no longer be reached
// or the deadline passes. Reads ask R replicas (the next one when one fails),
// answer with the newest, and afterwards repair replicas that answered with
// something older (read repair), without delaying the answer.
//
// The node's own replica, when it is one, is applied directly; others get the
// internal RC.PUT / RC.DEL / RC.GET requests over the PeerPool, which batches
// them per peer (RC.MPUT / RC.MDEL / RC.MGET).
// Single-threaded: the event loop's thread.
#pragma once

#include <array>
#include <asio.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "cluster/deadline_list.h"
#include "cluster/hinted_handoff.h"
#include "cluster/hybrid_clock.h"
#include "cluster/membership.h"
#include "cluster/peer_pool.h"
#include "cluster/read_repair.h"
#include "cluster/replica_state.h"
#include "cluster/ring.h"
#include "common/status.h"
#include "core/evictor.h"
#include "core/keyspace.h"
#include "core/version.h"
#include "resp/reply_builder.h"

namespace ringcache::cluster {

struct QuorumSettings {
  size_t replicas = 3;      // N
  size_t write_quorum = 2;  // W
  size_t read_quorum = 2;   // R
  std::chrono::milliseconds timeout{1000};
  bool operator==(const QuorumSettings&) const = default;
};

class Coordinator {
 public:
  // `self_id` is this node's id on the ring; `local` its keyspace (may be
  // null for a node that coordinates without storing). Replicas that
  // `membership` (if given) holds down are not asked: their writes become
  // hints at once and their hints wait until they are up.
  Coordinator(asio::io_context& io, const Ring& ring, PeerPool& peers, HybridClock& clock,
              std::string self_id, Keyspace* local, const Membership* membership = nullptr);
  ~Coordinator();
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;

  // Keys and values are copied once, into the write shared by all replicas.
  // Callbacks are templates, kept inside the operation's own allocation:
  //   Put:               void(const Status&)
  //   Delete/WriteState: void(const Status&, int64_t answer), where
  //                      `answer` for a collection's delta is how many of its
  //                      elements were new to every acknowledging replica
  //                      (a list's: its longest length there),
  //                      else 1 if an acknowledging replica held a live value
  //                      (a delete's count), 0 if none did. A collection
  //                      command's delta that replicas refused because the
  //                      key holds another type fails with WRONGTYPE.
  //   Get:               void(const Status&, const ReplicaValueView&), the
  //                      view valid during the call
  template <typename Done>
  void Put(std::string_view key, std::string_view value, int64_t expire_at_ms,
           const QuorumSettings& quorum, Done done) {
    WriteState(std::string(key), NewState(value, expire_at_ms), quorum,
               [done = std::move(done)](const Status& s, bool) mutable { done(s); });
  }
  template <typename Done>
  void Delete(std::string_view key, int64_t tombstone_until_ms, const QuorumSettings& quorum,
              Done done) {
    WriteState(std::string(key), NewTombstone(tombstone_until_ms), quorum, std::move(done));
  }
  template <typename Done>
  void Get(std::string_view key, const QuorumSettings& quorum, Done&& done) {
    // Forwarded: the callback is moved once, into the read (it may carry a
    // copy of the command's arguments).
    StartRead(new ReadWith<std::decay_t<Done>>(this, std::forward<Done>(done)), key, quorum);
  }
  // Get of the part of a collection that `part` names (RC.PICK's arguments
  // after the key: "MEMBERS" m..., or "RANDOM" count); other values whole.
  // The answer merges what each replica holds of it.
  template <typename Done>
  void GetPart(std::string_view key, std::vector<std::string> part, const QuorumSettings& quorum,
               Done&& done) {
    auto* read = new ReadWith<std::decay_t<Done>>(this, std::forward<Done>(done));
    read->part = std::move(part);
    StartRead(read, key, quorum);
  }
  // GetPart that also hands over what each replica that answered said, as
  // a read of a list's end needs (cluster/list_route.cc):
  //   done: void(const Status&, const ReplicaValueView& merged,
  //              std::vector<ReplicaValue> each)
  template <typename Done>
  void GetPartEach(std::string_view key, std::vector<std::string> part,
                   const QuorumSettings& quorum, Done&& done) {
    auto* read = new ReadEachWith<std::decay_t<Done>>(this, std::forward<Done>(done));
    read->part = std::move(part);
    read->keep_each = true;
    StartRead(read, key, quorum);
  }
  // Writes a state that already carries its version (a read-modify-write's
  // result, a counter's increment).
  template <typename Done>
  void WriteState(std::string key, ReplicaValue value, const QuorumSettings& quorum, Done done) {
    auto* write = new WriteWith<Done>(this, std::move(done));
    write->op.key = std::move(key);
    write->op.value = std::move(value);
    StartWrite(write, quorum);
  }

  // A stamp above every version this node has seen, including writes other
  // coordinators sent to its replica: a write a client issues after seeing
  // another must win over it.
  Version NextVersion();

  uint64_t read_repairs() const { return read_repairs_; }
  // Whether reads may count this node's own replica (false while it refills
  // after a start: AntiEntropy::refilled). Writes apply to it either way.
  void set_local_reads(bool on) { local_reads_ = on; }
  // Whether two members stamp versions with the same tag (core/state_order.h):
  // then reads compare the content of answers with equal versions too.
  // Safe default: true.
  void set_tags_collide(bool collide) { tags_collide_ = collide; }
  // Reads and writes not yet finished with every replica they asked (a write
  // acknowledged by W may still wait for the others).
  size_t operations_in_flight() const { return live_count_; }

  // Hinted handoff: writes a replica failed to take are kept (see
  // hinted_handoff.h) and delivered when it answers again. Call ReplayHints
  // periodically.
  void set_max_hints(size_t max_hints) { hints_.set_max_hints(max_hints); }
  // Writes to the local replica (including read repair) first make room
  // under maxmemory through `evictor`, and fail when it cannot.
  void set_evictor(Evictor* evictor) { evictor_ = evictor; }
  void ReplayHints() {
    hints_.Replay([this](const std::string& node) { return IsDown(node); });
  }
  const HintedHandoff& hints() const { return hints_; }

 private:
  // A read or write in flight, counted by hand: the operation itself holds a
  // reference until it has started, and so does each replica request in
  // flight, whose callback carries a plain pointer and so fits in
  // std::function's inline storage (no allocation per replica request).
  // Every operation is also on the coordinator's list of live ones, which
  // frees what is left when it goes (the event loop may stop mid-request).
  struct Operation : Expiring {
    explicit Operation(Coordinator* owner);
    ~Operation() override;
    // From per-size free lists (see OperationPool in coordinator.cc).
    static void* operator new(size_t size);
    static void operator delete(void* block, size_t size);
    void Retain() { ++references; }
    void Release() {
      if (--references == 0) delete this;
    }

    Coordinator* coordinator;
    Ring::NodeList nodes;  // the members the replica indexes refer to
    int references = 1;
    bool finished = false;  // the caller has its answer
    Operation* live_prev = nullptr;
    Operation* live_next = nullptr;
  };

  struct Write : Operation {
    using Operation::Operation;
    void Finish(const Status& status);
    void Expire() override;
    void OnReply(int64_t outcome);
    virtual void Deliver(const Status& status, int64_t answer) = 0;

    Hint op;  // what is written, kept for hints to replicas that miss it
    size_t asked = 0;
    size_t needed = 0;
    size_t acks = 0;
    size_t failures = 0;
    bool removed_live = false;
    bool refused = false;
    int64_t fewest_added = -1;  // collections: none acknowledged yet
    bool longest_wins = false;  // a list's push: the most its replicas hold
  };
  template <typename Done>
  struct WriteWith final : Write {
    WriteWith(Coordinator* owner, Done d) : Write(owner), done(std::move(d)) {}
    void Deliver(const Status& status, int64_t answer) override { done(status, answer); }
    Done done;
  };

  struct Read : Operation {
    using Operation::Operation;
    // Whether R answers can still arrive.
    bool Reachable() const {
      return answers.size() + in_flight + (candidates.size - next_candidate) >= needed;
    }
    void Finish(const Status& status);
    void Expire() override;
    void AddAnswer(size_t candidate, const ReplicaValueView& value);
    void AddCounterAnswer(size_t candidate, const ReplicaValueView& value);
    void AddCollectionAnswer(size_t candidate, const ReplicaValueView& value);
    virtual void Deliver(const Status& status, const ReplicaValueView& value) = 0;

    // Keep a copy of the key, and of the newest answer's value: inline when
    // short, as most are, to spare the read an allocation each.
    void SetKey(std::string_view k);
    void KeepNewest(const ReplicaValueView& value);

    std::string_view key;
    std::array<char, 48> short_key;
    std::string long_key;
    std::array<char, 128> short_value;
    std::string long_value;
    size_t replicas = 0;  // N that exist for the key
    size_t needed = 0;
    ReplicaSet candidates;  // in the order to ask them
    size_t next_candidate = 0;
    size_t in_flight = 0;
    // Who answered and who must be repaired, and the newest value.
    ReadAnswers answers;
    ReplicaValueView newest;        // its value in short_value or long_value
    std::vector<std::string> part;  // GetPart's; empty: the whole value
    bool keep_each = false;         // GetPartEach: keeps every answer in `each`
    std::vector<ReplicaValue> each;
  };
  template <typename Done>
  struct ReadWith final : Read {
    template <typename D>
    ReadWith(Coordinator* owner, D&& d) : Read(owner), done(std::forward<D>(d)) {}
    void Deliver(const Status& status, const ReplicaValueView& value) override {
      done(status, value);
    }
    Done done;
  };

  template <typename Done>
  struct ReadEachWith final : Read {
    template <typename D>
    ReadEachWith(Coordinator* owner, D&& d) : Read(owner), done(std::forward<D>(d)) {}
    void Deliver(const Status& status, const ReplicaValueView& value) override {
      done(status, value, std::move(each));
    }
    Done done;
  };

  // A value stamped with a new version (a tombstone's `expire_at_ms` is the
  // end of its grace period).
  ReplicaValue NewState(std::string_view value, int64_t expire_at_ms);
  ReplicaValue NewTombstone(int64_t until_ms);
  // Take over the operation's first reference.
  void StartWrite(Write* write, const QuorumSettings& quorum);
  void StartRead(Read* read, std::string_view key, const QuorumSettings& quorum);

  // Sends `value` (or its tombstone) with its version to one replica. The
  // outcome: -1 failed, kRefused the key holds another type (a collection
  // command's delta), else ReplicaApplied::Code(): 0 the replica had
  // something newer, 1 applied, 2 applied and a live value was removed
  // (deletes), 1 + n a collection's delta made n elements live.
  // (Templates on the callback, so that it travels inside the bus request's
  // own callback instead of being wrapped in one std::function more: an
  // allocation and an indirect call less per replica request.)
  // `self`: `node` is this one (callers that know it by index say so, rather
  // than comparing node ids for every replica). `put` keeps RC.PUT's
  // arguments (or, for a counter, RC.MMERGE's state), encoded by the first
  // remote replica that needs them: the same bytes go to every replica of a
  // write.
  template <typename Done>  // void(int64_t outcome)
  void Replicate(const std::string& node, bool self, std::string_view key,
                 const ReplicaValueView& value, std::string* put, Done done);
  template <typename Done>  // void(bool ok, const ReplicaValueView&)
  void Fetch(const Ring::NodeList& nodes, uint32_t node, std::string_view key,
             const std::vector<std::string>& part, Done done);
  // This node's index in `nodes` (nodes->size() if it is not there).
  uint32_t SelfIndex(const Ring::NodeList& nodes) {
    if (nodes != cached_nodes_) CacheNodeList(nodes);
    return self_index_;
  }
  // The bus peer for `nodes[node]` (this node too: a coordinator without a
  // local replica asks itself over the bus).
  PeerPool::Peer* PeerAt(const Ring::NodeList& nodes, uint32_t node) {
    if (nodes != cached_nodes_) CacheNodeList(nodes);
    return peer_handles_[node];
  }
  void CacheNodeList(const Ring::NodeList& nodes);

  void AskEnough(Read* read);
  void AskNext(Read* read);
  void OnAnswer(Read* read, size_t candidate, bool ok, const ReplicaValueView& value);
  void RepairStale(Read* read);
  // Times `op` out after `timeout` unless it is removed from deadlines_ first.
  void AddDeadline(Expiring* op, std::chrono::milliseconds timeout);
  void ArmDeadlineTimer();
  void DeliverHint(const std::string& node, const Hint& hint, std::function<void(bool)> done);

  const Ring& ring_;
  PeerPool& peers_;
  HybridClock& clock_;
  std::string self_id_;
  bool IsDown(const std::string& node) const {
    return membership_ != nullptr && membership_->down_count() != 0 && node != self_id_ &&
           !membership_->IsUp(node);
  }

  Keyspace* local_;
  Evictor* evictor_ = nullptr;
  const Membership* membership_;
  uint64_t read_repairs_ = 0;
  HintedHandoff hints_;
  Operation* live_ = nullptr;  // every read and write not yet freed
  size_t live_count_ = 0;
  bool tags_collide_ = true;
  bool local_reads_ = true;
  static constexpr int64_t kRefused = -2;
  std::string put_buffer_;     // StartWrite's, kept for its capacity
  std::string local_encoded_;  // a local collection's state, for a read's answer
  // Per node of the list last asked about: this node's index, and the peers.
  Ring::NodeList cached_nodes_;  // held, so a new list cannot reuse its address
  uint32_t self_index_ = 0;
  std::vector<PeerPool::Peer*> peer_handles_;
  DeadlineList deadlines_;             // reads and writes in flight, oldest first
  asio::steady_timer deadline_timer_;  // armed for the oldest while any are in flight
  bool deadline_timer_pending_ = false;
};

}  // namespace ringcache::cluster
