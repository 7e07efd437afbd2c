// Records round-trip every kind of entry, with expiry and version; the
// keyspace lists each changed key once for write-behind.
#include "persistence/record_codec.h"

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>

#include "core/dirty_keys.h"
#include "core/keyspace.h"
#include "types/collection_delta.h"
#include "types/hash_value.h"
#include "types/list_value.h"
#include "types/replicated_collection.h"
#include "types/set_value.h"
#include "types/zset_value.h"

namespace ringcache::persistence {
namespace {

constexpr int64_t kNow = 1'000'000;

std::string RecordOf(Keyspace& keyspace, std::string_view key) {
  const Entry* e = keyspace.FindIncludingTombstone(key);
  REQUIRE(e != nullptr);
  std::string scratch;
  EncodedRecord record;
  EncodeRecord(*e, &scratch, &record);
  return std::string(record.header, kRecordHeaderSize) + std::string(record.payload);
}

// Encodes `key` from `from` and loads it into a fresh keyspace.
std::unique_ptr<Keyspace> RoundTrip(Keyspace& from, std::string_view key) {
  auto to = std::make_unique<Keyspace>();
  to->set_now_ms(kNow);
  REQUIRE(LoadRecord(key, RecordOf(from, key), kNow, CollectionLimits(), to.get(), nullptr) ==
          LoadOutcome::kLoaded);
  return to;
}

TEST_CASE("records keep strings with their expiry and version") {
  Keyspace keyspace;
  keyspace.set_now_ms(kNow);
  keyspace.SetString("plain", "value", 0);
  keyspace.PutIfNewer("versioned", "v2", kNow + 5000, Version{77, 3});
  auto plain = RoundTrip(keyspace, "plain");
  CHECK(plain->Find("plain")->value() == "value");
  CHECK(plain->Find("plain")->expire_at_ms == 0);
  auto versioned = RoundTrip(keyspace, "versioned");
  const Entry* e = versioned->Find("versioned");
  CHECK(e->value() == "v2");
  CHECK(e->expire_at_ms == kNow + 5000);
  CHECK(e->version() == (Version{77, 3}));
  CHECK(versioned->max_version() == (Version{77, 3}));
}

TEST_CASE("records keep tombstones and counters") {
  Keyspace keyspace;
  keyspace.set_now_ms(kNow);
  keyspace.DeleteIfNewer("gone", Version{90, 1}, kNow + 60000);
  keyspace.StoreCounter("count", "counter-bytes", 0, Version{91, 2});
  auto gone = RoundTrip(keyspace, "gone");
  CHECK(gone->Find("gone") == nullptr);
  const Entry* tombstone = gone->FindIncludingTombstone("gone");
  REQUIRE(tombstone != nullptr);
  CHECK(tombstone->type == ValueType::kTombstone);
  CHECK(tombstone->version() == (Version{90, 1}));
  auto count = RoundTrip(keyspace, "count");
  CHECK(count->Find("count")->type == ValueType::kCounter);
  CHECK(count->Find("count")->value() == "counter-bytes");
}

TEST_CASE("records keep a single node's collections element by element") {
  const CollectionLimits limits;
  Keyspace keyspace;
  keyspace.set_now_ms(kNow);
  auto hash = std::make_unique<HashValue>();
  for (int i = 0; i < 300; ++i) hash->Set("f" + std::to_string(i), std::to_string(i), limits);
  keyspace.SetObject("hash", ValueType::kHash, std::move(hash), kNow + 1);
  auto set = std::make_unique<SetValue>();
  set->Add("7", limits);
  set->Add("12", limits);
  keyspace.SetObject("set", ValueType::kSet, std::move(set), 0);
  auto list = std::make_unique<ListValue>();
  for (const char* item : {"a", "", "c"}) list->Push(ListValue::End::kTail, item, limits);
  keyspace.SetObject("list", ValueType::kList, std::move(list), 0);
  auto zset = std::make_unique<ZSetValue>();
  zset->Set("low", -1.5, limits);
  zset->Set("high", 1e300, limits);
  keyspace.SetObject("zset", ValueType::kZSet, std::move(zset), 0);

  auto h = RoundTrip(keyspace, "hash");
  const auto* hv = static_cast<const HashValue*>(h->Find("hash")->object());
  CHECK(hv->size() == 300);
  CHECK(hv->Get("f299") == "299");
  CHECK(hv->encoding() == "hashtable");
  CHECK(h->Find("hash")->expire_at_ms == kNow + 1);
  auto s = RoundTrip(keyspace, "set");
  const auto* sv = static_cast<const SetValue*>(s->Find("set")->object());
  CHECK(sv->Contains("12"));
  CHECK(sv->encoding() == "intset");
  auto l = RoundTrip(keyspace, "list");
  const auto* lv = static_cast<const ListValue*>(l->Find("list")->object());
  REQUIRE(lv->size() == 3);
  CHECK(lv->At(0) == "a");
  CHECK(lv->At(1).empty());
  CHECK(lv->At(2) == "c");
  auto z = RoundTrip(keyspace, "zset");
  const auto* zv = static_cast<const ZSetValue*>(z->Find("zset")->object());
  CHECK(zv->Score("low") == -1.5);
  CHECK(zv->Score("high") == 1e300);
}

TEST_CASE("records keep a replicated collection's whole state") {
  Keyspace keyspace;
  keyspace.set_now_ms(kNow);
  auto collection = std::make_unique<ReplicatedCollection>(ReplicatedCollection::Kind::kSet);
  AddElement(collection.get(), "member", "", Version{5, 1});
  std::string before;
  collection->Encode(&before);
  keyspace.StoreReplicated("rset", std::move(collection), true, 0, Version{5, 1});
  auto to = RoundTrip(keyspace, "rset");
  const Entry* e = to->Find("rset");
  REQUIRE(e != nullptr);
  CHECK(e->type == ValueType::kReplicated);
  std::string after;
  e->object()->EncodeReplicaState(&after);
  CHECK(after == before);
}

// A collection written element by element, as write-behind's cut does:
// its head, and its elements by name (a std::map stands for the store).
struct ElementRecords {
  std::string head;
  std::map<std::string, std::string, std::less<>> elements;
};

ElementRecords WriteByElement(Keyspace& keyspace, std::string_view key) {
  const Entry* e = keyspace.FindIncludingTombstone(key);
  REQUIRE(e != nullptr);
  REQUIRE(KeptByElement(*e));
  ElementRecords out;
  std::string scratch;
  EncodedRecord head;
  EncodeHead(*e, &scratch, &head);
  out.head = std::string(head.header, kRecordHeaderSize) + std::string(head.payload);
  ForEachElement(*e, &scratch, [&](std::string_view element, std::string_view record) {
    out.elements.emplace(element, record);
  });
  e->object()->StartElementLog();
  return out;
}

// Applies what `key`'s element log lists to `records`, as a later cut does.
void WriteChanges(Keyspace& keyspace, std::string_view key, ElementRecords* records) {
  const Entry* e = keyspace.FindIncludingTombstone(key);
  DirtyKeys* log = e->object()->element_log();
  REQUIRE(log != nullptr);
  REQUIRE_FALSE(log->cleared());
  std::string record;
  log->ForEach([&](std::string_view element) {
    if (EncodeElement(*e, element, &record)) {
      records->elements[std::string(element)] = record;
    } else {
      records->elements.erase(std::string(element));
    }
  });
  log->Reset();
}

std::unique_ptr<Keyspace> LoadByElement(const ElementRecords& records, std::string_view key) {
  auto to = std::make_unique<Keyspace>();
  to->set_now_ms(kNow);
  CollectionLoad load;
  REQUIRE(LoadRecord(key, records.head, kNow, CollectionLimits(), to.get(), &load) ==
          LoadOutcome::kElementsFollow);
  for (const auto& [element, record] : records.elements) {
    REQUIRE(LoadElement(element, record, CollectionLimits(), &load));
  }
  REQUIRE(FinishLoad(&load, to.get()) == LoadOutcome::kLoaded);
  return to;
}

TEST_CASE("a large collection is written element by element, then only what changed") {
  const CollectionLimits limits;
  Keyspace keyspace;
  keyspace.set_now_ms(kNow);
  auto hash = std::make_unique<HashValue>();
  for (size_t i = 0; i < kElementRecordsFrom; ++i) {
    hash->Set("f" + std::to_string(i), std::to_string(i), limits);
  }
  auto* h = static_cast<HashValue*>(
      keyspace.SetObject("hash", ValueType::kHash, std::move(hash), kNow + 9)->object());
  ElementRecords records = WriteByElement(keyspace, "hash");
  CHECK(records.elements.size() == kElementRecordsFrom);

  h->Set("f1", "changed", limits);
  h->Set("f1", "changed again", limits);
  h->Set("new", "n", limits);
  h->Erase("f2");
  h->Erase("not there");
  CHECK(h->element_log()->size() == 4);  // f1 twice, new, f2
  WriteChanges(keyspace, "hash", &records);
  CHECK(records.elements.size() == kElementRecordsFrom);  // one in, one out

  auto loaded = LoadByElement(records, "hash");
  const Entry* e = loaded->Find("hash");
  REQUIRE(e != nullptr);
  CHECK(e->expire_at_ms == kNow + 9);
  const auto* lh = static_cast<const HashValue*>(e->object());
  CHECK(lh->size() == kElementRecordsFrom);
  CHECK(lh->Get("f1") == "changed again");
  CHECK(lh->Get("new") == "n");
  CHECK_FALSE(lh->Get("f2").has_value());
  // Loaded by element, it lists its changes from the start.
  REQUIRE(e->object()->element_log() != nullptr);
  CHECK(e->object()->element_log()->size() == 0);

  // Moved to another key (RENAME), what was written is another key's.
  keyspace.Rename("hash", "moved");
  CHECK(keyspace.Find("moved")->object()->element_log() == nullptr);
}

TEST_CASE("sets, sorted sets and replicated collections go element by element too") {
  const CollectionLimits limits;
  Keyspace keyspace;
  keyspace.set_now_ms(kNow);
  auto set = std::make_unique<SetValue>();
  auto zset = std::make_unique<ZSetValue>();
  auto replicated = std::make_unique<ReplicatedCollection>(ReplicatedCollection::Kind::kHash);
  for (size_t i = 0; i < kElementRecordsFrom; ++i) {
    set->Add(std::to_string(i), limits);
    zset->Set("m" + std::to_string(i), static_cast<double>(i) / 3, limits);
    AddElement(replicated.get(), "f" + std::to_string(i), "v", Version{10 + i, 1});
  }
  keyspace.SetObject("set", ValueType::kSet, std::move(set), 0);
  keyspace.SetObject("zset", ValueType::kZSet, std::move(zset), 0);
  keyspace.StoreReplicated("rhash", std::move(replicated), true, 0, Version{10, 1});

  ElementRecords set_records = WriteByElement(keyspace, "set");
  ElementRecords zset_records = WriteByElement(keyspace, "zset");
  ElementRecords replicated_records = WriteByElement(keyspace, "rhash");
  auto* s = static_cast<SetValue*>(keyspace.Find("set")->object());
  s->Remove("5");
  s->Add("x", limits);
  auto* z = static_cast<ZSetValue*>(keyspace.Find("zset")->object());
  z->Set("m3", -7.25, limits);
  auto* r = static_cast<ReplicatedCollection*>(keyspace.Find("rhash")->object());
  ReplicatedCollection delta(ReplicatedCollection::Kind::kHash);
  AddElement(&delta, "f7", "newer", Version{500, 2});
  bool changed = false;
  r->Merge(delta, &changed);
  CHECK(r->element_log()->size() == 1);
  WriteChanges(keyspace, "set", &set_records);
  WriteChanges(keyspace, "zset", &zset_records);
  WriteChanges(keyspace, "rhash", &replicated_records);

  auto ls = LoadByElement(set_records, "set");
  const auto* lsv = static_cast<const SetValue*>(ls->Find("set")->object());
  CHECK(lsv->Contains("x"));
  CHECK_FALSE(lsv->Contains("5"));
  auto lz = LoadByElement(zset_records, "zset");
  CHECK(static_cast<const ZSetValue*>(lz->Find("zset")->object())->Score("m3") == -7.25);
  auto lr = LoadByElement(replicated_records, "rhash");
  std::string before;
  std::string after;
  r->Encode(&before);
  lr->Find("rhash")->object()->EncodeReplicaState(&after);
  CHECK(after == before);

  // A whole-value write clears every element: the next cut rewrites it whole.
  r->ClearBelow(Version{1000, 1});
  CHECK(r->element_log()->cleared());
}

TEST_CASE("expired records and malformed ones are not loaded") {
  Keyspace keyspace;
  keyspace.set_now_ms(kNow);
  keyspace.SetString("ttl", "v", kNow + 10);
  const std::string record = RecordOf(keyspace, "ttl");
  Keyspace later;
  CHECK(LoadRecord("ttl", record, kNow + 10, CollectionLimits(), &later, nullptr) ==
        LoadOutcome::kExpired);
  CHECK(LoadRecord("bad", "x", kNow, CollectionLimits(), &later, nullptr) ==
        LoadOutcome::kMalformed);
  CHECK(LoadRecord("bad", record.substr(0, 5), kNow, CollectionLimits(), &later, nullptr) ==
        LoadOutcome::kMalformed);
  std::string truncated_hash(kRecordHeaderSize, '\0');
  truncated_hash[0] = 'H';
  truncated_hash += std::string("\x05\x00\x00\x00", 4);  // five fields, none there
  CHECK(LoadRecord("bad", truncated_hash, kNow, CollectionLimits(), &later, nullptr) ==
        LoadOutcome::kMalformed);
  CHECK(later.size() == 0);
}

TEST_CASE("the keyspace lists a changed key once until write-behind takes it") {
  Keyspace keyspace;
  DirtyKeys dirty;
  keyspace.set_dirty_keys(&dirty);
  keyspace.set_now_ms(kNow);
  for (int i = 0; i < 1000; ++i) keyspace.SetString("hot", std::to_string(i), 0);
  keyspace.SetString("other", "x", 0);
  CHECK(dirty.size() == 2);
  CHECK(keyspace.TakeDirty("hot")->value() == "999");
  keyspace.SetString("hot", "again", 0);
  CHECK(dirty.size() == 3);  // listed anew once taken
  keyspace.Delete("other");
  CHECK(dirty.size() == 4);  // a removal lists the name
  keyspace.NoteWritten("hot");
  CHECK(dirty.size() == 4);  // already listed
  keyspace.Clear();
  CHECK(dirty.cleared());
  CHECK(dirty.size() == 0);
  keyspace.set_dirty_keys(nullptr);
}

}  // namespace
}  // namespace ringcache::persistence
