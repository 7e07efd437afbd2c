// Replicated hashes and sets: merges are commutative, associative and
// idempotent; random operations by several writers, delivered to replicas in
// random orders with duplicates, converge to what a single node computes
// when each remove observed what came before it; a remove leaves an add it
// did not observe; whole-value writes clear older adds, and only those.
#include "types/replicated_collection.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/keyspace.h"
#include "core/replica_value.h"
#include "types/collection_delta.h"
#include "types/hash_value.h"
#include "types/replica_merge.h"
#include "types/set_value.h"
#include "types/zset_value.h"

using namespace ringcache;
using Kind = ReplicatedCollection::Kind;

namespace {

std::string Encoded(const ReplicatedCollection& c) {
  std::string out;
  c.Encode(&out);
  return out;
}

ReplicatedCollection Merged(const ReplicatedCollection& a, const ReplicatedCollection& b) {
  ReplicatedCollection out = a;
  bool changed = false;
  out.Merge(b, &changed);
  return out;
}

// What commands see: member -> value ("" for sets).
std::map<std::string, std::string> Seen(const ReplicatedCollection& c) {
  std::map<std::string, std::string> seen;
  const std::unique_ptr<ValueObject> plain = c.Render(CollectionLimits());
  for (const auto& [member, value] : ElementsOf(*plain, TypeOf(c.kind()))) seen[member] = value;
  return seen;
}

// A stream of operations by three writers, each a delta as a coordinator
// sends it; removes and increments observe `observed`, the join of every
// delta before them (what a quorum read sees of acknowledged writes).
struct Workload {
  Kind kind;
  std::vector<ReplicatedCollection> deltas;
  std::vector<Version> stamps;                   // each delta's, as its write carries it
  std::map<std::string, std::string> reference;  // a single node's result
};

Workload RandomWorkload(Kind kind, std::mt19937& rnd, int steps) {
  Workload w{kind, {}, {}, {}};
  ReplicatedCollection observed(kind);
  std::map<std::string, CounterShard> shards;  // per writer and field
  uint64_t clock = 1000;
  for (int step = 0; step < steps; ++step) {
    const auto writer = static_cast<uint16_t>(1 + rnd() % 3);
    const Version stamp{clock += 1 + rnd() % 3, writer};
    const std::string member = "m" + std::to_string(rnd() % 6);
    ReplicatedCollection delta(kind);
    const unsigned op = rnd() % (kind == Kind::kHash ? 3 : 2);
    if (op == 0) {  // SADD / HSET
      const std::string value = kind == Kind::kHash ? std::to_string(step) : "";
      AddElement(&delta, member, value, stamp);
      w.reference[member] = value;
    } else if (op == 1) {  // SREM / HDEL
      ElementMap before;
      for (const auto& [m, v] : Seen(observed)) before.emplace(m, v);
      ElementMap after = before;
      after.erase(member);
      delta = DiffDelta(kind, &observed, before, after, stamp);
      w.reference.erase(member);
    } else {  // HINCRBY member 1..5
      const ReplicatedElement* e = observed.Find(member);
      const Version base = e != nullptr ? e->Base(observed.cleared()) : observed.cleared();
      const int64_t by = 1 + static_cast<int64_t>(rnd() % 5);
      const std::string shard_key = std::to_string(writer) + member + base.ToString();
      CounterShard& shard = shards[shard_key];
      if (shard.id == 0) shard.id = rnd() | 1;
      CounterState::Add(&shard, {false, by, 0});
      AddCount(&delta, member, e != nullptr && e->live(), base, shard, stamp);
      const auto it = w.reference.find(member);
      const int64_t old = it == w.reference.end() ? 0 : std::stoll(it->second);
      w.reference[member] = std::to_string(old + by);
    }
    bool changed = false;
    observed.Merge(delta, &changed);
    w.deltas.push_back(std::move(delta));
    w.stamps.push_back(stamp);
  }
  return w;
}

}  // namespace

