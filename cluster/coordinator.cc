#include "cluster/coordinator.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <memory>
#include <vector>

namespace ringcache::cluster {
namespace {

server::Status NoQuorum(std::string_view what, size_t got, size_t asked, size_t needed) {
  return server::Status::Unavailable(std::to_string(got) + " of " + std::to_string(asked) +
                                     " replicas " + std::string(what) + " (quorum " +
                                     std::to_string(needed) + ")");
}

ReplicaValue LocalValue(server::Keyspace& keyspace, const std::string& key) {
  ReplicaValue v;
  const server::Entry* e = keyspace.ReadReplica(key);
  if (e == nullptr) return v;
  v.found = true;
  v.tombstone = e->is_tombstone();
  v.value.assign(e->value());
  v.expire_at_ms = e->expire_at_ms;
  v.version = e->version();
  return v;
}

}  // namespace

bool ParseReplicaValue(const client::Reply& reply, ReplicaValue* out) {
  *out = ReplicaValue();
  if (reply.is_nil()) return true;
  if (reply.type != client::Reply::Type::kArray || reply.elements.size() != 4) return false;
  out->found = true;
  out->tombstone = reply.elements[0].str == "tombstone";
  out->value = reply.elements[1].str;
  out->expire_at_ms = reply.elements[2].integer;
  return server::Version::Parse(reply.elements[3].str, &out->version);
}

// The bookkeeping of one write: calls `done` exactly once.
struct Coordinator::Write : Expiring, std::enable_shared_from_this<Write> {
  Hint op;  // what is written, kept for hints to replicas that miss it
  size_t asked = 0;
  size_t needed = 0;
  size_t acks = 0;
  size_t failures = 0;
  bool removed_live = false;
  DeleteDone done;

  void Finish(const server::Status& status) {
    if (!done) return;
    DeleteDone callback = std::move(done);
    done = nullptr;
    DeadlineList::Remove(this);
    callback(status, removed_live);
  }
  void Expire() override {
    const auto self = shared_from_this();
    Finish(NoQuorum("acknowledged the write in time", acks, asked, needed));
  }
  void OnReply(int64_t outcome) {
    outcome >= 0 ? ++acks : ++failures;
    if (outcome == 2) removed_live = true;
    if (acks >= needed) {
      Finish(server::Status::Ok());
    } else if (acks + failures == asked) {
      // Wait for every answer before failing, so the error says how many
      // replicas really took the write (the rest may be repaired later).
      Finish(NoQuorum("acknowledged the write", acks, asked, needed));
    }
  }
};

// The bookkeeping of one read: answers after R replies, repairs after all.
struct Coordinator::Read : Expiring, std::enable_shared_from_this<Read> {
  explicit Read(Coordinator* owner) : coordinator(owner) {}
  Coordinator* coordinator;
  std::string key;
  size_t replicas = 0;  // N that exist for the key
  size_t needed = 0;
  std::vector<std::string> candidates;  // in the order to ask them
  size_t next_candidate = 0;
  size_t in_flight = 0;
  std::vector<std::pair<size_t, ReplicaValue>> answers;  // index in candidates, value
  ReadDone done;

  // Whether R answers can still arrive.
  bool Reachable() const {
    return answers.size() + in_flight + (candidates.size() - next_candidate) >= needed;
  }

