// Positions of the elements of a replicated list (types/replicated_collection.h,
// Kind::kList): each element is a record keyed by a position that no other
// element ever gets, and the list is its live records in position order.
// Replicas that hold the same records agree on the order, whatever order the
// writes reached them in, so two pushes through two nodes at once both stay,
// in one order everywhere.
//
// A position is a sequence of components, compared as bytes; a component is
// 18 bytes big-endian: a digit (u64), then the hlc and writer tag of the stamp
// that made it, which keep two positions apart when two writers (or two
// commands of one writer working from the same read) pick the same digit.
// A head push takes digit 2^63 - hlc, a tail push 2^63 + hlc: a later push
// lands beyond every earlier one at its end without reading the list, as the
// hlc only grows. An insert between two elements takes a digit between theirs,
// one component deeper when they leave no room (as Logoot does).
//
// Value functions; no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ringcache::list_position {

inline constexpr size_t kComponentSize = 18;

// A position before every position made with a smaller hlc.
std::string AtHead(uint64_t hlc, uint16_t writer);
// A position after every position made with a smaller hlc.
std::string AtTail(uint64_t hlc, uint16_t writer);
// A position strictly between `left` and `right` (empty: the list's end on
// that side), as a push would place it when it borders an end.
// REQUIRES: left < right when both are given; `hlc` not used by `writer`
// for another position.
std::string Between(std::string_view left, std::string_view right, uint64_t hlc, uint16_t writer);
}  // namespace ringcache::list_position