TEST_CASE("replicated collections encode and decode canonically", "[replicated]") {
  ReplicatedCollection hash(Kind::kHash);
  AddElement(&hash, "b", "2", Version{10, 1});
  AddElement(&hash, "a", "1", Version{11, 2});
  AddCount(&hash, "c", false, Version{}, CounterShard{7, 5, 0, false, 0, 0}, Version{12, 1});
  const std::string bytes = Encoded(hash);
  const std::unique_ptr<ReplicatedCollection> decoded = ReplicatedCollection::Decode(bytes);
  REQUIRE(decoded != nullptr);
  REQUIRE(Encoded(*decoded) == bytes);
  REQUIRE(decoded->size() == 3);
  REQUIRE(Seen(*decoded) == std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}, {"c", "5"}});
  REQUIRE(ReplicatedCollection::Decode("x") == nullptr);
  REQUIRE(ReplicatedCollection::Decode(bytes.substr(0, bytes.size() - 1)) == nullptr);
  REQUIRE(ReplicatedCollection::Decode(bytes + "z") == nullptr);
  bool changed = false;
  ReplicatedCollection into(Kind::kHash);
  REQUIRE_FALSE(into.MergeEncoded(bytes + "z", Version(), &changed).has_value());
  REQUIRE_FALSE(ReplicatedCollection(Kind::kSet).MergeEncoded(bytes, Version(), &changed));
}

TEST_CASE("adds encode straight from a command's arguments as built deltas do", "[replicated]") {
  const auto built = [](Kind kind, const std::vector<std::string_view>& args, Version stamp) {
    ReplicatedCollection delta(kind);
    const size_t step = kind == Kind::kHash ? 2 : 1;
    for (size_t i = 0; i < args.size(); i += step) {
      AddElement(&delta, args[i], step == 2 ? args[i + 1] : "", stamp);
    }
    return Encoded(delta);
  };
  const auto direct = [](Kind kind, const std::vector<std::string_view>& args, Version stamp) {
    std::string out;
    ReplicatedCollection::EncodeAdds(kind, args, stamp, &out);
    return out;
  };
  for (const auto& args : std::vector<std::vector<std::string_view>>{
           {"m"}, {"y", "x", "y", "z", "x"}, {"b", "2", "a", "1", "b", "3"}}) {
    const Kind kind = args.size() == 6 ? Kind::kHash : Kind::kSet;
    REQUIRE(direct(kind, args, Version{10, 7}) == built(kind, args, Version{10, 7}));
  }
  REQUIRE(direct(Kind::kHash, {"f", "v"}, Version{3, 1}) ==
          built(Kind::kHash, {"f", "v"}, Version{3, 1}));
}

TEST_CASE("collection merges are commutative, associative and idempotent",
          "[replicated][property]") {
  std::mt19937 rnd(777);
  for (const Kind kind : {Kind::kSet, Kind::kHash}) {
    for (int trial = 0; trial < 100; ++trial) {
      const Workload w = RandomWorkload(kind, rnd, 30);
      // Three states, each the join of a random subset of the deltas.
      std::vector<ReplicatedCollection> states(3, ReplicatedCollection(kind));
      for (const ReplicatedCollection& d : w.deltas) {
        ReplicatedCollection& into = states[rnd() % 3];
        into = Merged(into, d);
      }
      const auto& [a, b, c] = std::tie(states[0], states[1], states[2]);
      REQUIRE(Encoded(Merged(a, b)) == Encoded(Merged(b, a)));
      REQUIRE(Encoded(Merged(Merged(a, b), c)) == Encoded(Merged(a, Merged(b, c))));
      REQUIRE(Encoded(Merged(a, a)) == Encoded(a));
      REQUIRE(Encoded(Merged(Merged(a, b), b)) == Encoded(Merged(a, b)));
      // Merging the encoded state as it decodes is the same merge.
      ReplicatedCollection streamed = a;
      const uint64_t hash_before = streamed.ContentHash();  // kept until it changes
      bool changed = false;
      REQUIRE(streamed.MergeEncoded(Encoded(b), Version(), &changed).has_value());
      REQUIRE(Encoded(streamed) == Encoded(Merged(a, b)));
      REQUIRE(streamed.size() == Merged(a, b).size());
      // Content hashes: equal states hash alike however they were built.
      REQUIRE(streamed.ContentHash() == Merged(b, a).ContentHash());
      REQUIRE(streamed.ContentHash() ==
              ReplicatedCollection::Decode(Encoded(streamed))->ContentHash());
      REQUIRE((hash_before == streamed.ContentHash()) == (Encoded(a) == Encoded(streamed)));
    }
  }
}

