// Server: the node's network side — listening sockets, the event loop, the
// periodic upkeep (Redis's serverCron: active expiry, incremental rehash,
// idle-client timeouts, rate sampling) and orderly shutdown on SIGINT/SIGTERM
// or SHUTDOWN.
//
// Everything runs on the one thread that calls Run(); ServerState is never
// touched from anywhere else.
#pragma once

#include <asio.hpp>
#include <memory>
#include <vector>

#include "cluster/cluster_node.h"
#include "cluster/cluster_router.h"
#include "commands/server_state.h"
#include "net/listener.h"

namespace ringcache::server {

class Server {
 public:
  explicit Server(ServerState& state);
  ~Server() { state_.router = nullptr; }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Raises the open-files limit for maxclients (lowering maxclients, with a
  // warning, when it cannot), binds every configured address and sets up
  // the cluster part. Throws std::runtime_error when it cannot start.
  void Listen();
  // Runs the event loop until Stop() or a shutdown signal.
  void Run();
  void Stop();

 private:
  void AdjustOpenFilesLimit();
  // Opens the data store (persistence write-behind) and loads it in slices
  // from the event loop, answering -LOADING meanwhile; then starts writing.
  void OpenPersistence();
  void LoadSlice();
  void SchedulePersistenceTick();
  void ScheduleCron();
  void Cron();
  void CloseIdleClients();

  ServerState& state_;
  asio::io_context io_;
  net::Listener listener_;
  asio::steady_timer cron_timer_;
  asio::steady_timer persistence_timer_;
  asio::signal_set signals_;
  std::unique_ptr<cluster::ClusterNode> cluster_;
  std::unique_ptr<cluster::ClusterRouter> router_;
  bool stopping_ = false;
};

}  // namespace ringcache::server
