#include "persistence/store.h"

#include <rocksdb/compaction_filter.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/table.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <utility>

#include "common/byte_codec.h"
#include "common/wall_clock.h"
#include "persistence/record_codec.h"

namespace ringcache::persistence {
namespace {

constexpr std::string_view kFormatKey = "mformat";
constexpr std::string_view kFormat = "ringcache-records-2";
// The format before collections were kept by element: a subset of this one.
constexpr std::string_view kFormatWithoutElements = "ringcache-records-1";
constexpr std::string_view kFloorKey = "mfloor";

rocksdb::Slice SliceOf(std::string_view s) { return {s.data(), s.size()}; }

// Drops records whose expiry passed: keys gone from memory by TTL, and
// tombstones whose grace period ended.
class ExpiredRecordFilter final : public rocksdb::CompactionFilter {
 public:
  bool Filter(int /*level*/, const rocksdb::Slice& key, const rocksdb::Slice& value,
              std::string* /*new_value*/, bool* /*value_changed*/) const override {
    // A head stays: its elements go with it, at the next load.
    if (!Store::IsRecord(key) || IsElementHead({value.data(), value.size()})) return false;
    int64_t expire_at_ms = 0;
    return RecordExpiry({value.data(), value.size()}, &expire_at_ms) && expire_at_ms != 0 &&
           expire_at_ms <= WallClockMs();
  }
  const char* Name() const override { return "ringcache.ExpiredRecordFilter"; }
};

// RocksDB's own messages go to the node's log, warnings and up: its LOG
// file would sit on the same disk, and this build asserts when a write to
// that file fails after one failed before (a full disk crashed the node).
class SpdlogLogger final : public rocksdb::Logger {
 public:
  SpdlogLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::WARN_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char line[1024];
    const int n = std::vsnprintf(line, sizeof(line), format, ap);
    size_t len = n < 0 ? 0 : std::min(static_cast<size_t>(n), sizeof(line) - 1);
    while (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
    level >= rocksdb::InfoLogLevel::ERROR_LEVEL ? spdlog::error("rocksdb: {}", line)
                                                : spdlog::warn("rocksdb: {}", line);
  }
};

rocksdb::Options StoreOptions() {
  static const ExpiredRecordFilter filter;
  rocksdb::Options options;
  options.info_log = std::make_shared<SpdlogLogger>();
  options.create_if_missing = true;
  options.compaction_filter = &filter;
  // Small memtables: the flusher writes steadily, and the memory RocksDB
  // takes is not the dataset's.
  options.write_buffer_size = 16 << 20;
  options.max_write_buffer_number = 3;
  options.keep_log_file_num = 4;
  options.max_background_jobs = 2;
  // The flusher only appends, and reads come only at start: an unsorted
  // memtable, sorted once when it is flushed, costs the flusher about half
  // what skiplist inserts of random keys do (measured with redis-benchmark
  // SET -r 1000000). A point read of it sorts a copy: read-through from
  // disk will need the skiplist back, or reads that skip the memtable.
  options.memtable_factory.reset(new rocksdb::VectorRepFactory);
  options.allow_concurrent_memtable_write = false;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

}  // namespace

Store::Store(const std::string& path) : path_(path) {
  const bool foreign = std::filesystem::exists(path) && !std::filesystem::is_empty(path) &&
                       !std::filesystem::exists(path + "/CURRENT");
  if (foreign) {
    throw std::runtime_error("'" + path +
                             "' exists but is not a ringcache data store (no RocksDB CURRENT "
                             "file): move it away or choose another dir");
  }
  // Made here: RocksDB logs an error for a directory it has to create.
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  rocksdb::DB* db = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(StoreOptions(), path, &db);
  if (!s.ok()) {
    throw std::runtime_error("cannot open the data store '" + path + "': " + s.ToString());
  }
  db_.reset(db);
  CheckFormat();
}

Store::~Store() {
  if (db_) (void)db_->Close();
}

void Store::CheckFormat() {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), SliceOf(kFormatKey), &value);
  if (s.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> any(db_->NewIterator(rocksdb::ReadOptions()));
    any->SeekToFirst();
    if (any->Valid()) {
      throw std::runtime_error("'" + path_ +
                               "' is a RocksDB database of something else (no ringcache format "
                               "mark): move it away or choose another dir");
    }
    rocksdb::WriteOptions sync;
    sync.sync = true;
    s = db_->Put(sync, SliceOf(kFormatKey), SliceOf(kFormat));
    if (!s.ok()) throw std::runtime_error("cannot write to '" + path_ + "': " + s.ToString());
    return;
  }
  if (!s.ok()) throw std::runtime_error("cannot read '" + path_ + "': " + s.ToString());
  if (value == kFormatWithoutElements) {  // read as it is; marked, as elements may follow
    s = db_->Put(rocksdb::WriteOptions(), SliceOf(kFormatKey), SliceOf(kFormat));
    if (!s.ok()) throw std::runtime_error("cannot write to '" + path_ + "': " + s.ToString());
    value = kFormat;
  }
  if (value != kFormat) {
    throw std::runtime_error("'" + path_ + "' holds records of format '" + value +
                             "', which this build does not read (it reads '" +
                             std::string(kFormat) + "')");
  }
  s = db_->Get(rocksdb::ReadOptions(), SliceOf(kFloorKey), &value);
  std::string_view floor = value;
  if (s.ok() && !(TakeBytes(&floor, &floor_.hlc) && TakeBytes(&floor, &floor_.node))) {
    throw std::runtime_error("'" + path_ + "' has a malformed version floor");
  }
}

