#include "commands/transaction_runner.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "commands/dispatcher.h"

namespace ringcache {
namespace {

// A session's MULTI state, set aside while a queued command runs.
struct TransactionState {
  bool in_multi = false;
  bool multi_failed = false;
  std::vector<std::vector<std::string>> queued;

  void SwapWith(Session& s) {
    std::swap(in_multi, s.in_multi);
    std::swap(multi_failed, s.multi_failed);
    std::swap(queued, s.queued);
  }
};

}  // namespace
void TransactionRunner::Start(CommandContext& ctx, Queued queued) {
  auto runner = std::make_shared<TransactionRunner>(ctx, std::move(queued));
  runner->RunNext();
}

TransactionRunner::TransactionRunner(CommandContext& ctx, Queued queued)
    : server_(ctx.server()),
      session_(ctx.session()),
      client_(ctx.deferrer()),
      done_(ctx.Defer()),
      client_hold_(KeyHold::Every(client_)),
      queued_(std::move(queued)),
      replies_(queued_.size()) {}

void TransactionRunner::RunNext() {
  waiting_for_keys_ = false;
  for (; next_ < queued_.size(); ++next_) {
    const std::vector<std::string_view> args(queued_[next_].begin(), queued_[next_].end());
    ReplyBuilder reply(&replies_[next_], session_.protocol);
    CommandContext ctx(server_, session_, reply, this);
    // The client may have begun its next transaction meanwhile: this one's
    // commands run, they are not queued into that one.
    TransactionState outside;
    outside.SwapWith(session_);
    session_.in_exec = true;  // a blocking pop does not block
    const bool ran = Dispatcher::Dispatch(ctx, args);
    session_.in_exec = false;
    outside.SwapWith(session_);
    if (!ran) {  // ReleaseKeys goes on
      waiting_for_keys_ = true;
      return;
    }
  }
  FinishIfDone();
}

void TransactionRunner::FinishIfDone() {
  if (finished_ || next_ < queued_.size() || pending_ > 0) return;
  finished_ = true;
  done_.Write([&](std::string* out) {
    ReplyBuilder(out, session_.protocol).ArrayHeader(queued_.size());
    for (const std::string& reply : replies_) out->append(reply);
  });
  client_hold_.Release();
}

DeferredReply TransactionRunner::DeferReply() {
  ++pending_;
  return {shared_from_this(), next_};
}

std::string* TransactionRunner::DeferredBuffer(uint64_t slot) { return &replies_[slot]; }

void TransactionRunner::CompleteDeferred(uint64_t /*slot*/) {
  --pending_;
  FinishIfDone();
}

void TransactionRunner::ReleaseKeys(std::span<const uint64_t> key_hashes, uint64_t lane) {
  held_.Remove(key_hashes, lane);
  if (waiting_for_keys_) {
    waiting_for_keys_ = false;
    // Not inside the callback that released them.
    RunLater([self = shared_from_this()] { self->RunNext(); });
  }
}

}  // namespace ringcache
