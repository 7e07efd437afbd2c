#include "persistence/record_codec.h"

#include <cstring>
#include <memory>
#include <utility>

#include "common/byte_codec.h"
#include "types/hash_value.h"
#include "types/list_value.h"
#include "types/replicated_collection.h"
#include "types/set_value.h"
#include "types/zset_value.h"

namespace ringcache::persistence {
namespace {

char KindOf(const Entry& e) {
  switch (e.type) {
    case ValueType::kString:
      return 's';
    case ValueType::kTombstone:
      return 't';
    case ValueType::kCounter:
      return 'c';
    case ValueType::kHash:
      return 'H';
    case ValueType::kSet:
      return 'S';
    case ValueType::kList:
      return 'L';
    case ValueType::kZSet:
      return 'Z';
    case ValueType::kReplicated:
      return 'o';
    case ValueType::kReplicatedEmpty:
      return 'e';
  }
  return '?';
}

void PutCount(std::string* out, size_t count) { PutBytes(out, static_cast<uint32_t>(count)); }

void EncodeElements(const Entry& e, std::string* out) {
  const ValueObject& object = *e.object();
  PutCount(out, object.size());
  switch (e.type) {
    case ValueType::kHash:
      static_cast<const HashValue&>(object).ForEach(
          [&](std::string_view field, std::string_view value) {
            PutString(out, field);
            PutString(out, value);
          });
      return;
    case ValueType::kSet:
      static_cast<const SetValue&>(object).ForEach(
          [&](std::string_view member) { PutString(out, member); });
      return;
    case ValueType::kList:
      static_cast<const ListValue&>(object).Walk(0, false, [&](std::string_view item) {
        PutString(out, item);
        return true;
      });
      return;
    case ValueType::kZSet:
      static_cast<const ZSetValue&>(object).Walk(0, false, [&](const ScoredMember& item) {
        PutBytes(out, item.score);
        PutString(out, item.member);
        return true;
      });
      return;
    default:
      return;
  }
}

// Rebuilds a single node's collection of `kind` from its elements.
template <typename Add>
bool TakeElements(std::string_view payload, Add&& add) {
  uint32_t count = 0;
  if (!TakeBytes(&payload, &count)) return false;
  for (uint32_t i = 0; i < count; ++i) {
    if (!add(&payload)) return false;
  }
  return payload.empty();
}

std::unique_ptr<ValueObject> DecodeCollection(char kind, std::string_view payload,
                                              const CollectionLimits& limits) {
  std::string_view a;
  std::string_view b;
  if (kind == 'H') {
    auto hash = std::make_unique<HashValue>();
    const bool ok = TakeElements(payload, [&](std::string_view* in) {
      return TakeString(in, &a) && TakeString(in, &b) && (hash->Set(a, b, limits), true);
    });
    return ok ? std::move(hash) : nullptr;
  }
  if (kind == 'S') {
    auto set = std::make_unique<SetValue>();
    const bool ok = TakeElements(payload, [&](std::string_view* in) {
      return TakeString(in, &a) && (set->Add(a, limits), true);
    });
    return ok ? std::move(set) : nullptr;
  }
  if (kind == 'L') {
    auto list = std::make_unique<ListValue>();
    const bool ok = TakeElements(payload, [&](std::string_view* in) {
      return TakeString(in, &a) && (list->Push(ListValue::End::kTail, a, limits), true);
    });
    return ok ? std::move(list) : nullptr;
  }
  auto zset = std::make_unique<ZSetValue>();
  double score = 0;
  const bool ok = TakeElements(payload, [&](std::string_view* in) {
    return TakeBytes(in, &score) && TakeString(in, &a) && (zset->Set(a, score, limits), true);
  });
  return ok ? std::move(zset) : nullptr;
}

ValueType PlainTypeOf(char kind) {
  switch (kind) {
    case 'H':
      return ValueType::kHash;
    case 'S':
      return ValueType::kSet;
    case 'L':
      return ValueType::kList;
    default:
      return ValueType::kZSet;
  }
}

struct Header {
  char kind = 0;
  int64_t expire_at_ms = 0;
  Version version;
};

bool TakeHeader(std::string_view* record, Header* out) {
  if (record->empty()) return false;
  out->kind = record->front();
  record->remove_prefix(1);
  return TakeBytes(record, &out->expire_at_ms) && TakeBytes(record, &out->version.hlc) &&
         TakeBytes(record, &out->version.node);
}

}  // namespace

void EncodeRecord(const Entry& e, std::string* scratch, EncodedRecord* out) {
  out->header[0] = KindOf(e);
  std::memcpy(out->header + 1, &e.expire_at_ms, 8);
  std::memcpy(out->header + 9, &e.version_hlc, 8);
  std::memcpy(out->header + 17, &e.version_node, 2);
  if (!e.holds_object()) {
    out->payload = e.value();
    return;
  }
  scratch->clear();
  if (e.is_replicated_collection()) {
    e.object()->EncodeReplicaState(scratch);
  } else {
    EncodeElements(e, scratch);
  }
  out->payload = *scratch;
}

bool RecordExpiry(std::string_view record, int64_t* expire_at_ms) {
  Header header;
  if (!TakeHeader(&record, &header)) return false;
  *expire_at_ms = header.expire_at_ms;
  return true;
}

LoadOutcome LoadRecord(std::string_view key, std::string_view record, int64_t now_ms,
                       const CollectionLimits& limits, Keyspace* keyspace) {
  Header h;
  if (!TakeHeader(&record, &h)) return LoadOutcome::kMalformed;
  if (h.expire_at_ms != 0 && h.expire_at_ms <= now_ms) return LoadOutcome::kExpired;
  switch (h.kind) {
    case 's':
      if (h.version.is_zero()) {
        keyspace->SetString(key, record, h.expire_at_ms);
      } else {
        keyspace->PutIfNewer(key, record, h.expire_at_ms, h.version);
      }
      return LoadOutcome::kLoaded;
    case 'c':
      keyspace->StoreCounter(key, record, h.expire_at_ms, h.version);
      return LoadOutcome::kLoaded;
    case 't':
      keyspace->DeleteIfNewer(key, h.version, h.expire_at_ms);
      return LoadOutcome::kLoaded;
    case 'o':
    case 'e': {
      std::unique_ptr<ReplicatedCollection> collection = ReplicatedCollection::Decode(record);
      if (collection == nullptr) return LoadOutcome::kMalformed;
      keyspace->StoreReplicated(key, std::move(collection), h.kind == 'o', h.expire_at_ms,
                                h.version);
      return LoadOutcome::kLoaded;
    }
    case 'H':
    case 'S':
    case 'L':
    case 'Z': {
      std::unique_ptr<ValueObject> object = DecodeCollection(h.kind, record, limits);
      if (object == nullptr || object->size() == 0) return LoadOutcome::kMalformed;
      keyspace->SetObject(key, PlainTypeOf(h.kind), std::move(object), h.expire_at_ms);
      return LoadOutcome::kLoaded;
    }
    default:
      return LoadOutcome::kMalformed;
  }
}

}  // namespace ringcache::persistence
