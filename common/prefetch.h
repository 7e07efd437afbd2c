// PrefetchLine: start loading one cache line that is about to be read.
#pragma once

namespace ringcache {

// GCC 12 treats a function whose only effect is __builtin_prefetch as having
// no effect at all (its pure/const analysis), and deletes calls to it: the
// table's prefetch helpers compiled to nothing once not inlined early. The
// empty volatile asm is an effect it must keep; it emits no instruction.
inline void PrefetchLine(const void* address) {
  __builtin_prefetch(address);
  asm volatile("");
}

}  // namespace ringcache
