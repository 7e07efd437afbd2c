#include "persistence/write_behind.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "common/memory_stats.h"
#include "common/monotonic_clock.h"
#include "common/wall_clock.h"
#include "persistence/record_codec.h"

namespace ringcache::persistence {
namespace {

constexpr int64_t kRetryMs = 1000;

}  // namespace

WriteBehind::WriteBehind(std::unique_ptr<Store> store, Keyspace& keyspace)
    : store_(std::move(store)), keyspace_(keyspace) {}

WriteBehind::~WriteBehind() {
  keyspace_.set_dirty_keys(nullptr);
  if (flusher_.joinable()) {
    {
      std::lock_guard lock(mu_);
      quit_ = true;
    }
    work_cv_.notify_one();
    flusher_.join();
  }
}

bool WriteBehind::LoadSome(int64_t now_ms, const CollectionLimits& limits, size_t max_memory,
                           int64_t budget_us) {
  if (loader_ == nullptr) {
    stats_.load_started_ms = now_ms;
    if (!store_->floor().is_zero()) keyspace_.FlushUpTo(store_->floor());
    loader_ = store_->NewRecordIterator();
  }
  const int64_t deadline = MonotonicUs() + budget_us;
  if (!LoadElements(limits, deadline)) return true;
  rocksdb::Iterator& it = *loader_;
  for (size_t n = 0; it.Valid() && Store::IsRecord(it.key()); ++n) {
    if (n % 256 == 255 && MonotonicUs() > deadline) return true;
    if (max_memory != 0 && UsedMemory() >= max_memory) {
      stats_.load_stopped_at_maxmemory = true;
      break;
    }
    const std::string_view key = Store::KeyOf(it.key());
    const std::string_view record(it.value().data(), it.value().size());
    const LoadOutcome outcome =
        LoadRecord(key, record, now_ms, limits, &keyspace_, &collection_load_);
    if (outcome == LoadOutcome::kExpired && IsElementHead(record)) {
      Store::DeleteRecord(&load_cleanup_, key);
      Store::DeleteElements(&load_cleanup_, Store::ElementPrefix(key));
    }
    if (outcome == LoadOutcome::kElementsFollow) {
      element_loader_.emplace(store_->NewElementIterator(key));
      it.Next();
      if (!LoadElements(limits, deadline)) return true;
      continue;
    }
    CountLoad(outcome);
    it.Next();
  }
  if (!it.status().ok()) {
    stats_.last_error = it.status().ToString();
    spdlog::error("reading {} stopped early: {}", store_->path(), stats_.last_error);
  }
  if (load_cleanup_.Count() != 0) {
    const Status cleaned = store_->Write(&load_cleanup_, /*sync=*/true);
    if (!cleaned.ok()) spdlog::warn("cannot remove expired collections: {}", cleaned.message());
    load_cleanup_.Clear();
  }
  if (stats_.loaded_malformed != 0) {
    spdlog::warn("{} records in {} could not be read and were skipped", stats_.loaded_malformed,
                 store_->path());
  }
  loader_.reset();
  stats_.load_ms = now_ms - stats_.load_started_ms;
  return false;
}

bool WriteBehind::LoadElements(const CollectionLimits& limits, int64_t deadline_us) {
  if (!element_loader_) return true;
  Store::ElementIterator& it = *element_loader_;
  bool malformed = false;
  for (size_t n = 0; it.Valid(); it.Next(), ++n) {
    if (n % 1024 == 1023 && MonotonicUs() > deadline_us) return false;
    malformed |= !LoadElement(it.element(), it.record(), limits, &collection_load_);
  }
  if (!it.status().ok()) {
    spdlog::error("reading the elements of a collection in {} stopped early: {}", store_->path(),
                  it.status().ToString());
  }
  element_loader_.reset();
  const std::string key = collection_load_.key;
  const LoadOutcome outcome = FinishLoad(&collection_load_, &keyspace_);
  if (outcome == LoadOutcome::kLoaded) element_keys_.emplace(key);
  CountLoad(malformed ? LoadOutcome::kMalformed : outcome);
  return true;
}

void WriteBehind::CountLoad(LoadOutcome outcome) {
  switch (outcome) {
    case LoadOutcome::kLoaded:
      ++stats_.loaded_keys;
      break;
    case LoadOutcome::kExpired:
      ++stats_.loaded_expired;
      break;
    case LoadOutcome::kMalformed:
    case LoadOutcome::kElementsFollow:
      ++stats_.loaded_malformed;
      break;
  }
}

void WriteBehind::Start() {
  keyspace_.set_dirty_keys(&dirty_);
  started_ = true;
  flusher_ = std::thread([this] { FlusherLoop(); });
}

void WriteBehind::FlusherLoop() {
  // Named for top -H and /proc: its CPU is write-behind's cost.
  pthread_setname_np(pthread_self(), "rc-flusher");
  std::unique_lock lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [this] { return job_ || quit_; });
    if (!job_) return;
    const bool sync = job_sync_;
    lock.unlock();
    const int64_t start = MonotonicUs();
    Status status = store_->Write(&batch_, sync);
    const int64_t took = MonotonicUs() - start;
    lock.lock();
    job_ = false;
    job_done_ = true;
    job_status_ = std::move(status);
    job_us_ = took;
    done_cv_.notify_all();
  }
}

