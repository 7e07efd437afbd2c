#include "cluster/owned_args.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

using ringcache::cluster::OwnedArgs;

namespace {

std::vector<std::string> Strings(const OwnedArgs& args) {
  std::vector<std::string> out;
  args.WithViews(
      [&](std::span<const std::string_view> views) { out.assign(views.begin(), views.end()); });
  return out;
}

}  // namespace

TEST_CASE("owned arguments outlive the buffer they were copied from", "[owned_args]") {
  std::vector<std::string> source = {"GET", "user:42"};
  const std::vector<std::string_view> views(source.begin(), source.end());
  OwnedArgs args(views);
  source = {"XXXX", "YYYYYYY"};  // the connection's buffer is reused
  REQUIRE(Strings(args) == std::vector<std::string>{"GET", "user:42"});
}

TEST_CASE("owned arguments survive a move, short or long", "[owned_args]") {
  for (const size_t len :
       {size_t{0}, size_t{10}, size_t{79}, size_t{80}, size_t{81}, size_t{5000}}) {
    for (const size_t count : {size_t{1}, size_t{6}, size_t{7}, size_t{40}}) {
      std::vector<std::string> source;
      for (size_t i = 0; i < count; ++i) source.push_back(std::string(len / count, 'a' + i % 26));
      const std::vector<std::string_view> views(source.begin(), source.end());
      OwnedArgs moved_from(views);
      OwnedArgs args(std::move(moved_from));
      REQUIRE(Strings(args) == source);
    }
  }
}
