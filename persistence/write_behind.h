// WriteBehind: keeps the node's data on disk without the request path
// waiting for the disk.
//
// A change lists its key (core/dirty_keys.h; the keyspace does it, no I/O).
// From the event loop, Tick() cuts a batch once the oldest listed change has
// waited flush-interval-ms or flush-batch-keys keys are listed: it takes the
// list, encodes each key's state as it is now (a key written 1000 times
// since the last cut is written once) into a rocksdb::WriteBatch, and hands
// that to the flusher thread, which writes it while the loop goes on. One
// batch is in flight at a time; changes made meanwhile wait for the next.
//
// What a process crash (kill -9) can lose: the changes listed and not yet
// written, about one flush interval plus one batch's write; however slow
// the disk, no write is acknowledged while a change has waited longer than
// max-flush-lag-ms. Writes go to RocksDB's log without fsync: the operating
// system has them.
//
// When the list reaches max-dirty-keys, or the oldest unwritten change has
// waited max-flush-lag-ms, saturated() says so and writers wait
// (commands/dispatcher.cc). When a write fails (disk full, read-only), the
// batch is kept and retried every second; failing() makes write commands
// refuse (-MISCONF) until a retry succeeds.
//
// Batches are built and freed on the event loop's thread: the node's used
// memory is that thread's allocator count (common/memory_stats.h).
#pragma once

#include <rocksdb/iterator.h>
#include <rocksdb/write_batch.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "common/string_hash.h"
#include "core/dirty_keys.h"
#include "core/keyspace.h"
#include "persistence/record_codec.h"
#include "persistence/store.h"
#include "types/collection_limits.h"

namespace ringcache::persistence {

struct WriteBehindSettings {
  int64_t flush_interval_ms = 100;
  int64_t flush_batch_keys = 10000;
  int64_t max_dirty_keys = 1000000;
  int64_t max_flush_lag_ms = 1000;  // 0: writers never wait for the disk's pace
};

struct WriteBehindStats {
  uint64_t flushes = 0;
  uint64_t keys_written = 0;
  uint64_t bytes_written = 0;
  uint64_t write_errors = 0;
  int64_t last_flush_ms = 0;  // wall clock of the last batch written
  int64_t last_flush_us = 0;  // how long writing it took
  std::string last_error;
  // Loading at start.
  uint64_t loaded_keys = 0;
  uint64_t loaded_expired = 0;  // records skipped: their time had passed
  uint64_t loaded_malformed = 0;
  bool load_stopped_at_maxmemory = false;
  int64_t load_started_ms = 0;
  int64_t load_ms = 0;
};

class WriteBehind {
 public:
  WriteBehind(std::unique_ptr<Store> store, Keyspace& keyspace);
  ~WriteBehind();
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;

  void set_settings(const WriteBehindSettings& settings) { settings_ = settings; }
  const Store& store() const { return *store_; }
  const WriteBehindStats& stats() const { return stats_; }

  // Loads records into the keyspace for about `budget_us`; true while some
  // are left. Stops at `max_memory` (0: none) of used memory, leaving the
  // rest on disk. Call until false, then Start().
  bool LoadSome(int64_t now_ms, const CollectionLimits& limits, size_t max_memory,
                int64_t budget_us);
  // Tracks the keyspace's changes from now on and starts the flusher thread.
  void Start();

  // From the event loop, every few milliseconds.
  void Tick(int64_t now_ms);
  // Writers wait: max-dirty-keys changes are listed, or the oldest change
  // not on disk has waited max-flush-lag-ms (a slow disk, a starved
  // flusher), so that a kill -9 loses about that much time of writes at
  // most. Not while writes fail: they are refused then (failing()).
  bool saturated(int64_t now_ms) const {
    if (static_cast<int64_t>(dirty_.size()) >= settings_.max_dirty_keys) return true;
    return !failing_ && settings_.max_flush_lag_ms > 0 &&
           flush_lag_ms(now_ms) >= settings_.max_flush_lag_ms;
  }
  bool failing() const { return failing_; }
  // Changes not yet on disk, and how long the oldest of them has waited.
  size_t dirty_keys() const { return dirty_.size() + in_flight_keys_; }
  int64_t flush_lag_ms(int64_t now_ms) const;
  bool writing() const { return in_flight_; }

  // SAVE: writes everything listed and syncs the log; returns once it is
  // on disk, or the write's error.
  Status Save(int64_t now_ms);
  // BGSAVE: cuts a batch at the next tick, whatever the interval.
  void SaveSoon() { save_soon_ = true; }
  // Writes everything (Save), stops the flusher thread and the tracking.
  Status Stop(int64_t now_ms);

 private:
  void Cut(int64_t now_ms, bool sync);
  void CutKey(std::string_view key);
  // `kept`: the disk holds `key` by element already.
  void CutByElement(std::string_view key, const Entry& e, bool kept);
  // Loads elements of the collection under way; false when the time is up.
  bool LoadElements(const CollectionLimits& limits, int64_t deadline_us);
  void CountLoad(LoadOutcome outcome);
  void Submit(bool sync);
  // Takes the flusher's result if it has one (or waits for it).
  void Collect(int64_t now_ms, bool wait);
  void Retry(int64_t now_ms);
  void FlusherLoop();

  std::unique_ptr<Store> store_;
  Keyspace& keyspace_;
  WriteBehindSettings settings_;
  WriteBehindStats stats_;
  std::unique_ptr<rocksdb::Iterator> loader_;
  CollectionLoad collection_load_;
  std::optional<Store::ElementIterator> element_loader_;
  rocksdb::WriteBatch load_cleanup_;  // records of collections that expired while down

  // Event loop side.
  DirtyKeys dirty_;
  DirtyKeys taken_;  // the list being cut, kept for its buffer
  std::string scratch_;
  std::string element_scratch_;
  std::vector<std::string_view> changed_elements_;
  // Keys the disk holds by element (those collections' own logs list what
  // changed since).
  std::unordered_set<std::string, StringHash, std::equal_to<>> element_keys_;
  int64_t dirty_since_ms_ = 0;  // when the oldest listed change was seen
  int64_t in_flight_since_ms_ = 0;
  size_t in_flight_keys_ = 0;
  bool in_flight_ = false;
  bool retry_pending_ = false;
  int64_t next_retry_ms_ = 0;
  bool failing_ = false;
  bool save_soon_ = false;
  bool started_ = false;

  // Shared with the flusher thread, under mu_.
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  rocksdb::WriteBatch batch_;  // the loop's outside a write, the flusher's during one
  bool job_ = false;
  bool job_sync_ = false;
  bool job_done_ = false;
  bool quit_ = false;
  Status job_status_;
  int64_t job_us_ = 0;
  std::thread flusher_;
};

}  // namespace ringcache::persistence
