#include "cluster/peer_pool.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "client/sync_client.h"
#include "cluster/replica_state.h"
#include "common/buffers.h"

namespace ringcache::cluster {

PeerPool::Peer* PeerPool::Resolve(const std::string& id) {
  Peer& peer = peers_[id];
  if (peer.id.empty()) peer.id = id;
  return &peer;
}

client::AsyncClient& PeerPool::Connection(Peer& peer) {
  SendWaiting(peer);
  return Connected(peer);
}

client::AsyncClient& PeerPool::Connected(Peer& peer) {
  const std::string& id = peer.id;
  // A connection that failed has no pending requests left and is replaced.
  if (peer.connection && (peer.connection->connected() || peer.connection->pending() > 0)) {
    return *peer.connection;
  }
  const size_t colon = id.rfind(':');
  uint16_t port = 0;
  if (colon != std::string::npos) {
    std::from_chars(id.data() + colon + 1, id.data() + id.size(), port);
  }
  peer.connection = std::make_shared<client::AsyncClient>(io_, id.substr(0, colon), port);
  // Queued first, so it precedes every request on this connection.
  const std::string_view auth[] = {"RC.AUTH", secret_};
  peer.connection->Send(auth, [id](const asio::error_code& ec, client::Reply reply) {
    if (!ec && reply.is_error())
      spdlog::warn("peer {} refused the cluster secret: {}", id, reply.str);
  });
  peer.connection->Connect([](const asio::error_code&) {});
  return *peer.connection;
}

void PeerPool::Send(const std::string& peer, std::span<const std::string_view> args,
                    client::AsyncClient::ReplyCallback done) {
  Connection(*Resolve(peer)).Send(args, std::move(done));
}

void PeerPool::SendEncoded(const std::string& peer, std::string_view command,
                           client::AsyncClient::RawReplyCallback done) {
  Connection(*Resolve(peer)).SendEncodedRaw(command, std::move(done));
}

void PeerPool::SendGet(Peer* peer, std::string_view key,
                       client::AsyncClient::RawReplyCallback done) {
  Batch& batch = Open(*peer, &peer->gets);
  const std::string_view arg[] = {key};
  client::AppendArguments(arg, &batch.args);
  Add(&batch, 1, std::move(done));
}

void PeerPool::SendForState(Peer* peer, std::span<const std::string_view> args,
                            client::AsyncClient::RawReplyCallback done) {
  SendWaiting(*peer);
  encode_buffer_.clear();
  client::AppendArrayHeader(args.size(), &encode_buffer_);
  client::AppendArguments(args, &encode_buffer_);
  Connected(*peer).SendEncodedRaw(
      encode_buffer_, [done = std::move(done)](const asio::error_code& ec, std::string_view resp) {
        client::RespCursor cursor(resp);
        std::string_view state;
        if (!ec && cursor.Bulk(&state)) {
          done({}, state);
        } else {
          done(ec ? ec : asio::error::invalid_argument, {});
        }
      });
  ReleaseIfLarge(&encode_buffer_);
}

void PeerPool::SendPut(const std::string& id, std::string_view put,
                       client::AsyncClient::RawReplyCallback done) {
  Peer& peer = *Resolve(id);
  Batch& batch = Open(peer, &peer.puts);
  batch.args.append(put);
  Add(&batch, 4, std::move(done));
}

void PeerPool::SendDel(const std::string& id, std::string_view key, std::string_view version,
                       std::string_view tombstone_until_ms,
                       client::AsyncClient::RawReplyCallback done) {
  Peer& peer = *Resolve(id);
  Batch& batch = Open(peer, &peer.dels);
  const std::string_view args[] = {key, version, tombstone_until_ms};
  client::AppendArguments(args, &batch.args);
  Add(&batch, 3, std::move(done));
}

void PeerPool::SendMerge(const std::string& id, std::string_view key, std::string_view state,
                         client::AsyncClient::RawReplyCallback done) {
  Peer& peer = *Resolve(id);
  Batch& batch = Open(peer, &peer.merges);
  const std::string_view args[] = {key, state};
  client::AppendArguments(args, &batch.args);
  Add(&batch, 2, std::move(done));
}

void PeerPool::AppendPutArguments(std::string_view key, std::string_view value,
                                  std::string_view expire_at_ms, std::string_view version,
                                  std::string* out) {
  const std::string_view args[] = {key, value, expire_at_ms, version};
  client::AppendArguments(args, out);
}

PeerPool::Batch& PeerPool::Open(Peer& peer, Batch* batch) {
  for (Batch* other : {&peer.gets, &peer.puts, &peer.dels, &peer.merges}) {
    if (other != batch && !other->callbacks.empty()) SendBatch(peer, other);
  }
  return *batch;
}

void PeerPool::Add(Batch* batch, size_t arg_count, client::AsyncClient::RawReplyCallback done) {
  batch->arg_count += arg_count;
  batch->callbacks.push_back(std::move(done));
  if (!batches_posted_) {
    batches_posted_ = true;
    asio::post(io_, [this] { SendAllBatches(); });
  }
}

void PeerPool::SendAllBatches() {
  batches_posted_ = false;
  for (auto& [id, peer] : peers_) SendWaiting(peer);
}

void PeerPool::SendWaiting(Peer& peer) {
  for (Batch* batch : {&peer.gets, &peer.puts, &peer.dels, &peer.merges}) {
    if (!batch->callbacks.empty()) SendBatch(peer, batch);
  }
}

void PeerPool::SendBatch(Peer& peer, Batch* batch) {
  std::vector<client::AsyncClient::RawReplyCallback> callbacks;
  callbacks.swap(batch->callbacks);
  encode_buffer_.clear();
  client::AppendArrayHeader(batch->arg_count + 1, &encode_buffer_);
  const std::string_view name[] = {batch->command};
  client::AppendArguments(name, &encode_buffer_);
  encode_buffer_ += batch->args;
  ReleaseIfLarge(&batch->args);
  batch->arg_count = 0;
  Connected(peer).SendEncodedRaw(
      encode_buffer_, [callbacks = std::move(callbacks), records = batch->state_records](
                          const asio::error_code& ec, std::string_view resp) {
        // Each request gets its own part of the reply: its key's state
        // record, or the element RC.PUT or RC.DEL would reply.
        const asio::error_code failed = ec ? ec : asio::error::invalid_argument;
        client::RespCursor cursor(resp);
        std::string_view states;
        int64_t count = 0;
        const bool ok = !ec && (records ? cursor.Bulk(&states) && cursor.at_end()
                                        : cursor.ArrayHeader(&count) &&
                                              count == static_cast<int64_t>(callbacks.size()));
        for (const auto& done : callbacks) {
          std::string_view part;
          if (ok && (records ? NextStateRecord(&states, &part) : cursor.Element(&part))) {
            done({}, part);
          } else {
            done(failed, {});
          }
        }
      });
  ReleaseIfLarge(&encode_buffer_);  // the connection has its own copy
}

}  // namespace ringcache::cluster
