#include "types/zset_value.h"

#include <algorithm>
#include <cstring>

namespace ringcache {
namespace {

std::string_view ScoreBytes(const double& score) {
  return {reinterpret_cast<const char*>(&score), sizeof(score)};
}

size_t StringHeap(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

}  // namespace

ZSetValue::ZSetValue(const ZSetValue& other)
    : ValueObject(other),
      packed_(other.packed_ ? std::make_unique<ListPack>(*other.packed_) : nullptr),
      scores_(other.scores_) {
  blocks_.reserve(other.blocks_.size());
  for (const Block& theirs : other.blocks_) {
    Block& ours = blocks_.emplace_back();
    ours.reserve(theirs.size());
    for (const ScoredMember& item : theirs) {
      ours.push_back({item.score, scores_.find(item.member)->first});
    }
  }
}

bool ZSetValue::NextPacked(size_t* pos, ScoredMember* item) const {
  std::string_view score;
  if (!packed_->Next(pos, &item->member)) return false;
  packed_->Next(pos, &score);
  std::memcpy(&item->score, score.data(), sizeof(item->score));
  return true;
}

bool ZSetValue::PrevPacked(size_t* pos, ScoredMember* item) const {
  std::string_view score;
  if (!packed_->Prev(pos, &score)) return false;
  packed_->Prev(pos, &item->member);
  std::memcpy(&item->score, score.data(), sizeof(item->score));
  return true;
}

std::optional<double> ZSetValue::Score(std::string_view member) const {
  if (!packed_) {
    const auto it = scores_.find(member);
    return it != scores_.end() ? std::optional<double>(it->second) : std::nullopt;
  }
  size_t pos = 0;
  ScoredMember item;
  while (NextPacked(&pos, &item)) {
    if (item.member == member) return item.score;
  }
  return std::nullopt;
}

bool ZSetValue::Set(std::string_view member, double score, const CollectionLimits& limits) {
  NoteChanged(member);
  if (packed_) {
    const size_t before = size();
    Remove(member);
    const bool added = size() == before;
    if (member.size() <= limits.zset_max_listpack_value &&
        size() < limits.zset_max_listpack_entries) {
      if (score == 0) score = 0;  // Redis's listpack keeps -0 as 0 (its hash table does not)
      const ScoredMember item{score, member};
      size_t pos = 0;
      size_t at = 0;
      ScoredMember seen;
      while (NextPacked(&pos, &seen) && Before(seen, item)) at = pos;
      packed_->Insert(at, member);
      packed_->Insert(at + ListPack::ItemBytes(member.size()), ScoreBytes(score));
      return added;
    }
    ConvertToTable();
    Set(member, score, limits);
    return added;
  }
  auto [it, added] = scores_.try_emplace(std::string(member), score);
  if (!added) {
    if (it->second == score) return false;
    EraseOrdered({it->second, it->first});
    it->second = score;
  }
  InsertOrdered({score, it->first});
  return added;
}

bool ZSetValue::Remove(std::string_view member) {
  if (!packed_) {
    const auto it = scores_.find(member);
    if (it == scores_.end()) return false;
    NoteChanged(member);
    EraseOrdered({it->second, it->first});
    scores_.erase(it);
    return true;
  }
  size_t pos = 0;
  size_t start = 0;
  ScoredMember item;
  while (NextPacked(&pos, &item)) {
    if (item.member == member) {
      NoteChanged(member);
      packed_->EraseBytes(start, pos, 2);
      return true;
    }
    start = pos;
  }
  return false;
}

std::optional<size_t> ZSetValue::Rank(std::string_view member) const {
  const std::optional<double> score = Score(member);
  if (!score) return std::nullopt;
  const ScoredMember item{*score, member};
  return Partition([&](const ScoredMember& m) { return Before(m, item); });
}

void ZSetValue::ConvertToTable() {
  std::vector<ScoredMember> ordered;
  ordered.reserve(size());
  scores_.reserve(size());
  size_t pos = 0;
  ScoredMember item;
  while (NextPacked(&pos, &item)) {
    const auto it = scores_.try_emplace(std::string(item.member), item.score).first;
    ordered.push_back({item.score, it->first});
  }
  for (size_t i = 0; i < ordered.size(); i += kBlockItems) {
    const auto end =
        ordered.begin() + static_cast<std::ptrdiff_t>(std::min(ordered.size(), i + kBlockItems));
    blocks_.emplace_back(ordered.begin() + static_cast<std::ptrdiff_t>(i), end);
  }
  packed_.reset();
}

size_t ZSetValue::BlockOf(const ScoredMember& item) const {
  size_t lo = 0;
  size_t hi = blocks_.size();
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    Before(blocks_[mid].back(), item) ? lo = mid + 1 : hi = mid;
  }
  return std::min(lo, blocks_.size() - 1);
}

size_t ZSetValue::RanksBefore(size_t block) const {
  size_t ranks = 0;
  for (size_t b = 0; b < block; ++b) ranks += blocks_[b].size();
  return ranks;
}

void ZSetValue::InsertOrdered(const ScoredMember& item) {
  if (blocks_.empty()) blocks_.emplace_back();
  const size_t b = blocks_.back().empty() ? 0 : BlockOf(item);
  Block& block = blocks_[b];
  block.insert(std::lower_bound(block.begin(), block.end(), item, Before), item);
  if (block.size() > kBlockItems) {
    const auto half = block.begin() + static_cast<std::ptrdiff_t>(block.size() / 2);
    Block upper(half, block.end());
    block.erase(half, block.end());
    blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(b + 1), std::move(upper));
  }
}

void ZSetValue::EraseOrdered(const ScoredMember& item) {
  const size_t b = BlockOf(item);
  Block& block = blocks_[b];
  block.erase(std::lower_bound(block.begin(), block.end(), item, Before));
  if (block.empty()) blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(b));
}

size_t ZSetValue::MemoryUsage() const {
  if (packed_) return sizeof(*this) + sizeof(ListPack) + packed_->heap_bytes();
  constexpr size_t kSamples = 16;  // as SetValue::MemoryUsage
  size_t sampled = 0;
  size_t strings = 0;
  for (auto it = scores_.begin(); it != scores_.end() && sampled < kSamples; ++it, ++sampled) {
    strings += StringHeap(it->first);
  }
  // A node: next pointer, member, score, cached hash.
  const size_t node = sizeof(void*) * 2 + sizeof(std::string) + sizeof(double);
  size_t bytes = sizeof(*this) + scores_.bucket_count() * sizeof(void*) + scores_.size() * node +
                 (sampled == 0 ? 0 : strings * scores_.size() / sampled) +
                 blocks_.capacity() * sizeof(Block);
  for (const Block& block : blocks_) bytes += block.capacity() * sizeof(ScoredMember);
  return bytes;
}

}  // namespace ringcache
