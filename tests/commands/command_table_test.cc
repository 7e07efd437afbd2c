// The command table as data: its rules for rows, key positions (and the
// get_keys hook), and statistics that belong to one node.
#include "commands/command_table.h"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands/command_context.h"
#include "common/number_parsing.h"
#include "tests/support/command_runner.h"

using namespace ringcache;
using testing::Bulk;
using testing::CommandRunner;

namespace {

void OkHandler(CommandContext& ctx, ArgList /*args*/) { ctx.reply().Ok(); }
void CountReply(CommandContext& ctx, ArgList /*args*/, std::span<const ValueView> values) {
  ctx.reply().Integer(static_cast<int64_t>(values.size()));
}

// "numkeys-test <numkeys> <key>... <arg>": keys counted by an argument, as
// ZUNIONSTORE's and SINTERCARD's are.
void NumKeys(ArgList args, std::vector<uint32_t>* indexes) {
  int64_t n = 0;
  if (args.size() < 2 || !ParseInt64(args[1], &n) || n < 0 ||
      static_cast<size_t>(n) + 2 > args.size()) {
    return;
  }
  for (uint32_t i = 0; i < n; ++i) indexes->push_back(i + 2);
}

std::vector<std::string> KeysOf(const CommandSpec& spec, std::vector<std::string_view> args) {
  const CommandKeys keys(spec, args);
  std::vector<std::string> out;
  for (size_t i = 0; i < keys.size(); ++i) out.emplace_back(keys[i]);
  return out;
}

}  // namespace

TEST_CASE("key positions list the keys in argument order", "[command_table]") {
  const CommandSpec one{"one", 2, kWrite, 1, 1, 1, OkHandler, "t", "1", "s"};
  const CommandSpec all{"all", -2, kWrite, 1, -1, 1, OkHandler, "t", "1", "s"};
  const CommandSpec pairs{"pairs", -3, kWrite, 1, -1, 2, OkHandler, "t", "1", "s"};
  const CommandSpec two{"two", 3, kWrite, 1, 2, 1, OkHandler, "t", "1", "s"};
  const CommandSpec none{"none", 1, kWrite, 0, 0, 0, OkHandler, "t", "1", "s"};
  REQUIRE(KeysOf(one, {"one", "k"}) == std::vector<std::string>{"k"});
  REQUIRE(KeysOf(all, {"all", "a", "b", "a"}) == std::vector<std::string>{"a", "b", "a"});
  REQUIRE(KeysOf(pairs, {"pairs", "a", "1", "b", "2"}) == std::vector<std::string>{"a", "b"});
  REQUIRE(KeysOf(two, {"two", "x", "y"}) == std::vector<std::string>{"x", "y"});
  REQUIRE(KeysOf(none, {"none"}).empty());
}

TEST_CASE("get_keys finds keys that key positions cannot describe", "[command_table]") {
  CommandSpec spec{"numkeys-test", -3, kReadOnly, 0, 0, 0, CountReply, "t", "1", "s"};
  spec.get_keys = NumKeys;
  REQUIRE(KeysOf(spec, {"numkeys-test", "2", "a", "b", "tail"}) ==
          std::vector<std::string>{"a", "b"});
  REQUIRE(KeysOf(spec, {"numkeys-test", "9", "a"}).empty());  // malformed: the command refuses it

  CommandRunner r;
  r.state().commands.Register(spec);
  REQUIRE(r.Run({"numkeys-test", "3", "a", "b", "c", "tail"}) == ":3\r\n");
  REQUIRE(r.Run({"COMMAND", "GETKEYS", "numkeys-test", "2", "a", "b", "tail"}) ==
          "*2\r\n" + Bulk("a") + Bulk("b"));
}

TEST_CASE("COMMAND GETKEYS answers from the table", "[command_table][commands]") {
  CommandRunner r;
  REQUIRE(r.Run({"COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"}) ==
          "*2\r\n" + Bulk("a") + Bulk("b"));
  REQUIRE(r.Run({"COMMAND", "GETKEYS", "GET", "k"}) == "*1\r\n" + Bulk("k"));
  REQUIRE(r.Run({"COMMAND", "GETKEYS", "NOPE", "k"}) == "-ERR Invalid command specified\r\n");
  REQUIRE(r.Run({"COMMAND", "GETKEYS", "GET"}) ==
          "-ERR Invalid number of arguments specified for command\r\n");
  REQUIRE(r.Run({"COMMAND", "GETKEYS", "PING"}) == "-ERR The command has no key arguments\r\n");
}

TEST_CASE("the table refuses rows that break its rules", "[command_table]") {
  CommandTable table;
  // A read reply needs keys to read.
  REQUIRE_THROWS_AS(table.Register({"r3", 1, kReadOnly, 0, 0, 0, CountReply, "t", "1", "s"}),
                    std::logic_error);
  REQUIRE_THROWS_AS(table.Register({"empty", 1, 0, 0, 0, 0, nullptr, "t", "1", "s"}),
                    std::logic_error);
}

// A cluster answers a read reply from the replicas' values as they arrive;
// a read without one runs its handler over a copy of the merged values,
// which only collections (and OBJECT ENCODING, of any type) need.
TEST_CASE("every read of string keys in the real table has a read reply", "[command_table]") {
  CommandRunner r;
  r.state().commands.ForEachSpec([](const CommandSpec& spec) {
    if ((spec.flags & kReadOnly) == 0 || spec.first_key <= 0) return;
    if ((spec.flags & (kNodeLocal | kInternal)) != 0) return;
    if (spec.cluster == ClusterRoute::kRefused) return;  // a cluster never runs it
    INFO(spec.name);
    REQUIRE((spec.run.read != nullptr || spec.group == "hash" || spec.group == "set" ||
             spec.group == "sorted_set" || spec.group == "list" || spec.name == "object|encoding"));
  });
}

// Unknown-subcommand errors say "Try <CONTAINER> HELP": it must exist.
TEST_CASE("every container answers HELP", "[command_table]") {
  CommandRunner r;
  for (const CommandSpec* spec : r.state().commands.commands()) {
    if (spec->subcommands.empty()) continue;
    INFO(spec->name);
    const std::string reply = r.Run({std::string(spec->name), "HELP"});
    REQUIRE(reply.rfind("*", 0) == 0);
    REQUIRE(reply.find("HELP") != std::string::npos);
  }
}

TEST_CASE("command statistics belong to one node", "[command_table]") {
  CommandRunner a;
  CommandRunner b;
  a.Run({"SET", "k", "v"});
  a.Run({"GET", "k"});
  a.Run({"GET", "k"});
  REQUIRE(a.state().commands.Find("get")->stats.calls == 2);
  REQUIRE(b.state().commands.Find("get")->stats.calls == 0);
  b.Run({"CONFIG", "GET", "port"});
  REQUIRE(b.state().commands.Find("config")->subcommands.size() > 0);
  REQUIRE(CommandTable::FindSubcommand(*b.state().commands.Find("config"), "get")->stats.calls ==
          1);
  REQUIRE(CommandTable::FindSubcommand(*a.state().commands.Find("config"), "get")->stats.calls ==
          0);
}
