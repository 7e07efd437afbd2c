// TestServer: a real ringcache node (the production Server and sockets) run
// on a background thread of the test process, on a free loopback port.
// The test thread must not touch state() while the server runs.
#pragma once

#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "commands/server_state.h"
#include "server/server.h"

namespace ringcache::testing {

class TestServer {
 public:
  // `settings` are name/value pairs applied as if from the config file.
  explicit TestServer(std::vector<std::pair<std::string, std::string>> settings = {})
      : server_(Configure(state_, settings)) {
    server_.Listen();
    thread_ = std::thread([this] { server_.Run(); });
  }
  ~TestServer() {
    state_.request_shutdown();
    thread_.join();
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  uint16_t port() const { return static_cast<uint16_t>(state_.tcp_port); }

 private:
  static ServerState& Configure(ServerState& state,
                                const std::vector<std::pair<std::string, std::string>>& settings) {
    (void)state.config.Set("port", "0", false);  // the kernel picks a free port
    // Servers in one test process would share the working directory's store.
    (void)state.config.Set("persistence", "off", false);
    for (const auto& [name, value] : settings) (void)state.config.Set(name, value, false);
    return state;
  }

  ServerState state_;
  server::Server server_;
  std::thread thread_;
};

}  // namespace ringcache::testing
