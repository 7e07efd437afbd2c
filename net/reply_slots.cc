#include "net/reply_slots.h"

namespace ringcache::net {

void ReplySlots::FlushImmediate() {
  if (immediate_.empty()) return;
  if (!slots_.empty() && slots_.back().done) {
    slots_.back().data += immediate_;
  } else {
    slots_.push_back({std::move(immediate_), true});
  }
  immediate_.clear();
}

uint64_t ReplySlots::Defer() {
  FlushImmediate();  // replies before this one stay before it
  const uint64_t slot = front_slot_ + slots_.size();
  slots_.push_back({{}, false});
  ++pending_;
  return slot;
}

void ReplySlots::Complete(uint64_t slot) {
  FlushImmediate();  // written after every slot there is: may be output next
  slots_[slot - front_slot_].done = true;
  --pending_;
  while (!slots_.empty() && slots_.front().done) {
    output_ += slots_.front().data;
    slots_.pop_front();
    ++front_slot_;
  }
}

}  // namespace ringcache::net
