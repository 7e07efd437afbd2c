#include "common/fd_limit.h"

#include <sys/resource.h>

#include <algorithm>

namespace ringcache {

int64_t RaiseFileLimit(int64_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;  // cannot tell: assume enough
  if (limit.rlim_cur == RLIM_INFINITY) return wanted;
  const auto current = static_cast<int64_t>(limit.rlim_cur);
  if (current >= wanted) return current;
  int64_t target = wanted;
  if (limit.rlim_max != RLIM_INFINITY)
    target = std::min(target, static_cast<int64_t>(limit.rlim_max));
  // As Redis does: try the highest allowed, then step down until the kernel
  // accepts one (fs.nr_open may be lower than the hard limit).
  for (int64_t attempt = target; attempt > current;
       attempt -= std::max<int64_t>(16, attempt / 64)) {
    rlimit raised = limit;
    raised.rlim_cur = static_cast<rlim_t>(attempt);
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return attempt;
  }
  return current;
}

}  // namespace ringcache
