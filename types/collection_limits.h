// CollectionLimits: the sizes up to which hashes and sets keep their compact
// encodings, under Redis's setting names (config/config.h), and past which
// they convert to hash tables (conversions only go that way, as in Redis);
// and how large a list's nodes grow.
#pragma once

#include <cstddef>

namespace ringcache {

struct CollectionLimits {
  size_t hash_max_listpack_entries = 128;
  size_t hash_max_listpack_value = 64;  // bytes of a field or a value
  size_t set_max_intset_entries = 512;
  size_t set_max_listpack_entries = 128;
  size_t set_max_listpack_value = 64;
  // A list's nodes (types/list_value.h): a positive value caps a node's
  // items, a negative one its bytes (-1: 4 KB ... -5: 64 KB), as Redis's
  // list-max-listpack-size does.
  int64_t list_max_listpack_size = -2;
  size_t zset_max_listpack_entries = 128;
  size_t zset_max_listpack_value = 64;
};

}  // namespace ringcache
