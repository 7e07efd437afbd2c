// ZSetValue: the value of a sorted-set key (ZADD and friends): members with
// scores, in order of (score, member bytes), with ranks. Two encodings, as
// Redis has: while small (zset-max-listpack-entries members of at most
// zset-max-listpack-value bytes) the members and their scores alternate in
// one ListPack, in order, and every lookup walks it; past that, a hash table
// from member to score for lookups plus the order as a list of sorted blocks
// of at most kBlockItems (score, member view) pairs, so an insert moves at
// most a block and a rank counts blocks, not members. Conversion only goes
// towards the large encoding, as in Redis.
//
// Views it returns are valid until the set changes. Value type; no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/string_hash.h"
#include "core/value_object.h"
#include "types/collection_limits.h"
#include "types/list_pack.h"
#include "types/table_walk.h"

namespace ringcache {

struct ScoredMember {
  double score = 0;
  std::string_view member;
};

// The order of a sorted set: by score, then by member bytes.
inline bool Before(const ScoredMember& a, const ScoredMember& b) {
  return a.score < b.score || (a.score == b.score && a.member < b.member);
}

class ZSetValue final : public ValueObject {
 public:
  ZSetValue() = default;
  ZSetValue(const ZSetValue& other);

  std::optional<double> Score(std::string_view member) const;
  // Adds `member` or gives it `score`; returns whether it is new.
  bool Set(std::string_view member, double score, const CollectionLimits& limits);
  // Returns whether `member` was there.
  bool Remove(std::string_view member);
  // `member`'s rank (0: lowest score), if it is there.
  std::optional<size_t> Rank(std::string_view member) const;
  // The rank of the first member for which below(member) is false; below
  // must hold for a prefix of the order (a score or lex bound).
  template <typename Below>
  size_t Partition(Below&& below) const;
  // visit(ScoredMember) from rank `from` on, towards the highest rank (or
  // the lowest when `reverse`), until visit returns false or the set ends.
  template <typename Visit>
  void Walk(size_t from, bool reverse, Visit&& visit) const;
  // ZSCAN: visit(ScoredMember) for a step of the hash table from `cursor`;
  // returns the next cursor (0: done). The packed encoding goes in one step.
  template <typename Visit>
  uint64_t Scan(uint64_t cursor, size_t count, Visit&& visit) const {
    if (packed_) {
      Walk(0, false, [&](const ScoredMember& item) {
        visit(item);
        return true;
      });
      return 0;
    }
    return ScanBuckets(scores_, cursor, count, [&](const auto& pair) {
      visit(ScoredMember{pair.second, pair.first});
    });
  }

  size_t size() const override { return packed_ ? packed_->count() / 2 : scores_.size(); }
  size_t MemoryUsage() const override;
  std::string_view encoding() const override { return packed_ ? "listpack" : "skiplist"; }
  std::unique_ptr<ValueObject> Clone() const override { return std::make_unique<ZSetValue>(*this); }

 private:
  static constexpr size_t kBlockItems = 128;
  using Block = std::vector<ScoredMember>;  // members view the keys of scores_

  // The packed encoding's items at byte `pos`: a member and its score.
  bool NextPacked(size_t* pos, ScoredMember* item) const;
  bool PrevPacked(size_t* pos, ScoredMember* item) const;
  void ConvertToTable();
  // The block that holds, or would hold, `item`.
  size_t BlockOf(const ScoredMember& item) const;
  size_t RanksBefore(size_t block) const;
  void InsertOrdered(const ScoredMember& item);
  void EraseOrdered(const ScoredMember& item);

  // Small: member, score (8 raw bytes), member, score... in order. Null once large.
  std::unique_ptr<ListPack> packed_ = std::make_unique<ListPack>();
  std::unordered_map<std::string, double, StringHash, std::equal_to<>> scores_;
  std::vector<Block> blocks_;
};

template <typename Below>
size_t ZSetValue::Partition(Below&& below) const {
  size_t rank = 0;
  if (packed_) {
    size_t pos = 0;
    ScoredMember item;
    while (NextPacked(&pos, &item) && below(item)) ++rank;
    return rank;
  }
  // Blocks whose last member is below come first.
  size_t lo = 0;
  size_t hi = blocks_.size();
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    below(blocks_[mid].back()) ? lo = mid + 1 : hi = mid;
  }
  if (lo == blocks_.size()) return size();
  rank = RanksBefore(lo);
  for (const ScoredMember& item : blocks_[lo]) {
    if (!below(item)) break;
    ++rank;
  }
  return rank;
}

template <typename Visit>
void ZSetValue::Walk(size_t from, bool reverse, Visit&& visit) const {
  if (from >= size()) return;
  ScoredMember item;
  if (packed_) {
    size_t pos = 0;
    size_t rank = 0;
    if (!reverse) {
      while (NextPacked(&pos, &item)) {
        if (rank++ >= from && !visit(item)) return;
      }
      return;
    }
    pos = packed_->byte_size();
    rank = size();
    while (PrevPacked(&pos, &item)) {
      if (--rank <= from && !visit(item)) return;
    }
    return;
  }
  size_t block = 0;
  size_t skip = from;
  while (skip >= blocks_[block].size()) skip -= blocks_[block++].size();
  if (!reverse) {
    for (; block < blocks_.size(); ++block, skip = 0) {
      for (size_t i = skip; i < blocks_[block].size(); ++i) {
        if (!visit(blocks_[block][i])) return;
      }
    }
    return;
  }
  for (size_t b = block + 1; b-- > 0;) {
    const size_t last = b == block ? skip : blocks_[b].size() - 1;
    for (size_t i = last + 1; i-- > 0;) {
      if (!visit(blocks_[b][i])) return;
    }
  }
}

}  // namespace ringcache
