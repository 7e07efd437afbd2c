#include "cluster/peer_pool.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "client/sync_client.h"

namespace ringcache::cluster {

client::AsyncClient& PeerPool::Connection(const std::string& id, Peer& peer) {
  if (!peer.get_callbacks.empty()) SendGets(id, peer);
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
    if (!ec && reply.is_error()) spdlog::warn("peer {} refused the cluster secret: {}", id, reply.str);
  });
  peer.connection->Connect([](const asio::error_code&) {});
  return *peer.connection;
}

void PeerPool::Send(const std::string& peer, std::span<const std::string_view> args,
                    client::AsyncClient::ReplyCallback done) {
  Connection(peer, Find(peer)).Send(args, std::move(done));
}

void PeerPool::SendEncoded(const std::string& peer, std::string_view command,
                           client::AsyncClient::RawReplyCallback done) {
  Connection(peer, Find(peer)).SendEncodedRaw(command, std::move(done));
}

void PeerPool::SendGet(const std::string& id, std::string_view key,
                       client::AsyncClient::RawReplyCallback done) {
  Peer& peer = Find(id);
  const std::string_view arg[] = {key};
  client::AppendArguments(arg, &peer.get_keys);
  peer.get_callbacks.push_back(std::move(done));
  if (!gets_pending_) {
    gets_pending_ = true;
    asio::post(io_, [this] { SendAllGets(); });
  }
}

void PeerPool::SendAllGets() {
  gets_pending_ = false;
  for (auto& [id, peer] : peers_) {
    if (!peer.get_callbacks.empty()) SendGets(id, peer);
  }
}

void PeerPool::SendGets(const std::string& id, Peer& peer) {
  std::vector<client::AsyncClient::RawReplyCallback> callbacks;
  callbacks.swap(peer.get_callbacks);
  encode_buffer_.clear();
  client::AppendArrayHeader(callbacks.size() + 1, &encode_buffer_);
  const std::string_view name[] = {"RC.MGET"};
  client::AppendArguments(name, &encode_buffer_);
  encode_buffer_ += peer.get_keys;
  peer.get_keys.clear();
  Connection(id, peer).SendEncodedRaw(
      encode_buffer_, [callbacks = std::move(callbacks)](const asio::error_code& ec,
                                                         std::string_view resp) {
        // Each key gets its own element of the array, as its RC.GET reply.
        client::RespCursor cursor(resp);
        int64_t count = 0;
        const bool ok = !ec && cursor.ArrayHeader(&count) &&
                        count == static_cast<int64_t>(callbacks.size());
        const asio::error_code failed = ec ? ec : asio::error::invalid_argument;
        for (const auto& done : callbacks) {
          std::string_view element;
          if (ok && cursor.Element(&element)) {
            done({}, element);
          } else {
            done(failed, {});
          }
        }
      });
}

void PeerPool::CloseAll() {
  for (auto& [id, peer] : peers_) {
    if (peer.connection) peer.connection->Close();
    for (auto& done : peer.get_callbacks) done(asio::error::operation_aborted, {});
  }
  peers_.clear();
}

}  // namespace ringcache::cluster