TEST_CASE("replicas converge to a single node's result whatever the delivery",
          "[replicated][property]") {
  std::mt19937 rnd(4242);
  for (const Kind kind : {Kind::kSet, Kind::kHash}) {
    for (int trial = 0; trial < 100; ++trial) {
      const Workload w = RandomWorkload(kind, rnd, 40);
      std::vector<std::string> finals;
      for (int replica = 0; replica < 3; ++replica) {
        // Every delta, some twice, in a random order, through the keyspace
        // path a replica takes.
        std::vector<size_t> order;
        for (size_t d = 0; d < w.deltas.size(); ++d) {
          order.push_back(d);
          if (rnd() % 4 == 0) order.push_back(d);
        }
        std::shuffle(order.begin(), order.end(), rnd);
        Keyspace ks;
        for (const size_t d : order) {
          ReplicaValue state;
          state.found = state.collection = state.delta = true;
          state.version = w.stamps[d];
          state.expire_at_ms = 1;  // grace end, should it empty the key
          w.deltas[d].Encode(&state.value);
          REQUIRE_FALSE(ApplyReplicaState(ks, "k", state.view()).refused);
        }
        std::string encoded;
        const ReplicaValueView held = ViewOfEntry(ks.FindIncludingTombstone("k"), &encoded);
        REQUIRE(held.collection);
        finals.emplace_back(held.value);
        const std::unique_ptr<ReplicatedCollection> c = ReplicatedCollection::Decode(held.value);
        REQUIRE(Seen(*c) == w.reference);
        REQUIRE(held.empty == w.reference.empty());
        REQUIRE((ks.Find("k") == nullptr) == w.reference.empty());
      }
      REQUIRE(finals[0] == finals[1]);
      REQUIRE(finals[1] == finals[2]);
    }
  }
}

TEST_CASE("a remove leaves the adds it did not observe (add wins)", "[replicated]") {
  ReplicatedCollection observed(Kind::kSet);
  ReplicatedCollection first(Kind::kSet);
  AddElement(&first, "m", "", Version{10, 1});
  bool changed = false;
  observed.Merge(first, &changed);
  // Writer 2 adds m again, concurrently with a remove that saw only writer 1's add.
  ReplicatedCollection concurrent(Kind::kSet);
  AddElement(&concurrent, "m", "", Version{11, 2});
  const ReplicatedCollection remove =
      DiffDelta(Kind::kSet, &observed, {{"m", ""}}, {}, Version{12, 3});
  REQUIRE(Seen(Merged(Merged(first, remove), concurrent)).count("m") == 1);
  REQUIRE(Seen(Merged(Merged(first, concurrent), remove)).count("m") == 1);
  // A later add by the writer whose add was removed also survives it.
  ReplicatedCollection again(Kind::kSet);
  AddElement(&again, "m", "", Version{13, 1});
  REQUIRE(Seen(Merged(Merged(first, again), remove)).count("m") == 1);
  REQUIRE(Seen(Merged(first, remove)).empty());
}

