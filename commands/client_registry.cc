#include "commands/client_registry.h"

#include <algorithm>

namespace ringcache {

Session* ClientRegistry::Find(uint64_t id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

void ClientRegistry::Watch(Session* session, std::string_view key, int64_t expire_at_ms,
                           uint64_t fingerprint) {
  // A key's watchers are few; a session's keys may be many (WATCH k1 ... k100000).
  auto it = watchers_.find(key);
  if (it == watchers_.end())
    it = watchers_.emplace(std::string(key), std::vector<uint64_t>()).first;
  if (std::find(it->second.begin(), it->second.end(), session->id) != it->second.end()) return;
  it->second.push_back(session->id);
  session->watched.push_back({std::string(key), expire_at_ms, fingerprint});
}

void ClientRegistry::Unwatch(Session* session) {
  for (const Session::WatchedKey& watched : session->watched) {
    const auto it = watchers_.find(watched.key);
    if (it == watchers_.end()) continue;
    std::erase(it->second, session->id);
    if (it->second.empty()) watchers_.erase(it);
  }
  session->watched.clear();
  session->watch_dirty = false;
}

void ClientRegistry::TouchKey(std::string_view key) {
  const auto it = watchers_.find(key);
  if (it == watchers_.end()) return;
  for (const uint64_t id : it->second) {
    if (Session* s = Find(id)) s->watch_dirty = true;
  }
}

void ClientRegistry::TouchAll() {
  for (const auto& [key, ids] : watchers_) {
    for (const uint64_t id : ids) {
      if (Session* s = Find(id)) s->watch_dirty = true;
    }
  }
}

}  // namespace ringcache
