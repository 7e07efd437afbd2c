#include "cluster/deadline_list.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

using ringcache::cluster::DeadlineList;
using ringcache::cluster::Expiring;

namespace {

struct Op : Expiring {
  Op(std::string name, std::vector<std::string>* log) : name(std::move(name)), log(log) {}
  void Expire() override { log->push_back(name); }
  std::string name;
  std::vector<std::string>* log;
};

DeadlineList::Clock::time_point At(int ms) {
  return DeadlineList::Clock::time_point(std::chrono::milliseconds(ms));
}

}  // namespace

TEST_CASE("operations expire in deadline order, completed ones never", "[deadline_list]") {
  std::vector<std::string> expired;
  DeadlineList list;
  Op a("a", &expired), b("b", &expired), c("c", &expired);
  list.Add(&a, At(10));
  list.Add(&b, At(20));
  list.Add(&c, At(30));
  DeadlineList::Remove(&b);  // completed in time
  DeadlineList::Remove(&b);  // twice is harmless
  REQUIRE(list.next_deadline() == At(10));
  list.ExpireDue(At(25));
  REQUIRE(expired == std::vector<std::string>{"a"});
  REQUIRE(list.next_deadline() == At(30));
  list.ExpireDue(At(30));
  REQUIRE(expired == std::vector<std::string>{"a", "c"});
  REQUIRE(list.empty());
}

TEST_CASE("an operation destroyed before its deadline leaves the list", "[deadline_list]") {
  std::vector<std::string> expired;
  DeadlineList list;
  Op kept("kept", &expired);
  {
    auto gone = std::make_unique<Op>("gone", &expired);
    list.Add(gone.get(), At(10));
    list.Add(&kept, At(20));
  }
  REQUIRE(list.next_deadline() == At(20));
  list.ExpireDue(At(100));
  REQUIRE(expired == std::vector<std::string>{"kept"});
}
