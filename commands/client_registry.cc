#include "commands/client_registry.h"

namespace ringcache {

Session* ClientRegistry::Find(uint64_t id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

}  // namespace ringcache
