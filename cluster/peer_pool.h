// PeerPool: one persistent, pipelined connection per peer node (the cluster
// bus), authenticated with the cluster secret before anything else is sent.
// A failed connection fails its pending requests and is replaced on the next
// send, so a restarted peer is reached again without ceremony.
//
// Single-threaded: all calls and callbacks on the io_context's thread.
#pragma once

#include <asio.hpp>
#include <unordered_map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "client/async_client.h"

namespace ringcache::cluster {

class PeerPool {
 public:
  PeerPool(asio::io_context& io, std::string cluster_secret)
      : io_(io), secret_(std::move(cluster_secret)) {}

  // `peer` is "host:port". The callback gets a transport error or the reply.
  void Send(const std::string& peer, std::span<const std::string_view> args,
            client::AsyncClient::ReplyCallback done);
  void SendEncoded(const std::string& peer, std::string_view command,
                   client::AsyncClient::ReplyCallback done);
  void CloseAll();
  // Bytes held by the connections' buffers: the cluster's replication
  // traffic, which maxmemory leaves out as Redis leaves out its replicas'.
  size_t BufferedBytes() const {
    size_t bytes = 0;
    for (const auto& [peer, connection] : connections_) bytes += connection->buffered_bytes();
    return bytes;
  }

 private:
  // The live connection to `peer` (owned by connections_), made if needed.
  client::AsyncClient& Connection(const std::string& peer);

  asio::io_context& io_;
  std::string secret_;
  // Hashed: looked up for every replica request.
  std::unordered_map<std::string, std::shared_ptr<client::AsyncClient>> connections_;
};

}  // namespace ringcache::cluster
