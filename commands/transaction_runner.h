// TransactionRunner: EXEC where commands answer later (a cluster node, whose
// commands wait for replicas). The queued commands run as a pipeline of
// this client would, and see each other as such commands do (a read-modify-
// write holds its keys until its write is out: a command on them waits);
// EXEC's reply, the array of theirs in order, completes after the last. The
// client's commands pipelined after EXEC that name keys wait until then, as
// they would behind a single node's EXEC.
//
// The runner stands in for the client's connection towards the commands it
// runs: their deferred replies and key holds come to it.
//
// Single-threaded.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "commands/command_context.h"

namespace ringcache {

class TransactionRunner final : public ReplyDeferrer,
                                public std::enable_shared_from_this<TransactionRunner> {
 public:
  using Queued = std::vector<std::vector<std::string>>;
  // Replies to EXEC through `ctx` once every command of `queued` has.
  // REQUIRES: ctx.can_defer().
  static void Start(CommandContext& ctx, Queued queued);

  TransactionRunner(CommandContext& ctx, Queued queued);

  DeferredReply DeferReply() override;
  std::shared_ptr<ReplyDeferrer> shared_from_this_deferrer() override { return shared_from_this(); }
  std::string* DeferredBuffer(uint64_t slot) override;
  void CompleteDeferred(uint64_t slot) override;
  void HoldKeys(std::span<const uint64_t> key_hashes, uint64_t lane) override {
    held_.Add(key_hashes, lane);
  }
  void ReleaseKeys(std::span<const uint64_t> key_hashes, uint64_t lane) override;
  bool IsHeld(uint64_t key_hash, uint64_t lane) const override {
    return held_.Holds(key_hash, lane);
  }
  bool AnyHeld() const override { return !held_.empty(); }
  void RunLater(std::function<void()> task) override { client_->RunLater(std::move(task)); }
  bool Gone() const override { return client_->Gone(); }

 private:
  // Runs queued commands until one waits for a key an earlier one holds.
  void RunNext();
  void FinishIfDone();

  ServerState& server_;
  Session& session_;  // the client's: its connection outlives `done_`
  std::shared_ptr<ReplyDeferrer> client_;
  DeferredReply done_;
  KeyHold client_hold_;  // every key, for the client's later commands
  Queued queued_;
  std::vector<std::string> replies_;  // one per queued command
  size_t next_ = 0;                   // the next to run
  size_t pending_ = 0;                // replies deferred, not complete yet
  bool waiting_for_keys_ = false;
  bool finished_ = false;
  HeldKeys held_;
};

}  // namespace ringcache
