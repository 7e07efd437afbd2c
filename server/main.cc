// ringcache-server: one cache node. Usage mirrors redis-server:
//   ringcache-server [/path/to/ringcache.conf] [--name value ...]
#include <signal.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "commands/server_state.h"
#include "common/monotonic_clock.h"
#include "server/server.h"

namespace {

void PrintUsage() {
  std::cout << "Usage: ringcache-server [/path/to/ringcache.conf] [options]\n"
               "       ringcache-server -v or --version\n"
               "       ringcache-server -h or --help\n\n"
               "Options are config-file settings with a leading '--', e.g.\n"
               "       ringcache-server --port 7777 --bind 127.0.0.1 --dir /var/lib/ringcache\n";
}

spdlog::level::level_enum LogLevel(const std::string& redis_level) {
  if (redis_level == "debug") return spdlog::level::debug;
  if (redis_level == "verbose") return spdlog::level::debug;
  if (redis_level == "warning") return spdlog::level::warn;
  if (redis_level == "nothing") return spdlog::level::off;
  return spdlog::level::info;
}

void SetUpLogging(const ringcache::ConfigValues& config) {
  std::shared_ptr<spdlog::logger> logger;
  if (config.logfile.empty()) {
    logger = spdlog::stdout_logger_mt("ringcache");
  } else {
    logger = spdlog::basic_logger_mt("ringcache", config.logfile);
  }
  // Redis's layout: pid:role date level-mark message.
  logger->set_pattern("%P:M %d %b %Y %H:%M:%S.%e %L %v");
  logger->set_level(LogLevel(config.loglevel));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

// Moves into the data directory (creating it), as redis-server does with `dir`.
void EnterDataDir(const std::string& dir) {
  std::filesystem::create_directories(dir);
  std::filesystem::current_path(dir);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "-v" || args[0] == "--version")) {
    std::cout << "ringcache-server v=" << RINGCACHE_VERSION << " (Redis protocol 7.0)\n";
    return 0;
  }
  if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
    PrintUsage();
    return 0;
  }
  signal(SIGPIPE, SIG_IGN);
  ringcache::InitMonotonicClock();
  ringcache::ServerState state;
  try {
    state.config.LoadArgs(args);
    state.ApplyMemorySettings(0);
  } catch (const std::exception& e) {
    std::cerr << "*** FATAL CONFIG FILE ERROR ***\n" << e.what() << "\n";
    return 1;
  }
  const ringcache::ConfigValues& config = state.config.values();
  try {
    SetUpLogging(config);
    for (const auto& [name, value] : state.config.InertChanges()) {
      spdlog::warn("setting '{} {}' is accepted but has no effect: ringcache does not implement it",
                   name, value);
    }
    EnterDataDir(config.dir);
    ringcache::server::Server server(state);
    server.Listen();
    if (!config.pidfile.empty()) std::ofstream(config.pidfile) << getpid() << "\n";
    spdlog::info("ringcache {} started, pid={}, port={}", RINGCACHE_VERSION, getpid(),
                 state.tcp_port);
    spdlog::info("Ready to accept connections tcp");
    server.Run();
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
  if (!config.pidfile.empty()) std::remove(config.pidfile.c_str());
  return 0;
}