  const ReplicaValue* Newest() const {
    const ReplicaValue* newest = nullptr;
    for (const auto& [candidate, value] : answers) {
      if (newest == nullptr || newest->version < value.version) newest = &value;
    }
    return newest;
  }
  void Finish(const server::Status& status) {
    if (!done) return;
    ReadDone callback = std::move(done);
    done = nullptr;
    callback(status, status.ok() ? *Newest() : ReplicaValue());
  }
  void Expire() override {
    const auto self = shared_from_this();
    Finish(NoQuorum("answered the read in time", answers.size(), replicas, needed));
    coordinator->RepairStale(self);
  }
};

Coordinator::Coordinator(asio::io_context& io, const Ring& ring, PeerPool& peers,
                         HybridClock& clock, std::string self_id, server::Keyspace* local,
                         const Membership* membership)
    : ring_(ring), peers_(peers), clock_(clock), self_id_(std::move(self_id)),
      local_(local), membership_(membership), deadline_timer_(io) {}

Coordinator::~Coordinator() = default;

void Coordinator::AddDeadline(Expiring* op, std::chrono::milliseconds timeout) {
  deadlines_.Add(op, DeadlineList::Clock::now() + timeout);
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

template <typename Done>
void Coordinator::Replicate(const std::string& node, const std::string& key,
                            const ReplicaValue& value, Done done) {
  if (node == self_id_ && local_ != nullptr) {
    if (value.tombstone) {
      bool removed = false;  // codes as RC.DEL replies them
      const bool applied = local_->DeleteIfNewer(key, value.version, value.expire_at_ms, &removed);
      done(applied ? (removed ? 2 : 1) : 0);
    } else if (evictor_ != nullptr && !evictor_->RoomForWrite()) {
      done(-1);  // full, and nothing may be evicted (noeviction)
    } else {
      done(local_->PutIfNewer(key, value.value, value.expire_at_ms, value.version) ? 1 : 0);
    }
    return;
  }
  if (IsDown(node)) {
    done(-1);
    return;
  }
  const server::Version::Text version_text = value.version.Format();
  const std::string_view version = version_text.view();
  const std::string expire = std::to_string(value.expire_at_ms);
  auto on_reply = [done = std::move(done)](const asio::error_code& ec, const client::Reply& reply) {
    // 0 means the replica already holds something newer: it is up to date.
    done(!ec && reply.type == client::Reply::Type::kInteger ? reply.integer : -1);
  };
  if (value.tombstone) {
    const std::string_view args[] = {"RC.DEL", key, version, expire};
    peers_.Send(node, args, std::move(on_reply));
  } else {
    const std::string_view args[] = {"RC.PUT", key, value.value, expire, version};
    peers_.Send(node, args, std::move(on_reply));
  }
}

template <typename Done>
void Coordinator::Fetch(const std::string& node, const std::string& key, Done done) {
  if (node == self_id_ && local_ != nullptr) {
    done(true, LocalValue(*local_, key));
    return;
  }
  if (IsDown(node)) {
    done(false, ReplicaValue());
    return;
  }
  const std::string_view args[] = {"RC.GET", key};
  peers_.Send(node, args, [done = std::move(done)](const asio::error_code& ec, const client::Reply& reply) {
    ReplicaValue value;
    const bool ok = !ec && ParseReplicaValue(reply, &value);
    done(ok, std::move(value));
  });
}

ReplicaValue Coordinator::NewState(std::string_view value, int64_t expire_at_ms) {
  ReplicaValue state;
  state.found = true;
  state.value = value;
  state.expire_at_ms = expire_at_ms;
  state.version = NextVersion();
  return state;
}

void Coordinator::Delete(std::string_view key, int64_t tombstone_until_ms,
                         const QuorumSettings& quorum, DeleteDone done) {
  ReplicaValue state = NewState({}, tombstone_until_ms);
  state.tombstone = true;
  WriteState(std::string(key), std::move(state), {}, quorum, std::move(done));
}

void Coordinator::WriteState(std::string key, ReplicaValue value, const std::string& applied_by,
                             const QuorumSettings& quorum, DeleteDone done) {
  auto write = std::make_shared<Write>();
  write->op.key = std::move(key);
  write->op.value = std::move(value);
  const ReplicaSet replicas = ring_.PreferenceList(write->op.key, quorum.replicas);
  write->asked = replicas.size;
  write->needed = std::min(quorum.write_quorum, quorum.replicas);
  write->done = std::move(done);
  if (write->asked < write->needed) {
    write->Finish(NoQuorum("exist to take the write", write->asked, write->asked, write->needed));
    return;
  }
  AddDeadline(write.get(), quorum.timeout);
  for (uint32_t node : replicas) {
    const std::string& node_id = ring_.nodes()[node];
    if (node_id == applied_by) {
      write->OnReply(1);
      continue;
    }
    Replicate(node_id, write->op.key, write->op.value, [this, write, node_id](int64_t outcome) {
      // Kept even when the client already has its answer: the replica gets
      // the write when it is back.
      if (outcome < 0) StoreHint(node_id, write->op);
      write->OnReply(outcome);
    });
  }
}

// Asks R replicas, not all N: any R overlap any W that acknowledged a write,
// and each replica asked costs a round trip on a machine that is short of
// CPU. A replica that fails is replaced by the next one. The node's own
// replica goes first (no round trip); the rest in preference-list order,
// those known to be down last. Replicas not asked are kept in step by hints
// and anti-entropy.
void Coordinator::Get(std::string_view key, const QuorumSettings& quorum, ReadDone done) {
  const ReplicaSet replicas = ring_.PreferenceList(key, quorum.replicas);
  auto read = std::make_shared<Read>(this);
  read->key = key;
  read->replicas = replicas.size;
  read->needed = std::min(quorum.read_quorum, quorum.replicas);
  read->done = std::move(done);
  read->candidates.reserve(replicas.size);
  read->answers.reserve(replicas.size);
  for (int pass = 0; pass < 3; ++pass) {
    for (uint32_t node : replicas) {
      const std::string& id = ring_.nodes()[node];
      const int rank = id == self_id_ ? 0 : IsDown(id) ? 2 : 1;
      if (rank == pass) read->candidates.push_back(id);
    }
  }
  if (read->replicas < read->needed) {
    read->Finish(NoQuorum("exist to answer the read", read->replicas, read->replicas,
                          read->needed));
    return;
  }
  AddDeadline(read.get(), quorum.timeout);
  while (read->next_candidate < read->needed) AskNext(read);
}

void Coordinator::AskNext(const std::shared_ptr<Read>& read) {
  const size_t candidate = read->next_candidate++;
  ++read->in_flight;
  Fetch(read->candidates[candidate], read->key, [this, read, candidate](bool ok, ReplicaValue value) {
    --read->in_flight;
    if (ok) {
      clock_.Observe(value.version);
      read->answers.emplace_back(candidate, std::move(value));
    } else if (read->next_candidate < read->candidates.size()) {
      AskNext(read);
    }
    if (read->answers.size() >= read->needed) {
      read->Finish(server::Status::Ok());
    } else if (!read->Reachable() && read->in_flight == 0) {
      // Reported once every answer is in, so the count is the real one.
      read->Finish(NoQuorum("answered the read", read->answers.size(), read->replicas,
                            read->needed));
    }
    if (read->in_flight == 0 && !read->done) {
      DeadlineList::Remove(read.get());
      RepairStale(read);
    }
  });
}

server::Version Coordinator::NextVersion() {
  if (local_ != nullptr) clock_.Observe(local_->max_version());
  return clock_.Tick();
}

void Coordinator::StoreHint(const std::string& node, const Hint& hint) {
  if (max_hints_ == 0) {
    ++hints_dropped_;
    return;
  }
  if (hints_pending_ >= max_hints_) {
    // Drop the oldest hint of the longest queue: its replica has been away
    // longest, and read repair can still fix that key later.
    auto longest = hints_.begin();
    for (auto it = hints_.begin(); it != hints_.end(); ++it) {
      if (it->second.size() > longest->second.size()) longest = it;
    }
    // The front of a queue being delivered is in flight: drop from the back.
    if (delivering_.count(longest->first) != 0) {
      longest->second.pop_back();
    } else {
      longest->second.pop_front();
    }
    --hints_pending_;
    ++hints_dropped_;
  }
  hints_[node].push_back(hint);
  ++hints_pending_;
}

void Coordinator::ReplayHints() {
  for (const auto& [node, queue] : hints_) {
    if (!queue.empty() && delivering_.count(node) == 0 && !IsDown(node)) DeliverNextHint(node);
  }
}

// One hint in flight per target; each delivered hint sends the next, and a
// failure leaves the rest for the next ReplayHints.
void Coordinator::DeliverNextHint(const std::string& node) {
  auto it = hints_.find(node);
  if (it == hints_.end() || it->second.empty()) {
    delivering_.erase(node);
    return;
  }
  delivering_.insert(node);
  const Hint& hint = it->second.front();
  Replicate(node, hint.key, hint.value, [this, node](int64_t outcome) {
    if (outcome < 0) {
      delivering_.erase(node);
      return;
    }
    auto queue = hints_.find(node);
    if (queue != hints_.end() && !queue->second.empty()) {
      queue->second.pop_front();
      --hints_pending_;
      ++hints_delivered_;
    }
    DeliverNextHint(node);
  });
}

void Coordinator::RepairStale(const std::shared_ptr<Read>& read) {
  const ReplicaValue* newest = read->Newest();
  if (newest == nullptr || !newest->found) return;
  const ReplicaValue best = *newest;
  for (const auto& [candidate, value] : read->answers) {
    if (value.version < best.version) {
      ++read_repairs_;
      Replicate(read->candidates[candidate], read->key, best, [](int64_t) {});
    }
  }
  read->answers.clear();  // repaired once, even if the timer fires later
}

}  // namespace ringcache::cluster
