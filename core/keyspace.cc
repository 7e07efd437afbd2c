#include "core/keyspace.h"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <random>

#include "core/state_order.h"

namespace ringcache {
namespace {

// Redis grows strings geometrically below 1 MB and linearly above.
constexpr size_t kGreedyGrowthLimit = size_t{1024} * 1024;
// Value bytes a tombstone may keep from the value it replaced.
constexpr size_t kTombstoneSlack = 64;
// A new key starts with some frequency, so that it is not the first evicted
// under LFU before it had a chance to be read (Redis's LFU_INIT_VAL).
constexpr uint8_t kInitialFrequency = 5;

// Out of line: std::random_device's frame would otherwise be set up on every
// call of NextRandom. Never 0, which means "not seeded".
[[gnu::noinline]] uint64_t RandomSeed() {
  std::random_device device;
  return (uint64_t{device()} << 32) | device() | 1;
}

}  // namespace

// SplitMix64: eviction samples and LFU counters need speed, not a
// cryptographic or even Mersenne-Twister-grade stream (mt19937_64 cost ~50
// instructions a number; this, ~10).
uint64_t Keyspace::NextRandom() {
  // Constant-initialized (no TLS guard call on every use), seeded on first use.
  thread_local uint64_t state = 0;
  if (state == 0) state = RandomSeed();
  uint64_t z = (state += 0x9e3779b97f4a7c15);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

Keyspace::~Keyspace() {
  dirty_ = nullptr;  // write-behind has stopped: nothing is to be written
  Clear();
}

Entry* Keyspace::NewEntry(std::string_view key, size_t value_len) {
  void* memory = std::malloc(sizeof(Entry) + key.size() + value_len);
  if (memory == nullptr) std::abort();  // there is no sane way on from here
  auto* e = static_cast<Entry*>(memory);
  e->next = nullptr;
  e->expire_at_ms = 0;
  e->version_hlc = 0;
  e->access_clock = AccessClock();
  e->key_len = static_cast<uint32_t>(key.size());
  e->dirty = 0;
  e->value_len = static_cast<uint32_t>(value_len);
  e->type = ValueType::kString;
  e->lfu_counter = kInitialFrequency;
  e->version_node = 0;
  std::memcpy(e->data(), key.data(), key.size());
  return e;
}

size_t Keyspace::ValueCapacity(const Entry* e) {
  return malloc_usable_size(const_cast<Entry*>(e)) - sizeof(Entry) - e->key_len;
}

size_t Keyspace::MemoryUsage(const Entry* e) {
  return malloc_usable_size(const_cast<Entry*>(e)) +
         sizeof(Entry*) +  // NOLINT(bugprone-sizeof-expression): the bucket slot
         (e->holds_object() ? e->object()->MemoryUsage() : 0);
}

void Keyspace::DropObject(Entry* e) {
  if (!e->holds_object()) return;
  delete e->object();
  e->type = ValueType::kString;
  e->value_len = 0;
}

void Keyspace::FreeEntry(Entry* e) {
  if (e->has_expiry()) --expires_count_;
  if (e->is_tombstone()) --tombstones_;
  DropObject(e);
  std::free(e);
}

void Keyspace::DeleteAt(HashTable::Position pos) { FreeEntry(table_.Unlink(pos)); }

HashTable::Position Keyspace::LiveOrExpire(HashTable::Position pos) {
  if (pos && IsExpired(pos.entry())) {
    // A tombstone's grace period ending is not a key expiring.
    if (!pos.entry()->is_tombstone()) ++stats_.expired_keys;
    DeleteAt(pos);
    return {};
  }
  return pos;
}

Entry* Keyspace::Find(std::string_view key) {
  const HashTable::Position pos = LiveOrExpire(table_.FindPosition(key, table_.Hash(key)));
  return pos && !pos.entry()->is_tombstone() ? pos.entry() : nullptr;
}

const Entry* Keyspace::FindIncludingTombstone(std::string_view key) {
  const HashTable::Position pos = LiveOrExpire(table_.FindPosition(key, table_.Hash(key)));
  return pos ? pos.entry() : nullptr;
}

const Entry* Keyspace::ReadReplica(std::string_view key) {
  const HashTable::Position pos = LiveOrExpire(table_.FindPosition(key, table_.Hash(key)));
  if (!pos) return nullptr;
  if (!pos.entry()->is_tombstone()) RecordAccess(pos.entry());
  return pos.entry();
}

void Keyspace::PrefetchKeys(std::span<const std::string_view> keys) const {
  // Longer "keys" are rare, or not keys at all (ECHO's message, a password):
  // hashing them twice could cost more than a miss.
  constexpr size_t kMaxKeyLen = 256;
  uint64_t hashes[kPrefetchBatch];
  size_t n = 0;
  for (size_t i = 0; i < keys.size() && n < kPrefetchBatch; ++i) {
    if (keys[i].size() > kMaxKeyLen) continue;
    hashes[n] = table_.Hash(keys[i]);
    table_.Prefetch(hashes[n++]);
  }
  // Reading the buckets waits for the first to arrive; the rest come meanwhile.
  for (size_t i = 0; i < n; ++i) table_.PrefetchChainHead(hashes[i]);
}

Entry* Keyspace::Lookup(std::string_view key) {
  Entry* e = Find(key);
  if (e == nullptr) {
    ++stats_.keyspace_misses;
    return nullptr;
  }
  ++stats_.keyspace_hits;
  RecordAccess(e);
  return e;
}

void Keyspace::RecordAccess(Entry* e) {
  if (tracking_.lfu) {
    // Redis's logarithmic counter: the higher it is, the less likely an
    // access increments it, so 255 stands for about a million accesses.
    uint8_t counter = DecayedFrequency(e);
    if (counter < 255) {
      const double base = counter > kInitialFrequency ? counter - kInitialFrequency : 0;
      const double p = 1.0 / (base * static_cast<double>(tracking_.lfu_log_factor) + 1);
      const double r = static_cast<double>(NextRandom() >> 11) * 0x1.0p-53;
      if (r < p) ++counter;
    }
    e->lfu_counter = counter;
  }
  e->access_clock = AccessClock();
}

uint8_t Keyspace::DecayedFrequency(const Entry* e) const {
  if (tracking_.lfu_decay_ms <= 0) return e->lfu_counter;
  const uint64_t periods = IdleMs(e) / static_cast<uint64_t>(tracking_.lfu_decay_ms);
  return periods >= e->lfu_counter ? 0 : static_cast<uint8_t>(e->lfu_counter - periods);
}

Entry* Keyspace::SetString(std::string_view key, std::string_view value, int64_t expire_at_ms) {
  const uint64_t hash = table_.Hash(key);
  return StoreString(LiveOrExpire(table_.FindPosition(key, hash)), hash, key, value, expire_at_ms);
}

Entry* Keyspace::StoreString(HashTable::Position pos, uint64_t hash, std::string_view key,
                             std::string_view value, int64_t expire_at_ms) {
  Entry* e = nullptr;
  if (pos) {
    e = pos.entry();
    if (e->is_tombstone()) --tombstones_;  // a write revives the key
    DropObject(e);
    const size_t capacity = ValueCapacity(e);
    // Overwrite in place unless the old block would waste more than it holds.
    if (value.size() > capacity || capacity > 2 * value.size() + 64) {
      Entry* fresh = NewEntry(key, value.size());
      fresh->expire_at_ms = e->expire_at_ms;
      fresh->set_version(e->version());
      fresh->lfu_counter = e->lfu_counter;
      fresh->dirty = e->dirty;
      HashTable::Replace(pos, fresh);
      std::free(e);
      e = fresh;
    }
    e->type = ValueType::kString;
    e->value_len = static_cast<uint32_t>(value.size());
    RecordAccess(e);
  } else {
    e = NewEntry(key, value.size());
    table_.Insert(e, hash);
  }
  if (!value.empty()) std::memcpy(e->value_data(), value.data(), value.size());
  SetExpiry(e, expire_at_ms);  // lists the key
  return e;
}

Entry* Keyspace::ShrinkToKey(HashTable::Position pos) {
  Entry* old = pos.entry();
  Entry* fresh = NewEntry(old->key(), 0);
  fresh->expire_at_ms = old->expire_at_ms;
  fresh->set_version(old->version());
  fresh->type = old->type;
  fresh->lfu_counter = old->lfu_counter;
  fresh->dirty = old->dirty;
  HashTable::Replace(pos, fresh);
  std::free(old);
  return fresh;
}

Entry* Keyspace::ResizeValue(Entry* entry, size_t len) {
  MarkDirty(entry);  // the caller writes the bytes next
  if (len <= ValueCapacity(entry)) {
    entry->value_len = static_cast<uint32_t>(len);
    return entry;
  }
  const std::string_view key = entry->key();
  const HashTable::Position pos = table_.FindPosition(key, table_.Hash(key));
  size_t capacity = len < kGreedyGrowthLimit ? len * 2 : len + kGreedyGrowthLimit;
  void* memory = std::realloc(entry, sizeof(Entry) + entry->key_len + capacity);
  if (memory == nullptr) std::abort();
  auto* grown = static_cast<Entry*>(memory);
  *pos.link = grown;  // the chain still points at the old block
  grown->value_len = static_cast<uint32_t>(len);
  return grown;
}

void Keyspace::SetExpiry(Entry* entry, int64_t expire_at_ms) {
  if (entry->has_expiry()) --expires_count_;
  entry->expire_at_ms = expire_at_ms;
  if (entry->has_expiry()) ++expires_count_;
  MarkDirty(entry);
}

bool Keyspace::Delete(std::string_view key) {
  const HashTable::Position pos = LiveOrExpire(table_.FindPosition(key, table_.Hash(key)));
  if (!pos || pos.entry()->is_tombstone()) return false;
  MarkRemoved(key);
  DeleteAt(pos);
  return true;
}

void Keyspace::NoteWritten(std::string_view key) {
  if (dirty_ == nullptr) return;
  const HashTable::Position pos = table_.FindPosition(key, table_.Hash(key));
  pos ? MarkDirty(pos.entry()) : MarkRemoved(key);
}

const Entry* Keyspace::TakeDirty(std::string_view key) {
  const HashTable::Position pos = table_.FindPosition(key, table_.Hash(key));
  if (!pos) return nullptr;
  pos.entry()->dirty = 0;
  return pos.entry();
}

void Keyspace::Rename(std::string_view from, std::string_view to) {
  Entry* source = Find(from);
  Entry* target = SetString(to, source->value(), source->expire_at_ms);
  target->type = source->type;
  if (target->holds_object()) target->object()->ForgetElementLog();
  target->set_version(source->version());
  source->type = ValueType::kString;  // an object now belongs to `to`
  Delete(from);
  NoteCreated(to, target->type);
}

Entry* Keyspace::SetObject(std::string_view key, ValueType type,
                           std::unique_ptr<ValueObject> object, int64_t expire_at_ms) {
  object->ForgetElementLog();
  // The value bytes hold the pointer itself.
  const auto address = reinterpret_cast<uintptr_t>(object.release());
  char pointer[sizeof(address)];
  std::memcpy(pointer, &address, sizeof(address));
  Entry* e = SetString(key, std::string_view(pointer, sizeof(pointer)), expire_at_ms);
  e->type = type;
  NoteCreated(key, type);
  return e;
}

void Keyspace::Clear() {
  table_.Clear([](Entry* e) {
    DropObject(e);
    std::free(e);
  });
  expires_count_ = 0;
  tombstones_ = 0;
  if (dirty_ != nullptr) dirty_->AddClear();
}

void Keyspace::FlushUpTo(const Version& version) {
  Clear();
  version_floor_ = std::max(version_floor_, version);
  max_version_ = std::max(max_version_, version);
}

bool Keyspace::Supersedes(const Version& version, bool tombstone, std::string_view value,
                          int64_t expire_at_ms, const Entry* held) {
  if (held->version() != version) return held->version() < version;
  // A counter of this version is that write (its base) plus increments made
  // on it, or counting that started after a delete of this version.
  if (held->type == ValueType::kCounter) return false;
  return CompareTiedStates(tombstone, value, expire_at_ms, held->is_tombstone(), held->value(),
                           held->expire_at_ms) > 0;
}

bool Keyspace::PutIfNewer(std::string_view key, std::string_view value, int64_t expire_at_ms,
                          const Version& version) {
  if (!(version_floor_ < version)) return false;
  const uint64_t hash = table_.Hash(key);
  const HashTable::Position pos = LiveOrExpire(table_.FindPosition(key, hash));
  if (pos && !Supersedes(version, false, value, expire_at_ms, pos.entry())) return false;
  StoreString(pos, hash, key, value, expire_at_ms)->set_version(version);
  max_version_ = std::max(max_version_, version);
  return true;
}

bool Keyspace::StoreCounter(std::string_view key, std::string_view bytes, int64_t expire_at_ms,
                            const Version& version) {
  // Counting that starts on nothing takes the flush's own version: allowed.
  if (version < version_floor_) return false;
  const uint64_t hash = table_.Hash(key);
  const HashTable::Position pos = LiveOrExpire(table_.FindPosition(key, hash));
  Entry* e = StoreString(pos, hash, key, bytes, expire_at_ms);
  e->type = ValueType::kCounter;
  e->set_version(version);
  max_version_ = std::max(max_version_, version);
  return true;
}

void Keyspace::StoreReplicated(std::string_view key, std::unique_ptr<ValueObject> object, bool live,
                               int64_t expire_at_ms, const Version& version) {
  has_replicated_ = true;
  Entry* e = SetObject(key, ValueType::kReplicated, std::move(object), expire_at_ms);
  e->set_version(version);
  max_version_ = std::max(max_version_, version);
  if (!live) {
    e->type = ValueType::kReplicatedEmpty;
    ++tombstones_;
  }
}

void Keyspace::RefileReplicated(Entry* e, bool live, int64_t expire_at_ms, const Version& version) {
  if (e->is_tombstone() != !live) live ? --tombstones_ : ++tombstones_;
  e->type = live ? ValueType::kReplicated : ValueType::kReplicatedEmpty;
  SetExpiry(e, expire_at_ms);  // lists the key
  e->set_version(version);
  max_version_ = std::max(max_version_, version);
  NoteCreated(e->key(), e->type);
}

void Keyspace::Forget(std::string_view key) {
  const HashTable::Position pos = table_.FindPosition(key, table_.Hash(key));
  if (!pos) return;
  MarkRemoved(key);
  DeleteAt(pos);
}

Entry* Keyspace::FindForMerge(std::string_view key) {
  const HashTable::Position pos = LiveOrExpire(table_.FindPosition(key, table_.Hash(key)));
  return pos ? pos.entry() : nullptr;
}

bool Keyspace::DeleteIfNewer(std::string_view key, const Version& version,
                             int64_t tombstone_until_ms, bool* removed_value) {
  if (!(version_floor_ < version)) return false;
  const uint64_t hash = table_.Hash(key);
  const HashTable::Position pos = LiveOrExpire(table_.FindPosition(key, hash));
  Entry* e = nullptr;
  bool removed = false;
  if (pos) {
    e = pos.entry();
    if (!Supersedes(version, true, {}, tombstone_until_ms, e)) return false;
    removed = !e->is_tombstone();
    if (removed) ++tombstones_;
    DropObject(e);
    // A tombstone holds no value: the old value's block would otherwise stay
    // allocated, and counted against maxmemory, for the whole grace period.
    if (ValueCapacity(e) > kTombstoneSlack) e = ShrinkToKey(pos);
  } else {
    e = NewEntry(key, 0);
    table_.Insert(e, hash);
    ++tombstones_;
  }
  e->type = ValueType::kTombstone;
  e->value_len = 0;
  e->set_version(version);
  SetExpiry(e, tombstone_until_ms);  // lists the key
  max_version_ = std::max(max_version_, version);
  if (removed_value != nullptr) *removed_value = removed;
  return true;
}

Entry* Keyspace::RandomEntry() {
  // Expired keys found on the way are deleted; give up after many, as Redis
  // does, so a keyspace full of expired keys cannot stall the loop.
  for (int tries = 0; tries < 100 && size() > 0; ++tries) {
    Entry* e = table_.RandomEntry(&NextRandom);
    if (e->is_tombstone()) continue;
    if (!IsExpired(e)) return e;
    ExpireIfDue(e->key());
  }
  return nullptr;
}

bool Keyspace::ExpireIfDue(std::string_view key) {
  const HashTable::Position pos = table_.FindPosition(key, table_.Hash(key));
  return pos && !LiveOrExpire(pos);
}

}  // namespace ringcache
