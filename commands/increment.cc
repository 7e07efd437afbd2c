#include "commands/increment.h"

#include "common/number_parsing.h"
#include "types/string_ops.h"

namespace ringcache {

Result<Incremented> ApplyIncrement(const std::optional<std::string_view>& current,
                                   const Increment& by) {
  const std::string_view* value = current ? &*current : nullptr;
  Incremented out;
  if (by.is_float) {
    Result<std::string> text = AddToFloat(value, by.by_float);
    if (!text.ok()) return text.status();
    out.text = std::move(text.value());
    return out;
  }
  Result<int64_t> sum = AddToInteger(value, by.by);
  if (!sum.ok()) return sum.status();
  out.integer = *sum;
  out.text = std::to_string(*sum);
  return out;
}

void ReplyIncremented(ReplyBuilder& reply, const Increment& by, const Result<Incremented>& result) {
  if (!result.ok()) {
    reply.Error(result.status());
  } else if (by.is_float) {
    reply.Bulk(result->text);
  } else {
    reply.Integer(result->integer);
  }
}

void IncrementLocally(CommandContext& ctx, const CommandSpec& spec, ArgList args) {
  Increment by;
  if (!spec.run.increment(ctx, args, &by)) return;
  // The keyspace's own increments keep the TTL and reuse the value's block.
  Result<Incremented> result = Incremented{};
  if (by.is_float) {
    Result<std::string> text = IncrementByFloat(ctx.keyspace(), args[1], by.by_float);
    result = text.ok() ? Result<Incremented>(Incremented{std::move(text.value()), 0})
                       : Result<Incremented>(text.status());
  } else {
    Result<int64_t> sum = IncrementBy(ctx.keyspace(), args[1], by.by);
    result =
        sum.ok() ? Result<Incremented>(Incremented{{}, *sum}) : Result<Incremented>(sum.status());
  }
  ReplyIncremented(ctx.reply(), by, result);
}

}  // namespace ringcache
