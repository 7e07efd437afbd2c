// ClusterRouter's keyspace-wide commands (ClusterRoute::kEveryNode): each
// member runs the command over the keys it is home to (the first replica not
// down, as this coordinator sees it; RC.OWNED), so the union over the members
// lists every key once. FLUSHALL empties every member under one version.
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

namespace {

Status Unreached(std::string_view command, size_t failed) {
  return Status::Unavailable(std::string(command) + " did not reach " + std::to_string(failed) +
                             " node(s)");
}

}  // namespace

void ClusterRouter::RouteEveryNode(CommandContext& ctx, const CommandSpec& spec, ArgList args) {
  if (spec.name == "keys") {
    Keys(ctx, args);
  } else if (spec.name == "scan") {
    Scan(ctx, args);
  } else if (spec.name == "dbsize") {
    DbSize(ctx, args);
  } else if (spec.name == "flushall" || spec.name == "flushdb") {
    FlushAll(ctx, args);
  } else {
    ctx.reply().Error("ERR '" + std::string(spec.name) + "' is not supported in cluster mode");
  }
}

void ClusterRouter::Keys(CommandContext& ctx, ArgList args) {
  node_.FanOut({"RC.OWNED", node_.DownList(), "KEYS", std::string(args[1])},
               [done = ctx.Defer(), protocol = ctx.session().protocol](
                   const std::vector<client::Reply>& replies, size_t failed) {
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
  node_.FanOut({"RC.OWNED", node_.DownList(), "DBSIZE"},
               [done = ctx.Defer()](const std::vector<client::Reply>& replies, size_t failed) {
                 std::string out;
                 ReplyBuilder reply(&out);
                 int64_t total = 0;
                 for (const auto& r : replies) total += r.integer;
                 failed > 0 ? reply.Error(Unreached("DBSIZE", failed)) : reply.Integer(total);
                 done(std::move(out));
               });
}

void ClusterRouter::FlushAll(CommandContext& ctx, ArgList args) {
  if (!CheckFlushArgsOrReply(ctx, args)) return;
  // One version for the whole flush: every write stamped before it is gone
  // on every node that took it, and cannot come back through hints or repair.
  node_.FanOut({"RC.FLUSH", node_.coordinator().NextVersion().ToString()},
               [done = ctx.Defer()](const std::vector<client::Reply>& /*replies*/, size_t failed) {
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
  if (!ParseCursorOrReply(ctx, args[1], &cursor)) return;
  const std::vector<std::string>& members = node_.ring().nodes();
  size_t node = cursor & ((1U << kNodeBits) - 1);
  const uint64_t local = cursor >> kNodeBits;
  while (node < members.size() && !node_.membership().IsUp(members[node])) ++node;
  if (node >= members.size()) {
    ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk("0");
    ctx.reply().ArrayHeader(0);
    return;
  }
  std::vector<std::string> owned = {"RC.OWNED", node_.DownList(), "SCAN", std::to_string(local)};
  owned.insert(owned.end(), args.begin() + 2, args.end());
  const std::vector<std::string_view> views(owned.begin(), owned.end());
  node_.peers().Send(members[node], views,
                     [done = ctx.Defer(), node, count = members.size()](const asio::error_code& ec,
                                                                        const client::Reply& r) {
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
                       } else if (node + 1 < count) {
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
