// ClusterRouter's keyspace-wide commands: each node answers for the keys it is
// home to (the first replica not down, as the coordinator sees it), so the
// union over the members lists every key once.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "cluster/cluster_router.h"
#include "commands/command_helpers.h"
#include "common/number_parsing.h"
#include "resp/reply_builder.h"

namespace ringcache::cluster {
namespace {

constexpr uint64_t kNodeBits = 8;  // SCAN cursors: low bits name the node

}  // namespace

std::string ClusterRouter::DownList() const {
  std::string down;
  for (const auto& [id, member] : membership_.members()) {
    if (member.up) continue;
    if (!down.empty()) down += ',';
    down += id;
  }
  return down.empty() ? "-" : down;
}

bool ClusterRouter::IsHome(std::string_view key, const std::vector<std::string>& down) const {
  for (uint32_t node : ring_.PreferenceList(key, quorum_.replicas)) {
    const std::string& id = ring_.nodes()[node];
    if (std::find(down.begin(), down.end(), id) == down.end()) return id == self_id_;
  }
  return false;
}

bool ClusterRouter::IsReplica(std::string_view node, std::string_view key) const {
  for (uint32_t index : ring_.PreferenceList(key, quorum_.replicas)) {
    if (ring_.nodes()[index] == node) return true;
  }
  return false;
}

void ClusterRouter::FanOut(std::vector<std::string> args,
                           std::function<void(std::vector<client::Reply>, size_t failed)> done) {
  struct State {
    std::vector<client::Reply> replies;
    size_t failed = 0;
    size_t pending = 0;
    std::function<void(std::vector<client::Reply>, size_t)> done;
  };
  auto state = std::make_shared<State>();
  state->done = std::move(done);
  std::vector<std::string> targets;
  for (const auto& [id, member] : membership_.members()) {
    if (member.up) targets.push_back(id);
  }
  state->pending = targets.size();
  const std::vector<std::string_view> views(args.begin(), args.end());
  for (const std::string& target : targets) {
    peers_.Send(target, views, [state](const asio::error_code& ec, client::Reply reply) {
      if (ec || reply.is_error()) {
        ++state->failed;
      } else {
        state->replies.push_back(std::move(reply));
      }
      if (--state->pending == 0) state->done(std::move(state->replies), state->failed);
    });
  }
}

namespace {

Status Unreached(std::string_view command, size_t failed) {
  return Status::Unavailable(std::string(command) + " did not reach " + std::to_string(failed) +
                             " node(s)");
}

}  // namespace

void ClusterRouter::Keys(CommandContext& ctx, ArgList args) {
  FanOut({"RC.OWNED", DownList(), "KEYS", std::string(args[1])},
         [done = ctx.Defer(), protocol = ctx.session().protocol](std::vector<client::Reply> replies,
                                                                 size_t failed) {
           std::string out;
           ReplyBuilder reply(&out, protocol);
           if (failed > 0) {
             reply.Error(Unreached("KEYS", failed));
           } else {
             size_t count = 0;
             for (const auto& r : replies) count += r.elements.size();
             reply.ArrayHeader(count);
             for (const auto& r : replies) {
               for (const auto& key : r.elements) reply.Bulk(key.str);
             }
           }
           done(std::move(out));
         });
}

void ClusterRouter::DbSize(CommandContext& ctx, ArgList /*args*/) {
  FanOut({"RC.OWNED", DownList(), "DBSIZE"},
         [done = ctx.Defer()](std::vector<client::Reply> replies, size_t failed) {
           std::string out;
           ReplyBuilder reply(&out);
           int64_t total = 0;
           for (const auto& r : replies) total += r.integer;
           failed > 0 ? reply.Error(Unreached("DBSIZE", failed)) : reply.Integer(total);
           done(std::move(out));
         });
}

void ClusterRouter::FlushAll(CommandContext& ctx, ArgList args) {
  if (args.size() > 2 || (args.size() == 2 && !Is(args[1], "async") && !Is(args[1], "sync"))) {
    ctx.reply().Error("ERR syntax error");
    return;
  }
  // One version for the whole flush: every write stamped before it is gone
  // on every node that took it, and cannot come back through hints or repair.
  FanOut({"RC.FLUSH", coordinator_.NextVersion().ToString()},
         [done = ctx.Defer()](std::vector<client::Reply> /*replies*/, size_t failed) {
           std::string out;
           ReplyBuilder reply(&out);
           failed > 0 ? reply.Error(Unreached("FLUSHALL", failed)) : reply.Ok();
           done(std::move(out));
         });
}

// A cluster SCAN cursor is the node's own cursor shifted left by kNodeBits,
// with the index of the node (in the ring's member order) in the low bits;
// nodes are walked in order, each through its own keys.
void ClusterRouter::Scan(CommandContext& ctx, ArgList args) {
  uint64_t cursor = 0;
  if (!ParseUint64(args[1], &cursor)) {
    ctx.reply().Error("ERR invalid cursor");
    return;
  }
  size_t node = cursor & ((1U << kNodeBits) - 1);
  const uint64_t local = cursor >> kNodeBits;
  while (node < ring_.nodes().size() && !membership_.IsUp(ring_.nodes()[node])) ++node;
  if (node >= ring_.nodes().size()) {
    ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk("0");
    ctx.reply().ArrayHeader(0);
    return;
  }
  std::vector<std::string> owned = {"RC.OWNED", DownList(), "SCAN", std::to_string(local)};
  owned.insert(owned.end(), args.begin() + 2, args.end());
  const std::vector<std::string_view> views(owned.begin(), owned.end());
  const size_t members = ring_.nodes().size();
  peers_.Send(
      ring_.nodes()[node], views,
      [done = ctx.Defer(), node, members](const asio::error_code& ec, const client::Reply& r) {
        std::string out;
        ReplyBuilder reply(&out);
        uint64_t next_local = 0;
        if (ec || r.is_error() || r.elements.size() != 2 ||
            !ParseUint64(r.elements[0].str, &next_local)) {
          reply.Error(Unreached("SCAN", 1));
          done(std::move(out));
          return;
        }
        uint64_t next = 0;  // the last node's end ends the scan
        if (next_local != 0) {
          next = (next_local << kNodeBits) | node;
        } else if (node + 1 < members) {
          next = node + 1;
        }
        reply.ArrayHeader(2);
        reply.Bulk(std::to_string(next));
        reply.ArrayHeader(r.elements[1].elements.size());
        for (const auto& key : r.elements[1].elements) reply.Bulk(key.str);
        done(std::move(out));
      });
}

}  // namespace ringcache::cluster
