// Sorted-set commands (ZADD, ZRANGE in all its forms, ZPOPMIN, ZUNIONSTORE,
// ...) over types/zset_value.h, with Redis 7's replies and errors. A cluster
// runs them over replicated collections (a sorted set replicates as a hash
// of scores: types/replicated_collection.h), all but the blocking pops.
#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>
#include <vector>

#include "commands/blocked_clients.h"
#include "commands/collection_helpers.h"
#include "commands/command_context.h"
#include "commands/command_helpers.h"
#include "commands/command_table.h"
#include "common/glob.h"
#include "common/number_parsing.h"
#include "common/string_hash.h"
#include "types/set_value.h"
#include "types/zset_value.h"

namespace ringcache {
namespace {

constexpr std::string_view kNotAFloat = "ERR value is not a valid float";

bool FindZSet(CommandContext& ctx, std::string_view key, ZSetValue** out) {
  return FindOrReply<ZSetValue, ValueType::kZSet>(ctx, key, out);
}

bool ScoreOrReply(CommandContext& ctx, std::string_view arg, double* out) {
  if (ParseDouble(arg, out)) return true;
  ctx.reply().Error(kNotAFloat);
  return false;
}

// A member and its score, in RESP3 as a [member, score] pair.
void ReplyScored(CommandContext& ctx, const ScoredMember& item, bool pair) {
  if (pair) ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(item.member);
  ctx.reply().Double(item.score);
}

// Members, with their scores when `with_scores`: flat in RESP2, pairs in RESP3.
void ReplyMembers(CommandContext& ctx, const std::vector<ScoredMember>& items, bool with_scores) {
  const bool pairs = with_scores && ctx.session().protocol >= 3;
  ctx.reply().ArrayHeader(with_scores && !pairs ? items.size() * 2 : items.size());
  for (const ScoredMember& item : items) {
    if (with_scores) {
      ReplyScored(ctx, item, pairs);
    } else {
      ctx.reply().Bulk(item.member);
    }
  }
}

// ---- ZADD, ZINCRBY

struct AddFlags {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
};

// Applies one ZADD pair; returns false after replying an error. *applied
// says whether the member got `score` (or, with INCR, its sum) as its score.
bool AddOne(CommandContext& ctx, ZSetValue* zset, const AddFlags& f, const CollectionLimits& limits,
            std::string_view member, double* score, int64_t* added, int64_t* updated,
            bool* applied) {
  *applied = false;
  const std::optional<double> current = zset->Score(member);
  if (current) {
    if (f.nx) return true;
    if (f.incr) {
      *score += *current;
      if (std::isnan(*score)) {
        ctx.reply().Error("ERR resulting score is not a number (NaN)");
        return false;
      }
    }
    if ((f.gt && *score <= *current) || (f.lt && *score >= *current)) return true;
    *applied = true;
    if (*score != *current) {
      zset->Set(member, *score, limits);
      ++*updated;
    }
    return true;
  }
  if (f.xx) return true;
  zset->Set(member, *score, limits);
  ++*added;
  *applied = true;
  return true;
}

void AddPairs(CommandContext& ctx, ArgList args, const AddFlags& flags, size_t first) {
  std::vector<double> scores;
  for (size_t i = first; i < args.size(); i += 2) {
    if (!ScoreOrReply(ctx, args[i], &scores.emplace_back())) return;
  }
  ZSetValue* zset = nullptr;
  if (!FindZSet(ctx, args[1], &zset)) return;
  if (zset == nullptr && flags.xx) {
    flags.incr ? ctx.reply().Null() : ctx.reply().Integer(0);
    return;
  }
  if (zset == nullptr) zset = FindOrCreateOrReply<ZSetValue, ValueType::kZSet>(ctx, args[1]);
  const CollectionLimits limits = LimitsOf(ctx);
  int64_t added = 0;
  int64_t updated = 0;
  bool applied = false;
  for (size_t i = first, k = 0; i < args.size(); i += 2, ++k) {
    if (!AddOne(ctx, zset, flags, limits, args[i + 1], &scores[k], &added, &updated, &applied)) {
      DeleteIfEmpty(ctx, args[1], *zset);
      return;
    }
  }
  DeleteIfEmpty(ctx, args[1], *zset);
  if (flags.incr) {
    applied ? ctx.reply().Double(scores[0]) : ctx.reply().Null();
  } else {
    ctx.reply().Integer(added + (flags.ch ? updated : 0));
  }
}

void ZAddCommand(CommandContext& ctx, ArgList args) {
  AddFlags f;
  size_t i = 2;
  for (; i < args.size(); ++i) {
    bool* flag = Is(args[i], "nx")     ? &f.nx
                 : Is(args[i], "xx")   ? &f.xx
                 : Is(args[i], "gt")   ? &f.gt
                 : Is(args[i], "lt")   ? &f.lt
                 : Is(args[i], "ch")   ? &f.ch
                 : Is(args[i], "incr") ? &f.incr
                                       : nullptr;
    if (flag == nullptr) break;
    *flag = true;
  }
  const size_t rest = args.size() - i;
  if (rest == 0 || rest % 2 != 0) {
    ctx.reply().Error("ERR syntax error");
  } else if (f.nx && f.xx) {
    ctx.reply().Error("ERR XX and NX options at the same time are not compatible");
  } else if ((f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt)) {
    ctx.reply().Error("ERR GT, LT, and/or NX options at the same time are not compatible");
  } else if (f.incr && rest > 2) {
    ctx.reply().Error("ERR INCR option supports a single increment-element pair");
  } else {
    AddPairs(ctx, args, f, i);
  }
}

void ZIncrByCommand(CommandContext& ctx, ArgList args) {
  AddFlags f;
  f.incr = true;
  const std::string_view pair[] = {args[0], args[1], args[2], args[3]};
  AddPairs(ctx, pair, f, 2);
}

// ---- single-member reads and ZREM

void ZRemCommand(CommandContext& ctx, ArgList args) {
  ZSetValue* zset = nullptr;
  if (!FindZSet(ctx, args[1], &zset)) return;
  int64_t removed = 0;
  if (zset != nullptr) {
    for (size_t i = 2; i < args.size(); ++i) removed += zset->Remove(args[i]) ? 1 : 0;
    DeleteIfEmpty(ctx, args[1], *zset);
  }
  ctx.reply().Integer(removed);
}

void ZScoreCommand(CommandContext& ctx, ArgList args) {
  ZSetValue* zset = nullptr;
  if (!FindZSet(ctx, args[1], &zset)) return;
  const auto score = zset != nullptr ? zset->Score(args[2]) : std::nullopt;
  score ? ctx.reply().Double(*score) : ctx.reply().Null();
}

void ZMScoreCommand(CommandContext& ctx, ArgList args) {
  ZSetValue* zset = nullptr;
  if (!FindZSet(ctx, args[1], &zset)) return;
  ctx.reply().ArrayHeader(args.size() - 2);
  for (size_t i = 2; i < args.size(); ++i) {
    const auto score = zset != nullptr ? zset->Score(args[i]) : std::nullopt;
    score ? ctx.reply().Double(*score) : ctx.reply().Null();
  }
}

void ZCardCommand(CommandContext& ctx, ArgList args) {
  ZSetValue* zset = nullptr;
  if (!FindZSet(ctx, args[1], &zset)) return;
  ctx.reply().Integer(zset != nullptr ? static_cast<int64_t>(zset->size()) : 0);
}

template <bool kReverse>
void ZRankCommand(CommandContext& ctx, ArgList args) {
  ZSetValue* zset = nullptr;
  if (!FindZSet(ctx, args[1], &zset)) return;
  const auto rank = zset != nullptr ? zset->Rank(args[2]) : std::nullopt;
  if (!rank) {
    ctx.reply().Null();
    return;
  }
  ctx.reply().Integer(static_cast<int64_t>(kReverse ? zset->size() - 1 - *rank : *rank));
}

// ---- ranges

// A bound of a score range ("(1.5", "-inf") or of a lex range ("[a", "(a",
// "-", "+").
struct Bound {
  double score = 0;
  std::string_view member;
  bool exclusive = false;
  int infinite = 0;  // lex: -1 for "-", 1 for "+"
};

bool ParseScoreBound(std::string_view arg, Bound* bound) {
  if (!arg.empty() && arg[0] == '(') {
    bound->exclusive = true;
    arg.remove_prefix(1);
  }
  return ParseDouble(arg, &bound->score);
}

bool ParseLexBound(std::string_view arg, Bound* bound) {
  if (arg == "-" || arg == "+") {
    bound->infinite = arg == "-" ? -1 : 1;
    return true;
  }
  if (arg.empty() || (arg[0] != '(' && arg[0] != '[')) return false;
  bound->exclusive = arg[0] == '(';
  bound->member = arg.substr(1);
  return true;
}

enum class RangeBy : uint8_t { kRank, kScore, kLex };

struct RangeQuery {
  RangeBy by = RangeBy::kRank;
  bool reverse = false;
  int64_t start = 0, stop = 0;  // kRank
  Bound min, max;               // kScore, kLex (min <= max, whatever the argument order)
  bool has_limit = false;
  int64_t offset = 0, count = -1;
  bool with_scores = false;
};

// Whether `item` lies below a range's lower bound (`lower`) or within its
// upper bound (!lower): the predicates ZSetValue::Partition takes.
bool BelowMin(const RangeQuery& q, const ScoredMember& item) {
  if (q.by == RangeBy::kScore) {
    return q.min.exclusive ? item.score <= q.min.score : item.score < q.min.score;
  }
  if (q.min.infinite != 0) return q.min.infinite > 0;
  return q.min.exclusive ? item.member <= q.min.member : item.member < q.min.member;
}
bool UpToMax(const RangeQuery& q, const ScoredMember& item) {
  if (q.by == RangeBy::kScore) {
    return q.max.exclusive ? item.score < q.max.score : item.score <= q.max.score;
  }
  if (q.max.infinite != 0) return q.max.infinite > 0;
  return q.max.exclusive ? item.member < q.max.member : item.member <= q.max.member;
}

// The members a range query selects, in reply order.
std::vector<ScoredMember> Select(const ZSetValue& zset, const RangeQuery& q) {
  std::vector<ScoredMember> out;
  const auto size = static_cast<int64_t>(zset.size());
  size_t lo = 0;
  size_t hi = 0;  // ranks [lo, hi), ascending
  if (q.by == RangeBy::kRank) {
    int64_t start = q.start < 0 ? q.start + size : q.start;
    int64_t stop = q.stop < 0 ? q.stop + size : q.stop;
    start = std::max<int64_t>(start, 0);
    if (start > stop || start >= size) return out;
    stop = std::min(stop, size - 1);
    lo = static_cast<size_t>(q.reverse ? size - 1 - stop : start);
    hi = static_cast<size_t>(q.reverse ? size - start : stop + 1);
  } else {
    lo = zset.Partition([&](const ScoredMember& m) { return BelowMin(q, m); });
    hi = zset.Partition([&](const ScoredMember& m) { return UpToMax(q, m); });
    if (hi <= lo) return out;
  }
  if (q.has_limit && q.offset < 0) return out;
  const size_t offset = q.has_limit ? static_cast<size_t>(q.offset) : 0;
  if (offset >= hi - lo) return out;
  size_t wanted = hi - lo - offset;
  if (q.has_limit && q.count >= 0) wanted = std::min(wanted, static_cast<size_t>(q.count));
  out.reserve(wanted);
  const size_t from = q.reverse ? hi - 1 - offset : lo + offset;
  zset.Walk(from, q.reverse, [&](const ScoredMember& item) {
    out.push_back(item);
    return out.size() < wanted;
  });
  return out;
}

// The start and stop (or min and max) of a range query at args[at] and
// args[at + 1]; false after replying the error.
bool ParseRangeEndsOrReply(CommandContext& ctx, ArgList args, size_t at, RangeQuery* q) {
  if (q->by == RangeBy::kRank) {
    return ParseInt64OrReply(ctx, args[at], &q->start) &&
           ParseInt64OrReply(ctx, args[at + 1], &q->stop);
  }
  // Reversed queries name the upper bound first.
  std::string_view min = args[at];
  std::string_view max = args[at + 1];
  if (q->reverse) std::swap(min, max);
  if (q->by == RangeBy::kScore) {
    if (ParseScoreBound(min, &q->min) && ParseScoreBound(max, &q->max)) return true;
    ctx.reply().Error("ERR min or max is not a float");
    return false;
  }
  if (ParseLexBound(min, &q->min) && ParseLexBound(max, &q->max)) return true;
  ctx.reply().Error("ERR min or max not valid string range item");
  return false;
}

// Options after a range's ends, from args[at]; `modern`: ZRANGE's own
// (BYSCORE, BYLEX, REV) are allowed. False after replying the error.
bool ParseRangeOptionsOrReply(CommandContext& ctx, ArgList args, size_t at, bool modern,
                              bool allow_scores, RangeQuery* q) {
  for (size_t i = at; i < args.size(); ++i) {
    if (allow_scores && Is(args[i], "withscores")) {
      q->with_scores = true;
    } else if (Is(args[i], "limit") && i + 2 < args.size()) {
      if (!ParseInt64OrReply(ctx, args[i + 1], &q->offset) ||
          !ParseInt64OrReply(ctx, args[i + 2], &q->count)) {
        return false;
      }
      q->has_limit = true;
      i += 2;
    } else if (modern && Is(args[i], "byscore")) {
      q->by = RangeBy::kScore;
    } else if (modern && Is(args[i], "bylex")) {
      q->by = RangeBy::kLex;
    } else if (modern && Is(args[i], "rev")) {
      q->reverse = true;
    } else {
      ctx.reply().Error("ERR syntax error");
      return false;
    }
  }
  if (q->has_limit && q->by == RangeBy::kRank) {
    ctx.reply().Error(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    return false;
  }
  if (q->with_scores && q->by == RangeBy::kLex) {
    ctx.reply().Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    return false;
  }
  return true;
}

void ReplyRange(CommandContext& ctx, std::string_view key, const RangeQuery& q) {
  ZSetValue* zset = nullptr;
  if (!FindZSet(ctx, key, &zset)) return;
  if (zset == nullptr) {
    ctx.reply().ArrayHeader(0);
    return;
  }
  ReplyMembers(ctx, Select(*zset, q), q.with_scores);
}

void ZRangeCommand(CommandContext& ctx, ArgList args) {
  RangeQuery q;
  if (!ParseRangeOptionsOrReply(ctx, args, 4, true, true, &q)) return;
  if (!ParseRangeEndsOrReply(ctx, args, 2, &q)) return;
  ReplyRange(ctx, args[1], q);
}

// ZREVRANGE, ZRANGEBYSCORE, ZRANGEBYLEX and their reversed forms.
template <RangeBy kBy, bool kReverse>
void OldRangeCommand(CommandContext& ctx, ArgList args) {
  RangeQuery q;
  q.by = kBy;
  q.reverse = kReverse;
  if (kBy == RangeBy::kRank) {
    if (args.size() > 5 || (args.size() == 5 && !Is(args[4], "withscores"))) {
      ctx.reply().Error("ERR syntax error");
      return;
    }
    q.with_scores = args.size() == 5;
  } else if (!ParseRangeOptionsOrReply(ctx, args, 4, false, true, &q)) {
    return;
  }
  if (!ParseRangeEndsOrReply(ctx, args, 2, &q)) return;
  ReplyRange(ctx, args[1], q);
}

// Replaces `key` with the members of `items` (removes it when there are none).
void Store(CommandContext& ctx, std::string_view key, const std::vector<ScoredMember>& items) {
  auto stored = std::make_unique<ZSetValue>();
  const CollectionLimits limits = LimitsOf(ctx);
  for (const ScoredMember& item : items) stored->Set(item.member, item.score, limits);
  if (stored->size() == 0) {
    ctx.keyspace().Delete(key);
  } else {
    ctx.keyspace().SetObject(key, ValueType::kZSet, std::move(stored), 0);
  }
}

void ZRangeStoreCommand(CommandContext& ctx, ArgList args) {
  RangeQuery q;
  if (!ParseRangeOptionsOrReply(ctx, args, 5, true, false, &q)) return;
  if (!ParseRangeEndsOrReply(ctx, args, 3, &q)) return;
  ZSetValue* zset = nullptr;
  if (!FindZSet(ctx, args[2], &zset)) return;
  std::vector<std::string> members;  // copies: storing may replace the source
  std::vector<ScoredMember> items;
  if (zset != nullptr) {
    items = Select(*zset, q);
    members.reserve(items.size());
    for (ScoredMember& item : items) item.member = members.emplace_back(item.member);
  }
  Store(ctx, args[1], items);
  ctx.reply().Integer(static_cast<int64_t>(items.size()));
}

template <RangeBy kBy>
void ZCountCommand(CommandContext& ctx, ArgList args) {
  RangeQuery q;
  q.by = kBy;
  if (!ParseRangeEndsOrReply(ctx, args, 2, &q)) return;
  ZSetValue* zset = nullptr;
  if (!FindZSet(ctx, args[1], &zset)) return;
  size_t count = 0;
  if (zset != nullptr) {
    const size_t lo = zset->Partition([&](const ScoredMember& m) { return BelowMin(q, m); });
    const size_t hi = zset->Partition([&](const ScoredMember& m) { return UpToMax(q, m); });
    count = hi > lo ? hi - lo : 0;
  }
  ctx.reply().Integer(static_cast<int64_t>(count));
}

template <RangeBy kBy>
void ZRemRangeCommand(CommandContext& ctx, ArgList args) {
  RangeQuery q;
  q.by = kBy;
  if (!ParseRangeEndsOrReply(ctx, args, 2, &q)) return;
  ZSetValue* zset = nullptr;
  if (!FindZSet(ctx, args[1], &zset)) return;
  size_t removed = 0;
  if (zset != nullptr) {
    std::vector<std::string> members;
    for (const ScoredMember& item : Select(*zset, q)) members.emplace_back(item.member);
    for (const std::string& member : members) removed += zset->Remove(member) ? 1 : 0;
    DeleteIfEmpty(ctx, args[1], *zset);
  }
  ctx.reply().Integer(static_cast<int64_t>(removed));
}

// ---- pops, random members, scans

// Pops up to `count` lowest (or highest) members of `key`.
std::vector<std::pair<std::string, double>> PopFrom(CommandContext& ctx, std::string_view key,
                                                    ZSetValue* zset, bool max, size_t count) {
  std::vector<std::pair<std::string, double>> popped;
  popped.reserve(std::min(count, zset->size()));
  zset->Walk(max ? zset->size() - 1 : 0, max, [&](const ScoredMember& item) {
    popped.emplace_back(item.member, item.score);
    return popped.size() < count;
  });
  for (const auto& [member, score] : popped) zset->Remove(member);
  DeleteIfEmpty(ctx, key, *zset);
  return popped;
}

template <bool kMax>
void ZPopCommand(CommandContext& ctx, ArgList args) {
  if (args.size() > 3) {
    ctx.reply().Error("ERR syntax error");
    return;
  }
  int64_t count = 1;
  const bool has_count = args.size() == 3;
  if (has_count && !CountOrReply(ctx, args[2], &count)) return;
  ZSetValue* zset = nullptr;
  if (!FindZSet(ctx, args[1], &zset)) return;
  if (zset == nullptr || count == 0) {
    ctx.reply().ArrayHeader(0);
    return;
  }
  const auto popped = PopFrom(ctx, args[1], zset, kMax, static_cast<size_t>(count));
  // RESP3 pairs them up when a count was given.
  const bool pairs = has_count && ctx.session().protocol >= 3;
  ctx.reply().ArrayHeader(pairs ? popped.size() : popped.size() * 2);
  for (const auto& [member, score] : popped) ReplyScored(ctx, {score, member}, pairs);
}

ScoredMember AtRank(const ZSetValue& zset, size_t rank) {
  ScoredMember found;
  zset.Walk(rank, false, [&](const ScoredMember& item) {
    found = item;
    return false;
  });
  return found;
}

void ZRandMemberCommand(CommandContext& ctx, ArgList args) {
  const bool has_count = args.size() >= 3;
  const bool with_scores = args.size() == 4 && Is(args[3], "withscores");
  if (args.size() > 4 || (args.size() == 4 && !with_scores)) {
    ctx.reply().Error("ERR syntax error");
    return;
  }
  int64_t count = 1;
  if (has_count && !ParseInt64OrReply(ctx, args[2], &count)) return;
  if (has_count && (count < -(INT64_MAX / 2) || count > INT64_MAX / 2)) {
    ctx.reply().Error("ERR value is out of range");
    return;
  }
  ZSetValue* zset = nullptr;
  if (!FindZSet(ctx, args[1], &zset)) return;
  if (!has_count) {
    zset == nullptr ? ctx.reply().Null()
                    : ctx.reply().Bulk(AtRank(*zset, Keyspace::NextRandom() % zset->size()).member);
    return;
  }
  std::vector<ScoredMember> drawn;
  if (zset != nullptr && count < 0) {
    for (int64_t i = 0; i < -count; ++i) {
      drawn.push_back(AtRank(*zset, Keyspace::NextRandom() % zset->size()));
    }
  } else if (zset != nullptr) {
    drawn = DistinctRandom<ScoredMember>(
        zset->size(), std::min(zset->size(), static_cast<size_t>(count)),
        [&] { return AtRank(*zset, Keyspace::NextRandom() % zset->size()); },
        [&](const auto& push) {
          zset->Walk(0, false, [&](const ScoredMember& item) {
            push(item);
            return true;
          });
        },
        [](const ScoredMember& item) { return item.member; });
  }
  ReplyMembers(ctx, drawn, with_scores);
}

void ZScanCommand(CommandContext& ctx, ArgList args) {
  uint64_t cursor = 0;
  ScanOptions options;
  if (!ParseScanOrReply(ctx, args, 2, false, &cursor, &options)) return;
  ZSetValue* zset = nullptr;
  if (!FindZSet(ctx, args[1], &zset)) return;
  std::vector<std::string> found;
  if (zset != nullptr) {
    cursor = zset->Scan(cursor, static_cast<size_t>(options.count), [&](const ScoredMember& item) {
      if (!options.has_pattern || GlobMatch(options.pattern, item.member)) {
        found.emplace_back(item.member);
        found.push_back(FormatDouble(item.score));
      }
    });
  } else {
    cursor = 0;
  }
  ReplyScan(ctx, cursor, found);
}

bool ParseMultiPopOrReply(CommandContext& ctx, ArgList args, size_t at, CountedPop* pop) {
  return ParseCountedPopOrReply(ctx, args, at, "min", "max", pop);
}

// Pops from the first key of `pop` that holds a sorted set, replying
// [key, [[member, score] ...]]; false when none does (nothing replied).
bool PopFromFirst(CommandContext& ctx, const CountedPop& pop) {
  std::string_view key;
  ZSetValue* zset = nullptr;
  if (!FirstOfOrReply<ZSetValue, ValueType::kZSet>(ctx, pop.keys, &key, &zset)) return true;
  if (zset == nullptr) return false;
  const auto popped = PopFrom(ctx, key, zset, pop.second_word, static_cast<size_t>(pop.count));
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(key);
  ctx.reply().ArrayHeader(popped.size());
  for (const auto& [member, score] : popped) ReplyScored(ctx, {score, member}, true);
  return true;
}

void ZMPopCommand(CommandContext& ctx, ArgList args) {
  CountedPop pop;
  if (ParseMultiPopOrReply(ctx, args, 1, &pop) && !PopFromFirst(ctx, pop)) {
    ctx.reply().NullArray();
  }
}

// ---- blocking forms (commands/blocked_clients.h)

// BZPOPMIN, BZPOPMAX: key [key ...] timeout; replies [key, member, score].
template <bool kMax>
bool TryPopOne(CommandContext& ctx, ArgList args) {
  std::string_view key;
  ZSetValue* zset = nullptr;
  if (!FirstOfOrReply<ZSetValue, ValueType::kZSet>(ctx, args.subspan(1, args.size() - 2), &key,
                                                   &zset)) {
    return true;
  }
  if (zset == nullptr) return false;
  const auto popped = PopFrom(ctx, key, zset, kMax, 1);
  ctx.reply().ArrayHeader(3);
  ctx.reply().Bulk(key);
  ReplyScored(ctx, {popped[0].second, popped[0].first}, false);
  return true;
}

template <bool kMax>
void BlockingPopCommand(CommandContext& ctx, ArgList args) {
  BlockingPop(ctx, args, args.subspan(1, args.size() - 2), args.back(), TryPopOne<kMax>);
}

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
bool TryMultiPop(CommandContext& ctx, ArgList args) {
  CountedPop pop;
  return !ParseMultiPopOrReply(ctx, args, 2, &pop) || PopFromFirst(ctx, pop);
}

void BlockingMultiPopCommand(CommandContext& ctx, ArgList args) {
  CountedPop pop;
  if (!ParseMultiPopOrReply(ctx, args, 2, &pop)) return;
  BlockingPop(ctx, args, pop.keys, args[1], TryMultiPop);
}

// ---- ZUNION, ZINTER, ZDIFF and their STORE forms, ZINTERCARD

enum class Combine : uint8_t { kUnion, kInter, kDiff };
enum class Aggregate : uint8_t { kSum, kMin, kMax };

using Scores = std::unordered_map<std::string, double, StringHash, std::equal_to<>>;

// The members of a sorted set or a set (each scored 1) at `key`; false
// after replying WRONGTYPE. *found: whether the key holds either.
bool ScoresOf(CommandContext& ctx, std::string_view key, Scores* out, bool* found) {
  Entry* e = ctx.keyspace().Lookup(key);
  *found = e != nullptr;
  if (e == nullptr) return true;
  if (e->type == ValueType::kZSet) {
    static_cast<const ZSetValue*>(e->object())->Walk(0, false, [&](const ScoredMember& item) {
      out->emplace(item.member, item.score);
      return true;
    });
  } else if (e->type == ValueType::kSet) {
    static_cast<const SetValue*>(e->object())->ForEach([&](std::string_view m) {
      out->emplace(m, 1.0);
    });
  } else {
    ctx.reply().Error(Status::WrongType());
    return false;
  }
  return true;
}

double Aggregated(Aggregate how, double a, double b) {
  switch (how) {
    case Aggregate::kSum: {
      const double sum = a + b;
      return std::isnan(sum) ? 0.0 : sum;  // inf + -inf, as Redis has it
    }
    case Aggregate::kMin:
      return std::min(a, b);
    case Aggregate::kMax:
      return std::max(a, b);
  }
  return a;
}

struct CombineQuery {
  ArgList keys;
  std::vector<double> weights;
  Aggregate aggregate = Aggregate::kSum;
  bool with_scores = false;
};

// numkeys key [key ...] [WEIGHTS ...] [AGGREGATE ...] [WITHSCORES], from
// args[at]; false after replying the error.
bool ParseCombineOrReply(CommandContext& ctx, ArgList args, size_t at, Combine op, bool store,
                         CombineQuery* q) {
  int64_t numkeys = 0;
  if (!ParseInt64OrReply(ctx, args[at], &numkeys)) return false;
  if (numkeys <= 0) {
    ctx.reply().Error("ERR at least 1 input key is needed for '" + Lowercase(args[0]) +
                      "' command");
    return false;
  }
  if (static_cast<uint64_t>(numkeys) > args.size() - at - 1) {
    ctx.reply().Error("ERR syntax error");
    return false;
  }
  q->keys = args.subspan(at + 1, static_cast<size_t>(numkeys));
  q->weights.assign(q->keys.size(), 1.0);
  for (size_t i = at + 1 + q->keys.size(); i < args.size(); ++i) {
    if (op != Combine::kDiff && Is(args[i], "weights") && i + q->keys.size() < args.size()) {
      for (size_t k = 0; k < q->keys.size(); ++k) {
        if (!ParseDouble(args[++i], &q->weights[k])) {
          ctx.reply().Error("ERR weight value is not a float");
          return false;
        }
      }
    } else if (op != Combine::kDiff && Is(args[i], "aggregate") && i + 1 < args.size()) {
      const std::string_view how = args[++i];
      if (Is(how, "sum")) {
        q->aggregate = Aggregate::kSum;
      } else if (Is(how, "min")) {
        q->aggregate = Aggregate::kMin;
      } else if (Is(how, "max")) {
        q->aggregate = Aggregate::kMax;
      } else {
        ctx.reply().Error("ERR syntax error");
        return false;
      }
    } else if (!store && Is(args[i], "withscores")) {
      q->with_scores = true;
    } else {
      ctx.reply().Error("ERR syntax error");
      return false;
    }
  }
  return true;
}

// The combined members and scores, in order; false after replying an error.
bool CombineOrReply(CommandContext& ctx, Combine op, const CombineQuery& q, Scores* result) {
  for (size_t k = 0; k < q.keys.size(); ++k) {
    Scores input;
    bool found = false;
    if (!ScoresOf(ctx, q.keys[k], &input, &found)) return false;
    if (op == Combine::kDiff) {
      if (k == 0) {
        *result = std::move(input);
      } else {
        for (const auto& entry : input) result->erase(entry.first);
      }
      continue;
    }
    for (auto& [member, score] : input) {
      // inf * 0 is 0 here, as in Redis.
      score = score * q.weights[k];
      if (std::isnan(score)) score = 0;
    }
    if (op == Combine::kUnion || k == 0) {
      for (auto& [member, score] : input) {
        auto [it, added] = result->try_emplace(member, score);
        if (!added) it->second = Aggregated(q.aggregate, it->second, score);
      }
    } else {
      for (auto it = result->begin(); it != result->end();) {
        const auto theirs = input.find(it->first);
        if (theirs == input.end()) {
          it = result->erase(it);
        } else {
          it->second = Aggregated(q.aggregate, it->second, theirs->second);
          ++it;
        }
      }
    }
  }
  return true;
}

std::vector<ScoredMember> Ordered(const Scores& scores) {
  std::vector<ScoredMember> items;
  items.reserve(scores.size());
  for (const auto& [member, score] : scores) items.push_back({score, member});
  std::sort(items.begin(), items.end(), Before);
  return items;
}

template <Combine kOp>
void CombineCommand(CommandContext& ctx, ArgList args) {
  CombineQuery q;
  Scores result;
  if (!ParseCombineOrReply(ctx, args, 1, kOp, false, &q)) return;
  if (!CombineOrReply(ctx, kOp, q, &result)) return;
  ReplyMembers(ctx, Ordered(result), q.with_scores);
}

template <Combine kOp>
void CombineStoreCommand(CommandContext& ctx, ArgList args) {
  CombineQuery q;
  Scores result;
  if (!ParseCombineOrReply(ctx, args, 2, kOp, true, &q)) return;
  if (!CombineOrReply(ctx, kOp, q, &result)) return;
  Store(ctx, args[1], Ordered(result));
  ctx.reply().Integer(static_cast<int64_t>(result.size()));
}

void ZInterCardCommand(CommandContext& ctx, ArgList args) {
  int64_t numkeys = 0;
  if (!ParseInt64OrReply(ctx, args[1], &numkeys)) return;
  if (numkeys <= 0) {
    ctx.reply().Error("ERR at least 1 input key is needed for 'zintercard' command");
    return;
  }
  if (static_cast<uint64_t>(numkeys) > args.size() - 2) {
    ctx.reply().Error("ERR syntax error");
    return;
  }
  const size_t end = 2 + static_cast<size_t>(numkeys);
  int64_t limit = 0;
  if (end != args.size()) {
    if (end + 2 != args.size() || !Is(args[end], "limit")) {
      ctx.reply().Error("ERR syntax error");
      return;
    }
    if (!ParseInt64(args[end + 1], &limit) || limit < 0) {
      ctx.reply().Error("ERR LIMIT can't be negative");
      return;
    }
  }
  CombineQuery q;
  q.keys = args.subspan(2, static_cast<size_t>(numkeys));
  q.weights.assign(q.keys.size(), 1.0);
  Scores result;
  if (!CombineOrReply(ctx, Combine::kInter, q, &result)) return;
  const size_t count = result.size();
  ctx.reply().Integer(static_cast<int64_t>(limit > 0 ? std::min<size_t>(count, limit) : count));
}

// ZUNIONSTORE's and the like: the destination, then the counted keys.
void StoreKeys(ArgList args, std::vector<uint32_t>* indexes) {
  indexes->push_back(1);
  KeysAfterCount<2>(args, indexes);
}

const CommandSpec kZSetCommands[] = {
    {"zadd", -4, kWriteOom | kFast, 1, 1, 1, ZAddCommand, "sorted_set", "1.2.0",
     "Adds one or more members to a sorted set, or updates their scores. Creates the key if it "
     "doesn't exist.",
     kAddsElements},
    {"zincrby", 4, kWriteOom | kFast, 1, 1, 1, ZIncrByCommand, "sorted_set", "1.2.0",
     "Increments the score of a member in a sorted set."},
    {"zrem", -3, kWrite | kFast, 1, 1, 1, ZRemCommand, "sorted_set", "1.2.0",
     "Removes one or more members from a sorted set. Deletes the sorted set if all members were "
     "removed."},
    {"zscore", 3, kReadOnly | kFast, 1, 1, 1, ZScoreCommand, "sorted_set", "1.2.0",
     "Returns the score of a member in a sorted set."},
    {"zmscore", -3, kReadOnly | kFast, 1, 1, 1, ZMScoreCommand, "sorted_set", "6.2.0",
     "Returns the score of one or more members in a sorted set."},
    {"zcard", 2, kReadOnly | kFast, 1, 1, 1, ZCardCommand, "sorted_set", "1.2.0",
     "Returns the number of members in a sorted set."},
    {"zcount", 4, kReadOnly | kFast, 1, 1, 1, ZCountCommand<RangeBy::kScore>, "sorted_set", "2.0.0",
     "Returns the count of members in a sorted set that have scores within a range."},
    {"zlexcount", 4, kReadOnly | kFast, 1, 1, 1, ZCountCommand<RangeBy::kLex>, "sorted_set",
     "2.8.9", "Returns the number of members in a sorted set within a lexicographical range."},
    {"zrank", 3, kReadOnly | kFast, 1, 1, 1, ZRankCommand<false>, "sorted_set", "2.0.0",
     "Returns the index of a member in a sorted set ordered by ascending scores."},
    {"zrevrank", 3, kReadOnly | kFast, 1, 1, 1, ZRankCommand<true>, "sorted_set", "2.0.0",
     "Returns the index of a member in a sorted set ordered by descending scores."},
    {"zrange", -4, kReadOnly, 1, 1, 1, ZRangeCommand, "sorted_set", "1.2.0",
     "Returns members in a sorted set within a range of indexes."},
    {"zrangestore", -5, kWriteOom, 1, 2, 1, ZRangeStoreCommand, "sorted_set", "6.2.0",
     "Stores a range of members from sorted set in a key."},
    {"zrevrange", -4, kReadOnly, 1, 1, 1, OldRangeCommand<RangeBy::kRank, true>, "sorted_set",
     "1.2.0", "Returns members in a sorted set within a range of indexes in reverse order."},
    {"zrangebyscore", -4, kReadOnly, 1, 1, 1, OldRangeCommand<RangeBy::kScore, false>, "sorted_set",
     "1.0.5", "Returns members in a sorted set within a range of scores."},
    {"zrevrangebyscore", -4, kReadOnly, 1, 1, 1, OldRangeCommand<RangeBy::kScore, true>,
     "sorted_set", "2.2.0",
     "Returns members in a sorted set within a range of scores in reverse order."},
    {"zrangebylex", -4, kReadOnly, 1, 1, 1, OldRangeCommand<RangeBy::kLex, false>, "sorted_set",
     "2.8.9", "Returns members in a sorted set within a lexicographical range."},
    {"zrevrangebylex", -4, kReadOnly, 1, 1, 1, OldRangeCommand<RangeBy::kLex, true>, "sorted_set",
     "2.8.9", "Returns members in a sorted set within a lexicographical range in reverse order."},
    {"zremrangebyrank", 4, kWrite, 1, 1, 1, ZRemRangeCommand<RangeBy::kRank>, "sorted_set", "2.0.0",
     "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all "
     "members were removed."},
    {"zremrangebyscore", 4, kWrite, 1, 1, 1, ZRemRangeCommand<RangeBy::kScore>, "sorted_set",
     "1.2.0",
     "Removes members in a sorted set within a range of scores. Deletes the sorted set if all "
     "members were removed."},
    {"zremrangebylex", 4, kWrite, 1, 1, 1, ZRemRangeCommand<RangeBy::kLex>, "sorted_set", "2.8.9",
     "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if "
     "all members were removed."},
    {"zpopmin", -2, kWrite | kFast, 1, 1, 1, ZPopCommand<false>, "sorted_set", "5.0.0",
     "Returns the lowest-scoring members from a sorted set after removing them. Deletes the "
     "sorted set if the last member was popped."},
    {"zpopmax", -2, kWrite | kFast, 1, 1, 1, ZPopCommand<true>, "sorted_set", "5.0.0",
     "Returns the highest-scoring members from a sorted set after removing them. Deletes the "
     "sorted set if the last member was popped."},
    {"zrandmember", -2, kReadOnly, 1, 1, 1, ZRandMemberCommand, "sorted_set", "6.2.0",
     "Returns one or more random members from a sorted set."},
    {"zscan", -3, kReadOnly, 1, 1, 1, ZScanCommand, "sorted_set", "2.8.0",
     "Iterates over members and scores of a sorted set."},
    {"zmpop",
     -4,
     kWrite,
     0,
     0,
     0,
     ZMPopCommand,
     "sorted_set",
     "7.0.0",
     "Returns the highest- or lowest-scoring members from one or more sorted sets after removing "
     "them. Deletes the sorted set if the last member was popped.",
     ClusterRoute::kDefault,
     {},
     KeysAfterCount<1>},
    {"zunion",
     -3,
     kReadOnly,
     0,
     0,
     0,
     CombineCommand<Combine::kUnion>,
     "sorted_set",
     "6.2.0",
     "Returns the union of multiple sorted sets.",
     ClusterRoute::kDefault,
     {},
     KeysAfterCount<1>},
    {"zinter",
     -3,
     kReadOnly,
     0,
     0,
     0,
     CombineCommand<Combine::kInter>,
     "sorted_set",
     "6.2.0",
     "Returns the intersect of multiple sorted sets.",
     ClusterRoute::kDefault,
     {},
     KeysAfterCount<1>},
    {"zdiff",
     -3,
     kReadOnly,
     0,
     0,
     0,
     CombineCommand<Combine::kDiff>,
     "sorted_set",
     "6.2.0",
     "Returns the difference between multiple sorted sets.",
     ClusterRoute::kDefault,
     {},
     KeysAfterCount<1>},
    {"zunionstore",
     -4,
     kWriteOom,
     0,
     0,
     0,
     CombineStoreCommand<Combine::kUnion>,
     "sorted_set",
     "2.0.0",
     "Stores the union of multiple sorted sets in a key.",
     ClusterRoute::kDefault,
     {},
     StoreKeys},
    {"zinterstore",
     -4,
     kWriteOom,
     0,
     0,
     0,
     CombineStoreCommand<Combine::kInter>,
     "sorted_set",
     "2.0.0",
     "Stores the intersect of multiple sorted sets in a key.",
     ClusterRoute::kDefault,
     {},
     StoreKeys},
    {"zdiffstore",
     -4,
     kWriteOom,
     0,
     0,
     0,
     CombineStoreCommand<Combine::kDiff>,
     "sorted_set",
     "6.2.0",
     "Stores the difference of multiple sorted sets in a key.",
     ClusterRoute::kDefault,
     {},
     StoreKeys},
    {"zintercard",
     -3,
     kReadOnly,
     0,
     0,
     0,
     ZInterCardCommand,
     "sorted_set",
     "7.0.0",
     "Returns the number of members of the intersect of multiple sorted sets.",
     ClusterRoute::kDefault,
     {},
     KeysAfterCount<1>},
    {"bzpopmin", -3, kWrite | kFast | kBlocking, 1, -2, 1, BlockingPopCommand<false>, "sorted_set",
     "5.0.0",
     "Removes and returns the member with the lowest score from one or more sorted sets. Blocks "
     "until a member is available otherwise. Deletes the sorted set if the last element was "
     "popped."},
    {"bzpopmax", -3, kWrite | kFast | kBlocking, 1, -2, 1, BlockingPopCommand<true>, "sorted_set",
     "5.0.0",
     "Removes and returns the member with the highest score from one or more sorted sets. Blocks "
     "until a member available otherwise. Deletes the sorted set if the last element was "
     "popped."},
    {"bzmpop",
     -5,
     kWrite | kBlocking,
     0,
     0,
     0,
     BlockingMultiPopCommand,
     "sorted_set",
     "7.0.0",
     "Removes and returns a member by score from one or more sorted sets. Blocks until a member "
     "is available otherwise. Deletes the sorted set if the last element was popped.",
     ClusterRoute::kDefault,
     {},
     KeysAfterCount<2>},
};

}  // namespace

void RegisterZSetCommands(CommandTable& table) {
  for (const CommandSpec& spec : kZSetCommands) table.Register(spec);
}

}  // namespace ringcache
