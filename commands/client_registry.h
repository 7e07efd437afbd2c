// ClientRegistry: every connected client's Session, by id, for CLIENT LIST,
// CLIENT KILL, INFO clients, maxclients and idle timeouts; and the keys
// clients WATCH, so that a write to one marks its watchers' transactions
// spoilt (Session::watch_dirty), as Redis's touchWatchedKey does.
//
// Single-threaded. Sessions are owned by their connections, which add
// themselves on accept and remove themselves on close.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "commands/session.h"
#include "common/string_hash.h"

namespace ringcache {

class ClientRegistry {
 public:
  uint64_t NextId() { return ++last_id_; }
  void Add(Session* session) { sessions_[session->id] = session; }
  void Remove(Session* session) {
    Unwatch(session);
    sessions_.erase(session->id);
  }
  size_t size() const { return sessions_.size(); }
  Session* Find(uint64_t id) const;

  // WATCH: `session` watches `key`, which expires at `expire_at_ms` (0: no
  // expiry; a watched key that expires spoils the transaction too).
  void Watch(Session* session, std::string_view key, int64_t expire_at_ms,
             uint64_t fingerprint = 0);
  // UNWATCH, EXEC, DISCARD, RESET, and a client's going.
  void Unwatch(Session* session);
  bool any_watched() const { return !watchers_.empty(); }
  // A write to `key`: its watchers' transactions will fail.
  void TouchKey(std::string_view key);
  // FLUSHALL: every watcher's.
  void TouchAll();

  // Sessions in id order (which is connection order), as CLIENT LIST shows.
  template <typename Visit>
  void ForEach(Visit&& visit) const {
    for (const auto& [id, session] : sessions_) visit(*session);
  }

 private:
  uint64_t last_id_ = 0;
  std::map<uint64_t, Session*> sessions_;
  // Per watched key, the ids of the sessions that watch it.
  std::unordered_map<std::string, std::vector<uint64_t>, StringHash, std::equal_to<>> watchers_;
};

}  // namespace ringcache
