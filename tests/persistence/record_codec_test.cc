// Records round-trip every kind of entry, with expiry and version; the
// keyspace lists each changed key once for write-behind.
#include "persistence/record_codec.h"

#include <catch2/catch.hpp>
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
  REQUIRE(LoadRecord(key, RecordOf(from, key), kNow, CollectionLimits(), to.get()) ==
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

TEST_CASE("expired records and malformed ones are not loaded") {
  Keyspace keyspace;
  keyspace.set_now_ms(kNow);
  keyspace.SetString("ttl", "v", kNow + 10);
  const std::string record = RecordOf(keyspace, "ttl");
  Keyspace later;
  CHECK(LoadRecord("ttl", record, kNow + 10, CollectionLimits(), &later) == LoadOutcome::kExpired);
  CHECK(LoadRecord("bad", "x", kNow, CollectionLimits(), &later) == LoadOutcome::kMalformed);
  CHECK(LoadRecord("bad", record.substr(0, 5), kNow, CollectionLimits(), &later) ==
        LoadOutcome::kMalformed);
  std::string truncated_hash(kRecordHeaderSize, '\0');
  truncated_hash[0] = 'H';
  truncated_hash += std::string("\x05\x00\x00\x00", 4);  // five fields, none there
  CHECK(LoadRecord("bad", truncated_hash, kNow, CollectionLimits(), &later) ==
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
