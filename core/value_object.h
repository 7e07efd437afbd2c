// ValueObject: the value of a key that is a collection (hash, set), kept in
// its own allocation with the entry holding a pointer to it, so that adding
// a field to a large hash touches the hash and not a copy of it.
//
// The keyspace owns the object and deletes it with its entry; the types
// layer (types/) defines the concrete objects.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace ringcache {

class ValueObject {
 public:
  virtual ~ValueObject() = default;
  // Bytes the object holds on the heap, itself included (MEMORY USAGE).
  virtual size_t MemoryUsage() const = 0;
  // Elements (fields of a hash, members of a set).
  virtual size_t size() const = 0;
  // OBJECT ENCODING's name for the current representation.
  virtual std::string_view encoding() const = 0;
  virtual std::unique_ptr<ValueObject> Clone() const = 0;
  // Appends the state replicas exchange: only a replicated collection's
  // (types/replicated_collection.h) has one.
  virtual void EncodeReplicaState(std::string* /*out*/) const {}
};

}  // namespace ringcache
