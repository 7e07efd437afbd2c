#include "types/replicated_collection.h"

#include <xxhash.h>

#include <algorithm>
#include <iterator>

#include "common/byte_codec.h"
#include "common/number_parsing.h"
#include "types/hash_value.h"
#include "types/list_value.h"
#include "types/set_value.h"
#include "types/table_walk.h"
#include "types/zset_value.h"

namespace ringcache {
namespace {

// Encoding: u8 kind ('s', 'h', 'z' or 'l') | cleared (u64 hlc, u16 node) | u32 count |
// elements in member order, each
//   member (u32 length, bytes) | u16 clocks | clocks, each
//     u16 writer | u64 added | u64 removed | hashes: u8 sets value | value
//   | hashes: reset (u64, u16) | counter base (u64, u16) | shards, as a
//     counter_state.h encoding without a base (u32 length, bytes).
void PutVersion(std::string* out, const Version& v) {
  PutBytes(out, v.hlc);
  PutBytes(out, v.node);
}

bool TakeVersion(std::string_view* in, Version* v) {
  return TakeBytes(in, &v->hlc) && TakeBytes(in, &v->node);
}

void EncodeElement(const ReplicatedElement& e, bool hash, std::string* out) {
  PutBytes(out, static_cast<uint16_t>(e.clocks.size()));
  for (const WriterClock& c : e.clocks) {
    PutBytes(out, c.writer);
    PutBytes(out, c.added);
    PutBytes(out, c.removed);
    if (!hash) continue;
    PutBytes(out, static_cast<uint8_t>(c.sets_value ? 1 : 0));
    PutString(out, c.value);
  }
  if (!hash) return;
  const FieldCount& count = e.counted();
  PutVersion(out, count.reset);
  PutVersion(out, count.counter_base);
  PutString(out, count.shards.empty() ? std::string() : CounterState{"", count.shards}.Encode());
}

bool TakeHeader(std::string_view* in, ReplicatedCollection::Kind* kind, Version* cleared,
                uint32_t* count) {
  uint8_t tag = 0;
  if (!TakeBytes(in, &tag)) return false;
  switch (tag) {
    case 's':
      *kind = ReplicatedCollection::Kind::kSet;
      break;
    case 'h':
      *kind = ReplicatedCollection::Kind::kHash;
      break;
    case 'z':
      *kind = ReplicatedCollection::Kind::kZSet;
      break;
    case 'l':
      *kind = ReplicatedCollection::Kind::kList;
      break;
    default:
      return false;
  }
  return TakeVersion(in, cleared) && TakeBytes(in, count);
}

// Decodes into `e`, reusing what it holds (a decoder's scratch element).
bool DecodeElement(std::string_view* in, bool hash, ReplicatedElement* e) {
  e->count.reset();
  uint16_t clocks = 0;
  if (!TakeBytes(in, &clocks)) return false;
  e->clocks.resize(clocks);
  for (WriterClock& c : e->clocks) {
    if (!TakeBytes(in, &c.writer) || !TakeBytes(in, &c.added) || !TakeBytes(in, &c.removed)) {
      return false;
    }
    if (!hash) continue;
    uint8_t sets_value = 0;
    std::string_view value;
    if (!TakeBytes(in, &sets_value) || sets_value > 1 || !TakeString(in, &value)) return false;
    c.sets_value = sets_value == 1;
    c.value.assign(value);
  }
  const auto out_of_order = [](const WriterClock& a, const WriterClock& b) {
    return a.writer >= b.writer;
  };
  if (std::adjacent_find(e->clocks.begin(), e->clocks.end(), out_of_order) != e->clocks.end()) {
    return false;
  }
  if (!hash) return true;
  std::string_view shards;
  FieldCount count;
  if (!TakeVersion(in, &count.reset) || !TakeVersion(in, &count.counter_base) ||
      !TakeString(in, &shards)) {
    return false;
  }
  if (!shards.empty()) {
    CounterState counter;
    if (!CounterState::Decode(shards, &counter)) return false;
    count.shards = std::move(counter.shards);
  }
  if (!count.empty()) e->count = std::make_unique<FieldCount>(std::move(count));
  return true;
}

size_t ClockHeapBytes(const WriterClock& c) {
  return c.value.capacity() > 15 ? c.value.capacity() + 1 : 0;
}

}  // namespace

bool ReplicatedElement::live() const {
  return std::any_of(clocks.begin(), clocks.end(), [](const WriterClock& c) { return c.live(); });
}

const WriterClock* ReplicatedElement::ValueRecord() const {
  const WriterClock* newest = nullptr;
  for (const WriterClock& c : clocks) {
    if (c.live() && c.sets_value && (newest == nullptr || newest->version() < c.version())) {
      newest = &c;
    }
  }
  return newest;
}

Version ReplicatedElement::Base(const Version& cleared) const {
  const WriterClock* record = ValueRecord();
  return record != nullptr ? record->version() : std::max(counted().reset, cleared);
}

std::string ReplicatedElement::Render(const Version& cleared) const {
  const WriterClock* record = ValueRecord();
  CounterState value{record != nullptr ? record->value : "0", {}};
  const FieldCount& count = counted();
  if (!count.shards.empty() && count.counter_base == Base(cleared)) value.shards = count.shards;
  return value.Render();
}

bool ReplicatedElement::Merge(const ReplicatedElement& other) {
  bool changed = false;
  for (const WriterClock& theirs : other.clocks) {
    auto it = std::lower_bound(clocks.begin(), clocks.end(), theirs.writer,
                               [](const WriterClock& c, uint16_t w) { return c.writer < w; });
    if (it == clocks.end() || it->writer != theirs.writer) {
      it = clocks.insert(it, theirs);
      if (!it->live()) it->value.clear();
      changed = true;
      continue;
    }
    if (theirs.added > it->added) {  // the later add brings its value
      it->added = theirs.added;
      it->sets_value = theirs.sets_value;
      it->value = theirs.value;
      changed = true;
    }
    if (theirs.removed > it->removed) {
      it->removed = theirs.removed;
      changed = true;
    }
    // A removed add's value is dropped: states that learnt of the add and
    // of its removal in either order hold the same.
    if (!it->live()) it->value.clear();
  }
  if (other.count == nullptr) return changed;
  const FieldCount& theirs = *other.count;
  FieldCount& mine = Count();
  if (mine.reset < theirs.reset) {
    mine.reset = theirs.reset;
    changed = true;
  }
  if (mine.counter_base < theirs.counter_base) {  // a newer base: its count starts over
    mine.counter_base = theirs.counter_base;
    mine.shards = theirs.shards;
    changed = true;
  } else if (mine.counter_base == theirs.counter_base && !theirs.shards.empty()) {
    CounterState merged{"", std::move(mine.shards)};
    changed |= merged.Merge(CounterState{"", theirs.shards});
    mine.shards = std::move(merged.shards);
  }
  return changed;
}

bool ReplicatedElement::ClearBelow(const Version& cleared) {
  std::erase_if(clocks, [&](const WriterClock& c) { return c.version() < cleared; });
  if (count != nullptr) {
    if (count->reset < cleared) count->reset = Version();
    if (count->counter_base < cleared) {
      count->counter_base = Version();
      count->shards.clear();
    }
    if (count->empty()) count.reset();
  }
  return !clocks.empty() || count != nullptr;
}

void ReplicatedElement::ObserveRemoval() {
  for (WriterClock& c : clocks) c.removed = std::max(c.removed, c.added);
}

std::unique_ptr<ReplicatedCollection> ReplicatedCollection::Decode(std::string_view bytes) {
  Kind kind{};
  uint32_t count = 0;
  Version cleared;
  if (!TakeHeader(&bytes, &kind, &cleared, &count)) return nullptr;
  auto out = std::make_unique<ReplicatedCollection>(kind);
  out->cleared_ = cleared;
  out->elements_.reserve(std::min<size_t>(count, bytes.size()));
  for (uint32_t i = 0; i < count; ++i) {
    std::string_view member;
    ReplicatedElement element;
    if (!TakeString(&bytes, &member) || !DecodeElement(&bytes, HasValues(kind), &element)) {
      return nullptr;
    }
    auto [it, inserted] = out->elements_.emplace(member, std::move(element));
    if (!inserted) return nullptr;
    if (it->second.live()) out->MarkLive(&*it);
  }
  return bytes.empty() ? std::move(out) : nullptr;
}

void ReplicatedCollection::EncodeAdds(Kind kind, std::span<const std::string_view> args,
                                      const Version& stamp, std::string* out) {
  const bool hash = HasValues(kind);
  const size_t step = hash ? 2 : 1;
  // Each member's last occurrence, by member (one SADD member needs no sort).
  std::vector<size_t> order;
  order.reserve(args.size() / step);
  for (size_t i = 0; i < args.size(); i += step) order.push_back(i);
  if (order.size() > 1) {
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return args[a] < args[b]; });
    const auto same = [&](size_t a, size_t b) { return args[a] == args[b]; };
    // Keeps the last of each run of equal members.
    std::reverse(order.begin(), order.end());
    order.erase(std::unique(order.begin(), order.end(), same), order.end());
    std::reverse(order.begin(), order.end());
  }
  constexpr size_t kHeader = 1 + 10 + 4, kClock = 4 + 2 + 18, kHashExtra = 1 + 4 + 10 + 10 + 4;
  size_t bytes = kHeader;
  for (const size_t i : order)
    bytes += kClock + args[i].size() + (hash ? kHashExtra + args[i + 1].size() : 0);
  out->reserve(out->size() + bytes);
  PutBytes(out, static_cast<uint8_t>(TagOf(kind)));
  PutVersion(out, Version());
  PutBytes(out, static_cast<uint32_t>(order.size()));
  for (const size_t i : order) {
    PutString(out, args[i]);
    PutBytes(out, static_cast<uint16_t>(1));
    PutBytes(out, stamp.node);
    PutBytes(out, stamp.hlc);
    PutBytes(out, uint64_t{0});
    if (!hash) continue;
    PutBytes(out, uint8_t{1});
    PutString(out, args[i + 1]);
    PutVersion(out, Version());
    PutVersion(out, Version());
    PutString(out, std::string_view());
  }
}

