// ClusterRouter's blind adds (SADD, HSET, HMSET, ZADD without options): the
// elements the command adds, stamped now, go to the key's replicas as a
// delta of its replicated collection (types/replicated_collection.h), with
// no read first: each replica merges just those elements, so an SADD to a
// 1M-member set costs the bus and each replica what the member costs. The
// reply counts the elements that were new to every replica that
// acknowledged the write.
#include <string>
#include <vector>

#include "cluster/cluster_router.h"
#include "commands/command_helpers.h"
#include "common/number_parsing.h"
#include "types/replicated_collection.h"

namespace ringcache::cluster {
namespace {

bool IsZAddOption(std::string_view arg) {
  return Is(arg, "nx") || Is(arg, "xx") || Is(arg, "gt") || Is(arg, "lt") || Is(arg, "ch") ||
         Is(arg, "incr");
}

}  // namespace

void ClusterRouter::RouteAddElements(CommandContext& ctx, const CommandSpec& spec, ArgList args) {
  const ReplicatedCollection::Kind kind = KindOfGroup(spec.group);
  if (kind == ReplicatedCollection::Kind::kList) {
    RoutePush(ctx, spec, args);
    return;
  }
  if (kind == ReplicatedCollection::Kind::kZSet) {
    // With options it reads what it adds to (and ZADD INCR counts).
    if (IsZAddOption(args[2])) {
      RouteReadModifyWrite(ctx, spec, args);
      return;
    }
    if (args.size() % 2 != 0) {
      ctx.reply().Error("ERR syntax error");
      return;
    }
  } else if (kind == ReplicatedCollection::Kind::kHash && args.size() % 2 != 0) {
    ctx.reply().Error("ERR wrong number of arguments for '" + std::string(spec.name) + "' command");
    return;
  }
  // A sorted set's elements are member, score text: each score in the one
  // form every replica renders back to the same double.
  std::vector<std::string> scores;
  std::vector<std::string_view> pairs;
  if (kind == ReplicatedCollection::Kind::kZSet) {
    scores.reserve((args.size() - 2) / 2);  // never moved: `pairs` views them
    pairs.reserve(args.size() - 2);
    for (size_t i = 2; i < args.size(); i += 2) {
      double score = 0;
      if (!ParseDouble(args[i], &score)) {
        ctx.reply().Error("ERR value is not a valid float");
        return;
      }
      pairs.push_back(args[i + 1]);
      pairs.push_back(scores.emplace_back(FormatDouble(score == 0 ? 0.0 : score)));
    }
  }
  ReplicaValue write;
  write.found = write.collection = write.delta = true;
  write.version = node_.coordinator().NextVersion();
  ReplicatedCollection::EncodeAdds(kind, pairs.empty() ? args.subspan(2) : ArgList(pairs),
                                   write.version, &write.value);
  const bool reply_ok = spec.name == "hmset";
  node_.coordinator().WriteState(std::string(args[1]), std::move(write), QuorumFor(ctx),
                                 [done = ctx.Defer(), reply_ok](const Status& s, int64_t added) {
                                   std::string out;
                                   ReplyBuilder reply(&out);
                                   if (!s.ok()) {
                                     reply.Error(s);
                                   } else if (reply_ok) {
                                     reply.Ok();
                                   } else {
                                     reply.Integer(added);
                                   }
                                   done(std::move(out));
                                 });
}

}  // namespace ringcache::cluster
