// Commands that take elements (pops and moves) run at the home of the key
// they take from: the first replica of that key that is up. Through one
// node, such commands take turns (cluster_router.h), so each reads after the
// one before it wrote; through several nodes at once, two pops could read the
// same head and return one element twice. Forwarded to the home, every pop
// of a key takes its turn on one node, so each element goes to one client
// while the members agree on who is up (a node that sees the home down
// coordinates itself).
//
// The forwarding node sends RC.RUN protocol command args... and relays the
// reply; the home runs the command as a client of its own would (never
// blocking: a blocking pop waits at the client's node, which forwards each
// attempt). A home that cannot be reached, or does not answer in time, gets
// the pop an error: it may have taken an element whose reply was lost, and
// taking another here could hand out neither.
#include <asio.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "cluster/cluster_commands.h"
#include "cluster/cluster_router.h"
#include "cluster/evaluation.h"
#include "commands/dispatcher.h"
#include "common/number_parsing.h"
#include "resp/reply_builder.h"

namespace ringcache::cluster {
namespace {

// Stands in for a forwarded command's client: its reply goes back to the
// node that forwarded it as one bulk string of RESP.
class ForwardedRun final : public ReplyDeferrer, public std::enable_shared_from_this<ForwardedRun> {
 public:
  ForwardedRun(CommandContext& peer, int protocol) : peer_(peer.deferrer()), done_(peer.Defer()) {
    session_.protocol = protocol;
    session_.forwarded = true;
    session_.in_exec = true;  // a blocking pop answers at once
  }

  void Run(ServerState& server, ArgList args) {
    std::string out;  // what it answers at once
    ReplyBuilder reply(&out, session_.protocol);
    CommandContext ctx(server, session_, reply, this);
    Dispatcher::Dispatch(ctx, args);  // nothing is held here: it never waits
    if (!deferred_) Finish(out);
  }

  DeferredReply DeferReply() override {
    deferred_ = true;
    return {shared_from_this(), 0};
  }
  std::shared_ptr<ReplyDeferrer> shared_from_this_deferrer() override { return shared_from_this(); }
  std::string* DeferredBuffer(uint64_t /*slot*/) override { return &reply_; }
  void CompleteDeferred(uint64_t /*slot*/) override { Finish(reply_); }
  void HoldKeys(std::span<const uint64_t> /*key_hashes*/) override {}
  void ReleaseKeys(std::span<const uint64_t> /*key_hashes*/) override {}
  bool IsHeld(uint64_t /*key_hash*/) const override { return false; }
  bool AnyHeld() const override { return false; }
  void RunLater(std::function<void()> task) override { peer_->RunLater(std::move(task)); }
  bool Gone() const override { return peer_->Gone(); }

 private:
  void Finish(std::string_view reply) {
    done_.Write([&](std::string* out) { ReplyBuilder(out).Bulk(reply); });
  }

  std::shared_ptr<ReplyDeferrer> peer_;
  DeferredReply done_;
  Session session_;
  std::string reply_;
  bool deferred_ = false;
};

// RC.RUN protocol command [arg ...]
void RunCommand(CommandContext& ctx, ArgList args) {
  int64_t protocol = 0;
  if (!ParseInt64(args[1], &protocol) || (protocol != 2 && protocol != 3) || !ctx.can_defer()) {
    ctx.reply().Error("ERR RC.RUN needs a protocol (2 or 3) and a connection that can wait");
    return;
  }
  std::make_shared<ForwardedRun>(ctx, static_cast<int>(protocol))
      ->Run(ctx.server(), args.subspan(2));
}

const CommandSpec kForwardCommands[] = {
    {"rc.run", -3, kInternal, 0, 0, 0, RunCommand, "cluster", "0.1.0",
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
    std::string home = node_.HomeOf(eval->keys[0]);
    if (home != node_.self_id()) {
      Forward(eval, home);
      return;
    }
  }
  TakeTurn(std::move(eval));
}

void ClusterRouter::Forward(const std::shared_ptr<Evaluation>& eval, const std::string& home) {
  std::vector<std::string_view> command = {"RC.RUN", eval->protocol == 3 ? "3" : "2"};
  command.insert(command.end(), eval->views.begin(), eval->views.end());
  struct Pending {
    explicit Pending(asio::io_context& io) : timer(io) {}
    asio::steady_timer timer;
    bool answered = false;
  };
  auto pending = std::make_shared<Pending>(node_.io());
  // The home reads and writes with the cluster timeout each.
  const auto timeout = std::chrono::milliseconds(3 * state_.config.values().cluster_timeout_ms);
  const auto fail = [this, eval, pending](const Status& status) {
    if (std::exchange(pending->answered, true)) return;
    pending->timer.cancel();
    if (eval->parked != 0) {  // it waits on, and asks again
      pops_.FoundNothing(eval->parked, state_.keyspace.now_ms());
    } else {
      eval->Fail(status);
    }
  };
  pending->timer.expires_after(timeout);
  pending->timer.async_wait([fail, home](const asio::error_code& ec) {
    if (!ec)
      fail(Status::Timeout("the key's home " + home + " did not answer in time; " +
                           "the command may have taken an element"));
  });
  node_.peers().Send(
      home, command,
      [this, eval, pending, fail, home](const asio::error_code& ec, const client::Reply& reply) {
        if (ec || reply.type != client::Reply::Type::kString) {
          fail(Status::Unavailable("the key's home " + home +
                                   " could not run the command; it may have "
                                   "taken an element"));
          return;
        }
        if (std::exchange(pending->answered, true)) return;
        pending->timer.cancel();
        if (eval->blocks && IsNull(reply.str)) {
          WaitForElement(eval);
          return;
        }
        eval->hold.Release();
        if (eval->parked != 0) pops_.Served(std::exchange(eval->parked, 0));
        eval->done(reply.str);
      });
}

}  // namespace ringcache::cluster