std::optional<ReplicatedCollection::Kind> ReplicatedCollection::KindOfEncoded(
    std::string_view bytes) {
  Kind kind{};
  uint32_t count = 0;
  Version cleared;
  if (!TakeHeader(&bytes, &kind, &cleared, &count)) return std::nullopt;
  return kind;
}

std::optional<size_t> ReplicatedCollection::MergeEncoded(std::string_view bytes,
                                                         const Version& floor, bool* changed) {
  *changed = false;
  Kind kind{};
  uint32_t count = 0;
  Version cleared;
  if (!TakeHeader(&bytes, &kind, &cleared, &count) || kind != kind_) return std::nullopt;
  Changed();
  cleared = std::max(cleared, floor);
  if (cleared_ < cleared) {
    ClearBelow(cleared);
    *changed = true;
  }
  size_t became_live = 0;
  ReplicatedElement theirs;
  for (uint32_t i = 0; i < count; ++i) {
    std::string_view member;
    if (!TakeString(&bytes, &member) || !DecodeElement(&bytes, HasValues(kind), &theirs)) {
      return std::nullopt;
    }
    became_live += MergeElement(member, std::move(theirs), changed) ? 1 : 0;
  }
  if (!bytes.empty()) return std::nullopt;
  return became_live;
}

void ReplicatedCollection::Encode(std::string* out) const {
  std::vector<const Elements::value_type*> sorted;
  sorted.reserve(elements_.size());
  for (const auto& pair : elements_) sorted.push_back(&pair);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  EncodeSorted(sorted, out);
}

