// ReplicatedCollection: a hash or a set as cluster replicas hold it — a
// conflict-free replicated type whose states merge without losing an
// acknowledged add, whatever the order, duplication or delay of delivery.
//
// Sets are observed-remove (add-wins) sets. Each element keeps, per writer
// (the 16-bit tag of the coordinator that stamped the write), the stamp of
// that writer's latest add and the latest of its adds that a remove
// observed: the element is there while some writer's add is newer than what
// removes observed of it. A remove (SREM, SPOP...) marks only the adds its
// quorum read saw, so an add it did not see survives it. Merge takes, writer
// by writer, the greater stamps: commutative, associative, idempotent.
//
// Hashes are maps of such elements whose adds carry the value they set; a
// field's value is its newest live add's (last writer wins between
// concurrent HSETs). HINCRBY counts in per-writer shards on that value, as
// string counters do (types/counter_state.h): an HSET starts a new base and
// so resets the count. HDEL also stamps the field's `reset`, from which a
// later HINCRBY on the absent field counts from 0.
//
// Whole-value writes (SET, DEL, a tombstone) stamp the key: `cleared` is the
// newest such stamp, and adds stamped before it are void. Deltas are states
// too (holding only the elements an operation touched), so an SADD to a
// 1M-member set ships and merges one element.
//
// Lists are hashes whose fields are positions (types/list_position.h): an
// element is added once, by the push or insert that made its position;
// LSET adds a newer value to it (last writer wins between concurrent
// LSETs); a pop or LREM marks the adds it observed, so an LSET it did not
// see keeps the element. The list is the live elements in position order.
//
// Only cluster replicas hold these (Entry type kReplicated, or
// kReplicatedEmpty once no element is live); a single node keeps plain
// HashValue / SetValue. Value type; no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/string_hash.h"
#include "core/value_object.h"
#include "core/version.h"
#include "types/collection_limits.h"
#include "types/counter_state.h"

namespace ringcache {

// One writer's part of an element.
struct WriterClock {
  uint16_t writer = 0;
  uint64_t added = 0;       // hlc of the writer's latest add
  uint64_t removed = 0;     // hlc of its latest add that a remove observed
  bool sets_value = false;  // hashes: an HSET (value) rather than HINCRBY's presence
  std::string value;        // hashes: what that HSET set

  bool live() const { return added > removed; }
  Version version() const { return {added, writer}; }
  bool operator==(const WriterClock&) const = default;
};

// Hashes only, once an HDEL or HINCRBY touched the field: what its count is on.
struct FieldCount {
  Version reset;         // the newest HDEL that removed the field
  Version counter_base;  // the base `shards` count on
  std::vector<CounterShard> shards;

  bool empty() const { return reset.is_zero() && counter_base.is_zero() && shards.empty(); }
  bool operator==(const FieldCount&) const = default;
};

struct ReplicatedElement {
  std::vector<WriterClock> clocks;  // sorted by writer
  // Out of line: most elements (every set member) never need one.
  std::unique_ptr<FieldCount> count;
  // Its place in its collection's list of live elements (while live there).
  uint32_t live_slot = 0;

  ReplicatedElement() = default;
  ReplicatedElement(const ReplicatedElement& other)
      : clocks(other.clocks),
        count(other.count ? std::make_unique<FieldCount>(*other.count) : nullptr) {}
  ReplicatedElement& operator=(const ReplicatedElement& other) {
    if (this != &other) *this = ReplicatedElement(other);
    return *this;
  }
  ReplicatedElement(ReplicatedElement&&) noexcept = default;
  ReplicatedElement& operator=(ReplicatedElement&&) noexcept = default;

  const FieldCount& counted() const {
    static const FieldCount kNone;
    return count ? *count : kNone;
  }
  FieldCount& Count() {
    if (!count) count = std::make_unique<FieldCount>();
    return *count;
  }
  bool live() const;
  // The newest live HSET, or null.
  const WriterClock* ValueRecord() const;
  // What HINCRBY counts on: ValueRecord's stamp, else the newer of `reset`
  // and the collection's `cleared`.
  Version Base(const Version& cleared) const;
  // The field's value as commands see it.
  std::string Render(const Version& cleared) const;
  // Joins `other` in; returns whether anything changed.
  bool Merge(const ReplicatedElement& other);
  // Drops what was stamped before `cleared`; returns whether anything is left.
  bool ClearBelow(const Version& cleared);
  // Marks every live add as observed by a remove.
  void ObserveRemoval();
  bool operator==(const ReplicatedElement& o) const {
    return clocks == o.clocks && counted() == o.counted();
  }
};

class ReplicatedCollection final : public ValueObject {
 public:
  // A sorted set is a hash of member -> score text (a register, or HINCRBY's
  // counter for ZINCRBY), rendered into a ZSetValue; a list one of
  // position -> item, rendered into a ListValue.
  enum class Kind : uint8_t { kSet, kHash, kZSet, kList };
  // Whether its elements carry values (all but sets).
  static bool HasValues(Kind kind) { return kind != Kind::kSet; }
  // The encoding's first byte: 's', 'h', 'z' or 'l'.
  static char TagOf(Kind kind) {
    constexpr char kTags[] = {'s', 'h', 'z', 'l'};
    return kTags[static_cast<uint8_t>(kind)];
  }
  using Elements = std::unordered_map<std::string, ReplicatedElement, StringHash, std::equal_to<>>;

  explicit ReplicatedCollection(Kind kind) : kind_(kind) {}
  ReplicatedCollection(const ReplicatedCollection& other);
  ReplicatedCollection& operator=(const ReplicatedCollection& other);
  ReplicatedCollection(ReplicatedCollection&&) noexcept = default;  // nodes stay put
  ReplicatedCollection& operator=(ReplicatedCollection&&) noexcept = default;

