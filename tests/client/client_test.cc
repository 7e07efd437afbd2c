// The client library against a real node over loopback.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "client/async_client.h"
#include "client/sync_client.h"
#include "tests/support/test_server.h"

using ringcache::client::AsyncClient;
using ringcache::client::Reply;
using ringcache::client::SyncClient;
using ringcache::testing::TestServer;

TEST_CASE("sync client runs commands and pipelines", "[client]") {
  TestServer server;
  SyncClient client;
  REQUIRE_FALSE(client.Connect("127.0.0.1", server.port()));
  Reply reply;
  REQUIRE_FALSE(client.Command({"SET", "k", "v"}, &reply));
  REQUIRE(reply.ToString() == "OK");
  REQUIRE_FALSE(client.Command({"GET", "k"}, &reply));
  REQUIRE(reply.str == "v");
  REQUIRE_FALSE(client.Command({"INCR", "k"}, &reply));
  REQUIRE(reply.is_error());

  for (int i = 0; i < 1000; ++i) {
    const std::string n = std::to_string(i);
    const std::string_view args[] = {"SET", "p", n};
    client.Append(args);
  }
  REQUIRE_FALSE(client.Flush());
  for (int i = 0; i < 1000; ++i) {
    REQUIRE_FALSE(client.ReadReply(&reply));
    REQUIRE(reply.ToString() == "OK");
  }
  REQUIRE_FALSE(client.Command({"GET", "p"}, &reply));
  REQUIRE(reply.str == "999");
}

TEST_CASE("sync client reports a refused connection", "[client]") {
  uint16_t port = 0;
  {
    TestServer server;
    port = server.port();
  }
  SyncClient client;
  REQUIRE(client.Connect("127.0.0.1", port));
}

TEST_CASE("async client pipelines and keeps reply order", "[client]") {
  TestServer server;
  asio::io_context io;
  auto client = std::make_shared<AsyncClient>(io, "127.0.0.1", server.port());
  std::vector<int64_t> seen;
  bool connected = false;
  client->Connect([&](const asio::error_code& ec) { connected = !ec; });
  // Queued before the connection is up: sent once it is.
  for (int i = 0; i < 500; ++i) {
    const std::string_view args[] = {"INCR", "counter"};
    client->Send(args, [&](const asio::error_code& ec, Reply reply) {
      REQUIRE_FALSE(ec);
      seen.push_back(reply.integer);
      if (seen.size() == 500) client->Close();
    });
  }
  io.run();
  REQUIRE(connected);
  REQUIRE(seen.size() == 500);
  for (int i = 0; i < 500; ++i) REQUIRE(seen[i] == i + 1);
}

TEST_CASE("async client fails pending commands when closed", "[client]") {
  TestServer server;
  asio::io_context io;
  auto client = std::make_shared<AsyncClient>(io, "127.0.0.1", server.port());
  int aborted = 0;
  const std::string_view args[] = {"PING"};
  client->Send(args, [&](const asio::error_code& ec, Reply) { aborted += ec ? 1 : 0; });
  client->Close();
  io.run();
  REQUIRE(aborted == 1);
}
