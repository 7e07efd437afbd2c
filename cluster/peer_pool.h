// PeerPool: one persistent, pipelined connection per peer node (the cluster
// bus), authenticated with the cluster secret before anything else is sent.
// A failed connection fails its pending requests and is replaced on the next
// send, so a restarted peer is reached again without ceremony.
//
// Single-threaded: all calls and callbacks on the io_context's thread.
#pragma once

#include <asio.hpp>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "client/async_client.h"

namespace ringcache::cluster {

class PeerPool {
 public:
  PeerPool(asio::io_context& io, std::string cluster_secret)
      : io_(io), secret_(std::move(cluster_secret)) {}

  // One peer's connection and batches; found by id once and kept by callers
  // that send to it per request (a string hash per request cost more than
  // encoding the request). Valid as long as the pool: peers are never removed.
  struct Peer;
  Peer* Resolve(const std::string& id);

  // `peer` is "host:port". The callback gets a transport error or the reply.
  void Send(const std::string& peer, std::span<const std::string_view> args,
            client::AsyncClient::ReplyCallback done);
  // A command already in RESP; the callback gets the reply's RESP bytes.
  void SendEncoded(const std::string& peer, std::string_view command,
                   client::AsyncClient::RawReplyCallback done);
  // RC.GET, RC.PUT, RC.DEL and merges, batched: the requests of one kind for a peer
  // during a turn of the event loop go as one RC.MGET, RC.MPUT, RC.MDEL or RC.MMERGE
  // when the turn ends, so each costs the peer a loop step instead of a
  // command (and both sides a callback per batch). A request of another
  // kind, or anything else sent to the peer, first sends what is waiting, so
  // a peer sees one node's requests in the order they were made. `done` gets
  // the request's own reply, as RESP; for a read, the key's state as
  // NextStateRecord gives it (empty: the peer holds nothing).
  void SendGet(Peer* peer, std::string_view key, client::AsyncClient::RawReplyCallback done);
  // A command answered by one bulk string of state (RC.PICK, RC.STATE),
  // sent after whatever waits in this peer's batches, so it sees the writes
  // sent before it. `done` gets the state's bytes.
  void SendForState(Peer* peer, std::span<const std::string_view> args,
                    client::AsyncClient::RawReplyCallback done);
  void SendGet(const std::string& peer, std::string_view key,
               client::AsyncClient::RawReplyCallback done) {
    SendGet(Resolve(peer), key, std::move(done));
  }
  // `put`: RC.PUT's four arguments, as AppendPutArguments encodes them (once
  // for all replicas of a write).
  void SendPut(const std::string& peer, std::string_view put,
               client::AsyncClient::RawReplyCallback done);
  // RC.DEL's arguments: the key, the delete's version, the tombstone's end.
  void SendDel(const std::string& peer, std::string_view key, std::string_view version,
               std::string_view tombstone_until_ms, client::AsyncClient::RawReplyCallback done);
  // A merge: the key and its state (EncodeState), which the replica merges
  // into what it holds (counters); RC.MMERGE carries them.
  void SendMerge(const std::string& peer, std::string_view key, std::string_view state,
                 client::AsyncClient::RawReplyCallback done);
  static void AppendPutArguments(std::string_view key, std::string_view value,
                                 std::string_view expire_at_ms, std::string_view version,
                                 std::string* out);
  // Bytes held by the connections' buffers: the cluster's replication
  // traffic (INFO cluster). They count towards maxmemory, unlike Redis's
  // replication buffers.
  size_t BufferedBytes() const {
    size_t bytes = 0;
    for (const auto& [id, peer] : peers_) {
      if (peer.connection) bytes += peer.connection->buffered_bytes();
    }
    return bytes;
  }

 private:
  struct Batch {
    Batch(std::string_view name, bool records) : command(name), state_records(records) {}
    std::string_view command;  // RC.MGET, RC.MPUT, RC.MDEL or RC.MMERGE
    // The reply: one bulk string of state records (RC.MGET), or an array
    // with an element per request.
    bool state_records;
    std::string args;  // the requests' arguments as RESP bulk strings
    size_t arg_count = 0;
    std::vector<client::AsyncClient::RawReplyCallback> callbacks;
  };

 public:
  struct Peer {
    std::string id;
    std::shared_ptr<client::AsyncClient> connection;
    Batch gets{"RC.MGET", true};
    Batch puts{"RC.MPUT", false};
    Batch dels{"RC.MDEL", false};
    Batch merges{"RC.MMERGE", false};
  };

 private:
  // The peer's live connection, made if needed, with its batches sent first.
  client::AsyncClient& Connection(Peer& peer);
  // The same without sending the batches (SendBatch's: it encodes into the
  // one encode buffer, which sending another batch would overwrite).
  client::AsyncClient& Connected(Peer& peer);
  // The batch to add to, after sending another kind if one waits: at most
  // one kind waits, so the peer sees requests in the order they were made.
  Batch& Open(Peer& peer, Batch* batch);
  // Counts a request whose arguments were appended to `batch->args`.
  void Add(Batch* batch, size_t arg_count, client::AsyncClient::RawReplyCallback done);
  void SendBatch(Peer& peer, Batch* batch);
  void SendAllBatches();
  // Sends the peer's waiting batch (at most one kind waits).
  void SendWaiting(Peer& peer);

  asio::io_context& io_;
  std::string secret_;
  // Hashed: looked up for every replica request.
  std::unordered_map<std::string, Peer> peers_;
  bool batches_posted_ = false;  // SendAllBatches is posted
  std::string encode_buffer_;
};

}  // namespace ringcache::cluster
