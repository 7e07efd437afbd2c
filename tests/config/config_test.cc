#include "config/config.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <stdexcept>

using namespace ringcache;

TEST_CASE("memory values use Redis's units", "[config]") {
  int64_t b = 0;
  REQUIRE(ParseMemory("1024", &b));
  REQUIRE(b == 1024);
  REQUIRE(ParseMemory("1k", &b));
  REQUIRE(b == 1000);
  REQUIRE(ParseMemory("1kb", &b));
  REQUIRE(b == 1024);
  REQUIRE(ParseMemory("100MB", &b));
  REQUIRE(b == 100LL * 1024 * 1024);
  REQUIRE(ParseMemory("1gb", &b));
  REQUIRE(b == 1024LL * 1024 * 1024);
  REQUIRE_FALSE(ParseMemory("1xb", &b));
  REQUIRE_FALSE(ParseMemory("-1", &b));
  REQUIRE_FALSE(ParseMemory("", &b));
}

TEST_CASE("settings are validated", "[config]") {
  Config c;
  REQUIRE(c.Set("maxclients", "100", true).ok());
  REQUIRE(c.values().maxclients == 100);
  REQUIRE(c.Set("maxclients", "abc", true).message() ==
          "argument couldn't be parsed into an integer");
  REQUIRE(c.Set("hz", "1000", true).message() == "argument must be between 1 and 500 inclusive");
  REQUIRE(c.Set("protected-mode", "maybe", true).message() == "argument must be 'yes' or 'no'");
  REQUIRE(c.Set("port", "7000", true).message() == "can't set immutable config");
  REQUIRE(c.Set("port", "7000", false).ok());
  REQUIRE(c.Set("nonsense", "1", true).IsNotFound());
  REQUIRE(c.Set("client-output-buffer-limit", "normal 1mb 512kb 10", true).ok());
  REQUIRE(c.values().client_output_buffer_limit_normal.hard_bytes == 1024 * 1024);
  REQUIRE(c.values().client_output_buffer_limit_normal.soft_seconds == 10);
}

TEST_CASE("settings that do not apply are accepted and reported back", "[config]") {
  Config c;
  REQUIRE(c.Get({"save"}) == std::vector<std::pair<std::string, std::string>>{{"save", ""}});
  REQUIRE(c.Get({"appendonly"})[0].second == "no");
  REQUIRE(c.Set("hash-max-listpack-entries", "256", true).ok());
  REQUIRE(c.Get({"hash-max-listpack-entries"})[0].second == "256");
  REQUIRE(c.Get({"no-such-setting"}).empty());
  REQUIRE(c.Get({"MAXCLIENTS"})[0] == std::pair<std::string, std::string>{"maxclients", "10000"});
}

TEST_CASE("CONFIG SET with several pairs is all or nothing", "[config]") {
  Config c;
  REQUIRE_FALSE(c.SetMany({{"maxclients", "5"}, {"hz", "0"}}).ok());
  REQUIRE(c.values().maxclients == 10000);
  REQUIRE(c.SetMany({{"maxclients", "5"}, {"hz", "20"}}).ok());
  REQUIRE(c.values().hz == 20);
}

TEST_CASE("config file and command line", "[config]") {
  const std::string path = "/tmp/ringcache_config_test.conf";
  {
    std::ofstream f(path);
    f << "# a comment\n\nport 7777\nbind 127.0.0.1 -::1\nrequirepass \"se cret\"\nsave \"\"\n"
         "client-output-buffer-limit normal 0 0 0 replica 256mb 64mb 60\n";
  }
  Config c;
  c.LoadArgs({path, "--maxclients", "50", "--requirepass", "x y"});
  REQUIRE(c.values().port == 7777);
  REQUIRE(c.values().bind == std::vector<std::string>{"127.0.0.1", "-::1"});
  REQUIRE(c.values().maxclients == 50);
  REQUIRE(c.values().requirepass == "x y");
  REQUIRE(c.config_file() == path);

  {
    std::ofstream f(path);
    f << "port 7777\nbogus-directive 1\n";
  }
  Config bad;
  REQUIRE_THROWS_AS(bad.LoadArgs({path}), std::runtime_error);
  REQUIRE_THROWS_AS(bad.LoadArgs({"--port", "notanumber"}), std::runtime_error);
  std::remove(path.c_str());
}
