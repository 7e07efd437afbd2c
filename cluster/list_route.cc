// ClusterRouter's lists (types/replicated_collection.h, Kind::kList).
//
// LPUSH and RPUSH need no read: each item gets a position beyond every
// earlier push at its end (types/list_position.h) and the items go to the
// replicas as a delta, as SADD's members do. The reply is the list's length
// on the replicas that acknowledged (the fewest of them). LPUSHX and RPUSHX
// read one item first, to know the list is there.
//
// Commands at an end of a list (LPOP, RPOP, LRANGE 0 99, LINDEX, LSET,
// LMOVE...) read only the items there: each replica answers with its first
// (or last) `count` live items, and the coordinator works out how far those
// answers are exact. A replica that sent `count` items vouches for nothing
// past its last one (its bound); the nearest bound is where the answers
// stop being complete. Within it, an item some replica sent and another did
// not is either not yet on that other one or already removed there: for
// those the coordinator reads the replicas' whole records (RC.PICK MEMBERS,
// with the removes), and merges. When fewer than `count` live items are left
// within the bound, it reads again with a larger count. The result is what a
// quorum read of the whole list would give at that end, without shipping
// the list, nor the records of items popped long ago.
#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cluster/cluster_router.h"
#include "common/number_parsing.h"
#include "types/list_position.h"
#include "types/replicated_collection.h"

namespace ringcache::cluster {
namespace {

using Kind = ReplicatedCollection::Kind;

// One replica's answer: the positions it sent (in order), and its bound.
struct EndAnswer {
  std::vector<std::string> positions;
  bool bounded = false;  // it sent `count` items: it vouches only up to the last
};

// Whether `position` lies within `bound`, counted from the end read.
bool Within(std::string_view position, std::string_view bound, bool tail) {
  return tail ? position >= bound : position <= bound;
}

}  // namespace

struct ClusterRouter::ListEndRead {
  std::string key;
  bool tail = false;
  size_t count = 0;
  QuorumSettings quorum;
  ReadDone done;
};

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
  ReadListEnd(key, tail, 1, quorum,
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

void ClusterRouter::ReadListEnd(std::string key, bool tail, size_t count,
                                const QuorumSettings& quorum, ReadDone done) {
  auto read = std::make_shared<ListEndRead>();
  read->key = std::move(key);
  read->tail = tail;
  read->count = std::max<size_t>(count, 1);
  read->quorum = quorum;
  read->done = std::move(done);
  ReadListEnd(read);
}

void ClusterRouter::ReadListEnd(const std::shared_ptr<ListEndRead>& read) {
  std::vector<std::string> part = {read->tail ? "TAIL" : "HEAD", std::to_string(read->count)};
  node_.coordinator().GetPartEach(read->key, std::move(part), read->quorum,
                                  [this, read](const Status& s, const ReplicaValueView& merged,
                                               std::vector<ReplicaValue> each) {
                                    if (!s.ok()) {
                                      read->done(s, ReplicaValueView());
                                      return;
                                    }
                                    OnListEnd(read, merged, each);
                                  });
}

void ClusterRouter::OnListEnd(const std::shared_ptr<ListEndRead>& read,
                              const ReplicaValueView& merged,
                              const std::vector<ReplicaValue>& each) {
  const bool same = std::all_of(each.begin(), each.end(),
                                [&](const ReplicaValue& v) { return v.value == each[0].value; });
  std::unique_ptr<ReplicatedCollection> list;
  if (merged.collection) list = ReplicatedCollection::Decode(merged.value);
  // Not a list (the command says WRONGTYPE), or every replica said the same.
  if (same || list == nullptr || list->kind() != Kind::kList) {
    read->done(Status::Ok(), merged);
    return;
  }
  std::vector<EndAnswer> answers;
  std::string bound;  // the nearest bound; empty: none
  for (const ReplicaValue& v : each) {
    EndAnswer& answer = answers.emplace_back();
    std::unique_ptr<ReplicatedCollection> part;
    if (v.collection) part = ReplicatedCollection::Decode(v.value);
    if (part == nullptr || part->kind() != Kind::kList) continue;
    for (const auto& [position, item] : part->LiveItems()) answer.positions.emplace_back(position);
    answer.bounded = answer.positions.size() >= read->count;
    if (!answer.bounded) continue;
    const std::string& last = read->tail ? answer.positions.front() : answer.positions.back();
    if (bound.empty() || Within(last, bound, read->tail)) bound = last;
  }
  // Items within the bound that not every replica sent.
  std::vector<std::string> disputed = {"MEMBERS"};
  for (const auto& [position, item] : list->LiveItems()) {
    if (!bound.empty() && !Within(position, bound, read->tail)) continue;
    const bool everywhere = std::all_of(answers.begin(), answers.end(), [&](const EndAnswer& a) {
      return std::binary_search(a.positions.begin(), a.positions.end(), position);
    });
    if (!everywhere) disputed.emplace_back(position);
  }
  auto finish = [this, read, bound, merged = ToOwned(merged),
                 list = std::shared_ptr<ReplicatedCollection>(std::move(list))](
                    const Status& s, const ReplicaValueView& records) mutable {
    if (!s.ok()) {
      read->done(s, ReplicaValueView());
      return;
    }
    if (records.collection) {
      if (auto settled = ReplicatedCollection::Decode(records.value);
          settled != nullptr && settled->kind() == Kind::kList) {
        bool changed = false;
        list->Merge(*settled, &changed);
      }
    }
    DeliverListEnd(read, bound, merged, *list);
  };
  if (disputed.size() == 1) {
    finish(Status::Ok(), ReplicaValueView());
    return;
  }
  node_.coordinator().GetPart(read->key, std::move(disputed), read->quorum, std::move(finish));
}

void ClusterRouter::DeliverListEnd(const std::shared_ptr<ListEndRead>& read,
                                   const std::string& bound, const ReplicaValue& merged,
                                   const ReplicatedCollection& list) {
  std::vector<std::string_view> window;
  for (const auto& [position, item] : list.LiveItems()) {
    if (bound.empty() || Within(position, bound, read->tail)) window.push_back(position);
  }
  if (window.size() < read->count && !bound.empty()) {
    // Removes within the bound left too few: read further.
    read->count *= 2;
    ReadListEnd(read);
    return;
  }
  if (window.size() > read->count) {
    read->tail ? window.erase(window.begin(), window.end() - read->count)
               : window.erase(window.begin() + read->count, window.end());
  }
  std::string encoded;
  list.Project(window).Encode(&encoded);
  ReplicaValue state = merged;
  state.value = std::move(encoded);
  state.empty = window.empty();
  read->done(Status::Ok(), state.view());
}

}  // namespace ringcache::cluster
