#include "persistence/record_codec.h"

#include <cstring>
#include <memory>
#include <optional>
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

std::unique_ptr<ValueObject> EmptyCollection(char kind) {
  if (kind == 'H') return std::make_unique<HashValue>();
  if (kind == 'S') return std::make_unique<SetValue>();
  return std::make_unique<ZSetValue>();
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

void FillHeader(char kind, const Entry& e, EncodedRecord* out) {
  out->header[0] = kind;
  std::memcpy(out->header + 1, &e.expire_at_ms, 8);
  std::memcpy(out->header + 9, &e.version_hlc, 8);
  std::memcpy(out->header + 17, &e.version_node, 2);
}

}  // namespace

void EncodeRecord(const Entry& e, std::string* scratch, EncodedRecord* out) {
  FillHeader(KindOf(e), e, out);
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

bool KeptByElement(const Entry& e) {
  if (!e.holds_object() || e.type == ValueType::kList) return false;
  const ValueObject& object = *e.object();
  return object.element_log() != nullptr || object.records() >= kElementRecordsFrom;
}

void EncodeHead(const Entry& e, std::string* scratch, EncodedRecord* out) {
  FillHeader(kElementHead, e, out);
  scratch->clear();
  if (e.is_replicated_collection()) {
    scratch->push_back('o');
    static_cast<const ReplicatedCollection*>(e.object())->EncodeWithoutElements(scratch);
  } else {
    scratch->push_back(KindOf(e));
  }
  out->payload = *scratch;
}

bool EncodeElement(const Entry& e, std::string_view element, std::string* out) {
  out->clear();
  const ValueObject& object = *e.object();
  switch (e.type) {
    case ValueType::kHash: {
      const std::optional<std::string_view> value =
          static_cast<const HashValue&>(object).Get(element);
      if (value) out->assign(*value);
      return value.has_value();
    }
    case ValueType::kSet:
      return static_cast<const SetValue&>(object).Contains(element);
    case ValueType::kZSet: {
      const std::optional<double> score = static_cast<const ZSetValue&>(object).Score(element);
      if (score) PutBytes(out, *score);
      return score.has_value();
    }
    case ValueType::kReplicated:
    case ValueType::kReplicatedEmpty:
      return static_cast<const ReplicatedCollection&>(object).EncodeMember(element, out);
    default:
      return false;
  }
}

bool IsElementHead(std::string_view record) {
  return !record.empty() && record.front() == kElementHead;
}

namespace {

LoadOutcome StartCollection(std::string_view key, const Header& h, std::string_view payload,
                            CollectionLoad* load) {
  if (payload.empty()) return LoadOutcome::kMalformed;
  const char kind = payload.front();
  payload.remove_prefix(1);
  if (kind == 'o') {
    load->object = ReplicatedCollection::Decode(payload);
    if (load->object == nullptr || load->object->records() != 0) return LoadOutcome::kMalformed;
    load->type = ValueType::kReplicated;
  } else if (kind == 'H' || kind == 'S' || kind == 'Z') {
    load->object = EmptyCollection(kind);
    load->type = PlainTypeOf(kind);
  } else {
    return LoadOutcome::kMalformed;
  }
  load->key.assign(key);
  load->expire_at_ms = h.expire_at_ms;
  load->version = h.version;
  return LoadOutcome::kElementsFollow;
}

}  // namespace

bool LoadElement(std::string_view element, std::string_view record, const CollectionLimits& limits,
                 CollectionLoad* load) {
  ValueObject& object = *load->object;
  switch (load->type) {
    case ValueType::kHash:
      static_cast<HashValue&>(object).Set(element, record, limits);
      return true;
    case ValueType::kSet:
      static_cast<SetValue&>(object).Add(element, limits);
      return record.empty();
    case ValueType::kZSet: {
      double score = 0;
      if (!TakeBytes(&record, &score) || !record.empty()) return false;
      static_cast<ZSetValue&>(object).Set(element, score, limits);
      return true;
    }
    default:
      return static_cast<ReplicatedCollection&>(object).TakeMember(element, record);
  }
}

LoadOutcome FinishLoad(CollectionLoad* load, Keyspace* keyspace) {
  std::unique_ptr<ValueObject> object = std::move(load->object);
  if (object == nullptr || object->records() == 0) return LoadOutcome::kMalformed;
  const ValueObject* stored = object.get();
  if (load->type == ValueType::kReplicated) {
    const bool live = object->size() > 0;
    keyspace->StoreReplicated(load->key, std::move(object), live, load->expire_at_ms,
                              load->version);
  } else {
    keyspace->SetObject(load->key, load->type, std::move(object), load->expire_at_ms);
  }
  // What is on disk is by element: changes from here on are listed.
  stored->StartElementLog();
  return LoadOutcome::kLoaded;
}

LoadOutcome LoadRecord(std::string_view key, std::string_view record, int64_t now_ms,
                       const CollectionLimits& limits, Keyspace* keyspace, CollectionLoad* load) {
  Header h;
  if (!TakeHeader(&record, &h)) return LoadOutcome::kMalformed;
  if (h.expire_at_ms != 0 && h.expire_at_ms <= now_ms) return LoadOutcome::kExpired;
  switch (h.kind) {
    case kElementHead:
      return StartCollection(key, h, record, load);
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
