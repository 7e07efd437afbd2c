// SetValue: the value of a set key (SADD and friends), in one of Redis's
// three encodings: sorted integers while every member is an integer in
// canonical form ("intset"), members packed in one buffer while the set is
// small ("listpack"), else a hash table ("hashtable"); CollectionLimits says
// when each converts, always towards the hash table.
//
// Views it returns are valid until the set changes. Value type; no I/O.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/number_parsing.h"
#include "common/string_hash.h"
#include "core/value_object.h"
#include "types/collection_limits.h"
#include "types/packed_list.h"
#include "types/table_walk.h"

namespace ringcache {

class SetValue final : public ValueObject {
 public:
  SetValue() = default;
  SetValue(const SetValue& other);

  bool Contains(std::string_view member) const;
  // Returns whether `member` is new.
  bool Add(std::string_view member, const CollectionLimits& limits);
  // Returns whether `member` was there.
  bool Remove(std::string_view member);

  // visit(member) for every member; an intset's members are rendered into
  // a buffer that lives for the call.
  template <typename Visit>
  void ForEach(Visit&& visit) const;
  // A member drawn from `random`, as a copy (an intset's is rendered).
  // REQUIRES: size() > 0.
  std::string Random(uint64_t random) const;
  // SSCAN, as HashValue::Scan.
  template <typename Visit>
  uint64_t Scan(uint64_t cursor, size_t count, Visit&& visit) const;

  size_t size() const override;
  size_t MemoryUsage() const override;
  std::string_view encoding() const override;
  std::unique_ptr<ValueObject> Clone() const override { return std::make_unique<SetValue>(*this); }

 private:
  enum class Encoding : uint8_t { kIntset, kPacked, kTable };
  using Table = std::unordered_set<std::string, StringHash, std::equal_to<>>;
  size_t FindPacked(std::string_view member) const;  // byte offset, or npos
  // Add and Remove but for the element log.
  bool Insert(std::string_view member, const CollectionLimits& limits);
  bool Erase(std::string_view member);
  void ConvertToPacked();
  void ConvertToTable();

  Encoding encoding_ = Encoding::kIntset;
  std::vector<int64_t> integers_;  // sorted, while kIntset
  PackedList packed_;              // while kPacked
  std::unique_ptr<Table> table_;   // while kTable
};

template <typename Visit>
void SetValue::ForEach(Visit&& visit) const {
  switch (encoding_) {
    case Encoding::kIntset:
      for (const int64_t n : integers_) {
        char text[24];
        visit(std::string_view(text, FormatInt64(n, text)));
      }
      return;
    case Encoding::kPacked: {
      size_t pos = 0;
      std::string_view member;
      while (packed_.Next(&pos, &member)) visit(member);
      return;
    }
    case Encoding::kTable:
      for (const std::string& member : *table_) visit(std::string_view(member));
      return;
  }
}

template <typename Visit>
uint64_t SetValue::Scan(uint64_t cursor, size_t count, Visit&& visit) const {
  if (encoding_ != Encoding::kTable) {
    ForEach(visit);
    return 0;
  }
  return ScanBuckets(*table_, cursor, count,
                     [&](const std::string& member) { visit(std::string_view(member)); });
}

}  // namespace ringcache
