// DeadlineList: the timeouts of the coordinator's operations in flight, kept
// without a timer each.
//
// An asio timer per read and write costs a timer-queue insert, a removal on
// success and a cancelled handler run through the event loop: a few percent
// of a coordinator's instructions. Operations here share one timeout, so
// they expire in the order they started: an intrusive list in start order
// (O(1) to add and to remove when an operation completes) and one timer for
// its head do the same job. If the timeout setting changes, an operation may
// expire late by up to the difference.
//
// Single-threaded: the event loop's thread.
#pragma once

#include <time.h>

#include <chrono>

namespace ringcache::cluster {

class DeadlineList;

// An operation that can time out. Unlinks itself when destroyed.
class Expiring {
 public:
  Expiring() = default;
  Expiring(const Expiring&) = delete;
  Expiring& operator=(const Expiring&) = delete;
  virtual ~Expiring();

  // Called once, after the operation was taken off the list.
  virtual void Expire() = 0;

 private:
  friend class DeadlineList;
  DeadlineList* list_ = nullptr;
  Expiring* prev_ = nullptr;
  Expiring* next_ = nullptr;
  std::chrono::steady_clock::time_point deadline_;
};

class DeadlineList {
 public:
  using Clock = std::chrono::steady_clock;

  DeadlineList() = default;
  DeadlineList(const DeadlineList&) = delete;
  DeadlineList& operator=(const DeadlineList&) = delete;
  ~DeadlineList() {
    while (head_ != nullptr) Remove(head_);
  }

  // Now, to within the kernel's tick (a few ms), for computing deadlines:
  // read once per operation, where a precise clock read cost more than
  // the rest of adding it. Timeouts here are hundreds of ms or more.
  static Clock::time_point CoarseNow() {
    // libstdc++'s steady_clock is CLOCK_MONOTONIC, which the coarse clock
    // follows: the two can be compared.
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return Clock::time_point(std::chrono::seconds(ts.tv_sec) +
                             std::chrono::nanoseconds(ts.tv_nsec));
  }

  // REQUIRES: `op` is on no list; `deadline` is no earlier than any other's.
  void Add(Expiring* op, Clock::time_point deadline) {
    op->list_ = this;
    op->deadline_ = deadline;
    op->prev_ = tail_;
    op->next_ = nullptr;
    (tail_ != nullptr ? tail_->next_ : head_) = op;
    tail_ = op;
  }

  // Takes `op` off the list if it is on it.
  static void Remove(Expiring* op) {
    DeadlineList* list = op->list_;
    if (list == nullptr) return;
    (op->prev_ != nullptr ? op->prev_->next_ : list->head_) = op->next_;
    (op->next_ != nullptr ? op->next_->prev_ : list->tail_) = op->prev_;
    op->list_ = nullptr;
    op->prev_ = op->next_ = nullptr;
  }

  // Expires every operation whose deadline is at or before `now`. Expire()
  // may complete or start other operations: the head is read afresh each time.
  void ExpireDue(Clock::time_point now) {
    while (head_ != nullptr && head_->deadline_ <= now) {
      Expiring* op = head_;
      Remove(op);
      op->Expire();
    }
  }

  bool empty() const { return head_ == nullptr; }
  // REQUIRES: !empty().
  Clock::time_point next_deadline() const { return head_->deadline_; }

 private:
  Expiring* head_ = nullptr;
  Expiring* tail_ = nullptr;
};

inline Expiring::~Expiring() { DeadlineList::Remove(this); }

}  // namespace ringcache::cluster