TEST_CASE("a whole-value write clears the adds stamped before it", "[replicated]") {
  Keyspace ks;
  const auto apply = [&](const ReplicaValue& s) { return ApplyReplicaState(ks, "k", s.view()); };
  const auto delta = [](std::string_view member, Version stamp) {
    ReplicatedCollection d(Kind::kSet);
    AddElement(&d, member, "", stamp);
    ReplicaValue s;
    s.found = s.collection = s.delta = true;
    s.version = stamp;
    d.Encode(&s.value);
    return s;
  };
  const auto members = [&] {
    std::string encoded;
    const ReplicaValueView v = ViewOfEntry(ks.FindIncludingTombstone("k"), &encoded);
    return v.collection ? Seen(*ReplicatedCollection::Decode(v.value))
                        : std::map<std::string, std::string>();
  };
  REQUIRE(apply(delta("old", Version{10, 1})).added == 1);
  REQUIRE(apply(delta("new", Version{30, 2})).added == 1);
  REQUIRE(apply(delta("new", Version{31, 2})).added == 0);  // already there
  ReplicaValue del;
  del.found = del.tombstone = true;
  del.version = Version{20, 3};
  del.expire_at_ms = 99999;
  const ReplicaApplied deleted = apply(del);
  REQUIRE(deleted.changed);
  REQUIRE(members() == std::map<std::string, std::string>{{"new", ""}});
  // A string stamped later replaces the collection; then an SADD is refused.
  ReplicaValue set;
  set.found = true;
  set.value = "text";
  set.version = Version{40, 1};
  REQUIRE(apply(set).changed);
  REQUIRE(ks.Find("k")->type == ValueType::kString);
  REQUIRE(apply(delta("x", Version{50, 1})).refused);
  REQUIRE(ks.Find("k")->value() == "text");
  // Older adds arriving late change nothing.
  REQUIRE_FALSE(apply(delta("late", Version{15, 2})).changed);
  // After a delete, adds stamped later make a new set.
  del.version = Version{60, 3};
  REQUIRE(apply(del).removed_live);
  REQUIRE(apply(delta("after", Version{70, 1})).added == 1);
  REQUIRE(members() == std::map<std::string, std::string>{{"after", ""}});
}

TEST_CASE("HINCRBY counts on the field's value and restarts after HSET or HDEL", "[replicated]") {
  ReplicatedCollection hash(Kind::kHash);
  AddElement(&hash, "f", "10", Version{10, 1});
  const Version base = hash.Find("f")->Base(hash.cleared());
  ReplicatedCollection one(Kind::kHash);
  AddCount(&one, "f", true, base, CounterShard{1, 5, 0, false, 0, 0}, Version{11, 1});
  ReplicatedCollection two(Kind::kHash);
  AddCount(&two, "f", true, base, CounterShard{2, 0, 3, false, 0, 0}, Version{12, 2});
  const ReplicatedCollection counted = Merged(Merged(hash, one), two);
  REQUIRE(Seen(counted).at("f") == "12");
  // A later HSET resets the count; increments on the old base drop out.
  ReplicatedCollection set(Kind::kHash);
  AddElement(&set, "f", "1", Version{13, 3});
  REQUIRE(Seen(Merged(counted, set)).at("f") == "1");
  REQUIRE(Seen(Merged(Merged(hash, set), one)).at("f") == "1");
  // HDEL, then HINCRBY on the absent field counts from 0.
  const ReplicatedCollection del =
      DiffDelta(Kind::kHash, &counted, {{"f", "12"}}, {}, Version{14, 1});
  const ReplicatedCollection gone = Merged(counted, del);
  REQUIRE(Seen(gone).empty());
  ReplicatedCollection again(Kind::kHash);
  AddCount(&again, "f", false, gone.Find("f")->Base(gone.cleared()),
           CounterShard{3, 2, 0, false, 0, 0}, Version{15, 2});
  REQUIRE(Seen(Merged(gone, again)).at("f") == "2");
}

