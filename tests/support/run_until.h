// RunUntil: runs an io_context until a condition holds, for tests that wait
// for an event rather than for a fixed time; fails the test after a generous
// deadline.
#pragma once

#include <asio.hpp>
#include <catch2/catch.hpp>
#include <chrono>

namespace ringcache::testing {

template <typename Pred>
void RunUntil(asio::io_context& io, Pred done,
              std::chrono::seconds deadline_after = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + deadline_after;
  io.restart();
  while (!done()) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    io.run_for(std::chrono::milliseconds(2));
    io.restart();
  }
}

}  // namespace ringcache::testing
