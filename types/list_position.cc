#include "types/list_position.h"

namespace ringcache::list_position {
namespace {

constexpr uint64_t kMiddle = uint64_t{1} << 63;

void PutBigEndian(uint64_t v, int bytes, std::string* out) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}

uint64_t TakeBigEndian(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(in[at + i]);
  return v;
}

void AppendComponent(uint64_t digit, uint64_t hlc, uint16_t writer, std::string* out) {
  PutBigEndian(digit, 8, out);
  PutBigEndian(hlc, 8, out);
  PutBigEndian(writer, 2, out);
}

// The component of `position` at depth `depth`; an exhausted side reads as
// the smallest component there is (all zeros), so that extending it stays
// above it.
std::string_view ComponentAt(std::string_view position, size_t depth) {
  static constexpr char kFiller[kComponentSize] = {};
  const size_t at = depth * kComponentSize;
  if (position.size() < at + kComponentSize) return {kFiller, kComponentSize};
  return position.substr(at, kComponentSize);
}

uint64_t DigitOf(std::string_view component) { return TakeBigEndian(component, 0, 8); }

// Between by digits alone: the shortest extension of `left`'s components
// whose digit at some depth falls strictly inside the gap to `right`'s.
std::string Descend(std::string_view left, std::string_view right, uint64_t hlc, uint16_t writer) {
  std::string out;
  bool right_bounds = !right.empty();  // right shares every component taken so far
  for (size_t depth = 0;; ++depth) {
    const std::string_view low = ComponentAt(left, depth);
    const uint64_t lo = DigitOf(low);
    const bool bounded = right_bounds && right.size() > depth * kComponentSize;
    const uint64_t hi = bounded ? DigitOf(ComponentAt(right, depth)) : 0;
    if (bounded ? hi - lo > 1 : lo != UINT64_MAX) {
      // The middle of the gap: later inserts on either side find room.
      const uint64_t step = bounded ? (hi - lo) / 2 : (UINT64_MAX - lo) / 2 + 1;
      AppendComponent(lo + step, hlc, writer, &out);
      return out;
    }
    out.append(low);
    right_bounds = bounded && ComponentAt(right, depth) == low;
  }
}

}  // namespace

std::string AtHead(uint64_t hlc, uint16_t writer) {
  std::string out;
  hlc &= kMiddle - 1;
  AppendComponent(kMiddle - hlc, hlc, writer, &out);
  return out;
}

std::string AtTail(uint64_t hlc, uint16_t writer) {
  std::string out;
  hlc &= kMiddle - 1;
  AppendComponent(kMiddle + hlc, hlc, writer, &out);
  return out;
}

std::string Between(std::string_view left, std::string_view right, uint64_t hlc, uint16_t writer) {
  // At an end, where a push would go, unless this node's clock is behind the
  // stamp of the element there.
  if (right.empty()) {
    std::string tail = AtTail(hlc, writer);
    if (std::string_view(tail) > left) return tail;
  } else if (left.empty()) {
    std::string head = AtHead(hlc, writer);
    if (std::string_view(head) < right) return head;
  }
  return Descend(left, right, hlc, writer);
}

}  // namespace ringcache::list_position
