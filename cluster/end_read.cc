// ClusterRouter's reads of an end of a list or sorted set: commands there
// (LPOP, RPOP, LRANGE 0 99, LINDEX, LSET, LMOVE, ZPOPMIN, ZPOPMAX...) read
// only the elements there, not the whole collection.
//
// Each replica answers with its first (or last) `count` live elements in
// the collection's order (a list's positions; a sorted set's scores, then
// members), and the coordinator works out how far those answers are exact.
// A replica that sent `count` elements vouches for nothing past its last
// one (its bound); the nearest bound is where the answers stop being
// complete. Within it, an element some replica sent and another did not is
// either not yet on that other one or already removed (or moved, for a
// score) there: for those the coordinator reads the replicas' whole records
// (RC.PICK MEMBERS, with the removes), and merges. When fewer than `count`
// live elements are left within the bound, it reads again with a larger
// count. The result is what a quorum read of the whole collection would give
// at that end, without shipping the collection, nor the records of elements
// popped long ago.
#include <algorithm>
#include <cstddef>
#include <bit>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cluster/cluster_router.h"
#include "types/replicated_collection.h"

namespace ringcache::cluster {
namespace {

using Kind = ReplicatedCollection::Kind;

// An element as an end read orders it.
struct Ordered {
  std::string key;  // compared as bytes
  std::string_view member;
};

// `score` as 8 bytes that compare as the numbers do.
void AppendScoreKey(double score, std::string* out) {
  auto bits = std::bit_cast<uint64_t>(score);
  bits = (bits >> 63) != 0 ? ~bits : bits | (uint64_t{1} << 63);
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>(bits >> (8 * i)));
}

// The live elements of `c` in its order: a list's by position, a sorted
// set's by score, then member.
std::vector<Ordered> InOrder(const ReplicatedCollection& c) {
  std::vector<Ordered> out;
  out.reserve(c.size());
  for (const auto& [member, e] : c.elements()) {
    if (!e.live()) continue;
    Ordered& o = out.emplace_back();
    o.member = member;
    if (c.kind() == Kind::kZSet) AppendScoreKey(c.ScoreOf(e), &o.key);
    o.key.append(member);
  }
  std::sort(out.begin(), out.end(),
            [](const Ordered& a, const Ordered& b) { return a.key < b.key; });
  return out;
}

// Whether `key` lies within `bound`, counted from the end read.
bool Within(std::string_view key, std::string_view bound, bool tail) {
  return tail ? key >= bound : key <= bound;
}

}  // namespace

struct ClusterRouter::EndRead {
  std::string key;
  bool tail = false;
  size_t count = 0;
  QuorumSettings quorum;
  ReadDone done;
};

void ClusterRouter::ReadEnd(std::string key, bool tail, size_t count, const QuorumSettings& quorum,
                            ReadDone done) {
  auto read = std::make_shared<EndRead>();
  read->key = std::move(key);
  read->tail = tail;
  read->count = std::max<size_t>(count, 1);
  read->quorum = quorum;
  read->done = std::move(done);
  ReadEnd(read);
}

void ClusterRouter::ReadEnd(const std::shared_ptr<EndRead>& read) {
  std::vector<std::string> part = {read->tail ? "TAIL" : "HEAD", std::to_string(read->count)};
  node_.coordinator().GetPartEach(read->key, std::move(part), read->quorum,
                                  [this, read](const Status& s, const ReplicaValueView& merged,
                                               const std::vector<ReplicaValue>& each) {
                                    if (!s.ok()) {
                                      read->done(s, ReplicaValueView());
                                      return;
                                    }
                                    OnEnd(read, merged, each);
                                  });
}

void ClusterRouter::OnEnd(const std::shared_ptr<EndRead>& read, const ReplicaValueView& merged,
                          const std::vector<ReplicaValue>& each) {
  const bool same = std::all_of(each.begin(), each.end(),
                                [&](const ReplicaValue& v) { return v.value == each[0].value; });
  std::unique_ptr<ReplicatedCollection> whole;
  if (merged.collection) whole = ReplicatedCollection::Decode(merged.value);
  // Not an ordered collection (the command says WRONGTYPE), or every
  // replica said the same.
  if (same || whole == nullptr || (whole->kind() != Kind::kList && whole->kind() != Kind::kZSet)) {
    read->done(Status::Ok(), merged);
    return;
  }
  // Each answer's elements (sorted keys), and the nearest bound.
  std::vector<std::vector<std::string>> answers;
  std::string bound;  // empty: none
  for (const ReplicaValue& v : each) {
    std::vector<std::string>& keys = answers.emplace_back();
    std::unique_ptr<ReplicatedCollection> part;
    if (v.collection) part = ReplicatedCollection::Decode(v.value);
    if (part == nullptr || part->kind() != whole->kind()) continue;
    for (Ordered& o : InOrder(*part)) keys.push_back(std::move(o.key));
    if (keys.size() < read->count) continue;  // it sent all it has
    const std::string& last = read->tail ? keys.front() : keys.back();
    if (bound.empty() || Within(last, bound, read->tail)) bound = last;
  }
  // Elements within the bound that not every replica sent.
  std::vector<std::string> disputed = {"MEMBERS"};
  for (const Ordered& o : InOrder(*whole)) {
    if (!bound.empty() && !Within(o.key, bound, read->tail)) continue;
    const bool everywhere =
        std::all_of(answers.begin(), answers.end(), [&](const std::vector<std::string>& keys) {
          return std::binary_search(keys.begin(), keys.end(), o.key);
        });
    if (!everywhere) disputed.emplace_back(o.member);
  }
  auto finish = [this, read, bound, merged = ToOwned(merged),
                 whole = std::shared_ptr<ReplicatedCollection>(std::move(whole))](
                    const Status& s, const ReplicaValueView& records) {
    if (!s.ok()) {
      read->done(s, ReplicaValueView());
      return;
    }
    if (records.collection) {
      if (auto settled = ReplicatedCollection::Decode(records.value);
          settled != nullptr && settled->kind() == whole->kind()) {
        bool changed = false;
        whole->Merge(*settled, &changed);
      }
    }
    DeliverEnd(read, bound, merged, *whole);
  };
  if (disputed.size() == 1) {
    finish(Status::Ok(), ReplicaValueView());
    return;
  }
  node_.coordinator().GetPart(read->key, std::move(disputed), read->quorum, std::move(finish));
}

void ClusterRouter::DeliverEnd(const std::shared_ptr<EndRead>& read, const std::string& bound,
                               const ReplicaValue& merged, const ReplicatedCollection& whole) {
  std::vector<std::string_view> window;
  for (const Ordered& o : InOrder(whole)) {
    if (bound.empty() || Within(o.key, bound, read->tail)) window.push_back(o.member);
  }
  if (window.size() < read->count && !bound.empty()) {
    // Removes within the bound left too few: read further.
    read->count *= 2;
    ReadEnd(read);
    return;
  }
  if (window.size() > read->count) {
    const auto keep = static_cast<std::ptrdiff_t>(read->count);
    read->tail ? window.erase(window.begin(), window.end() - keep)
               : window.erase(window.begin() + keep, window.end());
  }
  std::string encoded;
  whole.Project(window).Encode(&encoded);
  ReplicaValue state = merged;
  state.value = std::move(encoded);
  state.empty = window.empty();
  read->done(Status::Ok(), state.view());
}

}  // namespace ringcache::cluster