void WriteBehind::Submit(bool sync) {
  {
    std::lock_guard lock(mu_);
    job_ = true;
    job_sync_ = sync;
    job_done_ = false;
  }
  in_flight_ = true;
  work_cv_.notify_one();
}

void WriteBehind::Cut(int64_t now_ms, bool sync) {
  taken_.Swap(dirty_);
  batch_.Clear();
  if (taken_.cleared()) {
    Store::ClearRecords(&batch_, keyspace_.version_floor());
    element_keys_.clear();
  }
  taken_.ForEach([&](std::string_view key) { CutKey(key); });
  in_flight_keys_ = taken_.size();
  taken_.Reset();
  in_flight_since_ms_ = dirty_since_ms_ != 0 ? dirty_since_ms_ : now_ms;
  dirty_since_ms_ = 0;
  Submit(sync);
}

void WriteBehind::CutKey(std::string_view key) {
  const Entry* e = keyspace_.TakeDirty(key);
  // Most stores keep no key by element: no lookup per key then.
  const auto kept = element_keys_.empty() ? element_keys_.end() : element_keys_.find(key);
  if (e != nullptr && KeptByElement(*e)) {
    CutByElement(key, *e, kept != element_keys_.end());
    return;
  }
  if (kept != element_keys_.end()) {
    Store::DeleteElements(&batch_, Store::ElementPrefix(key));
    element_keys_.erase(kept);
  }
  if (e == nullptr) {
    Store::DeleteRecord(&batch_, key);
    return;
  }
  EncodedRecord record;
  EncodeRecord(*e, &scratch_, &record);
  Store::PutRecord(&batch_, key, {record.header, kRecordHeaderSize}, record.payload);
}

void WriteBehind::CutByElement(std::string_view key, const Entry& e, bool kept) {
  EncodedRecord head;
  EncodeHead(e, &scratch_, &head);
  Store::PutRecord(&batch_, key, {head.header, kRecordHeaderSize}, head.payload);
  const std::string prefix = Store::ElementPrefix(key);
  DirtyKeys* log = e.object()->element_log();
  if (kept && log != nullptr && !log->cleared()) {
    // Each changed element once, whatever the number of its changes.
    changed_elements_.clear();
    log->ForEach([&](std::string_view element) { changed_elements_.push_back(element); });
    std::sort(changed_elements_.begin(), changed_elements_.end());
    changed_elements_.erase(std::unique(changed_elements_.begin(), changed_elements_.end()),
                            changed_elements_.end());
    for (const std::string_view element : changed_elements_) {
      if (EncodeElement(e, element, &element_scratch_)) {
        Store::PutElement(&batch_, prefix, element, element_scratch_);
      } else {
        Store::DeleteElement(&batch_, prefix, element);
      }
    }
    log->Reset();
    return;
  }
  // Written whole, element by element.
  if (kept) {
    Store::DeleteElements(&batch_, prefix);
  } else {
    element_keys_.emplace(key);
  }
  ForEachElement(e, &element_scratch_, [&](std::string_view element, std::string_view record) {
    Store::PutElement(&batch_, prefix, element, record);
  });
  e.object()->StartElementLog();
}

