// ClientRegistry: every connected client's Session, by id, for CLIENT LIST,
// CLIENT KILL, INFO clients, maxclients and idle timeouts.
//
// Single-threaded. Sessions are owned by their connections, which add
// themselves on accept and remove themselves on close.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>

#include "commands/session.h"

namespace ringcache {

class ClientRegistry {
 public:
  uint64_t NextId() { return ++last_id_; }
  void Add(Session* session) { sessions_[session->id] = session; }
  void Remove(const Session* session) { sessions_.erase(session->id); }
  size_t size() const { return sessions_.size(); }
  Session* Find(uint64_t id) const;

  // Sessions in id order (which is connection order), as CLIENT LIST shows.
  template <typename Visit>
  void ForEach(Visit&& visit) const {
    for (const auto& [id, session] : sessions_) visit(*session);
  }

 private:
  uint64_t last_id_ = 0;
  std::map<uint64_t, Session*> sessions_;
};

}  // namespace ringcache
