// ReplyCapture: stands in for the client of a command (or transaction) that
// a key's home runs for another node, or for its own client once a lock is
// free: it collects the one reply and hands it to `done`. It holds no keys
// (what it runs never waits on its own holds); going away and running later
// are the real connection's.
//
// Event-loop thread only.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "commands/command_context.h"
#include "commands/dispatcher.h"
#include "commands/session.h"
#include "resp/reply_builder.h"

namespace ringcache::cluster {

class ReplyCapture final : public ReplyDeferrer, public std::enable_shared_from_this<ReplyCapture> {
 public:
  using Done = std::function<void(std::string_view reply)>;
  ReplyCapture(std::shared_ptr<ReplyDeferrer> connection, int protocol, Done done)
      : connection_(std::move(connection)), done_(std::move(done)) {
    session_.protocol = protocol;
    session_.forwarded = true;  // this node coordinates it
  }

  // A Done that answers `ctx`'s (a peer's) command with the reply as one
  // bulk string: RC.RUN's and RC.EXEC's. REQUIRES: ctx.can_defer().
  static Done AsBulkTo(CommandContext& ctx) {
    return [done = ctx.Defer()](std::string_view reply) {
      done.Write([&](std::string* out) { ReplyBuilder(out).Bulk(reply); });
    };
  }

  Session& session() { return session_; }
  // Runs `run(ctx)` with a context whose replies come here, and completes
  // with what it answered at once if it deferred nothing.
  template <typename Run>
  void Start(ServerState& server, Run&& run) {
    std::string out;
    ReplyBuilder reply(&out, session_.protocol);
    CommandContext ctx(server, session_, reply, this);
    run(ctx);
    if (!deferred_) done_(out);
  }

  DeferredReply DeferReply() override {
    deferred_ = true;
    return {shared_from_this(), 0};
  }
  std::shared_ptr<ReplyDeferrer> shared_from_this_deferrer() override { return shared_from_this(); }
  std::string* DeferredBuffer(uint64_t /*slot*/) override { return &reply_; }
  void CompleteDeferred(uint64_t /*slot*/) override { done_(reply_); }
  void HoldKeys(std::span<const uint64_t> /*key_hashes*/, uint64_t /*lane*/) override {}
  void ReleaseKeys(std::span<const uint64_t> /*key_hashes*/, uint64_t /*lane*/) override {}
  bool IsHeld(uint64_t /*key_hash*/, uint64_t /*lane*/) const override { return false; }
  bool AnyHeld() const override { return false; }
  void RunLater(std::function<void()> task) override { connection_->RunLater(std::move(task)); }
  bool Gone() const override { return connection_->Gone(); }

 private:
  std::shared_ptr<ReplyDeferrer> connection_;
  Done done_;
  Session session_;
  std::string reply_;
  bool deferred_ = false;
};

}  // namespace ringcache::cluster
