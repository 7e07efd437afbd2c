#include "cluster/peer_pool.h"

#include <spdlog/spdlog.h>

#include <charconv>

namespace ringcache::cluster {

client::AsyncClient& PeerPool::Connection(const std::string& peer) {
  auto it = connections_.find(peer);
  // A connection that failed has no pending requests left and is replaced.
  if (it != connections_.end() && (it->second->connected() || it->second->pending() > 0)) {
    return *it->second;
  }
  const size_t colon = peer.rfind(':');
  uint16_t port = 0;
  if (colon != std::string::npos) {
    std::from_chars(peer.data() + colon + 1, peer.data() + peer.size(), port);
  }
  auto conn = std::make_shared<client::AsyncClient>(io_, peer.substr(0, colon), port);
  // Queued first, so it precedes every request on this connection.
  const std::string_view auth[] = {"RC.AUTH", secret_};
  conn->Send(auth, [peer](const asio::error_code& ec, client::Reply reply) {
    if (!ec && reply.is_error()) spdlog::warn("peer {} refused the cluster secret: {}", peer, reply.str);
  });
  conn->Connect([](const asio::error_code&) {});
  connections_[peer] = conn;
  return *conn;
}

void PeerPool::Send(const std::string& peer, std::span<const std::string_view> args,
                    client::AsyncClient::ReplyCallback done) {
  Connection(peer).Send(args, std::move(done));
}

void PeerPool::SendEncoded(const std::string& peer, std::string_view command,
                           client::AsyncClient::ReplyCallback done) {
  Connection(peer).SendEncoded(command, std::move(done));
}

void PeerPool::CloseAll() {
  for (auto& [peer, conn] : connections_) conn->Close();
  connections_.clear();
}

}  // namespace ringcache::cluster
