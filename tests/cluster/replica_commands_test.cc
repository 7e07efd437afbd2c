// Internal replica commands through the dispatcher: only peers may run them.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "client/reply.h"
#include "cluster/coordinator.h"
#include "cluster/replica_state.h"
#include "tests/support/command_runner.h"

using namespace ringcache::testing;
using ringcache::ReplicaValue;
using ringcache::ReplicaValueView;
using ringcache::ReplyBuilder;
using ringcache::Version;
using ringcache::cluster::DecodeStateBytes;
using ringcache::cluster::EncodeState;
using ringcache::cluster::NextStateRecord;

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
  REQUIRE(r.Run({"RC.DEL", "k", "300-2", until}) == Int(2));     // removed a live value
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
  // RC.MDEL: RC.DEL's reply for each delete, in order.
  REQUIRE(r.Run({"RC.PUT", "d1", "v", "0", "700-1"}) == Int(1));
  REQUIRE(r.Run({"RC.MDEL", "d1", "701-1", until, "d1", "650-1", until, "d2", "bad", until, "d3",
                 "702-1", until}) ==
          "*4\r\n" + Int(2) + Int(0) + "-ERR invalid version 'bad'\r\n" + Int(1));
  REQUIRE(r.Run({"GET", "d1"}) == kNil);
  REQUIRE(r.Run({"RC.MDEL", "d1", "800-1"}) ==
          "-ERR wrong number of arguments for 'rc.mdel' command\r\n");
  REQUIRE(r.Run({"RC.MDEL", "d1", "800-1", until, "d2"}) ==
          "-ERR wrong number of arguments for 'rc.mdel' command\r\n");
  // RC.MGET: one bulk string of each key's state record, in order.
  const std::string states = r.Run({"RC.MGET", "missing", "t", "k"});
  ringcache::client::RespCursor cursor(states);
  std::string_view records;
  REQUIRE(cursor.Bulk(&records));
  REQUIRE(cursor.at_end());
  ReplicaValueView missing, live, tombstone;
  for (ReplicaValueView* state : {&missing, &live, &tombstone}) {
    std::string_view bytes;
    REQUIRE(NextStateRecord(&records, &bytes));
    REQUIRE(DecodeStateBytes(bytes, state));
  }
  REQUIRE(records.empty());
  REQUIRE_FALSE(missing.found);
  REQUIRE((live.found && !live.tombstone && live.value == "v"));
  REQUIRE(live.expire_at_ms == r.now_ms() + 5000);
  REQUIRE(live.version == Version{400, 1});
  REQUIRE((tombstone.found && tombstone.tombstone && tombstone.value.empty()));
  REQUIRE(tombstone.expire_at_ms == r.now_ms() + 60000);
  REQUIRE(tombstone.version == Version{300, 2});
}

TEST_CASE("replica states survive their compact encoding", "[commands][replica]") {
  const Version versions[] = {{0, 0}, {1, 1}, {0xFFFFFFFFFFFFFFFF, 0xFFFF}, {1ULL << 40, 258}};
  const int64_t expiries[] = {0, 1, INT64_MAX, 1700000000123};
  const std::string values[] = {"", "v", std::string(1000, '\xff'), "a\r\nb"};
  for (size_t i = 0; i < 4; ++i) {
    ReplicaValue in;
    in.found = true;
    in.tombstone = i % 2 == 1;
    in.counter = i == 2;
    in.value = values[i];
    in.expire_at_ms = expiries[i];
    in.version = versions[i];
    std::string bytes;
    EncodeState(in.view(), &bytes);
    ReplicaValueView out;
    REQUIRE(DecodeStateBytes(bytes, &out));
    REQUIRE((out.found && out.tombstone == in.tombstone && out.counter == in.counter));
    REQUIRE((out.value == in.value && out.expire_at_ms == in.expire_at_ms));
    REQUIRE(out.version == in.version);
  }
  ReplicaValueView out;
  REQUIRE(DecodeStateBytes("", &out));
  REQUIRE_FALSE(out.found);
  REQUIRE_FALSE(DecodeStateBytes("x234567890123456789", &out));  // unknown kind
}

TEST_CASE("state records split back into the states written", "[commands][replica]") {
  using ringcache::cluster::AppendEmptyStateRecord;
  using ringcache::cluster::AppendStateRecord;
  using ringcache::cluster::StateRecordSize;
  const std::string values[] = {"", "v", std::string(70000, '\0'), "a\r\nb"};
  std::string records;
  size_t size = 0;
  for (size_t i = 0; i < 4; ++i) {
    ReplicaValueView state;
    state.found = true;
    state.tombstone = i == 1;
    state.value = values[i];
    state.expire_at_ms = static_cast<int64_t>(i) * 1000;
    state.version = Version{i + 1, static_cast<uint16_t>(i)};
    AppendStateRecord(&records, state);
    size += StateRecordSize(values[i]);
    AppendEmptyStateRecord(&records);
    size += ringcache::cluster::kEmptyStateRecordSize;
  }
  REQUIRE(records.size() == size);
  std::string_view rest = records;
  for (size_t i = 0; i < 4; ++i) {
    std::string_view state;
    ReplicaValueView out;
    REQUIRE(NextStateRecord(&rest, &state));
    REQUIRE(DecodeStateBytes(state, &out));
    REQUIRE((out.found && out.tombstone == (i == 1) && out.value == values[i]));
    REQUIRE(out.expire_at_ms == static_cast<int64_t>(i) * 1000);
    REQUIRE(out.version == Version{i + 1, static_cast<uint16_t>(i)});
    REQUIRE(NextStateRecord(&rest, &state));
    REQUIRE(DecodeStateBytes(state, &out));
    REQUIRE_FALSE(out.found);
  }
  REQUIRE(rest.empty());
  std::string_view state;
  REQUIRE_FALSE(NextStateRecord(&rest, &state));
  // A length beyond the bytes, or a state too short to hold a header.
  std::string_view truncated = std::string_view(records).substr(0, 10);
  REQUIRE_FALSE(NextStateRecord(&truncated, &state));
  ReplicaValueView out;
  REQUIRE_FALSE(DecodeStateBytes("s123", &out));
  REQUIRE_FALSE(DecodeStateBytes(std::string(19, 'x'), &out));
}
