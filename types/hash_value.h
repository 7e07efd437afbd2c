// HashValue: the value of a hash key (HSET and friends): field-value pairs,
// packed in one buffer while the hash is small (OBJECT ENCODING "listpack"),
// a hash table past CollectionLimits ("hashtable").
//
// Views it returns are valid until the hash changes. Value type; no I/O.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/string_hash.h"
#include "core/value_object.h"
#include "types/collection_limits.h"
#include "types/packed_list.h"
#include "types/table_walk.h"

namespace ringcache {

class HashValue final : public ValueObject {
 public:
  std::optional<std::string_view> Get(std::string_view field) const;
  // Returns whether `field` is new.
  bool Set(std::string_view field, std::string_view value, const CollectionLimits& limits);
  // Returns whether `field` was there.
  bool Erase(std::string_view field);

  // visit(field, value) for every pair.
  template <typename Visit>
  void ForEach(Visit&& visit) const;
  // A pair drawn from `random` (uniform for the packed encoding, by bucket
  // then element for the table, as Redis's dictGetFairRandomKey).
  // REQUIRES: size() > 0.
  std::pair<std::string_view, std::string_view> Random(uint64_t random) const;
  // HSCAN: visits the pairs of some buckets from `cursor` (at least `count`
  // pairs when there are that many left) and returns the cursor to go on
  // from, 0 when done. The packed encoding goes in one step, as Redis's.
  // See ScanBuckets (types/table_walk.h) for what a resize does.
  template <typename Visit>
  uint64_t Scan(uint64_t cursor, size_t count, Visit&& visit) const;

  size_t size() const override { return table_ ? table_->size() : packed_.count() / 2; }
  size_t MemoryUsage() const override;
  std::string_view encoding() const override { return table_ ? "hashtable" : "listpack"; }
  std::unique_ptr<ValueObject> Clone() const override { return std::make_unique<HashValue>(*this); }
  HashValue() = default;
  HashValue(const HashValue& other);

 private:
  using Table = std::unordered_map<std::string, std::string, StringHash, std::equal_to<>>;
  // Byte offset of `field`'s item in packed_, or npos.
  size_t FindPacked(std::string_view field) const;
  void ConvertToTable();

  PackedList packed_;  // field, value, field, value, ... while table_ is null
  std::unique_ptr<Table> table_;
};

template <typename Visit>
void HashValue::ForEach(Visit&& visit) const {
  if (table_) {
    for (const auto& [field, value] : *table_)
      visit(std::string_view(field), std::string_view(value));
    return;
  }
  size_t pos = 0;
  std::string_view field;
  std::string_view value;
  while (packed_.Next(&pos, &field) && packed_.Next(&pos, &value)) visit(field, value);
}

template <typename Visit>
uint64_t HashValue::Scan(uint64_t cursor, size_t count, Visit&& visit) const {
  if (!table_) {
    ForEach(visit);
    return 0;
  }
  return ScanBuckets(*table_, cursor, count, [&](const Table::value_type& pair) {
    visit(std::string_view(pair.first), std::string_view(pair.second));
  });
}

}  // namespace ringcache
