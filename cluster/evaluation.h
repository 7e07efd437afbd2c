// ClusterRouter::Evaluation: one read-modify-write in flight (read_modify_write.cc,
// and forwarding.cc, which runs pops at their key's home).
// Event-loop thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cluster/cluster_router.h"
#include "resp/reply_builder.h"

namespace ringcache::cluster {

// One read-modify-write in flight: copies of what the client sent, and what
// has been learnt so far.
struct ClusterRouter::Evaluation {
  const CommandSpec* spec = nullptr;
  std::vector<std::string> args;
  std::vector<std::string_view> views;  // of `args`, for handlers
  std::vector<std::string> keys;
  int protocol = 2;
  QuorumSettings quorum;
  bool partial = false;  // it read only the elements it names or draws (PartFor)
  // It changes one key, or takes elements from its first: it waited for,
  // and passes on, its turn on that key.
  bool takes_turn = false;
  bool forwards = false;  // it takes elements: it runs at its first key's home
  // A blocking pop outside EXEC: when it finds nothing, it waits (its id
  // among the router's blocked pops, once it does) from `started_ms` on.
  bool blocks = false;
  uint64_t parked = 0;
  int64_t started_ms = 0;
  std::shared_ptr<ReplyDeferrer> client;
  DeferredReply done;
  // The client's next commands on these keys wait until this one's writes
  // are sent: one pipelined after it must see its effect.
  KeyHold hold;

  void Fail(const Status& status) {
    hold.Release();
    std::string out;
    ReplyBuilder(&out).Error(status);
    done(std::move(out));
  }
};

}  // namespace ringcache::cluster
