#include "cluster/replica_state.h"

#include <bit>
#include <cstring>

#include "client/reply.h"

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

void EncodeStateHeader(bool tombstone, int64_t expire_at_ms, const Version& version, char* out) {
  out[0] = tombstone ? 't' : 's';
  char* p = StoreLittleEndian(static_cast<uint64_t>(expire_at_ms), out + 1);
  p = StoreLittleEndian(version.hlc, p);
  StoreLittleEndian(version.node, p);
}

}  // namespace

void WriteReplicaValue(ReplyBuilder& reply, bool tombstone, std::string_view value,
                       int64_t expire_at_ms, const Version& version) {
  reply.ArrayHeader(4);
  reply.Bulk(tombstone ? "tombstone" : "string");
  reply.Bulk(value);
  reply.Integer(expire_at_ms);
  reply.Bulk(version.Format().view());
}

void WriteReplicaState(ReplyBuilder& reply, bool tombstone, std::string_view value,
                       int64_t expire_at_ms, const Version& version) {
  char header[kStateHeaderSize];
  EncodeStateHeader(tombstone, expire_at_ms, version, header);
  reply.Bulk({header, kStateHeaderSize}, value);
}

void WriteReplicaState(ReplyBuilder& reply, const ReplicaValue& value) {
  if (!value.found) {
    reply.Null();
    return;
  }
  WriteReplicaState(reply, value.tombstone, value.value, value.expire_at_ms, value.version);
}

bool DecodeReplicaState(std::string_view resp, ReplicaValueView* out) {
  *out = ReplicaValueView();
  if (resp == "$-1\r\n" || resp == "_\r\n") return true;  // nothing there
  client::RespCursor cursor(resp);
  std::string_view bytes;
  return cursor.Bulk(&bytes) && cursor.at_end() && !bytes.empty() && DecodeStateBytes(bytes, out);
}

size_t StateRecordSize(std::string_view value) { return 4 + kStateHeaderSize + value.size(); }

void AppendStateRecord(std::string* out, bool tombstone, std::string_view value,
                       int64_t expire_at_ms, const Version& version) {
  char header[4 + kStateHeaderSize];
  StoreLittleEndian(static_cast<uint32_t>(kStateHeaderSize + value.size()), header);
  EncodeStateHeader(tombstone, expire_at_ms, version, header + 4);
  out->append(header, sizeof(header));
  out->append(value);
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
  if (state.size() < kStateHeaderSize || (state[0] != 's' && state[0] != 't')) return false;
  out->found = true;
  out->tombstone = state[0] == 't';
  out->expire_at_ms = static_cast<int64_t>(LoadLittleEndian<uint64_t>(state.data() + 1));
  out->version.hlc = LoadLittleEndian<uint64_t>(state.data() + 9);
  out->version.node = LoadLittleEndian<uint16_t>(state.data() + 17);
  out->value = state.substr(kStateHeaderSize);
  return true;
}

}  // namespace ringcache::cluster