void ReplicatedCollection::EncodeSorted(std::span<const Elements::value_type* const> sorted,
                                        std::string* out) const {
  const bool hash = HasValues(kind_);
  PutBytes(out, static_cast<uint8_t>(TagOf(kind_)));
  PutVersion(out, cleared_);
  PutBytes(out, static_cast<uint32_t>(sorted.size()));
  for (const auto* pair : sorted) {
    PutString(out, pair->first);
    EncodeElement(pair->second, hash, out);
  }
}

bool ReplicatedCollection::EncodeMember(std::string_view member, std::string* out) const {
  const auto it = elements_.find(member);
  if (it == elements_.end()) return false;
  EncodeElement(it->second, HasValues(kind_), out);
  return true;
}

bool ReplicatedCollection::TakeMember(std::string_view member, std::string_view bytes) {
  ReplicatedElement element;
  if (!DecodeElement(&bytes, HasValues(kind_), &element) || !bytes.empty()) return false;
  auto [it, inserted] = elements_.emplace(member, std::move(element));
  if (!inserted) return false;
  Changed();
  if (it->second.live()) MarkLive(&*it);
  return true;
}

size_t ReplicatedCollection::Merge(const ReplicatedCollection& other, bool* changed) {
  *changed = false;
  Changed();
  if (cleared_ < other.cleared_) {
    ClearBelow(other.cleared_);
    *changed = true;
  }
  size_t became_live = 0;
  for (const auto& [member, theirs] : other.elements_) {
    became_live += MergeElement(member, ReplicatedElement(theirs), changed) ? 1 : 0;
  }
  return became_live;
}

