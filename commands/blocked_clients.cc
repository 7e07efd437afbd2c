#include "commands/blocked_clients.h"

#include <algorithm>
#include <utility>

#include "common/number_parsing.h"
#include "resp/reply_builder.h"

namespace ringcache {

void BlockedClients::Block(CommandContext& ctx, std::span<const std::string_view> args,
                           std::span<const std::string_view> keys, TryPop try_pop,
                           int64_t deadline_ms, std::string timeout_reply) {
  const uint64_t id = next_id_++;
  Waiter& w = blocked_[id];
  w.args.assign(args.begin(), args.end());
  w.keys.assign(keys.begin(), keys.end());
  w.try_pop = try_pop;
  w.protocol = ctx.session().protocol;
  w.deadline_ms = deadline_ms;
  w.timeout_reply = std::move(timeout_reply);
  w.done = ctx.Defer();
  w.hold = KeyHold::Every(ctx.deferrer());
  w.client = ctx.deferrer();
  for (const std::string& key : w.keys) {
    std::deque<uint64_t>& queue = waiters_[key];
    if (std::find(queue.begin(), queue.end(), id) == queue.end()) queue.push_back(id);
  }
}

void BlockedClients::Finish(uint64_t id, std::string_view reply) {
  const auto it = blocked_.find(id);
  for (const std::string& key : it->second.keys) {
    const auto queue = waiters_.find(key);
    if (queue == waiters_.end()) continue;
    std::erase(queue->second, id);
    if (queue->second.empty()) waiters_.erase(queue);
  }
  Waiter w = std::move(it->second);
  blocked_.erase(it);
  w.hold.Release();
  w.done(reply);
}

void BlockedClients::ServeReady(ServerState& server) {
  while (!ready_.empty()) {
    const std::string key = std::move(ready_.back());
    ready_.pop_back();
    // Each waiter in the order they blocked, until one finds nothing: the
    // key is empty again (a pop replies even with an error, such as
    // WRONGTYPE for an earlier key of its own).
    const auto queue = waiters_.find(key);
    if (queue == waiters_.end()) continue;
    const std::vector<uint64_t> ids(queue->second.begin(), queue->second.end());
    for (const uint64_t id : ids) {
      Waiter& w = blocked_.at(id);
      if (w.client->Gone()) continue;  // Expire forgets it; it must not take an element
      Session session;
      session.protocol = w.protocol;
      std::string out;
      ReplyBuilder reply(&out, w.protocol);
      CommandContext ctx(server, session, reply);
      const std::vector<std::string_view> args(w.args.begin(), w.args.end());
      if (!w.try_pop(ctx, args)) break;  // the key has nothing left
      if (const CommandSpec* spec = server.commands.Find(args[0]); spec != nullptr) {
        NoteWrittenKeys(ctx, *spec, args);  // popped in place
      }
      Finish(id, out);
    }
  }
}

void BlockedClients::Expire(int64_t now_ms) {
  // Whether a client went costs a syscall: asked once a second, not every
  // tick (a waiter is asked again anyway before it takes an element).
  const bool ask_gone = now_ms - gone_checked_ms_ >= 1000;
  if (ask_gone) gone_checked_ms_ = now_ms;
  std::vector<uint64_t> ended;
  for (const auto& [id, w] : blocked_) {
    if ((w.deadline_ms != 0 && w.deadline_ms <= now_ms) || (ask_gone && w.client->Gone())) {
      ended.push_back(id);
    }
  }
  for (const uint64_t id : ended) {
    const std::string reply = std::move(blocked_.at(id).timeout_reply);
    Finish(id, reply);
  }
}

bool BlockingPop(CommandContext& ctx, std::span<const std::string_view> args,
                 std::span<const std::string_view> keys, std::string_view timeout,
                 BlockedClients::TryPop try_pop, bool null_unblocked) {
  long double seconds = 0;
  if (!ParseLongDouble(timeout, &seconds) ||
      seconds * 1000 > static_cast<long double>(INT64_MAX / 2)) {
    ctx.reply().Error("ERR timeout is not a float or out of range");
    return true;
  }
  if (seconds < 0) {
    ctx.reply().Error("ERR timeout is negative");
    return true;
  }
  if (try_pop(ctx, args)) return true;
  std::string timed_out;
  ReplyBuilder reply(&timed_out, ctx.session().protocol);
  reply.NullArray();  // what every blocking pop of Redis 7.0 answers at its timeout
  // Inside EXEC (or where replies cannot wait) a blocking pop does not block.
  if (ctx.session().in_exec || !ctx.can_defer()) {
    null_unblocked ? ctx.reply().Null() : ctx.reply().NullArray();
    return true;
  }
  const auto ms = static_cast<int64_t>(seconds * 1000);
  const int64_t deadline = seconds == 0 ? 0 : ctx.keyspace().now_ms() + std::max<int64_t>(ms, 1);
  ctx.server().blocked->Block(ctx, args, keys, try_pop, deadline, std::move(timed_out));
  return false;
}

}  // namespace ringcache
