#include "types/set_value.h"

#include <algorithm>
#include <iterator>

#include "common/number_parsing.h"

namespace ringcache {
namespace {

// The member as an intset holds it: an integer whose text is exactly its
// canonical form ("7", not "07" or "+7"), so it renders back unchanged.
bool AsInteger(std::string_view member, int64_t* n) {
  if (member.empty() || member.size() > 20 || !ParseInt64(member, n)) return false;
  char text[24];
  return std::string_view(text, FormatInt64(*n, text)) == member;
}

size_t StringHeap(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

}  // namespace

SetValue::SetValue(const SetValue& other)
    : ValueObject(other),
      encoding_(other.encoding_),
      integers_(other.integers_),
      packed_(other.packed_),
      table_(other.table_ ? std::make_unique<Table>(*other.table_) : nullptr) {}

size_t SetValue::size() const {
  switch (encoding_) {
    case Encoding::kIntset:
      return integers_.size();
    case Encoding::kPacked:
      return packed_.count();
    case Encoding::kTable:
      return table_->size();
  }
  return 0;
}

std::string_view SetValue::encoding() const {
  switch (encoding_) {
    case Encoding::kIntset:
      return "intset";
    case Encoding::kPacked:
      return "listpack";
    case Encoding::kTable:
      return "hashtable";
  }
  return "hashtable";
}

size_t SetValue::FindPacked(std::string_view member) const {
  size_t pos = 0;
  size_t start = 0;
  std::string_view item;
  while (start = pos, packed_.Next(&pos, &item)) {
    if (item == member) return start;
  }
  return std::string::npos;
}

bool SetValue::Contains(std::string_view member) const {
  switch (encoding_) {
    case Encoding::kIntset: {
      int64_t n = 0;
      return AsInteger(member, &n) && std::binary_search(integers_.begin(), integers_.end(), n);
    }
    case Encoding::kPacked:
      return FindPacked(member) != std::string::npos;
    case Encoding::kTable:
      return table_->find(member) != table_->end();
  }
  return false;
}

bool SetValue::Add(std::string_view member, const CollectionLimits& limits) {
  const bool added = Insert(member, limits);
  if (added) NoteChanged(member);
  return added;
}

bool SetValue::Remove(std::string_view member) {
  const bool removed = Erase(member);
  if (removed) NoteChanged(member);
  return removed;
}

bool SetValue::Insert(std::string_view member, const CollectionLimits& limits) {
  if (encoding_ == Encoding::kIntset) {
    int64_t n = 0;
    if (AsInteger(member, &n)) {
      const auto it = std::lower_bound(integers_.begin(), integers_.end(), n);
      if (it != integers_.end() && *it == n) return false;
      if (integers_.size() < limits.set_max_intset_entries) {
        integers_.insert(it, n);
        return true;
      }
      ConvertToTable();
    } else if (integers_.size() < limits.set_max_listpack_entries &&
               member.size() <= limits.set_max_listpack_value) {
      ConvertToPacked();
    } else {
      ConvertToTable();
    }
  }
  if (encoding_ == Encoding::kPacked) {
    if (FindPacked(member) != std::string::npos) return false;
    if (packed_.count() < limits.set_max_listpack_entries &&
        member.size() <= limits.set_max_listpack_value) {
      packed_.Append(member);
      return true;
    }
    ConvertToTable();
  }
  // Looked up first: emplace would build a node (and copy the member) to
  // find it is there already.
  if (table_->find(member) != table_->end()) return false;
  table_->emplace(member);
  return true;
}

bool SetValue::Erase(std::string_view member) {
  switch (encoding_) {
    case Encoding::kIntset: {
      int64_t n = 0;
      if (!AsInteger(member, &n)) return false;
      const auto it = std::lower_bound(integers_.begin(), integers_.end(), n);
      if (it == integers_.end() || *it != n) return false;
      integers_.erase(it);
      return true;
    }
    case Encoding::kPacked: {
      const size_t pos = FindPacked(member);
      if (pos == std::string::npos) return false;
      packed_.Erase(pos, 1);
      return true;
    }
    case Encoding::kTable: {
      const auto it = table_->find(member);
      if (it == table_->end()) return false;
      table_->erase(it);
      return true;
    }
  }
  return false;
}

std::string SetValue::Random(uint64_t random) const {
  switch (encoding_) {
    case Encoding::kIntset:
      return std::to_string(integers_[random % integers_.size()]);
    case Encoding::kPacked: {
      const size_t index = random % packed_.count();
      size_t pos = 0;
      std::string_view member;
      for (size_t i = 0; i <= index; ++i) packed_.Next(&pos, &member);
      return std::string(member);
    }
    case Encoding::kTable:
      return *RandomElement(*table_, random);
  }
  return {};
}

size_t SetValue::MemoryUsage() const {
  size_t bytes = sizeof(*this) + integers_.capacity() * sizeof(int64_t) + packed_.heap_bytes();
  if (encoding_ != Encoding::kTable) return bytes;
  constexpr size_t kSamples = 16;  // as HashValue::MemoryUsage
  size_t sampled = 0;
  size_t strings = 0;
  for (auto it = table_->begin(); it != table_->end() && sampled < kSamples; ++it, ++sampled) {
    strings += StringHeap(*it);
  }
  const size_t node = sizeof(void*) * 2 + sizeof(std::string);
  return bytes + sizeof(Table) + table_->bucket_count() * sizeof(void*) + table_->size() * node +
         (sampled == 0 ? 0 : strings * table_->size() / sampled);
}

void SetValue::ConvertToPacked() {
  PackedList packed;
  ForEach([&](std::string_view member) { packed.Append(member); });
  packed_ = std::move(packed);
  integers_ = {};
  encoding_ = Encoding::kPacked;
}

void SetValue::ConvertToTable() {
  auto table = std::make_unique<Table>();
  table->reserve(size() + 1);
  ForEach([&](std::string_view member) { table->emplace(member); });
  table_ = std::move(table);
  integers_ = {};
  packed_ = PackedList();
  encoding_ = Encoding::kTable;
}

}  // namespace ringcache
