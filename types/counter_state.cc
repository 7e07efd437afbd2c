#include "types/counter_state.h"

#include <algorithm>
#include <cstring>

#include "common/byte_codec.h"
#include "common/number_parsing.h"

namespace ringcache {
namespace {

// Encoding: u32 base length | base | u16 shard count | shards, each
//   u64 id | u8 has floats | u64 p | u64 n | [long double fp | long double fn,
//   16 bytes each, when it has floats]
// in the host's byte order: replicas of one cluster run one build.
constexpr size_t kFloatBytes = 16;
static_assert(sizeof(long double) <= kFloatBytes);

void PutFloat(std::string* out, long double value) {
  char bytes[kFloatBytes] = {};
  std::memcpy(bytes, &value, sizeof(value));
  out->append(bytes, kFloatBytes);
}

bool TakeFloat(std::string_view* in, long double* value) {
  if (in->size() < kFloatBytes) return false;
  std::memcpy(value, in->data(), sizeof(*value));
  in->remove_prefix(kFloatBytes);
  return true;
}

// A plain value as a counter's state: its bytes are the base.
CounterState FromBytes(std::string_view bytes, bool counter, bool* ok) {
  CounterState state;
  *ok = counter ? CounterState::Decode(bytes, &state) : true;
  if (!counter) state.base.assign(bytes);
  return state;
}

}  // namespace

bool CounterState::Decode(std::string_view bytes, CounterState* out) {
  uint32_t base_len = 0;
  uint16_t count = 0;
  if (!TakeBytes(&bytes, &base_len) || bytes.size() < base_len) return false;
  out->base.assign(bytes.substr(0, base_len));
  bytes.remove_prefix(base_len);
  if (!TakeBytes(&bytes, &count)) return false;
  out->shards.clear();
  out->shards.reserve(count);
  for (uint16_t i = 0; i < count; ++i) {
    CounterShard shard;
    uint8_t has_floats = 0;
    if (!TakeBytes(&bytes, &shard.id) || !TakeBytes(&bytes, &has_floats) || has_floats > 1 ||
        !TakeBytes(&bytes, &shard.p) || !TakeBytes(&bytes, &shard.n)) {
      return false;
    }
    shard.is_float = has_floats == 1;
    if (shard.is_float && !(TakeFloat(&bytes, &shard.fp) && TakeFloat(&bytes, &shard.fn))) {
      return false;
    }
    out->shards.push_back(shard);
  }
  return bytes.empty() && std::is_sorted(out->shards.begin(), out->shards.end(),
                                         [](const auto& a, const auto& b) { return a.id < b.id; });
}

std::string CounterState::Encode() const {
  std::string out;
  out.reserve(4 + base.size() + 2 + shards.size() * (9 + 2 * kFloatBytes));
  PutBytes(&out, static_cast<uint32_t>(base.size()));
  out.append(base);
  PutBytes(&out, static_cast<uint16_t>(shards.size()));
  for (const CounterShard& shard : shards) {
    PutBytes(&out, shard.id);
    PutBytes(&out, static_cast<uint8_t>(shard.is_float ? 1 : 0));
    PutBytes(&out, shard.p);
    PutBytes(&out, shard.n);
    if (shard.is_float) {
      PutFloat(&out, shard.fp);
      PutFloat(&out, shard.fn);
    }
  }
  return out;
}

CounterShard& CounterState::Shard(uint64_t id) {
  auto it = std::lower_bound(shards.begin(), shards.end(), id,
                             [](const CounterShard& s, uint64_t v) { return s.id < v; });
  if (it == shards.end() || it->id != id) {
    CounterShard shard;
    shard.id = id;
    it = shards.insert(it, shard);
  }
  return *it;
}

void CounterState::Add(CounterShard* shard, const Increment& by) {
  if (by.is_float) {
    shard->is_float = true;
    (by.by_float >= 0 ? shard->fp : shard->fn) += by.by_float >= 0 ? by.by_float : -by.by_float;
  } else if (by.by >= 0) {
    shard->p += static_cast<uint64_t>(by.by);
  } else {
    shard->n += uint64_t{0} - static_cast<uint64_t>(by.by);  // INT64_MIN too
  }
}

bool CounterState::Merge(const CounterState& other) {
  bool grew = false;
  for (const CounterShard& theirs : other.shards) {
    CounterShard& mine = Shard(theirs.id);
    if (theirs.is_float && !mine.is_float) {
      mine.is_float = true;
      grew = true;
    }
    // A writer's totals only grow: the greater is the later.
    const auto take = [&](auto* field, auto value) {
      if (value > *field) {
        *field = value;
        grew = true;
      }
    };
    take(&mine.p, theirs.p);
    take(&mine.n, theirs.n);
    take(&mine.fp, theirs.fp);
    take(&mine.fn, theirs.fn);
  }
  return grew;
}

std::string CounterState::Render() const {
  if (shards.empty()) return base;
  int64_t base_int = 0;
  const bool any_float =
      std::any_of(shards.begin(), shards.end(), [](const CounterShard& s) { return s.is_float; });
  if (!any_float && (base.empty() || ParseInt64(base, &base_int))) {
    __int128 sum = base_int;
    for (const CounterShard& s : shards) sum += static_cast<__int128>(s.p) - s.n;
    if (sum >= INT64_MIN && sum <= INT64_MAX) return std::to_string(static_cast<int64_t>(sum));
  }
  long double value = 0;
  if (!base.empty() && !ParseLongDouble(base, &value)) return base;  // never counted on
  for (const CounterShard& s : shards) {
    value += static_cast<long double>(s.p) - static_cast<long double>(s.n) + s.fp - s.fn;
  }
  return FormatLongDouble(value);
}

std::optional<std::string> MergeCounterStates(std::string_view a, bool a_counter,
                                              std::string_view b, bool b_counter) {
  bool a_ok = false;
  bool b_ok = false;
  CounterState merged = FromBytes(a, a_counter, &a_ok);
  const CounterState other = FromBytes(b, b_counter, &b_ok);
  if (!a_ok || !b_ok) return std::nullopt;
  merged.Merge(other);
  return merged.Encode();
}

std::string RenderCounterBytes(std::string_view bytes, bool counter) {
  if (!counter) return std::string(bytes);
  CounterState state;
  return CounterState::Decode(bytes, &state) ? state.Render() : std::string();
}

}  // namespace ringcache
