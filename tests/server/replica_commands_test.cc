// Internal replica commands through the dispatcher: only peers may run them.
#include <catch2/catch.hpp>

#include "tests/support/command_runner.h"

using namespace ringcache::testing;

TEST_CASE("replica commands need the cluster secret", "[commands][replica]") {
  CommandRunner r;
  REQUIRE(r.Run({"RC.GET", "k"}).rfind("-NOPERM 'rc.get' is for cluster nodes only", 0) == 0);
  // No secret configured: nobody becomes a peer.
  REQUIRE(r.Run({"RC.AUTH", ""}) == "-WRONGPASS invalid cluster secret\r\n");
  REQUIRE(r.Run({"CONFIG", "SET", "cluster-secret", "s3"}) == kOk);
  REQUIRE(r.Run({"RC.AUTH", "nope"}) == "-WRONGPASS invalid cluster secret\r\n");
  REQUIRE(r.Run({"RC.AUTH", "s3"}) == kOk);
  REQUIRE(r.session().is_peer);
  REQUIRE(r.Run({"RC.GET", "k"}) == "*-1\r\n");
  // Hidden from clients' command listings.
  REQUIRE(r.Run({"COMMAND", "INFO", "rc.get"}) == "*1\r\n*-1\r\n");
}

TEST_CASE("replica writes are last-writer-wins and deletes leave tombstones",
          "[commands][replica]") {
  CommandRunner r;
  r.Run({"CONFIG", "SET", "cluster-secret", "s3"});
  r.Run({"RC.AUTH", "s3"});
  const std::string until = std::to_string(r.now_ms() + 60000);
  REQUIRE(r.Run({"RC.PUT", "k", "v2", "0", "200-1"}) == Int(1));
  REQUIRE(r.Run({"RC.PUT", "k", "v1", "0", "100-1"}) == Int(0));
  REQUIRE(r.Run({"GET", "k"}) == Bulk("v2"));
  REQUIRE(r.Run({"RC.GET", "k"}) ==
          "*4\r\n" + Bulk("string") + Bulk("v2") + Int(0) + Bulk("200-1"));
  REQUIRE(r.Run({"RC.DEL", "k", "300-2", until}) == Int(2));  // removed a live value
  REQUIRE(r.Run({"RC.DEL", "gone", "300-2", until}) == Int(1));  // tombstone only
  REQUIRE(r.Run({"GET", "k"}) == kNil);
  REQUIRE(r.Run({"EXISTS", "k"}) == Int(0));
  REQUIRE(r.Run({"DBSIZE"}) == Int(0));
  REQUIRE(r.Run({"RC.GET", "k"}) ==
          "*4\r\n" + Bulk("tombstone") + Bulk("") + Int(r.now_ms() + 60000) + Bulk("300-2"));
  REQUIRE(r.Run({"RC.PUT", "k", "v2", "0", "200-1"}) == Int(0));  // no resurrection
  REQUIRE(r.Run({"RC.PUT", "k", "v3", "0", "bad"}) == "-ERR invalid version 'bad'\r\n");
  REQUIRE(r.Run({"RC.PUT", "t", "v", std::to_string(r.now_ms() + 5000), "400-1"}) == Int(1));
  REQUIRE(r.Run({"PTTL", "t"}) == Int(5000));
  // RC.MPUT: RC.PUT's reply for each put, in order.
  REQUIRE(r.Run({"RC.MPUT", "m1", "a", "0", "500-1", "m1", "old", "0", "499-1", "m2", "b", "0",
                 "bad"}) == "*3\r\n" + Int(1) + Int(0) + "-ERR invalid version 'bad'\r\n");
  REQUIRE(r.Run({"GET", "m1"}) == Bulk("a"));
  REQUIRE(r.Run({"RC.MPUT", "m1", "a", "0"}).rfind("-ERR wrong number of arguments", 0) == 0);
  REQUIRE(r.Run({"RC.MPUT", "m1", "a", "0", "600-1", "m2"}) ==
          "-ERR wrong number of arguments for 'rc.mput' command\r\n");
  // RC.MGET: RC.GET's reply for each key, in order.
  REQUIRE(r.Run({"RC.MGET", "missing", "t", "k"}) ==
          "*3\r\n*-1\r\n*4\r\n" + Bulk("string") + Bulk("v") + Int(r.now_ms() + 5000) +
              Bulk("400-1") + "*4\r\n" + Bulk("tombstone") + Bulk("") +
              Int(r.now_ms() + 60000) + Bulk("300-2"));
}