bool ReplicatedCollection::MergeElement(std::string_view member, ReplicatedElement&& theirs,
                                        bool* changed) {
  if (!theirs.ClearBelow(cleared_)) return false;  // void here
  auto it = elements_.find(member);
  if (it == elements_.end()) {
    // What Merge into an empty element would leave: removed adds hold no value.
    for (WriterClock& c : theirs.clocks) {
      if (!c.live()) c.value.clear();
    }
    it = elements_.emplace(std::string(member), std::move(theirs)).first;
    *changed = true;
    NoteChanged(member);
    if (!it->second.live()) return false;
    MarkLive(&*it);
    return true;
  }
  const bool was_live = it->second.live();
  // A sorted set's member may change its score: out of the order, and back.
  const bool reorder = was_live && kind_ == Kind::kZSet;
  if (reorder) MarkDead(&*it);
  const bool merged = it->second.Merge(theirs);
  const bool is_live = it->second.live();
  if (is_live && (reorder || !was_live)) MarkLive(&*it);
  if (was_live && !is_live && !reorder) MarkDead(&*it);
  if (!merged) return false;
  *changed = true;
  NoteChanged(member);
  return is_live && !was_live;
}

void ReplicatedCollection::ClearBelow(const Version& version) {
  if (version <= cleared_) return;
  Changed();
  NoteAllChanged();
  cleared_ = version;
  for (auto it = elements_.begin(); it != elements_.end();) {
    it = it->second.ClearBelow(version) ? std::next(it) : elements_.erase(it);
  }
  RebuildLiveList();
}

uint64_t ReplicatedCollection::ContentHash() const {
  if (content_hash_valid_) return content_hash_;
  std::string bytes;
  PutBytes(&bytes, static_cast<uint8_t>(TagOf(kind_)));
  PutVersion(&bytes, cleared_);
  uint64_t sum = XXH64(bytes.data(), bytes.size(), 0);
  for (const auto& [member, e] : elements_) {
    bytes.clear();
    PutString(&bytes, member);
    EncodeElement(e, HasValues(kind_), &bytes);
    sum += XXH64(bytes.data(), bytes.size(), 1);  // a sum: the order of elements is no matter
  }
  content_hash_ = sum;
  content_hash_valid_ = true;
  return sum;
}

ReplicatedCollection::ReplicatedCollection(const ReplicatedCollection& other)
    : ValueObject(other), kind_(other.kind_), cleared_(other.cleared_), elements_(other.elements_) {
  RebuildLiveList();  // the copy's own nodes
}

ReplicatedCollection& ReplicatedCollection::operator=(const ReplicatedCollection& other) {
  if (this != &other) {
    ReplicatedCollection copy(other);
    *this = std::move(copy);
  }
  return *this;
}

double ReplicatedCollection::ScoreOf(const ReplicatedElement& e) const {
  double score = 0;
  ParseDouble(e.Render(cleared_), &score);  // written as FormatDouble's text, or counted from it
  return score;
}

