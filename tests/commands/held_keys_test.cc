// A client's key holds: a command waits for an earlier one's hold on its
// key unless both are in one lane; a hold on every key stops everything.
#include <catch2/catch.hpp>
#include <cstdint>

#include "commands/command_context.h"

using namespace ringcache;

TEST_CASE("held keys make a command wait unless it shares the hold's lane", "[commands]") {
  HeldKeys held;
  const uint64_t key[] = {KeyHold::HashOf("k")};
  const uint64_t other[] = {KeyHold::HashOf("other")};
  REQUIRE(held.empty());
  REQUIRE_FALSE(held.Holds(key[0], KeyHold::kExclusive));

  held.Add(key, 5);                                  // a pop in lane 5
  REQUIRE(held.Holds(key[0], KeyHold::kExclusive));  // anything else on k waits
  REQUIRE_FALSE(held.Holds(key[0], 5));              // the next pop of k in lane 5 passes
  REQUIRE(held.Holds(key[0], 7));                    // one in another lane (home) waits
  REQUIRE_FALSE(held.Holds(other[0], KeyHold::kExclusive));

  held.Add(key, KeyHold::kExclusive);  // then an exclusive hold: nothing passes it
  REQUIRE(held.Holds(key[0], 5));
  held.Remove(key, KeyHold::kExclusive);
  REQUIRE_FALSE(held.Holds(key[0], 5));

  const uint64_t every[] = {KeyHold::kEveryKey};
  held.Add(every, KeyHold::kExclusive);
  REQUIRE(held.Holds(other[0], 5));
  held.Remove(every, KeyHold::kExclusive);
  REQUIRE_FALSE(held.Holds(other[0], KeyHold::kExclusive));

  held.Remove(key, 5);
  REQUIRE(held.empty());
}