  // Decodes a state (or delta); null for malformed bytes.
  static std::unique_ptr<ReplicatedCollection> Decode(std::string_view bytes);
  // Canonical (members in order): equal states encode to equal bytes, which
  // anti-entropy's fingerprints compare.
  void Encode(std::string* out) const;

  Kind kind() const { return kind_; }
  const Version& cleared() const { return cleared_; }
  // Elements with any clock (live or removed).
  size_t records() const override { return elements_.size(); }
  // A hash of the state, equal for equal states (for anti-entropy's
  // digests): a sum over elements, with no sort, kept until the state next
  // changes, so a large collection that settled costs its hash once.
  uint64_t ContentHash() const;

  // Joins `other` (of the same kind) in; returns how many elements became
  // live here, and through `changed` whether anything changed.
  size_t Merge(const ReplicatedCollection& other, bool* changed);
  // Merge of an encoded state or delta, element by element as it decodes,
  // without building the whole (what a replica does with an SADD's delta);
  // adds stamped before `floor` are void too. Null for malformed bytes or
  // another kind, which merge only up to their first bad element (every
  // element before it is a valid state of its own).
  std::optional<size_t> MergeEncoded(std::string_view bytes, const Version& floor, bool* changed);
  // Encodes the delta of adds stamped `stamp` straight from a command's
  // arguments (members, or field value pairs), as building it and Encode
  // would: each member once, an HSET's last value for a repeated field.
  static void EncodeAdds(Kind kind, std::span<const std::string_view> args, const Version& stamp,
                         std::string* out);
  // Encode of its kind and `cleared` alone, without an element.
  void EncodeWithoutElements(std::string* out) const { EncodeSorted({}, out); }
  // One element's encoding (as in Encode, without its member): for
  // write-behind's records of a large collection (persistence/). False when
  // `member` has no record here.
  bool EncodeMember(std::string_view member, std::string* out) const;
  // Takes in one such encoding for a member it has no record of yet; false
  // for malformed bytes or a member it has.
  bool TakeMember(std::string_view member, std::string_view bytes);
  // The kind an encoding holds, if it is one.
  static std::optional<Kind> KindOfEncoded(std::string_view bytes);
  // A whole-value write stamped `version` replaced the key: adds stamped
  // before it are void.
  void ClearBelow(const Version& version);

  const ReplicatedElement* Find(std::string_view member) const;
  // The element for `member`, empty if it had none: for building deltas
  // (size() counts what is built so only once the state is merged or decoded).
  ReplicatedElement& Element(std::string_view member);
  const Elements& elements() const { return elements_; }

  // The part of this state that a command on `members` needs: `cleared` and
  // those members' elements (a valid state of its own, which merges into
  // the whole like a delta).
  ReplicatedCollection Project(std::span<const std::string_view> members) const;
  // The same for `count` live members drawn with `random` (all of them when
  // it holds no more).
  ReplicatedCollection PickRandom(size_t count, uint64_t (*random)()) const;

  // Lists and sorted sets: encodes the `count` live elements nearest the
  // head (or the tail; the lowest or highest scores), as a state of its own
  // (no removed records: a replica's answer to a read of an end,
  // cluster/end_read.cc). Nothing for other kinds.
  void EncodeEnd(bool tail, size_t count, std::string* out) const;
  // Sorted sets: a live element's score.
  double ScoreOf(const ReplicatedElement& e) const;
  // Lists: the live elements' positions and items, head first.
  std::vector<std::pair<std::string_view, std::string_view>> LiveItems() const;

  // The plain HashValue / SetValue / ZSetValue / ListValue commands run on.
  std::unique_ptr<ValueObject> Render(const CollectionLimits& limits) const;
  // The same straight from an encoded state, without building it (a read's
  // answer that nothing else needs); null for malformed bytes.
  static std::unique_ptr<ValueObject> RenderEncoded(std::string_view bytes,
                                                    const CollectionLimits& limits);

  size_t size() const override { return live_list_.size(); }
  size_t MemoryUsage() const override;
  std::string_view encoding() const override { return "replicated"; }
  void EncodeReplicaState(std::string* out) const override { Encode(out); }
  std::unique_ptr<ValueObject> Clone() const override {
    return std::make_unique<ReplicatedCollection>(*this);
  }

 private:
  // The live elements in a list, so that a random one is a draw away even
  // when removed records outnumber them (SPOP emptying a large set).
  void MarkLive(Elements::value_type* element);
  void MarkDead(Elements::value_type* element);
  void RebuildLiveList();
  // Joins one element of another state in (spent); returns whether it
  // became live here.
  bool MergeElement(std::string_view member, ReplicatedElement&& theirs, bool* changed);

  void Changed() { content_hash_valid_ = false; }
  // Encode of these elements (in member order) alone.
  void EncodeSorted(std::span<const Elements::value_type* const> sorted, std::string* out) const;

  // Lists keep their live elements in position order too, and sorted sets
  // in score order.
  struct ByPosition {
    bool operator()(const Elements::value_type* a, const Elements::value_type* b) const {
      return a->first < b->first;
    }
  };
  struct ScoredElement {
    double score;
    Elements::value_type* element;
    bool operator<(const ScoredElement& o) const {
      return score != o.score ? score < o.score : element->first < o.element->first;
    }
  };

  Kind kind_;
  Version cleared_;
  mutable uint64_t content_hash_ = 0;
  mutable bool content_hash_valid_ = false;
  Elements elements_;
  std::vector<Elements::value_type*> live_list_;          // nodes of elements_: they do not move
  std::set<Elements::value_type*, ByPosition> in_order_;  // lists only
  std::set<ScoredElement> by_score_;                      // sorted sets only
};

}  // namespace ringcache
