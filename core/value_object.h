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

#include "core/dirty_keys.h"

namespace ringcache {

class ValueObject {
 public:
  ValueObject() = default;
  virtual ~ValueObject() = default;
  // A copy is a new value: write-behind has not written it (no log).
  ValueObject(const ValueObject& /*other*/) {}
  ValueObject(ValueObject&& /*other*/) noexcept {}
  ValueObject& operator=(const ValueObject& /*other*/) {
    NoteAllChanged();
    return *this;
  }
  ValueObject& operator=(ValueObject&& /*other*/) noexcept {
    NoteAllChanged();
    return *this;
  }

  // Bytes the object holds on the heap, itself included (MEMORY USAGE).
  virtual size_t MemoryUsage() const = 0;
  // Elements (fields of a hash, members of a set).
  virtual size_t size() const = 0;
  // Elements it keeps a record of: a replicated collection's removed ones too.
  virtual size_t records() const { return size(); }
  // OBJECT ENCODING's name for the current representation.
  virtual std::string_view encoding() const = 0;
  virtual std::unique_ptr<ValueObject> Clone() const = 0;
  // Appends the state replicas exchange: only a replicated collection's
  // (types/replicated_collection.h) has one.
  virtual void EncodeReplicaState(std::string* /*out*/) const {}

  // Write-behind keeps a large collection on disk element by element
  // (persistence/record_codec.h); once it has written one so, the object
  // lists the elements that change until the next write. Null: the object
  // is written whole next time. cleared(): every element changed.
  DirtyKeys* element_log() const { return element_log_.get(); }
  void StartElementLog() const { element_log_ = std::make_unique<DirtyKeys>(); }
  // The object moved to a key (anew, or by RENAME): what write-behind wrote
  // of it was under another key, or nowhere.
  void ForgetElementLog() const { element_log_.reset(); }

 protected:
  // Mutators call these for what they changed.
  void NoteChanged(std::string_view element) {
    if (!element_log_ || element_log_->cleared()) return;
    // Past this many a whole rewrite costs no more than the list.
    if (element_log_->size() >= 2 * records() + 1024) {
      element_log_->AddClear();
      return;
    }
    element_log_->Add(element);
  }
  void NoteAllChanged() {
    if (element_log_) element_log_->AddClear();
  }

 private:
  // Write-behind's bookkeeping, not the value: a const object keeps it too.
  mutable std::unique_ptr<DirtyKeys> element_log_;
};

}  // namespace ringcache
