// ReadAnswers: what the replicas asked by one read answered, and which of
// them read repair must fix afterwards.
//
// A read keeps the newest state among its answers (by version, and by
// CompareTiedStates for equal versions) and answers the client with it; the
// replicas that answered with anything else are stale and are sent the newest
// state in the background (read repair), without delaying the reply. Each
// answer is recorded as it arrives with how it compares with the newest so
// far; a "generation" that moves on whenever a newer answer arrives tells
// at the end which answers match the final newest. Inline, fixed-size: one
// lives in every read.
//
// Single-threaded.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "cluster/ring.h"

namespace ringcache::cluster {

class ReadAnswers {
 public:
  // `order` says how the answer of the read's `candidate` compares with the
  // newest so far: > 0 newer (it becomes the newest), 0 the same state,
  // < 0 older. The first answer is the newest whatever `order` says.
  // REQUIRES: fewer than kMaxReplicas answers so far.
  void Add(uint32_t candidate, int order) {
    const bool newest = count_ == 0 || order > 0;
    if (newest) ++generation_;
    answers_[count_] = {candidate, newest || order == 0 ? generation_ : kOlder};
    ++count_;
  }
  // A state newer than every answer so far arrived from none of them alone
  // (the merge of replicas' counters): every answer so far is stale.
  void Supersede() { ++generation_; }
  size_t size() const { return count_; }
  // Calls repair(candidate) for each answer that is not the newest state and
  // returns how many; afterwards the answers are forgotten, so a read is
  // repaired once even if its deadline fires later.
  template <typename Repair>
  size_t TakeStale(Repair&& repair) {
    size_t stale = 0;
    for (size_t i = 0; i < count_; ++i) {
      if (answers_[i].generation == generation_) continue;
      ++stale;
      repair(answers_[i].candidate);
    }
    count_ = 0;
    return stale;
  }

 private:
  static constexpr uint32_t kOlder = 0;
  struct Answer {
    uint32_t candidate;
    uint32_t generation;  // the newest's generation when this answer matched it
  };
  std::array<Answer, kMaxReplicas> answers_{};
  size_t count_ = 0;
  uint32_t generation_ = 0;
};

}  // namespace ringcache::cluster
