#include "types/hash_value.h"

#include <iterator>

namespace ringcache {
namespace {

// Heap bytes of a std::string's own buffer (none while inline).
size_t StringHeap(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

}  // namespace

HashValue::HashValue(const HashValue& other)
    : ValueObject(other),
      packed_(other.packed_),
      table_(other.table_ ? std::make_unique<Table>(*other.table_) : nullptr) {}

size_t HashValue::FindPacked(std::string_view field) const {
  size_t pos = 0;
  size_t start = 0;
  std::string_view item;
  std::string_view value;
  while (start = pos, packed_.Next(&pos, &item)) {
    if (!packed_.Next(&pos, &value)) break;
    if (item == field) return start;
  }
  return std::string::npos;
}

std::optional<std::string_view> HashValue::Get(std::string_view field) const {
  if (table_) {
    const auto it = table_->find(field);
    if (it == table_->end()) return std::nullopt;
    return std::string_view(it->second);
  }
  size_t pos = FindPacked(field);
  if (pos == std::string::npos) return std::nullopt;
  std::string_view item;
  packed_.Next(&pos, &item);  // the field
  packed_.Next(&pos, &item);
  return item;
}

bool HashValue::Set(std::string_view field, std::string_view value,
                    const CollectionLimits& limits) {
  NoteChanged(field);
  if (!table_) {
    const size_t pos = FindPacked(field);
    const bool fits = field.size() <= limits.hash_max_listpack_value &&
                      value.size() <= limits.hash_max_listpack_value;
    if (pos != std::string::npos && fits) {
      size_t value_pos = pos;
      std::string_view ignored;
      packed_.Next(&value_pos, &ignored);
      packed_.Replace(value_pos, value);
      return false;
    }
    if (fits && pos == std::string::npos && size() < limits.hash_max_listpack_entries) {
      packed_.Append(field);
      packed_.Append(value);
      return true;
    }
    ConvertToTable();
  }
  if (const auto it = table_->find(field); it != table_->end()) {  // no copy of the field
    it->second.assign(value);
    return false;
  }
  table_->emplace(std::string(field), std::string(value));
  return true;
}

bool HashValue::Erase(std::string_view field) {
  if (table_) {
    const auto it = table_->find(field);
    if (it == table_->end()) return false;
    NoteChanged(field);
    table_->erase(it);
    return true;
  }
  const size_t pos = FindPacked(field);
  if (pos == std::string::npos) return false;
  NoteChanged(field);
  packed_.Erase(pos, 2);
  return true;
}

std::pair<std::string_view, std::string_view> HashValue::Random(uint64_t random) const {
  if (table_) {
    const auto it = RandomElement(*table_, random);
    return {it->first, it->second};
  }
  const size_t index = random % size();
  size_t pos = 0;
  std::string_view field;
  std::string_view value;
  for (size_t i = 0; i <= index; ++i) {
    packed_.Next(&pos, &field);
    packed_.Next(&pos, &value);
  }
  return {field, value};
}

size_t HashValue::MemoryUsage() const {
  size_t bytes = sizeof(*this) + packed_.heap_bytes();
  if (!table_) return bytes;
  // A node per pair (the pair, a link and the cached hash), a bucket slot
  // each, and the strings' own buffers, estimated from the first pairs (as
  // MEMORY USAGE samples in Redis): the evictor asks often.
  constexpr size_t kSamples = 16;
  size_t sampled = 0;
  size_t strings = 0;
  for (auto it = table_->begin(); it != table_->end() && sampled < kSamples; ++it, ++sampled) {
    strings += StringHeap(it->first) + StringHeap(it->second);
  }
  const size_t node = sizeof(void*) * 2 + sizeof(Table::value_type);
  return bytes + sizeof(Table) + table_->bucket_count() * sizeof(void*) + table_->size() * node +
         (sampled == 0 ? 0 : strings * table_->size() / sampled);
}

void HashValue::ConvertToTable() {
  auto table = std::make_unique<Table>();
  table->reserve(size() + 1);
  ForEach([&](std::string_view field, std::string_view value) {
    table->emplace(std::string(field), std::string(value));
  });
  table_ = std::move(table);
  packed_ = PackedList();
}

}  // namespace ringcache