void ReplicatedCollection::MarkLive(Elements::value_type* element) {
  element->second.live_slot = static_cast<uint32_t>(live_list_.size());
  live_list_.push_back(element);
  if (kind_ == Kind::kList) in_order_.insert(element);
  if (kind_ == Kind::kZSet) by_score_.insert({ScoreOf(element->second), element});
}

void ReplicatedCollection::MarkDead(Elements::value_type* element) {
  Elements::value_type* last = live_list_.back();
  live_list_[element->second.live_slot] = last;
  last->second.live_slot = element->second.live_slot;
  live_list_.pop_back();
  if (kind_ == Kind::kList) in_order_.erase(element);
  if (kind_ == Kind::kZSet) by_score_.erase({ScoreOf(element->second), element});
}

void ReplicatedCollection::RebuildLiveList() {
  live_list_.clear();
  in_order_.clear();
  by_score_.clear();
  for (auto& pair : elements_) {
    if (pair.second.live()) MarkLive(&pair);
  }
}

const ReplicatedElement* ReplicatedCollection::Find(std::string_view member) const {
  const auto it = elements_.find(member);
  return it == elements_.end() ? nullptr : &it->second;
}

ReplicatedElement& ReplicatedCollection::Element(std::string_view member) {
  Changed();
  auto it = elements_.find(member);
  if (it == elements_.end()) it = elements_.emplace(std::string(member), ReplicatedElement()).first;
  return it->second;
}

ReplicatedCollection ReplicatedCollection::Project(
    std::span<const std::string_view> members) const {
  ReplicatedCollection part(kind_);
  part.cleared_ = cleared_;
  for (const std::string_view member : members) {
    const auto it = elements_.find(member);
    if (it == elements_.end()) continue;
    auto [copy, inserted] = part.elements_.emplace(*it);
    if (inserted && copy->second.live()) part.MarkLive(&*copy);
  }
  return part;
}

ReplicatedCollection ReplicatedCollection::PickRandom(size_t count, uint64_t (*random)()) const {
  ReplicatedCollection part(kind_);
  part.cleared_ = cleared_;
  const auto take = [&](const Elements::value_type& pair) {
    auto [copy, inserted] = part.elements_.emplace(pair);
    if (inserted) part.MarkLive(&*copy);
  };
  if (count * 2 >= live_list_.size()) {
    for (const Elements::value_type* pair : live_list_) take(*pair);
  } else {
    // Distinct draws: at most half of the live ones are wanted.
    while (part.size() < count) take(*live_list_[random() % live_list_.size()]);
  }
  return part;
}

