// List commands (LPUSH, LRANGE, LPOS, LMOVE, LMPOP, BLPOP, ...) over
// types/list_value.h, with Redis 7's replies and errors. On a single node; a
// cluster refuses them until lists replicate as CRDTs (docs/data-types.md).
#include <algorithm>
#include <string>
#include <vector>

#include "commands/blocked_clients.h"
#include "commands/collection_helpers.h"
#include "commands/command_context.h"
#include "commands/command_helpers.h"
#include "commands/command_table.h"
#include "common/number_parsing.h"
#include "types/list_value.h"

namespace ringcache {
namespace {

using End = ListValue::End;

bool FindList(CommandContext& ctx, std::string_view key, ListValue** out) {
  return FindOrReply<ListValue, ValueType::kList>(ctx, key, out);
}

void Push(CommandContext& ctx, ArgList args, End end, bool only_existing) {
  ListValue* list = nullptr;
  if (only_existing) {
    if (!FindList(ctx, args[1], &list)) return;
    if (list == nullptr) {
      ctx.reply().Integer(0);
      return;
    }
  } else {
    list = FindOrCreateOrReply<ListValue, ValueType::kList>(ctx, args[1]);
    if (list == nullptr) return;
  }
  const CollectionLimits limits = LimitsOf(ctx);
  for (size_t i = 2; i < args.size(); ++i) list->Push(end, args[i], limits);
  ctx.reply().Integer(static_cast<int64_t>(list->size()));
}

void LPushCommand(CommandContext& ctx, ArgList args) { Push(ctx, args, End::kHead, false); }
void RPushCommand(CommandContext& ctx, ArgList args) { Push(ctx, args, End::kTail, false); }
void LPushXCommand(CommandContext& ctx, ArgList args) { Push(ctx, args, End::kHead, true); }
void RPushXCommand(CommandContext& ctx, ArgList args) { Push(ctx, args, End::kTail, true); }

// Pops up to `count` items of `key`'s list from `end` into `popped`,
// removing the key once empty.
void PopInto(CommandContext& ctx, std::string_view key, ListValue* list, End end, size_t count,
             std::vector<std::string>* popped) {
  popped->reserve(std::min(count, list->size()));
  std::string item;
  while (popped->size() < count && list->Pop(end, &item)) popped->push_back(std::move(item));
  DeleteIfEmpty(ctx, key, *list);
}

void ReplyItems(CommandContext& ctx, const std::vector<std::string>& items) {
  ctx.reply().ArrayHeader(items.size());
  for (const std::string& item : items) ctx.reply().Bulk(item);
}

void Pop(CommandContext& ctx, ArgList args, End end) {
  if (args.size() > 3) {
    ctx.reply().Error("ERR wrong number of arguments for '" +
                      std::string(end == End::kHead ? "lpop" : "rpop") + "' command");
    return;
  }
  const bool has_count = args.size() == 3;
  int64_t count = 1;
  if (has_count && !CountOrReply(ctx, args[2], &count)) return;
  ListValue* list = nullptr;
  if (!FindList(ctx, args[1], &list)) return;
  if (list == nullptr) {
    has_count ? ctx.reply().NullArray() : ctx.reply().Null();
    return;
  }
  std::vector<std::string> popped;
  PopInto(ctx, args[1], list, end, static_cast<size_t>(count), &popped);
  if (has_count) {
    ReplyItems(ctx, popped);
  } else {
    ctx.reply().Bulk(popped[0]);
  }
}

void LPopCommand(CommandContext& ctx, ArgList args) { Pop(ctx, args, End::kHead); }
void RPopCommand(CommandContext& ctx, ArgList args) { Pop(ctx, args, End::kTail); }

void LLenCommand(CommandContext& ctx, ArgList args) {
  ListValue* list = nullptr;
  if (!FindList(ctx, args[1], &list)) return;
  ctx.reply().Integer(list != nullptr ? static_cast<int64_t>(list->size()) : 0);
}

// LRANGE's and LTRIM's start and stop, with negative ones counted from the
// end, clamped to the list; false when the range holds nothing.
bool ClampRange(int64_t start, int64_t stop, size_t size, size_t* from, size_t* to) {
  const auto len = static_cast<int64_t>(size);
  if (start < 0) start = std::max<int64_t>(start + len, 0);
  if (stop < 0) stop += len;
  if (start > stop || start >= len) return false;
  *from = static_cast<size_t>(start);
  *to = static_cast<size_t>(std::min(stop, len - 1));
  return true;
}

void LRangeCommand(CommandContext& ctx, ArgList args) {
  int64_t start = 0;
  int64_t stop = 0;
  if (!ParseInt64OrReply(ctx, args[2], &start) || !ParseInt64OrReply(ctx, args[3], &stop)) return;
  ListValue* list = nullptr;
  if (!FindList(ctx, args[1], &list)) return;
  size_t from = 0;
  size_t to = 0;
  if (list == nullptr || !ClampRange(start, stop, list->size(), &from, &to)) {
    ctx.reply().ArrayHeader(0);
    return;
  }
  size_t left = to - from + 1;
  ctx.reply().ArrayHeader(left);
  list->Walk(from, false, [&](std::string_view item) {
    ctx.reply().Bulk(item);
    return --left > 0;
  });
}

// An index counted from the head, or from the tail when negative; false
// when outside the list.
bool ResolveIndex(int64_t index, size_t size, size_t* out) {
  const auto len = static_cast<int64_t>(size);
  if (index < 0) index += len;
  if (index < 0 || index >= len) return false;
  *out = static_cast<size_t>(index);
  return true;
}

void LIndexCommand(CommandContext& ctx, ArgList args) {
  int64_t index = 0;
  if (!ParseInt64OrReply(ctx, args[2], &index)) return;
  ListValue* list = nullptr;
  if (!FindList(ctx, args[1], &list)) return;
  size_t at = 0;
  if (list == nullptr || !ResolveIndex(index, list->size(), &at)) {
    ctx.reply().Null();
    return;
  }
  ctx.reply().Bulk(list->At(at));
}

void LSetCommand(CommandContext& ctx, ArgList args) {
  int64_t index = 0;
  if (!ParseInt64OrReply(ctx, args[2], &index)) return;
  ListValue* list = nullptr;
  if (!FindList(ctx, args[1], &list)) return;
  size_t at = 0;
  if (list == nullptr) {
    ctx.reply().Error("ERR no such key");
  } else if (!ResolveIndex(index, list->size(), &at)) {
    ctx.reply().Error("ERR index out of range");
  } else {
    list->Set(at, args[3]);
    ctx.reply().Ok();
  }
}

void LRemCommand(CommandContext& ctx, ArgList args) {
  int64_t count = 0;
  if (!ParseInt64OrReply(ctx, args[2], &count)) return;
  ListValue* list = nullptr;
  if (!FindList(ctx, args[1], &list)) return;
  size_t removed = 0;
  if (list != nullptr) {
    removed = list->RemoveEqual(args[3], count);
    DeleteIfEmpty(ctx, args[1], *list);
  }
  ctx.reply().Integer(static_cast<int64_t>(removed));
}

void LTrimCommand(CommandContext& ctx, ArgList args) {
  int64_t start = 0;
  int64_t stop = 0;
  if (!ParseInt64OrReply(ctx, args[2], &start) || !ParseInt64OrReply(ctx, args[3], &stop)) return;
  ListValue* list = nullptr;
  if (!FindList(ctx, args[1], &list)) return;
  if (list != nullptr) {
    size_t from = 0;
    size_t to = 0;
    if (ClampRange(start, stop, list->size(), &from, &to)) {
      list->Erase(to + 1, list->size());
      list->Erase(0, from);
    } else {
      list->Erase(0, list->size());
    }
    DeleteIfEmpty(ctx, args[1], *list);
  }
  ctx.reply().Ok();
}

void LInsertCommand(CommandContext& ctx, ArgList args) {
  const bool before = Is(args[2], "before");
  if (!before && !Is(args[2], "after")) {
    ctx.reply().Error("ERR syntax error");
    return;
  }
  ListValue* list = nullptr;
  if (!FindList(ctx, args[1], &list)) return;
  if (list == nullptr) {
    ctx.reply().Integer(0);
    return;
  }
  size_t index = 0;
  bool found = false;
  list->Walk(0, false, [&](std::string_view item) {
    found = item == args[3];
    if (!found) ++index;
    return !found;
  });
  if (!found) {
    ctx.reply().Integer(-1);
    return;
  }
  list->InsertAt(before ? index : index + 1, args[4], LimitsOf(ctx));
  ctx.reply().Integer(static_cast<int64_t>(list->size()));
}

struct PosOptions {
  int64_t rank = 1;
  int64_t count = -1;  // -1: one match, as a single reply
  int64_t maxlen = 0;
};

bool ParsePosOptionsOrReply(CommandContext& ctx, ArgList args, PosOptions* options) {
  for (size_t i = 3; i < args.size(); i += 2) {
    int64_t value = 0;
    if (i + 1 >= args.size()) {
      ctx.reply().Error("ERR syntax error");
      return false;
    }
    if (!ParseInt64OrReply(ctx, args[i + 1], &value)) return false;
    if (Is(args[i], "rank")) {
      if (value == 0 || value == INT64_MIN) {
        ctx.reply().Error(value == 0 ? "ERR RANK can't be zero: use 1 to start from the first "
                                       "match, 2 from the second ... or use negative to start "
                                       "from the end of the list"
                                     : "ERR value is out of range");
        return false;
      }
      options->rank = value;
    } else if (Is(args[i], "count") || Is(args[i], "maxlen")) {
      const bool count = Is(args[i], "count");
      if (value < 0) {
        ctx.reply().Error(count ? "ERR COUNT can't be negative" : "ERR MAXLEN can't be negative");
        return false;
      }
      (count ? options->count : options->maxlen) = value;
    } else {
      ctx.reply().Error("ERR syntax error");
      return false;
    }
  }
  return true;
}

void LPosCommand(CommandContext& ctx, ArgList args) {
  PosOptions options;
  if (!ParsePosOptionsOrReply(ctx, args, &options)) return;
  ListValue* list = nullptr;
  if (!FindList(ctx, args[1], &list)) return;
  const bool single = options.count < 0;
  std::vector<int64_t> matches;
  if (list != nullptr && list->size() > 0) {
    const bool reverse = options.rank < 0;
    const size_t size = list->size();
    int64_t skip = (reverse ? -options.rank : options.rank) - 1;
    const size_t wanted = single               ? 1
                          : options.count == 0 ? size
                                               : static_cast<size_t>(options.count);
    size_t seen = 0;
    list->Walk(reverse ? size - 1 : 0, reverse, [&](std::string_view item) {
      if (item == args[2] && skip-- <= 0) {
        matches.push_back(static_cast<int64_t>(reverse ? size - 1 - seen : seen));
      }
      ++seen;
      return matches.size() < wanted &&
             (options.maxlen == 0 || seen < static_cast<size_t>(options.maxlen));
    });
  }
  if (single) {
    matches.empty() ? ctx.reply().Null() : ctx.reply().Integer(matches[0]);
    return;
  }
  ctx.reply().ArrayHeader(matches.size());
  for (const int64_t m : matches) ctx.reply().Integer(m);
}

// LEFT or RIGHT (any case); false after replying the syntax error.
bool EndOrReply(CommandContext& ctx, std::string_view arg, End* end) {
  if (Is(arg, "left")) {
    *end = End::kHead;
  } else if (Is(arg, "right")) {
    *end = End::kTail;
  } else {
    ctx.reply().Error("ERR syntax error");
    return false;
  }
  return true;
}

// Moves one item from `from`'s list to `to`'s; replies with it.
void Move(CommandContext& ctx, std::string_view from, std::string_view to, End from_end,
          End to_end) {
  ListValue* source = nullptr;
  if (!FindList(ctx, from, &source)) return;
  if (source == nullptr) {
    ctx.reply().Null();
    return;
  }
  ListValue* target = nullptr;
  if (!FindList(ctx, to, &target)) return;
  std::string item;
  source->Pop(from_end, &item);
  if (from != to) {
    DeleteIfEmpty(ctx, from, *source);
    if (target == nullptr) target = FindOrCreateOrReply<ListValue, ValueType::kList>(ctx, to);
  } else {
    target = source;
  }
  target->Push(to_end, item, LimitsOf(ctx));
  ctx.reply().Bulk(item);
}

void LMoveCommand(CommandContext& ctx, ArgList args) {
  End from_end = End::kHead;
  End to_end = End::kHead;
  if (!EndOrReply(ctx, args[3], &from_end) || !EndOrReply(ctx, args[4], &to_end)) return;
  Move(ctx, args[1], args[2], from_end, to_end);
}

void RPopLPushCommand(CommandContext& ctx, ArgList args) {
  Move(ctx, args[1], args[2], End::kTail, End::kHead);
}

bool ParseMultiPopOrReply(CommandContext& ctx, ArgList args, size_t at, CountedPop* pop) {
  return ParseCountedPopOrReply(ctx, args, at, "left", "right", pop);
}

// Pops from the first key of `pop` that holds a list; false when none does
// (nothing replied).
bool PopFromFirst(CommandContext& ctx, const CountedPop& pop) {
  std::string_view key;
  ListValue* list = nullptr;
  if (!FirstOfOrReply<ListValue, ValueType::kList>(ctx, pop.keys, &key, &list)) return true;
  if (list == nullptr) return false;
  std::vector<std::string> popped;
  PopInto(ctx, key, list, pop.second_word ? End::kTail : End::kHead, static_cast<size_t>(pop.count),
          &popped);
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(key);
  ReplyItems(ctx, popped);
  return true;
}

void LMPopCommand(CommandContext& ctx, ArgList args) {
  CountedPop pop;
  if (ParseMultiPopOrReply(ctx, args, 1, &pop) && !PopFromFirst(ctx, pop)) {
    ctx.reply().NullArray();
  }
}

// ---- blocking forms (commands/blocked_clients.h)

// BLPOP, BRPOP: key [key ...] timeout; replies [key, element].
template <End kEnd>
bool TryPopOne(CommandContext& ctx, ArgList args) {
  std::string_view key;
  ListValue* list = nullptr;
  if (!FirstOfOrReply<ListValue, ValueType::kList>(ctx, args.subspan(1, args.size() - 2), &key,
                                                   &list)) {
    return true;
  }
  if (list == nullptr) return false;
  std::vector<std::string> popped;
  PopInto(ctx, key, list, kEnd, 1, &popped);
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(key);
  ctx.reply().Bulk(popped[0]);
  return true;
}

template <End kEnd>
void BlockingPopCommand(CommandContext& ctx, ArgList args) {
  BlockingPop(ctx, args, args.subspan(1, args.size() - 2), args.back(), TryPopOne<kEnd>);
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout, and BRPOPLPUSH
// source destination timeout (a BLMOVE RIGHT LEFT).
bool TryMove(CommandContext& ctx, ArgList args) {
  End from_end = End::kTail;
  End to_end = End::kHead;
  if (args.size() == 6 &&
      (!EndOrReply(ctx, args[3], &from_end) || !EndOrReply(ctx, args[4], &to_end))) {
    return true;
  }
  ListValue* source = nullptr;
  if (!FindList(ctx, args[1], &source)) return true;
  if (source == nullptr) return false;
  Move(ctx, args[1], args[2], from_end, to_end);
  return true;
}

void BlockingMoveCommand(CommandContext& ctx, ArgList args) {
  End end = End::kHead;
  // The directions are checked before the timeout, as Redis does.
  if (args.size() == 6 && (!EndOrReply(ctx, args[3], &end) || !EndOrReply(ctx, args[4], &end))) {
    return;
  }
  BlockingPop(ctx, args, args.subspan(1, 1), args.back(), TryMove, true);
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
bool TryMultiPop(CommandContext& ctx, ArgList args) {
  CountedPop pop;
  return !ParseMultiPopOrReply(ctx, args, 2, &pop) || PopFromFirst(ctx, pop);
}

void BlockingMultiPopCommand(CommandContext& ctx, ArgList args) {
  CountedPop pop;
  if (!ParseMultiPopOrReply(ctx, args, 2, &pop)) return;
  BlockingPop(ctx, args, pop.keys, args[1], TryMultiPop);
}

const CommandSpec kListCommands[] = {
    {"lpush", -3, kWriteOom | kFast, 1, 1, 1, LPushCommand, "list", "1.0.0",
     "Prepends one or more elements to a list. Creates the key if it doesn't exist.",
     kAddsElements},
    {"rpush", -3, kWriteOom | kFast, 1, 1, 1, RPushCommand, "list", "1.0.0",
     "Appends one or more elements to a list. Creates the key if it doesn't exist.", kAddsElements},
    {"lpushx", -3, kWriteOom | kFast, 1, 1, 1, LPushXCommand, "list", "2.2.0",
     "Prepends one or more elements to a list only when the list exists.", kAddsElements},
    {"rpushx", -3, kWriteOom | kFast, 1, 1, 1, RPushXCommand, "list", "2.2.0",
     "Appends an element to a list only when the list exists.", kAddsElements},
    {"lpop", -2, kWrite | kFast, 1, 1, 1, LPopCommand, "list", "1.0.0",
     "Returns the first elements in a list after removing it. Deletes the list if the last "
     "element was popped."},
    {"rpop", -2, kWrite | kFast, 1, 1, 1, RPopCommand, "list", "1.0.0",
     "Returns and removes the last elements of a list. Deletes the list if the last element was "
     "popped."},
    {"llen", 2, kReadOnly | kFast, 1, 1, 1, LLenCommand, "list", "1.0.0",
     "Returns the length of a list."},
    {"lrange", 4, kReadOnly, 1, 1, 1, LRangeCommand, "list", "1.0.0",
     "Returns a range of elements from a list."},
    {"lindex", 3, kReadOnly, 1, 1, 1, LIndexCommand, "list", "1.0.0",
     "Returns an element from a list by its index."},
    {"lset", 4, kWriteOom, 1, 1, 1, LSetCommand, "list", "1.0.0",
     "Sets the value of an element in a list by its index."},
    {"lrem", 4, kWrite, 1, 1, 1, LRemCommand, "list", "1.0.0",
     "Removes elements from a list. Deletes the list if the last element was removed."},
    {"ltrim", 4, kWrite, 1, 1, 1, LTrimCommand, "list", "1.0.0",
     "Removes elements from both ends a list. Deletes the list if all elements were trimmed."},
    {"linsert", 5, kWriteOom, 1, 1, 1, LInsertCommand, "list", "2.2.0",
     "Inserts an element before or after another element in a list."},
    {"lpos", -3, kReadOnly, 1, 1, 1, LPosCommand, "list", "6.0.6",
     "Returns the index of matching elements in a list."},
    {"lmove", 5, kWriteOom, 1, 2, 1, LMoveCommand, "list", "6.2.0",
     "Returns an element after popping it from one list and pushing it to another. Deletes the "
     "list if the last element was moved."},
    {"rpoplpush", 3, kWriteOom, 1, 2, 1, RPopLPushCommand, "list", "1.2.0",
     "Returns the last element of a list after removing and pushing it to another list. Deletes "
     "the list if the last element was popped."},
    {"lmpop",
     -4,
     kWrite,
     0,
     0,
     0,
     LMPopCommand,
     "list",
     "7.0.0",
     "Returns multiple elements from a list after removing them. Deletes the list if the last "
     "element was popped.",
     ClusterRoute::kDefault,
     {},
     KeysAfterCount<1>},
    {"blpop", -3, kWrite | kBlocking, 1, -2, 1, BlockingPopCommand<End::kHead>, "list", "2.0.0",
     "Removes and returns the first element in a list. Blocks until an element is available "
     "otherwise. Deletes the list if the last element was popped."},
    {"brpop", -3, kWrite | kBlocking, 1, -2, 1, BlockingPopCommand<End::kTail>, "list", "2.0.0",
     "Removes and returns the last element in a list. Blocks until an element is available "
     "otherwise. Deletes the list if the last element was popped."},
    {"blmove", 6, kWriteOom | kBlocking, 1, 2, 1, BlockingMoveCommand, "list", "6.2.0",
     "Pops an element from a list, pushes it to another list and returns it. Blocks until an "
     "element is available otherwise. Deletes the list if the last element was moved."},
    {"brpoplpush", 4, kWriteOom | kBlocking, 1, 2, 1, BlockingMoveCommand, "list", "2.2.0",
     "Pops an element from a list, pushes it to another list and returns it. Block until an "
     "element is available otherwise. Deletes the list if the last element was popped."},
    {"blmpop",
     -5,
     kWrite | kBlocking,
     0,
     0,
     0,
     BlockingMultiPopCommand,
     "list",
     "7.0.0",
     "Pops the first element from one of multiple lists. Blocks until an element is available "
     "otherwise. Deletes the list if the last element was popped.",
     ClusterRoute::kDefault,
     {},
     KeysAfterCount<2>},
};

}  // namespace

void RegisterListCommands(CommandTable& table) {
  for (const CommandSpec& spec : kListCommands) table.Register(spec);
}

}  // namespace ringcache
