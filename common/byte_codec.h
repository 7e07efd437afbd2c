// Fixed-width numbers in and out of byte strings, in the host's byte order:
// the encodings of replicated types (types/) that replicas of one cluster,
// running one build, exchange.
#pragma once

#include <cstring>
#include <string>
#include <string_view>

namespace ringcache {

template <typename T>
void PutBytes(std::string* out, const T& value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out->append(bytes, sizeof(T));
}

// Takes a T off the front of `in`; false if `in` is too short.
template <typename T>
bool TakeBytes(std::string_view* in, T* value) {
  if (in->size() < sizeof(T)) return false;
  std::memcpy(value, in->data(), sizeof(T));
  in->remove_prefix(sizeof(T));
  return true;
}

// A length-prefixed (u32) string.
inline void PutString(std::string* out, std::string_view s) {
  PutBytes(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

inline bool TakeString(std::string_view* in, std::string_view* s) {
  uint32_t size = 0;
  if (!TakeBytes(in, &size) || in->size() < size) return false;
  *s = in->substr(0, size);
  in->remove_prefix(size);
  return true;
}

}  // namespace ringcache
