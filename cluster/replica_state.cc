#include "cluster/replica_state.h"

#include <bit>
#include <cstring>

#include "common/number_parsing.h"
#include "core/keyspace.h"
#include "types/replicated_collection.h"

namespace ringcache::cluster {
namespace {

// Fixed-width little-endian numbers: one load or store on a little-endian
// host (a loop over the bytes stayed a loop in the compiled code).
template <typename Int>
char* StoreLittleEndian(Int v, char* out) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(out, &v, sizeof(v));
  } else {
    for (size_t i = 0; i < sizeof(v); ++i) out[i] = static_cast<char>(v >> (8 * i));
  }
  return out + sizeof(v);
}

template <typename Int>
Int LoadLittleEndian(const char* in) {
  Int v = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&v, in, sizeof(v));
  } else {
    for (size_t i = 0; i < sizeof(v); ++i) {
      v |= static_cast<Int>(static_cast<unsigned char>(in[i])) << (8 * i);
    }
  }
  return v;
}

char KindOf(const ReplicaValueView& state) {
  if (state.collection) return state.delta ? 'd' : state.empty ? 'e' : 'o';
  return state.tombstone ? 't' : state.counter ? 'c' : 's';
}

const char* KindName(const ReplicaValueView& state) {
  if (state.collection) return state.empty ? "empty-collection" : "collection";
  return state.tombstone ? "tombstone" : state.counter ? "counter" : "string";
}

void EncodeStateHeader(const ReplicaValueView& state, char* out) {
  out[0] = KindOf(state);
  char* p = StoreLittleEndian(static_cast<uint64_t>(state.expire_at_ms), out + 1);
  p = StoreLittleEndian(state.version.hlc, p);
  StoreLittleEndian(state.version.node, p);
}

}  // namespace

bool PartOfEntry(const Entry* e, std::span<const std::string_view> part, std::string* encoded,
                 ReplicaValueView* out) {
  int64_t count = 0;
  const bool members = !part.empty() && part[0] == "MEMBERS";
  const bool end = part.size() == 2 && (part[0] == "HEAD" || part[0] == "TAIL");
  if (!members && (part.size() != 2 || (!end && part[0] != "RANDOM") ||
                   !ParseInt64(part[1], &count) || count < 0)) {
    return false;
  }
  if (e == nullptr || !e->is_replicated_collection()) {
    *out = ViewOfEntry(e, encoded);
    return true;
  }
  const auto& whole = *static_cast<const ReplicatedCollection*>(e->object());
  const auto n = static_cast<size_t>(count);
  encoded->clear();
  size_t live = 0;
  if (end && (whole.kind() == ReplicatedCollection::Kind::kList ||
              whole.kind() == ReplicatedCollection::Kind::kZSet)) {
    whole.EncodeEnd(part[0] == "TAIL", n, encoded);
    live = std::min(n, whole.size());
  } else {
    const ReplicatedCollection picked =
        members ? whole.Project(part.subspan(1))
        : end   ? whole.Project({})  // says only what type the key holds
                : whole.PickRandom(n, &Keyspace::NextRandom);
    picked.Encode(encoded);
    live = picked.size();
  }
  *out = ReplicaValueView();
  out->found = out->collection = true;
  out->empty = live == 0;
  out->value = *encoded;
  out->expire_at_ms = e->expire_at_ms;
  out->version = e->version();
  return true;
}

StateFingerprint EntryFingerprint(const Entry* e) {
  if (e != nullptr && e->is_replicated_collection()) {
    // Hashed without encoding it whole, once until it changes.
    const auto* c = static_cast<const ReplicatedCollection*>(e->object());
    return StateFingerprint(e->type == ValueType::kReplicatedEmpty, c->ContentHash(),
                            e->expire_at_ms);
  }
  std::string encoded;
  const ReplicaValueView v = ViewOfEntry(e, &encoded);
  return StateFingerprint(v.tombstone || v.empty, v.value, v.expire_at_ms);
}

void WriteReplicaValue(ReplyBuilder& reply, const ReplicaValueView& state) {
  reply.ArrayHeader(4);
  reply.Bulk(KindName(state));
  reply.Bulk(state.value);
  reply.Integer(state.expire_at_ms);
  reply.Bulk(state.version.Format().view());
}

void EncodeState(const ReplicaValueView& state, std::string* out) {
  char header[kStateHeaderSize];
  EncodeStateHeader(state, header);
  out->append(header, sizeof(header));
  out->append(state.value);
}

size_t StateRecordSize(std::string_view value) { return 4 + kStateHeaderSize + value.size(); }

void AppendStateRecord(std::string* out, const ReplicaValueView& state) {
  char header[4 + kStateHeaderSize];
  StoreLittleEndian(static_cast<uint32_t>(kStateHeaderSize + state.value.size()), header);
  EncodeStateHeader(state, header + 4);
  out->append(header, sizeof(header));
  out->append(state.value);
}

void AppendEmptyStateRecord(std::string* out) { out->append(kEmptyStateRecordSize, '\0'); }

bool NextStateRecord(std::string_view* records, std::string_view* state) {
  if (records->size() < 4) return false;
  const uint32_t size = LoadLittleEndian<uint32_t>(records->data());
  if (records->size() - 4 < size) return false;
  *state = records->substr(4, size);
  records->remove_prefix(4 + size);
  return true;
}

bool DecodeStateBytes(std::string_view state, ReplicaValueView* out) {
  *out = ReplicaValueView();
  if (state.empty()) return true;  // nothing there
  if (state.size() < kStateHeaderSize ||
      std::string_view("stcoed").find(state[0]) == std::string_view::npos) {
    return false;
  }
  out->found = true;
  out->tombstone = state[0] == 't';
  out->counter = state[0] == 'c';
  out->collection = state[0] == 'o' || state[0] == 'e' || state[0] == 'd';
  out->empty = state[0] == 'e';
  out->delta = state[0] == 'd';
  out->expire_at_ms = static_cast<int64_t>(LoadLittleEndian<uint64_t>(state.data() + 1));
  out->version.hlc = LoadLittleEndian<uint64_t>(state.data() + 9);
  out->version.node = LoadLittleEndian<uint16_t>(state.data() + 17);
  out->value = state.substr(kStateHeaderSize);
  return true;
}

}  // namespace ringcache::cluster