void ReplicatedCollection::EncodeEnd(bool tail, size_t count, std::string* out) const {
  std::vector<const Elements::value_type*> end;
  end.reserve(std::min(count, live_list_.size()));
  const auto take = [&](auto first, auto last, auto element) {
    for (; first != last && end.size() < count; ++first) end.push_back(element(*first));
  };
  if (kind_ == Kind::kList) {
    const auto element = [](const Elements::value_type* e) { return e; };
    tail ? take(in_order_.rbegin(), in_order_.rend(), element)
         : take(in_order_.begin(), in_order_.end(), element);
  } else if (kind_ == Kind::kZSet) {
    const auto element = [](const ScoredElement& e) { return e.element; };
    tail ? take(by_score_.rbegin(), by_score_.rend(), element)
         : take(by_score_.begin(), by_score_.end(), element);
  }
  // In member order, as Encode writes them.
  std::sort(end.begin(), end.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  EncodeSorted(end, out);
}

std::vector<std::pair<std::string_view, std::string_view>> ReplicatedCollection::LiveItems() const {
  std::vector<std::pair<std::string_view, std::string_view>> items;
  items.reserve(in_order_.size());
  for (const Elements::value_type* pair : in_order_) {
    const WriterClock* record = pair->second.ValueRecord();
    items.emplace_back(pair->first, record != nullptr ? std::string_view(record->value) : "");
  }
  return items;
}

namespace {

// Builds the plain value commands run on, element by element.
class PlainBuilder {
 public:
  PlainBuilder(ReplicatedCollection::Kind kind, const Version& cleared,
               const CollectionLimits& limits)
      : kind_(kind), cleared_(cleared), limits_(limits) {
    switch (kind) {
      case ReplicatedCollection::Kind::kSet:
        value_ = std::make_unique<SetValue>();
        break;
      case ReplicatedCollection::Kind::kHash:
        value_ = std::make_unique<HashValue>();
        break;
      case ReplicatedCollection::Kind::kZSet:
        value_ = std::make_unique<ZSetValue>();
        break;
      case ReplicatedCollection::Kind::kList:
        value_ = std::make_unique<ListValue>();
        break;
    }
  }

  // REQUIRES: lists' elements come in position order.
  void Add(std::string_view member, const ReplicatedElement& e) {
    if (!e.live()) return;
    switch (kind_) {
      case ReplicatedCollection::Kind::kSet:
        static_cast<SetValue&>(*value_).Add(member, limits_);
        break;
      case ReplicatedCollection::Kind::kHash:
        static_cast<HashValue&>(*value_).Set(member, e.Render(cleared_), limits_);
        break;
      case ReplicatedCollection::Kind::kZSet: {
        // Scores are written as FormatDouble's text, or counted from it.
        double score = 0;
        if (ParseDouble(e.Render(cleared_), &score)) {
          static_cast<ZSetValue&>(*value_).Set(member, score, limits_);
        }
        break;
      }
      case ReplicatedCollection::Kind::kList: {
        const WriterClock* record = e.ValueRecord();
        static_cast<ListValue&>(*value_).Push(
            ListValue::End::kTail, record != nullptr ? std::string_view(record->value) : "",
            limits_);
        break;
      }
    }
  }
  std::unique_ptr<ValueObject> Take() { return std::move(value_); }

 private:
  ReplicatedCollection::Kind kind_;
  Version cleared_;
  const CollectionLimits& limits_;
  std::unique_ptr<ValueObject> value_;
};

}  // namespace

std::unique_ptr<ValueObject> ReplicatedCollection::Render(const CollectionLimits& limits) const {
  PlainBuilder plain(kind_, cleared_, limits);
  if (kind_ == Kind::kList) {
    for (const Elements::value_type* pair : in_order_) plain.Add(pair->first, pair->second);
  } else {
    for (const auto& [member, e] : elements_) plain.Add(member, e);
  }
  return plain.Take();
}

std::unique_ptr<ValueObject> ReplicatedCollection::RenderEncoded(std::string_view bytes,
                                                                 const CollectionLimits& limits) {
  Kind kind{};
  uint32_t count = 0;
  Version cleared;
  if (!TakeHeader(&bytes, &kind, &cleared, &count)) return nullptr;
  PlainBuilder plain(kind, cleared, limits);
  ReplicatedElement e;  // reused: no element is kept
  for (uint32_t i = 0; i < count; ++i) {
    std::string_view member;
    if (!TakeString(&bytes, &member) || !DecodeElement(&bytes, HasValues(kind), &e)) {
      return nullptr;
    }
    plain.Add(member, e);
  }
  return bytes.empty() ? plain.Take() : nullptr;
}

size_t ReplicatedCollection::MemoryUsage() const {
  // A list's or sorted set's order: a tree node (three links and a colour,
  // and what it holds) per element.
  size_t bytes = sizeof(*this) + elements_.bucket_count() * sizeof(void*) +
                 live_list_.capacity() * sizeof(void*) + in_order_.size() * 5 * sizeof(void*) +
                 by_score_.size() * 6 * sizeof(void*);
  for (const auto& [member, e] : elements_) {
    // A node: its link, the cached hash, the pair.
    bytes += sizeof(void*) * 2 + sizeof(Elements::value_type);
    if (member.capacity() > 15) bytes += member.capacity() + 1;
    bytes += e.clocks.capacity() * sizeof(WriterClock);
    if (e.count) bytes += sizeof(FieldCount) + e.count->shards.capacity() * sizeof(CounterShard);
    for (const WriterClock& c : e.clocks) bytes += ClockHeapBytes(c);
  }
  return bytes;
}

}  // namespace ringcache
