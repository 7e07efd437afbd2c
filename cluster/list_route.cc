// ClusterRouter's lists (types/replicated_collection.h, Kind::kList).
//
// LPUSH and RPUSH need no read: each item gets a position beyond every
// earlier push at its end (types/list_position.h) and the items go to the
// replicas as a delta, as SADD's members do. The reply is the list's length
// on the replicas that acknowledged (the longest of them). LPUSHX and RPUSHX
// read one item first, to know the list is there.
#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cluster/cluster_router.h"
#include "types/list_position.h"
#include "types/replicated_collection.h"

namespace ringcache::cluster {

using Kind = ReplicatedCollection::Kind;

void ClusterRouter::RoutePush(CommandContext& ctx, const CommandSpec& spec, ArgList args) {
  const bool tail = spec.name == "rpush" || spec.name == "rpushx";
  if (spec.name == "lpush" || spec.name == "rpush") {
    SendPush(std::string(args[1]), tail, args.subspan(2), QuorumFor(ctx), ctx.Defer());
    return;
  }
  // LPUSHX, RPUSHX: a read of one item says whether the list is there; its
  // client's next commands on the key wait until the push is sent.
  struct Pending {
    std::vector<std::string> items;
    KeyHold hold;
  };
  auto pending = std::make_shared<Pending>();
  pending->items.assign(args.begin() + 2, args.end());
  std::string key(args[1]);
  pending->hold = ctx.HoldKeys(std::span(&key, 1));
  const QuorumSettings quorum = QuorumFor(ctx);
  ReadEnd(key, tail, 1, quorum,
          [this, key, tail, quorum, pending, done = ctx.Defer()](
              const Status& s, const ReplicaValueView& v) mutable {
            std::string out;
            ReplyBuilder reply(&out);
            const auto kind =
                v.collection ? ReplicatedCollection::KindOfEncoded(v.value) : std::nullopt;
            if (!s.ok()) {
              reply.Error(s);
            } else if (!LiveNow(v)) {
              reply.Integer(0);
            } else if (kind != Kind::kList) {
              reply.Error(Status::WrongType());
            } else {
              const std::vector<std::string_view> items(pending->items.begin(),
                                                        pending->items.end());
              SendPush(key, tail, items, quorum, std::move(done));
              pending->hold.Release();
              return;
            }
            pending->hold.Release();
            done(std::move(out));
          });
}

void ClusterRouter::SendPush(std::string key, bool tail, ArgList items,
                             const QuorumSettings& quorum, DeferredReply done) {
  std::vector<std::string> positions;
  positions.reserve(items.size());  // never moved: `pairs` views them
  std::vector<std::string_view> pairs;
  pairs.reserve(items.size() * 2);
  ReplicaValue write;
  for (const std::string_view item : items) {
    write.version = node_.coordinator().NextVersion();
    const Version& v = write.version;
    pairs.push_back(positions.emplace_back(tail ? list_position::AtTail(v.hlc, v.node)
                                                : list_position::AtHead(v.hlc, v.node)));
    pairs.push_back(item);
  }
  write.found = write.collection = write.delta = true;
  ReplicatedCollection::EncodeAdds(Kind::kList, pairs, write.version, &write.value);
  node_.coordinator().WriteState(std::move(key), std::move(write), quorum,
                                 [done = std::move(done)](const Status& s, int64_t length) {
                                   std::string out;
                                   ReplyBuilder reply(&out);
                                   s.ok() ? reply.Integer(length) : reply.Error(s);
                                   done(std::move(out));
                                 });
}

}  // namespace ringcache::cluster
