// ReplySlots: a connection's replies in request order while some of them
// are still being waited for.
//
// A pipelined command that waits on other nodes (a cluster read or write)
// takes a slot for its reply; commands after it keep running, and their
// immediate replies queue behind the slot. Replies leave in request order:
// the front slots move to the output as they complete. A deferred reply that
// is first in line is written straight into the output (no copy).
//
//   output()     replies ready to send, in order
//   slots        [deferred, done?] [immediate replies] [deferred] ...
//   immediate    replies written since the last slot, not yet queued
//
// Single-threaded: the connection's (the event loop's) thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

namespace ringcache::net {

class ReplySlots {
 public:
  // Where the next immediate reply goes: the output, unless a reply before
  // it is still awaited; then a buffer that queues behind it.
  std::string* ImmediateTarget() { return slots_.empty() ? &output_ : &immediate_; }
  // Queues the immediate replies written so far behind the slots (call after
  // each command that may have deferred).
  void FlushImmediate();

  // Takes a slot for a reply to be written later; returns its id.
  uint64_t Defer();
  // Where the reply of `slot` is to be written: the output itself when every
  // reply before it has gone there.
  std::string* DeferredBuffer(uint64_t slot) {
    return slot == front_slot_ ? &output_ : &slots_[slot - front_slot_].data;
  }
  // Marks `slot`'s reply written and moves every complete reply at the
  // front to the output. REQUIRES: Defer() returned `slot`, not completed yet.
  void Complete(uint64_t slot);

  // Deferred replies not yet complete.
  size_t pending() const { return pending_; }
  // Whether replies wait behind an incomplete one.
  bool waiting() const { return !slots_.empty(); }
  std::string& output() { return output_; }

 private:
  struct Slot {
    std::string data;
    bool done;
  };
  std::string output_;
  std::deque<Slot> slots_;
  std::string immediate_;
  uint64_t front_slot_ = 0;  // id of slots_.front()
  size_t pending_ = 0;
};

}  // namespace ringcache::net
