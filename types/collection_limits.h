// CollectionLimits: the sizes up to which hashes and sets keep their compact
// encodings, under Redis's setting names (config/config.h), and past which
// they convert to hash tables. Conversions only go that way, as in Redis.
#pragma once

#include <cstddef>

namespace ringcache {

struct CollectionLimits {
  size_t hash_max_listpack_entries = 128;
  size_t hash_max_listpack_value = 64;  // bytes of a field or a value
  size_t set_max_intset_entries = 512;
  size_t set_max_listpack_entries = 128;
  size_t set_max_listpack_value = 64;
};

}  // namespace ringcache
