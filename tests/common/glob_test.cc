#include "common/glob.h"

#include <catch2/catch.hpp>

using ringcache::GlobMatch;

TEST_CASE("glob wildcards", "[glob]") {
  REQUIRE(GlobMatch("*", ""));
  REQUIRE(GlobMatch("*", "anything"));
  REQUIRE(GlobMatch("h?llo", "hello"));
  REQUIRE_FALSE(GlobMatch("h?llo", "hllo"));
  REQUIRE(GlobMatch("h*llo", "hllo"));
  REQUIRE(GlobMatch("h*llo", "heeeello"));
  REQUIRE(GlobMatch("key:*:end", "key:a:b:end"));
  REQUIRE_FALSE(GlobMatch("key:*:end", "key:a:b:en"));
  REQUIRE(GlobMatch("*a*b*c*", "xxaxxbxxcxx"));
  REQUIRE_FALSE(GlobMatch("*a*b*c*", "xxaxxcxxbxx"));
}

TEST_CASE("glob classes and escapes", "[glob]") {
  REQUIRE(GlobMatch("h[ae]llo", "hallo"));
  REQUIRE_FALSE(GlobMatch("h[ae]llo", "hillo"));
  REQUIRE(GlobMatch("h[^e]llo", "hallo"));
  REQUIRE_FALSE(GlobMatch("h[^e]llo", "hello"));
  REQUIRE(GlobMatch("h[a-c]llo", "hbllo"));
  REQUIRE(GlobMatch("h[c-a]llo", "hbllo"));
  REQUIRE(GlobMatch("a\\*b", "a*b"));
  REQUIRE_FALSE(GlobMatch("a\\*b", "axb"));
  REQUIRE(GlobMatch("[\\]]", "]"));
}

TEST_CASE("glob nocase", "[glob]") {
  REQUIRE(GlobMatch("MaxMemory*", "maxmemory-policy", true));
  REQUIRE_FALSE(GlobMatch("MaxMemory*", "maxmemory-policy", false));
}

TEST_CASE("pathological patterns stay fast", "[glob]") {
  const std::string text(5000, 'a');
  REQUIRE_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*b", text));
}