void WriteBehind::Collect(int64_t now_ms, bool wait) {
  if (!in_flight_) return;
  Status status;
  {
    std::unique_lock lock(mu_);
    if (wait) done_cv_.wait(lock, [this] { return job_done_; });
    if (!job_done_) return;
    status = std::move(job_status_);
    stats_.last_flush_us = job_us_;
  }
  in_flight_ = false;
  if (status.ok()) {
    ++stats_.flushes;
    stats_.keys_written += in_flight_keys_;
    stats_.bytes_written += batch_.GetDataSize();
    stats_.last_flush_ms = WallClockMs();
    in_flight_keys_ = 0;
    batch_.Clear();
    if (failing_) spdlog::info("writing to {} works again", store_->path());
    failing_ = retry_pending_ = false;
    return;
  }
  // Keep the batch: its changes are listed nowhere else.
  ++stats_.write_errors;
  if (!failing_ || stats_.last_error != status.message()) {
    spdlog::error("cannot write to {}: {}; write commands are refused until it works again",
                  store_->path(), status.message());
  }
  stats_.last_error = std::string(status.message());
  failing_ = retry_pending_ = true;
  next_retry_ms_ = now_ms + kRetryMs;
}

void WriteBehind::Retry(int64_t now_ms) {
  if (!retry_pending_ || now_ms < next_retry_ms_) return;
  const Status reopened = store_->Reopen();
  if (!reopened.ok()) {
    stats_.last_error = std::string(reopened.message());
    next_retry_ms_ = now_ms + kRetryMs;
    return;
  }
  Submit(false);
}

void WriteBehind::Tick(int64_t now_ms) {
  if (!started_) return;
  Collect(now_ms, false);
  if (retry_pending_ && !in_flight_) Retry(now_ms);
  if (dirty_.empty()) {
    dirty_since_ms_ = 0;
    return;
  }
  if (dirty_since_ms_ == 0) dirty_since_ms_ = now_ms;
  const bool due = save_soon_ || saturated(now_ms) ||
                   static_cast<int64_t>(dirty_.size()) >= settings_.flush_batch_keys ||
                   now_ms - dirty_since_ms_ >= settings_.flush_interval_ms;
  if (due && !in_flight_ && !retry_pending_) {
    save_soon_ = false;
    Cut(now_ms, false);
  }
}

int64_t WriteBehind::flush_lag_ms(int64_t now_ms) const {
  const int64_t since = in_flight_ || retry_pending_ ? in_flight_since_ms_ : dirty_since_ms_;
  return since == 0 ? 0 : now_ms - since;
}

Status WriteBehind::Save(int64_t now_ms) {
  if (!started_) return Status::Unavailable("persistence has not started");
  Collect(now_ms, true);
  if (retry_pending_) {
    next_retry_ms_ = now_ms;
    Retry(now_ms);
    Collect(now_ms, true);
    if (failing_) return Status::IOError(stats_.last_error);
  }
  // A batch is cut even with nothing listed: its synced write syncs the log
  // the earlier batches went to.
  Cut(now_ms, true);
  Collect(now_ms, true);
  return failing_ ? Status::IOError(stats_.last_error) : Status::Ok();
}

Status WriteBehind::Stop(int64_t now_ms) {
  if (!started_) return Status::Ok();
  Status status = Save(now_ms);
  keyspace_.set_dirty_keys(nullptr);
  started_ = false;
  {
    std::lock_guard lock(mu_);
    quit_ = true;
  }
  work_cv_.notify_one();
  flusher_.join();
  return status;
}

}  // namespace ringcache::persistence
