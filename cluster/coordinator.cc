#include "cluster/coordinator.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <vector>

#include "client/reply.h"
#include "cluster/operation_pool.h"
#include "common/buffers.h"
#include "common/number_parsing.h"
#include "types/counter_state.h"
#include "types/replica_merge.h"
#include "types/replicated_collection.h"

namespace ringcache::cluster {
namespace {

Status NoQuorum(std::string_view what, size_t got, size_t asked, size_t needed) {
  return Status::Unavailable(std::to_string(got) + " of " + std::to_string(asked) + " replicas " +
                             std::string(what) + " (quorum " + std::to_string(needed) + ")");
}

// A view of what this node's own replica holds: valid until the keyspace
// next changes (and, for a collection, encoded into `encoded`).
ReplicaValueView LocalValue(Keyspace& keyspace, std::string_view key, std::string* encoded) {
  return ViewOfEntry(keyspace.ReadReplica(key), encoded);
}

// Whether two states are the same (for a merge's result and its inputs).
bool SameState(const ReplicaValue& a, const ReplicaValueView& b) {
  return a.found == b.found && a.tombstone == b.tombstone && a.collection == b.collection &&
         a.empty == b.empty && a.expire_at_ms == b.expire_at_ms && a.value == b.value;
}

// `bytes`, copied into `fixed` if it fits there, else into `grown`.
template <size_t N>
std::string_view CopyShortInline(std::string_view bytes, std::array<char, N>* fixed,
                                 std::string* grown) {
  if (bytes.size() <= N) {
    std::copy(bytes.begin(), bytes.end(), fixed->begin());
    return {fixed->data(), bytes.size()};
  }
  grown->assign(bytes);
  return *grown;
}

}  // namespace

void* Coordinator::Operation::operator new(size_t size) { return OperationPool::Take(size); }

void Coordinator::Operation::operator delete(void* block, size_t size) {
  OperationPool::Give(block, size);
}

Coordinator::Operation::Operation(Coordinator* owner)
    : coordinator(owner), nodes(owner->ring_.node_list()), live_next(owner->live_) {
  if (live_next != nullptr) live_next->live_prev = this;
  owner->live_ = this;
  ++owner->live_count_;
}

Coordinator::Operation::~Operation() {
  (live_prev != nullptr ? live_prev->live_next : coordinator->live_) = live_next;
  if (live_next != nullptr) live_next->live_prev = live_prev;
  --coordinator->live_count_;
}

void Coordinator::Write::Finish(const Status& status) {
  if (finished) return;
  finished = true;
  DeadlineList::Remove(this);
  if (!status.ok() && refused && acks < needed) {
    Deliver(Status::WrongType(), 0);
    return;
  }
  Deliver(status, fewest_added >= 0 ? fewest_added : removed_live ? 1 : 0);
}

void Coordinator::Write::Expire() {
  Finish(NoQuorum("acknowledged the write in time", acks, asked, needed));
}

void Coordinator::Write::OnReply(int64_t outcome) {
  outcome >= 0 ? ++acks : ++failures;
  if (outcome == kRefused) refused = true;
  if (op.value.collection) {
    // What a collection command reports: the elements that were new to
    // every replica that acknowledged it; for a list push, the longest list
    // an acknowledging replica holds (one that missed earlier pushes, or
    // took this one twice, says less).
    const int64_t added = outcome > 0 ? outcome - 1 : 0;
    const bool better = longest_wins ? added > fewest_added : added < fewest_added;
    if (outcome >= 0 && (fewest_added < 0 || better)) fewest_added = added;
  } else if (outcome == 2) {
    removed_live = true;
  }
  if (acks >= needed) {
    Finish(Status::Ok());
  } else if (acks + failures == asked) {
    // Wait for every answer before failing, so the error says how many
    // replicas really took the write (the rest may be repaired later).
    Finish(NoQuorum("acknowledged the write", acks, asked, needed));
  }
}

void Coordinator::Read::Finish(const Status& status) {
  if (finished) return;
  finished = true;
  if (status.ok()) {
    Deliver(status, newest);
  } else {
    Deliver(status, ReplicaValueView());
  }
}

void Coordinator::Read::Expire() {
  Retain();  // whatever the answer sets off, the read outlives this call
  Finish(NoQuorum("answered the read in time", answers.size(), replicas, needed));
  coordinator->RepairStale(this);
  Release();
}

void Coordinator::Read::SetKey(std::string_view k) {
  key = CopyShortInline(k, &short_key, &long_key);
}

void Coordinator::Read::KeepNewest(const ReplicaValueView& value) {
  newest = value;
  newest.value = CopyShortInline(value.value, &short_value, &long_value);
}

void Coordinator::Read::AddAnswer(size_t candidate, const ReplicaValueView& value) {
  if (keep_each) each.push_back(ToOwned(value));
  if (answers.size() != 0 && (value.collection || newest.collection) && value.found &&
      newest.found) {
    AddCollectionAnswer(candidate, value);
    return;
  }
  if (answers.size() != 0 && (value.counter || newest.counter) && value.live() && newest.live() &&
      value.version == newest.version) {
    AddCounterAnswer(candidate, value);
    return;
  }
  int order = 1;
  if (answers.size() != 0) {
    // Equal versions name one write unless two members share a version tag:
    // only then can their states differ, and only then is it worth comparing
    // their bytes (a memcmp of the value per answer).
    const bool same_write = !coordinator->tags_collide_ && value.found == newest.found &&
                            value.version == newest.version;
    order = same_write ? 0 : CompareReplicaStates(value, newest);
  }
  answers.Add(static_cast<uint32_t>(candidate), order);
  if (order > 0) KeepNewest(value);  // only the newest is copied
}

// Counters of one base merge: the read answers with the merge of what its
// replicas hold, and repairs every replica that lacks part of it.
void Coordinator::Read::AddCounterAnswer(size_t candidate, const ReplicaValueView& value) {
  // Canonical encodings: equal bytes are equal states (the usual answer, as
  // an increment's merge reaches a replica before its read).
  if (value.counter && newest.counter && value.value == newest.value) {
    answers.Add(static_cast<uint32_t>(candidate), 0);
    return;
  }
  const std::optional<std::string> merged =
      MergeCounterStates(newest.value, newest.counter, value.value, value.counter);
  if (!merged) {  // malformed: ignored, and repaired with the newest
    answers.Add(static_cast<uint32_t>(candidate), -1);
    return;
  }
  const auto id = static_cast<uint32_t>(candidate);
  if (value.counter && *merged == value.value) {  // it has it all (equal ones returned above)
    answers.Add(id, 1);
    KeepNewest(value);
    return;
  }
  if (newest.counter && *merged == newest.value) {
    answers.Add(id, -1);
    return;
  }
  answers.Supersede();  // neither had it all
  answers.Add(id, -1);
  ReplicaValueView merged_view = newest;
  merged_view.counter = true;
  merged_view.value = *merged;
  KeepNewest(merged_view);
}

// Collections merge too, element by element (with a whole value, by the
// rules of types/replica_merge.h).
void Coordinator::Read::AddCollectionAnswer(size_t candidate, const ReplicaValueView& value) {
  const auto id = static_cast<uint32_t>(candidate);
  if (value.collection && newest.collection && value.value == newest.value &&
      value.empty == newest.empty && value.expire_at_ms == newest.expire_at_ms &&
      value.version == newest.version) {
    answers.Add(id, 0);  // the usual answer: the replicas agree
    return;
  }
  const ReplicaValue merged = MergeReplicaStates(newest, value);
  if (!part.empty() && part.front() == "RANDOM") {
    // Each replica drew its own members: differing draws say nothing of
    // staleness, so nothing is repaired (anti-entropy catches what differs).
    answers.Add(id, 0);
    KeepNewest(merged.view());
    return;
  }
  const bool value_has_all = SameState(merged, value);
  const bool newest_has_all = SameState(merged, newest);
  if (value_has_all && newest_has_all) {
    answers.Add(id, 0);
  } else if (value_has_all) {
    answers.Add(id, 1);
    KeepNewest(value);
  } else if (newest_has_all) {
    answers.Add(id, -1);
  } else {
    answers.Supersede();  // neither had it all
    answers.Add(id, -1);
    KeepNewest(merged.view());
  }
}

Coordinator::Coordinator(asio::io_context& io, const Ring& ring, PeerPool& peers,
                         HybridClock& clock, std::string self_id, Keyspace* local,
                         const Membership* membership)
    : ring_(ring),
      peers_(peers),
      clock_(clock),
      self_id_(std::move(self_id)),
      local_(local),
      membership_(membership),
      hints_([this](const std::string& node, const Hint& hint, std::function<void(bool)> done) {
        DeliverHint(node, hint, std::move(done));
      }),
      deadline_timer_(io) {}

Coordinator::~Coordinator() {
  // Each operation unlinks itself from live_ as it goes.
  while (live_ != nullptr) delete live_;  // NOLINT(clang-analyzer-cplusplus.NewDelete)
}

void Coordinator::AddDeadline(Expiring* op, std::chrono::milliseconds timeout) {
  deadlines_.Add(op, DeadlineList::CoarseNow() + timeout);
  // A pending timer is due no later than this deadline (they only grow): it
  // will re-arm for whatever is oldest then.
  if (!deadline_timer_pending_) ArmDeadlineTimer();
}

void Coordinator::ArmDeadlineTimer() {
  deadline_timer_pending_ = true;
  deadline_timer_.expires_at(deadlines_.next_deadline());
  deadline_timer_.async_wait([this](const asio::error_code& ec) {
    deadline_timer_pending_ = false;
    if (ec) return;
    deadlines_.ExpireDue(DeadlineList::Clock::now());
    if (!deadlines_.empty() && !deadline_timer_pending_) ArmDeadlineTimer();
  });
}

void Coordinator::CacheNodeList(const Ring::NodeList& nodes) {
  cached_nodes_ = nodes;
  self_index_ = static_cast<uint32_t>(std::lower_bound(nodes->begin(), nodes->end(), self_id_) -
                                      nodes->begin());
  if (self_index_ < nodes->size() && (*nodes)[self_index_] != self_id_) {
    self_index_ = static_cast<uint32_t>(nodes->size());
  }
  peer_handles_.clear();
  for (const std::string& node : *nodes) peer_handles_.push_back(peers_.Resolve(node));
}

template <typename Done>
void Coordinator::Replicate(const std::string& node, bool self, std::string_view key,
                            const ReplicaValueView& value, std::string* put, Done done) {
  if (self && local_ != nullptr) {
    if (!value.tombstone && evictor_ != nullptr && !evictor_->RoomForWrite()) {
      done(-1);  // full, and nothing may be evicted (noeviction)
      return;
    }
    done(ApplyReplicaState(*local_, key, value).Code());  // as RC.DEL and RC.MMERGE reply
    return;
  }
  if (IsDown(node)) {
    done(-1);
    return;
  }
  auto on_reply = [done = std::move(done)](const asio::error_code& ec, std::string_view resp) {
    // 0 means the replica already holds something newer: it is up to date.
    client::RespCursor cursor(resp);
    int64_t outcome = -1;
    if (!ec && resp.starts_with("-WRONGTYPE")) {
      done(kRefused);
      return;
    }
    done(!ec && cursor.Integer(&outcome) ? outcome : -1);
  };
  const auto version = [&] { return value.version.Format(); };
  char expire_text[24];
  const auto expire = [&] {
    return std::string_view(expire_text, FormatInt64(value.expire_at_ms, expire_text));
  };
  if (value.tombstone) {
    peers_.SendDel(node, key, version().view(), expire(), std::move(on_reply));
    return;
  }
  if (value.counter || value.collection) {
    if (put->empty()) EncodeState(value, put);  // a merging write carries its state
    peers_.SendMerge(node, key, *put, std::move(on_reply));
    return;
  }
  if (put->empty()) {
    PeerPool::AppendPutArguments(key, value.value, expire(), version().view(), put);
  }
  peers_.SendPut(node, *put, std::move(on_reply));
}

template <typename Done>
void Coordinator::Fetch(const Ring::NodeList& nodes, uint32_t node, std::string_view key,
                        const std::vector<std::string>& part, Done done) {
  // RC.PICK's arguments, for a read of a part.
  std::vector<std::string_view> pick;
  if (!part.empty()) {
    pick.assign({"RC.PICK", key});
    pick.insert(pick.end(), part.begin(), part.end());
  }
  if (node == SelfIndex(nodes) && local_ != nullptr) {
    if (!local_reads_) {
      done(false, ReplicaValueView());  // refilling: the next replica answers
    } else if (part.empty()) {
      done(true, LocalValue(*local_, key, &local_encoded_));
    } else {
      ReplicaValueView value;
      const bool ok = PartOfEntry(local_->ReadReplica(key), std::span(pick).subspan(2),
                                  &local_encoded_, &value);
      done(ok, value);
    }
    return;
  }
  if (IsDown((*nodes)[node])) {
    done(false, ReplicaValueView());
    return;
  }
  auto decode = [done = std::move(done)](const asio::error_code& ec, std::string_view state) {
    ReplicaValueView value;
    const bool ok = !ec && DecodeStateBytes(state, &value);
    done(ok, value);
  };
  if (part.empty()) {
    peers_.SendGet(PeerAt(nodes, node), key, std::move(decode));
  } else {
    peers_.SendForState(PeerAt(nodes, node), pick, std::move(decode));
  }
}

ReplicaValue Coordinator::NewState(std::string_view value, int64_t expire_at_ms) {
  ReplicaValue state;
  state.found = true;
  state.value = value;
  state.expire_at_ms = expire_at_ms;
  state.version = NextVersion();
  return state;
}

ReplicaValue Coordinator::NewTombstone(int64_t until_ms) {
  ReplicaValue state = NewState({}, until_ms);
  state.tombstone = true;
  return state;
}

void Coordinator::StartWrite(Write* write, const QuorumSettings& quorum) {
  const ReplicaSet replicas = ring_.PreferenceList(write->op.key, quorum.replicas);
  write->longest_wins =
      write->op.value.collection && ReplicatedCollection::KindOfEncoded(write->op.value.value) ==
                                        ReplicatedCollection::Kind::kList;
  write->asked = replicas.size;
  write->needed = std::min(quorum.write_quorum, quorum.replicas);
  if (write->asked < write->needed) {
    write->Finish(NoQuorum("exist to take the write", write->asked, write->asked, write->needed));
    write->Release();
    return;
  }
  AddDeadline(write, quorum.timeout);
  const uint32_t self = SelfIndex(write->nodes);
  // Encoded once for all replicas, into a buffer that keeps its capacity
  // between writes (taken, not shared: a write's callbacks may start another).
  std::string put = std::move(put_buffer_);
  put.clear();
  for (uint32_t node : replicas) {
    const std::string& node_id = (*write->nodes)[node];
    write->Retain();
    Replicate(node_id, node == self, write->op.key, write->op.value.view(), &put,
              [write, node](int64_t outcome) {
                // Kept even when the client already has its answer: the replica gets
                // the write when it is back.
                // (Not a write the replica refused: it would refuse it again.)
                if (outcome == -1)
                  write->coordinator->hints_.Store((*write->nodes)[node], write->op);
                write->OnReply(outcome);
                write->Release();
              });
  }
  ReleaseIfLarge(&put);  // a large value's copy is not kept for the next write
  put_buffer_ = std::move(put);
  // The start's own reference: the analyzer cannot follow the count.
  write->Release();  // NOLINT(clang-analyzer-cplusplus.NewDelete)
}

// Asks R replicas, not all N: any R overlap any W that acknowledged a write,
// and each replica asked costs a round trip on a machine that is short of
// CPU. A replica that fails is replaced by the next one. The node's own
// replica goes first (no round trip); the rest in preference-list order,
// those known to be down last. Replicas not asked are kept in step by hints
// and anti-entropy.
void Coordinator::StartRead(Read* read, std::string_view key, const QuorumSettings& quorum) {
  const ReplicaSet replicas = ring_.PreferenceList(key, quorum.replicas);
  read->SetKey(key);
  read->replicas = replicas.size;
  read->needed = std::min(quorum.read_quorum, quorum.replicas);
  const uint32_t self = SelfIndex(read->nodes);
  // This node first, then the others in the key's ring order. (Once, read-
  // modify-writes were applied by the key's first live replica, and a read
  // pipelined after an INCR had to ask that one; they no longer are, so
  // asking peers in node order, measured 12% faster, is open again.)
  for (int pass = 0; pass < 3; ++pass) {
    for (uint32_t node : replicas) {
      const int rank = node == self ? 0 : IsDown((*read->nodes)[node]) ? 2 : 1;
      if (rank == pass) read->candidates.nodes[read->candidates.size++] = node;
    }
  }
  if (read->replicas < read->needed) {
    read->Finish(
        NoQuorum("exist to answer the read", read->replicas, read->replicas, read->needed));
    read->Release();
    return;
  }
  AddDeadline(read, quorum.timeout);
  // The start's own reference keeps the read (the analyzer cannot follow the count).
  AskEnough(read);  // NOLINT(clang-analyzer-cplusplus.NewDelete)
  read->Release();
}

// Asks further candidates until answers and requests in flight could make
// the quorum. (A candidate can fail at once, inside this loop: this node's
// refilling replica, a member known down; each failure asks the next.)
void Coordinator::AskEnough(Read* read) {
  while (!read->finished && read->answers.size() + read->in_flight < read->needed &&
         read->next_candidate < read->candidates.size) {
    AskNext(read);
  }
}

void Coordinator::AskNext(Read* read) {
  const size_t candidate = read->next_candidate++;
  ++read->in_flight;
  read->Retain();
  const uint32_t node = read->candidates.nodes[candidate];
  Fetch(read->nodes, node, read->key, read->part,
        [read, candidate](bool ok, const ReplicaValueView& value) {
          read->coordinator->OnAnswer(read, candidate, ok, value);
          read->Release();
        });
}

void Coordinator::OnAnswer(Read* read, size_t candidate, bool ok, const ReplicaValueView& value) {
  --read->in_flight;
  if (ok) {
    clock_.Observe(value.version);
    read->AddAnswer(candidate, value);
  } else {
    AskEnough(read);
  }
  // The answer's own reference keeps the read (the analyzer cannot follow the count).
  if (read->answers.size() >= read->needed) {  // NOLINT(clang-analyzer-cplusplus.NewDelete)
    read->Finish(Status::Ok());
  } else if (!read->Reachable() && read->in_flight == 0) {
    // Reported once every answer is in, so the count is the real one.
    read->Finish(NoQuorum("answered the read", read->answers.size(), read->replicas, read->needed));
  }
  if (read->in_flight == 0 && read->finished) {
    DeadlineList::Remove(read);
    RepairStale(read);
  }
}

Version Coordinator::NextVersion() {
  if (local_ != nullptr) clock_.Observe(local_->max_version());
  return clock_.Tick();
}

void Coordinator::DeliverHint(const std::string& node, const Hint& hint,
                              std::function<void(bool)> done) {
  std::string put;
  Replicate(node, node == self_id_, hint.key, hint.value.view(), &put,
            [done = std::move(done)](int64_t outcome) { done(outcome != -1); });
}

void Coordinator::RepairStale(Read* read) {
  const ReplicaValueView& newest = read->newest;
  if (!newest.found) {
    read->answers.TakeStale([](uint32_t) {});  // nothing to repair with
    return;
  }
  std::string put;  // for all stale replicas
  read_repairs_ += read->answers.TakeStale([&](uint32_t candidate) {
    const uint32_t node = read->candidates.nodes[candidate];
    Replicate((*read->nodes)[node], node == SelfIndex(read->nodes), read->key, newest, &put,
              [](int64_t) {});
  });
}

}  // namespace ringcache::cluster
