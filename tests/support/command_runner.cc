#include "tests/support/command_runner.h"

#include "cluster/cluster_commands.h"
#include "commands/command_context.h"
#include "commands/dispatcher.h"
#include "resp/reply_builder.h"

namespace ringcache::testing {

CommandRunner::CommandRunner() {
  cluster::RegisterClusterCommands(state_.commands);
  session_.id = state_.clients.NextId();
  state_.clients.Add(&session_);
  // A fixed, round clock makes TTL arithmetic in tests exact.
  state_.keyspace.set_now_ms(1'700'000'000'000);
}

std::string CommandRunner::Run(std::vector<std::string> args) {
  std::string out;
  ReplyBuilder reply(&out, session_.protocol);
  CommandContext ctx(state_, session_, reply);
  std::vector<std::string_view> views(args.begin(), args.end());
  Dispatcher::Dispatch(ctx, views);
  return out;
}

std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}

std::string Int(int64_t v) { return ":" + std::to_string(v) + "\r\n"; }

}  // namespace ringcache::testing
