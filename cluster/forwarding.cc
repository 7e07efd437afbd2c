// Commands that take elements (pops and moves) run at the home of the key
// they take from: the first replica of that key that is up. Through one
// node, such commands take turns (cluster_router.h), so each reads after the
// one before it wrote; through several nodes at once, two pops could read the
// same head and return one element twice. Forwarded to the home, every pop
// of a key takes its turn on one node, so each element goes to one client
// while the members agree on who is up (a node that sees the home down
// coordinates itself).
//
// The forwarding node sends RC.RUN run-by-ms protocol command args... and
// relays the reply; the home runs the command as a client of its own would (never
// blocking: a blocking pop waits at the client's node, which forwards each
// attempt). A home that cannot be reached, or does not answer in time, gets
// the pop an error (NOQUORUM, TIMEOUT): it may have taken an element whose
// reply was lost, and taking another here could hand out neither.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "client/sync_client.h"
#include "cluster/cluster_commands.h"
#include "cluster/cluster_router.h"
#include "cluster/evaluation.h"
#include "cluster/reply_capture.h"
#include "commands/dispatcher.h"
#include "common/number_parsing.h"

namespace ringcache::cluster {

bool RefusedPastRunBy(CommandContext& ctx, std::string_view run_by_ms) {
  int64_t run_by = 0;
  // The keyspace's clock: read when the request's bytes were.
  if (ParseInt64(run_by_ms, &run_by) && ctx.keyspace().now_ms() <= run_by) return false;
  ctx.reply().Error("ERR too late to run: the node that sent it has given up on it");
  return true;
}

namespace {

// RC.RUN run-by-ms protocol command [arg ...]
void RunCommand(CommandContext& ctx, ArgList args) {
  if (RefusedPastRunBy(ctx, args[1])) return;
  int64_t protocol = 0;
  if (!ParseInt64(args[2], &protocol) || (protocol != 2 && protocol != 3) || !ctx.can_defer()) {
    ctx.reply().Error("ERR RC.RUN needs a protocol (2 or 3) and a connection that can wait");
    return;
  }
  auto capture = std::make_shared<ReplyCapture>(ctx.deferrer(), static_cast<int>(protocol),
                                                ReplyCapture::AsBulkTo(ctx));
  capture->session().in_exec = true;  // a blocking pop answers at once
  // Nothing is held there: the command never waits.
  capture->Start(ctx.server(),
                 [&](CommandContext& run) { Dispatcher::Dispatch(run, args.subspan(3)); });
}

const CommandSpec kForwardCommands[] = {
    {"rc.run", -4, kInternal, 0, 0, 0, RunCommand, "cluster", "0.1.0",
     "Runs a client's command that another node forwarded to this key's home."},
};

}  // namespace

void RegisterForwardCommands(CommandTable& table) {
  for (const CommandSpec& spec : kForwardCommands) table.Register(spec);
}

bool ClusterRouter::TakesElements(const CommandSpec& spec) {
  static constexpr std::string_view kTaking[] = {
      "lpop",    "rpop",   "lmove",      "rpoplpush", "lmpop",  "blpop",
      "brpop",   "blmove", "brpoplpush", "blmpop",    "spop",   "zpopmin",
      "zpopmax", "zmpop",  "bzpopmin",   "bzpopmax",  "bzmpop",
  };
  return std::find(std::begin(kTaking), std::end(kTaking), spec.name) != std::end(kTaking);
}

void ClusterRouter::Coordinate(std::shared_ptr<Evaluation> eval) {
  if (eval->forwards) {
    const std::string& home = node_.HomeOf(eval->keys[0]);
    if (home != node_.self_id()) {
      Forward(eval, home);
      return;
    }
  }
  TakeTurn(std::move(eval));
}

void ClusterRouter::Forward(const std::shared_ptr<Evaluation>& eval, const std::string& home) {
  home_args_.assign({"RC.RUN", eval->protocol == 3 ? "3" : "2"});
  home_args_.insert(home_args_.end(), eval->views.begin(), eval->views.end());
  SendHome(home, home_args_, [this, eval](const Status& status, std::string_view reply) {
    if (!status.ok()) {
      // A waiting pop waits on, and asks again; the others cannot tell
      // whether the home took an element.
      eval->parked != 0 ? pops_.FoundNothing(eval->parked, state_.keyspace.now_ms())
                        : eval->Fail(status);
    } else if (eval->blocks && IsNull(reply)) {
      WaitForElement(eval);
    } else {
      eval->hold.Release();
      if (eval->parked != 0) pops_.Served(std::exchange(eval->parked, 0));
      eval->done(reply);
    }
  });
}

namespace {

// The payload of a bulk-string reply ("$3\r\nabc\r\n"); false for any other.
bool BulkPayload(std::string_view resp, std::string_view* payload) {
  const size_t line = resp.find("\r\n");
  uint64_t length = 0;
  if (resp.empty() || resp[0] != '$' || line == std::string_view::npos ||
      !ParseUint64(resp.substr(1, line - 1), &length) || resp.size() < line + 2 + length) {
    return false;
  }
  *payload = resp.substr(line + 2, length);
  return true;
}

}  // namespace

// A command out to a home: its callback, and its place among the calls
// that time out (ClusterRouter::Tick expires them, to within 1/hz).
struct ClusterRouter::HomeCall final : Expiring {
  std::string home;
  HomeReply done;

  void Finish(const Status& status, std::string_view reply) {
    DeadlineList::Remove(this);
    if (done) std::exchange(done, nullptr)(status, reply);
  }
  void Expire() override {
    if (done)
      std::exchange(done, nullptr)(
          Status::Timeout("the key's home " + home + " did not answer in time"), {});
  }
};

void ClusterRouter::SendHome(const std::string& home, std::span<const std::string_view> command,
                             HomeReply done) {
  auto call = std::make_shared<HomeCall>();
  call->home = home;
  call->done = std::move(done);
  // The home runs it only if it starts within one cluster timeout (a frozen
  // home that wakes up must not take an element nobody waits for any more),
  // and then reads and writes with the cluster timeout each.
  const int64_t timeout_ms = state_.config.values().cluster_timeout_ms;
  home_calls_.Add(call.get(),
                  DeadlineList::CoarseNow() + std::chrono::milliseconds(4 * timeout_ms));
  const std::string run_by = std::to_string(state_.keyspace.now_ms() + timeout_ms);
  encoded_ = "*" + std::to_string(command.size() + 1) + "\r\n";
  client::AppendArguments(command.first(1), &encoded_);
  const std::string_view run_by_arg[] = {run_by};
  client::AppendArguments(run_by_arg, &encoded_);
  client::AppendArguments(command.subspan(1), &encoded_);
  node_.peers().SendEncoded(
      home, encoded_, [call](const asio::error_code& ec, std::string_view resp) {
        std::string_view payload;
        if (ec) {
          call->Finish(Status::Unavailable("the connection to the key's home " + call->home +
                                           " failed; the command may have run"),
                       {});
        } else if (!BulkPayload(resp, &payload)) {  // an error: it did not run
          call->Finish(Status::Unavailable("the key's home " + call->home + " refused it: " +
                                           std::string(resp.substr(0, resp.find('\r')))),
                       {});
        } else {
          call->Finish(Status::Ok(), payload);
        }
      });
}

}  // namespace ringcache::cluster
