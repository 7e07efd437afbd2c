// Text reports about the node: INFO sections and CLIENT LIST lines.
#pragma once

#include <string>
#include <string_view>

#include "server/command_table.h"
#include "server/server_state.h"
#include "server/session.h"

namespace ringcache::server {

// The Redis version whose behaviour ringcache follows; reported by HELLO and
// INFO (redis_version) because clients pick features by it.
inline constexpr std::string_view kRedisCompatVersion = "7.0.0";

// INFO's text for the requested sections (args after "INFO"; none means the
// default set; "all"/"everything" include commandstats).
std::string BuildInfo(ServerState& server, ArgList sections);

// One CLIENT LIST line (without the trailing newline).
std::string DescribeClient(const Session& session);

// Bytes as INFO shows them to humans: "1.50M".
std::string HumanBytes(uint64_t bytes);

}  // namespace ringcache::server