Status Store::Write(rocksdb::WriteBatch* batch, bool sync) {
  if (!db_) return Status::IOError("the store could not be opened again");
  rocksdb::WriteOptions options;
  options.sync = sync;
  const rocksdb::Status s = db_->Write(options, batch);
  return s.ok() ? Status::Ok() : Status::IOError(s.ToString());
}

Status Store::Reopen() {
  if (db_) (void)db_->Close();
  db_.reset();
  rocksdb::DB* db = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(StoreOptions(), path_, &db);
  if (!s.ok()) return Status::IOError(s.ToString());
  db_.reset(db);
  return Status::Ok();
}

std::unique_ptr<rocksdb::Iterator> Store::NewRecordIterator() {
  rocksdb::ReadOptions options;
  options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
  it->Seek("k");
  return it;
}

void Store::PutRecord(rocksdb::WriteBatch* batch, std::string_view key, std::string_view header,
                      std::string_view payload) {
  const rocksdb::Slice key_parts[] = {"k", SliceOf(key)};
  const rocksdb::Slice value_parts[] = {SliceOf(header), SliceOf(payload)};
  (void)batch->Put(rocksdb::SliceParts(key_parts, 2), rocksdb::SliceParts(value_parts, 2));
}

void Store::DeleteRecord(rocksdb::WriteBatch* batch, std::string_view key) {
  const rocksdb::Slice key_parts[] = {"k", SliceOf(key)};
  (void)batch->Delete(rocksdb::SliceParts(key_parts, 2));
}

std::string Store::ElementPrefix(std::string_view key) {
  std::string prefix = "e";
  PutBytes(&prefix, static_cast<uint32_t>(key.size()));
  prefix.append(key);
  return prefix;
}

void Store::PutElement(rocksdb::WriteBatch* batch, std::string_view prefix,
                       std::string_view element, std::string_view record) {
  const rocksdb::Slice key_parts[] = {SliceOf(prefix), SliceOf(element)};
  const rocksdb::Slice value(record.data(), record.size());
  (void)batch->Put(rocksdb::SliceParts(key_parts, 2), rocksdb::SliceParts(&value, 1));
}

void Store::DeleteElement(rocksdb::WriteBatch* batch, std::string_view prefix,
                          std::string_view element) {
  const rocksdb::Slice key_parts[] = {SliceOf(prefix), SliceOf(element)};
  (void)batch->Delete(rocksdb::SliceParts(key_parts, 2));
}

void Store::DeleteElements(rocksdb::WriteBatch* batch, std::string_view prefix) {
  // The first key past every key that starts with `prefix` (which starts
  // with "e", so there is one).
  std::string end(prefix);
  while (static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  (void)batch->DeleteRange(SliceOf(prefix), end);
}

Store::ElementIterator::ElementIterator(rocksdb::DB* db, std::string prefix)
    : prefix_(std::move(prefix)) {
  rocksdb::ReadOptions options;
  options.fill_cache = false;
  it_.reset(db->NewIterator(options));
  it_->Seek(SliceOf(prefix_));
}

bool Store::ElementIterator::Valid() const {
  return it_->Valid() && it_->key().starts_with(prefix_);
}

std::string_view Store::ElementIterator::element() const {
  return {it_->key().data() + prefix_.size(), it_->key().size() - prefix_.size()};
}

std::string_view Store::ElementIterator::record() const {
  return {it_->value().data(), it_->value().size()};
}

void Store::ClearRecords(rocksdb::WriteBatch* batch, const Version& floor) {
  (void)batch->DeleteRange("e", "f");
  (void)batch->DeleteRange("k", "l");
  std::string bytes;
  PutBytes(&bytes, floor.hlc);
  PutBytes(&bytes, floor.node);
  (void)batch->Put(SliceOf(kFloorKey), SliceOf(bytes));
}

uint64_t Store::DiskBytes() const {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& file : std::filesystem::directory_iterator(path_, ec)) {
    if (file.is_regular_file(ec)) total += file.file_size(ec);
  }
  return total;
}

}  // namespace ringcache::persistence
