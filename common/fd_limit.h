// The process's limit on open file descriptors (RLIMIT_NOFILE), as Redis
// manages it: a node needs one per client plus a reserve for its own files,
// listening sockets and cluster bus connections.
#pragma once

#include <cstdint>

namespace ringcache {

// Descriptors kept beyond maxclients (Redis's CONFIG_MIN_RESERVED_FDS).
inline constexpr int64_t kReservedFds = 32;

// Raises the soft limit towards `wanted` (up to the hard limit, or as high
// as the kernel allows) and returns the limit now in force, which may be
// less than `wanted`.
int64_t RaiseFileLimit(int64_t wanted);

}  // namespace ringcache
