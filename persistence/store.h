// Store: the node's RocksDB — one record per key (persistence/record_codec.h)
// under "k" + key; the elements of a collection kept by element under
// "e" + key length (u32) + key + element; and the store's own facts under
// "m" + name: its format, and the version floor of the cluster's last
// FLUSHALL.
//
// Expired records leave at compaction (a compaction filter), so that keys
// with a TTL do not pile up on disk after they left memory.
//
// Writes come from the write-behind flusher thread; reads from the event loop
// while loading. RocksDB allows both at once.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "core/version.h"

namespace ringcache::persistence {

class Store {
 public:
  // Opens the store at `path`, creating it when there is none. Throws
  // std::runtime_error naming the path and the reason when it is not a
  // ringcache store or cannot be opened (start-up only).
  explicit Store(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const { return path_; }
  // The floor the last FLUSHALL kept (zero when none did).
  const Version& floor() const { return floor_; }

  // `sync`: returns once the batch is on disk (SAVE), else once the
  // operating system has it (a process crash loses nothing written).
  Status Write(rocksdb::WriteBatch* batch, bool sync);
  // After a failed write: opens the store anew, which succeeds once the
  // cause has gone (disk space freed). RocksDB's own recovery (Resume) is
  // not enough: this build asserts when a log that failed is written again.
  Status Reopen();

  // Every record in key order: visit(key, record) returns false to stop.
  // Reads do not fill the block cache: a load reads each block once.
  std::unique_ptr<rocksdb::Iterator> NewRecordIterator();
  static bool IsRecord(const rocksdb::Slice& stored_key) {
    return !stored_key.empty() && stored_key[0] == 'k';
  }
  static std::string_view KeyOf(const rocksdb::Slice& stored_key) {
    return {stored_key.data() + 1, stored_key.size() - 1};
  }

  static void PutRecord(rocksdb::WriteBatch* batch, std::string_view key, std::string_view header,
                        std::string_view payload);
  static void DeleteRecord(rocksdb::WriteBatch* batch, std::string_view key);
  // Where the element records of `key`'s collection are.
  static std::string ElementPrefix(std::string_view key);
  static void PutElement(rocksdb::WriteBatch* batch, std::string_view prefix,
                         std::string_view element, std::string_view record);
  static void DeleteElement(rocksdb::WriteBatch* batch, std::string_view prefix,
                            std::string_view element);
  static void DeleteElements(rocksdb::WriteBatch* batch, std::string_view prefix);
  // The records under `prefix`, from the first; Valid() ends past them.
  class ElementIterator {
   public:
    ElementIterator(rocksdb::DB* db, std::string prefix);
    bool Valid() const;
    void Next() { it_->Next(); }
    std::string_view element() const;
    std::string_view record() const;
    rocksdb::Status status() const { return it_->status(); }

   private:
    std::string prefix_;
    std::unique_ptr<rocksdb::Iterator> it_;
  };
  ElementIterator NewElementIterator(std::string_view key) {
    return {db_.get(), ElementPrefix(key)};
  }
  // Removes every record, and keeps `floor` for the next start.
  static void ClearRecords(rocksdb::WriteBatch* batch, const Version& floor);

  // Bytes the store takes on disk (table files and logs).
  uint64_t DiskBytes() const;

 private:
  void CheckFormat();

  std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
  Version floor_;
};

}  // namespace ringcache::persistence
