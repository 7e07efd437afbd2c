#include "net/reply_slots.h"

#include <catch2/catch.hpp>
#include <string>

using ringcache::net::ReplySlots;

namespace {

// The output so far, taken (as a write would).
std::string Take(ReplySlots& slots) {
  std::string out;
  out.swap(slots.output());
  return out;
}

}  // namespace

TEST_CASE("without deferred replies, replies go straight to the output", "[reply_slots]") {
  ReplySlots slots;
  *slots.ImmediateTarget() += "a";
  slots.FlushImmediate();
  *slots.ImmediateTarget() += "b";
  REQUIRE_FALSE(slots.waiting());
  REQUIRE(Take(slots) == "ab");
}

TEST_CASE("replies leave in request order when deferred ones finish out of order",
          "[reply_slots]") {
  ReplySlots slots;
  *slots.ImmediateTarget() += "1";
  const uint64_t second = slots.Defer();
  *slots.ImmediateTarget() += "3";
  slots.FlushImmediate();
  const uint64_t fourth = slots.Defer();
  *slots.ImmediateTarget() += "5";
  slots.FlushImmediate();
  REQUIRE(slots.pending() == 2);
  REQUIRE(Take(slots) == "1");  // 2 is awaited: nothing after it may go

  *slots.DeferredBuffer(fourth) += "4";
  slots.Complete(fourth);
  REQUIRE(Take(slots).empty());  // still behind 2
  REQUIRE(slots.pending() == 1);

  // 2 is first in line: written straight into the output.
  REQUIRE(slots.DeferredBuffer(second) == &slots.output());
  *slots.DeferredBuffer(second) += "2";
  slots.Complete(second);
  REQUIRE(slots.pending() == 0);
  REQUIRE_FALSE(slots.waiting());
  REQUIRE(Take(slots) == "2345");
}

TEST_CASE("immediate replies written before a completion stay after the slot", "[reply_slots]") {
  ReplySlots slots;
  const uint64_t first = slots.Defer();
  *slots.ImmediateTarget() += "b";  // not yet flushed when the slot completes
  *slots.DeferredBuffer(first) += "a";
  slots.Complete(first);
  *slots.ImmediateTarget() += "c";
  REQUIRE(Take(slots) == "abc");
}

TEST_CASE("a reply deferred while others wait joins the queue behind them", "[reply_slots]") {
  ReplySlots slots;
  const uint64_t a = slots.Defer();
  const uint64_t b = slots.Defer();
  const uint64_t c = slots.Defer();
  *slots.DeferredBuffer(c) += "C";
  slots.Complete(c);
  *slots.DeferredBuffer(b) += "B";
  slots.Complete(b);
  REQUIRE(Take(slots).empty());
  *slots.DeferredBuffer(a) += "A";
  slots.Complete(a);
  REQUIRE(Take(slots) == "ABC");
  const uint64_t d = slots.Defer();  // ids go on from where they were
  REQUIRE(d == c + 1);
  *slots.DeferredBuffer(d) += "D";
  slots.Complete(d);
  REQUIRE(Take(slots) == "D");
}
