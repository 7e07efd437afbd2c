// CounterState: a string counted on by INCR-family commands in a cluster, as
// a conflict-free replicated counter (a PN-counter, as Riak's and Redis
// Enterprise's counters are).
//
// The state is a base — the value the last whole-value write left (SET,
// APPEND, ...; empty: 0), which carries the entry's version — and shards, one
// per writer: each writer (a coordinator's incarnation, ids drawn at random)
// only ever grows its own shard's totals of increments (p) and decrements
// (n). Two states of the same base merge by taking, shard by shard, the
// greater totals: commutative, associative, idempotent, so every increment
// that reached any replica is counted exactly once in the merged value,
// whatever the order, duplication or delay of delivery. A state of a newer
// base replaces one of an older base (a SET over a counter resets it, and
// increments made concurrently with it on the older base are dropped).
//
// Only cluster replicas hold these (Entry type kCounter); a single node keeps
// plain strings. Value type; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ringcache {

struct CounterShard {
  uint64_t id = 0;
  uint64_t p = 0;  // total of increments
  uint64_t n = 0;  // total of decrements (as a positive number)
  // INCRBYFLOAT's totals, in long double; once a shard has counted one, the
  // counter renders in Redis's float format.
  bool is_float = false;
  long double fp = 0;
  long double fn = 0;

  bool operator==(const CounterShard&) const = default;
};

// One increment, as a command's arguments give it.
struct Increment {
  bool is_float = false;
  int64_t by = 0;
  long double by_float = 0;
};

class CounterState {
 public:
  std::string base;                  // the value counting started from
  std::vector<CounterShard> shards;  // sorted by id, one per writer

  // Decodes an entry's (or a replica's) bytes; false for malformed bytes.
  static bool Decode(std::string_view bytes, CounterState* out);
  // Canonical: equal states encode to equal bytes (anti-entropy compares them).
  std::string Encode() const;

  // Takes, shard by shard, the greater totals of `other` (of the same base).
  // Returns whether anything grew.
  bool Merge(const CounterState& other);
  // The shard of writer `id` (added, at zero, when there is none).
  CounterShard& Shard(uint64_t id);
  // Adds `by` to `shard`'s totals.
  static void Add(CounterShard* shard, const Increment& by);

  // The string commands see: base + increments - decrements, an integer
  // while every shard and the base are, else Redis's long double format.
  std::string Render() const;

  bool operator==(const CounterState&) const = default;
};

// The merge of two replicas' states of the same version, either a plain
// string value (a base without shards) or an encoded counter; nullopt when
// a state's bytes are malformed. Encoded.
std::optional<std::string> MergeCounterStates(std::string_view a, bool a_counter,
                                              std::string_view b, bool b_counter);
// What a counter's (or a plain value's) bytes render to for commands.
std::string RenderCounterBytes(std::string_view bytes, bool counter);

}  // namespace ringcache
