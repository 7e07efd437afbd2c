// ClusterRouter's blind adds (SADD, HSET, HMSET): the elements the command
// adds, stamped now, go to the key's replicas as a delta of its replicated
// collection (types/replicated_collection.h), with no read first: each
// replica merges just those elements, so an SADD to a 1M-member set costs
// the bus and each replica what the member costs. The reply counts the
// elements that were new to every replica that acknowledged the write.
#include <string>

#include "cluster/cluster_router.h"
#include "types/replicated_collection.h"

namespace ringcache::cluster {

void ClusterRouter::RouteAddElements(CommandContext& ctx, const CommandSpec& spec, ArgList args) {
  const bool hash = spec.group == "hash";
  if (hash && args.size() % 2 != 0) {
    ctx.reply().Error("ERR wrong number of arguments for '" + std::string(spec.name) + "' command");
    return;
  }
  ReplicaValue write;
  write.found = write.collection = write.delta = true;
  write.version = node_.coordinator().NextVersion();
  ReplicatedCollection::EncodeAdds(
      hash ? ReplicatedCollection::Kind::kHash : ReplicatedCollection::Kind::kSet, args.subspan(2),
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
