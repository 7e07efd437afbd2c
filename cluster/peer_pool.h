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
#include <vector>

#include "client/async_client.h"

namespace ringcache::cluster {

class PeerPool {
 public:
  PeerPool(asio::io_context& io, std::string cluster_secret)
      : io_(io), secret_(std::move(cluster_secret)) {}

  // `peer` is "host:port". The callback gets a transport error or the reply.
  void Send(const std::string& peer, std::span<const std::string_view> args,
            client::AsyncClient::ReplyCallback done);
  // A command already in RESP; the callback gets the reply's RESP bytes.
  void SendEncoded(const std::string& peer, std::string_view command,
                   client::AsyncClient::RawReplyCallback done);
  // RC.GET `key`, batched: the keys read from one peer during a turn of the
  // event loop go as one RC.MGET when the turn ends, so each costs the peer a
  // loop step instead of a command (and both sides a callback per batch).
  // Anything else sent to the peer first sends the batch, so a peer sees one
  // connection's requests in the order they were made. `done` gets the key's
  // own reply.
  void SendGet(const std::string& peer, std::string_view key,
               client::AsyncClient::RawReplyCallback done);
  void CloseAll();
  // Bytes held by the connections' buffers: the cluster's replication
  // traffic, which maxmemory leaves out as Redis leaves out its replicas'.
  size_t BufferedBytes() const {
    size_t bytes = 0;
    for (const auto& [id, peer] : peers_) {
      if (peer.connection) bytes += peer.connection->buffered_bytes();
    }
    return bytes;
  }

 private:
  struct Peer {
    std::shared_ptr<client::AsyncClient> connection;
    std::string get_keys;  // RESP bulk strings of the batched RC.MGET
    std::vector<client::AsyncClient::RawReplyCallback> get_callbacks;
  };

  // The peer's live connection, made if needed, with its batch sent first.
  client::AsyncClient& Connection(const std::string& id, Peer& peer);
  Peer& Find(const std::string& id) { return peers_[id]; }
  void SendGets(const std::string& id, Peer& peer);
  void SendAllGets();

  asio::io_context& io_;
  std::string secret_;
  // Hashed: looked up for every replica request.
  std::unordered_map<std::string, Peer> peers_;
  bool gets_pending_ = false;  // SendAllGets is posted
  std::string encode_buffer_;
};

}  // namespace ringcache::cluster