TEST_CASE("a command's part of a collection: named members, or random live ones", "[replicated]") {
  ReplicatedCollection adds(Kind::kSet);
  for (int i = 0; i < 100; ++i) AddElement(&adds, "m" + std::to_string(i), "", Version{10, 1});
  ReplicatedCollection set(Kind::kSet);  // as a replica holds it: merged
  bool changed = false;
  set.Merge(adds, &changed);
  set.Merge(DiffDelta(Kind::kSet, &set, {{"m0", ""}}, {}, Version{20, 2}), &changed);
  const std::string_view named[] = {"m0", "m1", "absent", "m1"};
  const ReplicatedCollection part = set.Project(named);
  REQUIRE(part.records() == 2);  // m0 (removed: its removal travels) and m1
  REQUIRE(part.size() == 1);
  REQUIRE(Seen(part) == std::map<std::string, std::string>{{"m1", ""}});
  // Merged back, a part changes nothing: it holds nothing the whole lacks.
  REQUIRE(Encoded(Merged(set, part)) == Encoded(set));
  const ReplicatedCollection drawn = set.PickRandom(5, &Keyspace::NextRandom);
  REQUIRE(drawn.size() == 5);
  REQUIRE(drawn.records() == 5);
  for (const auto& [member, element] : drawn.elements()) REQUIRE(element.live());
  REQUIRE(set.PickRandom(60, &Keyspace::NextRandom).size() == 99);  // past half: all live
  REQUIRE(set.PickRandom(0, &Keyspace::NextRandom).size() == 0);
}

TEST_CASE("a delta from a collection's element log is the one comparing copies gives",
          "[replicated]") {
  std::mt19937 rnd(7);
  for (const Kind kind : {Kind::kSet, Kind::kHash, Kind::kZSet}) {
    const ValueType type = TypeOf(kind);
    for (int round = 0; round < 40; ++round) {
      // What a read found, as replicas merge it; 3..300 elements (listpack to table).
      ReplicatedCollection held(kind);
      const int size = 3 + static_cast<int>(rnd() % 298);
      for (int i = 0; i < size; ++i) {
        AddElement(&held, "m" + std::to_string(rnd() % 400), std::to_string(rnd() % 9),
                   Version{10, 1});
      }
      const CollectionLimits limits;
      std::unique_ptr<ValueObject> plain = held.Render(limits);
      const ElementMap before = ElementsOf(*plain, type);
      plain->StartElementLog();
      for (int op = 0; op < 1 + static_cast<int>(rnd() % 6); ++op) {
        const std::string member = "m" + std::to_string(rnd() % 400);
        const std::string value = std::to_string(rnd() % 9);
        const bool remove = rnd() % 2 == 0;
        if (kind == Kind::kSet) {
          auto& set = static_cast<SetValue&>(*plain);
          remove ? set.Remove(member) : set.Add(member, limits);
        } else if (kind == Kind::kHash) {
          auto& hash = static_cast<HashValue&>(*plain);
          remove ? hash.Erase(member) : hash.Set(member, value, limits);
        } else {
          auto& zset = static_cast<ZSetValue&>(*plain);
          remove ? zset.Remove(member) : zset.Set(member, std::stod(value), limits);
        }
      }
      std::vector<std::string_view> changed;
      plain->element_log()->ForEach([&](std::string_view m) { changed.push_back(m); });
      std::sort(changed.begin(), changed.end());
      changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
      const Version stamp{20, 2};
      const ReplicatedCollection compared =
          DiffDelta(kind, &held, before, ElementsOf(*plain, type), stamp);
      const ReplicatedCollection logged = LoggedDelta(kind, &held, *plain, type, changed, stamp);
      // The log may name an element set again to the value it had: a fresh add of it.
      REQUIRE(Seen(Merged(held, logged)) == Seen(Merged(held, compared)));
      for (const auto& [member, element] : compared.elements()) {
        REQUIRE(logged.Find(member) != nullptr);
      }
    }
  }
}
