// Text reports about the node: INFO sections and CLIENT LIST lines.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>

#include "commands/command_table.h"
#include "commands/server_state.h"
#include "commands/session.h"

namespace ringcache {

// The Redis version whose behaviour ringcache follows; reported by HELLO and
// INFO (redis_version) because clients pick features by it.
inline constexpr std::string_view kRedisCompatVersion = "7.0.0";

// INFO's text for the requested sections (args after "INFO"; none means the
// default set; "all"/"everything" include commandstats).
std::string BuildInfo(ServerState& server, ArgList sections);

// One CLIENT LIST line (without the trailing newline).
std::string DescribeClient(const Session& session);

// Appends INFO's "name:value\r\n" line.
template <typename T>
void InfoField(std::string* out, std::string_view name, const T& value) {
  out->append(name);
  out->push_back(':');
  if constexpr (std::is_arithmetic_v<T>) {
    out->append(std::to_string(value));
  } else {
    out->append(value);
  }
  out->append("\r\n");
}

// `value` with `decimals` digits after the point ("%.*f").
std::string FormatFloat(double value, int decimals);

// Bytes as INFO shows them to humans: "1.50M".
std::string HumanBytes(uint64_t bytes);

}  // namespace ringcache
