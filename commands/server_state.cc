#include "commands/server_state.h"

#include <algorithm>
#include <random>

#include "commands/blocked_clients.h"
#include "common/memory_stats.h"
#include "common/monotonic_clock.h"

namespace ringcache {
namespace {

std::string RandomRunId() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device device;
  std::string id(40, '0');
  for (char& c : id) c = kHex[device() % 16];
  return id;
}

}  // namespace

void RateMeter::Sample(int64_t now_ms, uint64_t value) {
  if (last_ms_ != 0 && now_ms > last_ms_) {
    samples_[next_] =
        static_cast<double>(value - last_value_) * 1000.0 / static_cast<double>(now_ms - last_ms_);
    next_ = (next_ + 1) % kSamples;
  }
  last_ms_ = now_ms;
  last_value_ = value;
}

double RateMeter::PerSecond() const {
  double sum = 0;
  for (double s : samples_) sum += s;
  return sum / kSamples;
}

ServerState::ServerState()
    : evictor(keyspace, &UsedMemory, &MonotonicUs),
      active_expiry(&MonotonicUs),
      run_id(RandomRunId()),
      start_time_ms(WallClockMs()),
      blocked(std::make_unique<BlockedClients>()) {
  keyspace.set_now_ms(start_time_ms);
  keyspace.set_created_hook(
      [](void* blocked, std::string_view key) {
        static_cast<BlockedClients*>(blocked)->KeyCreated(key);
      },
      blocked.get());
  ApplyMemorySettings(0);
}

ServerState::~ServerState() = default;

void ServerState::ApplyMemorySettings(int64_t budget_us) {
  const ConfigValues& values = config.values();
  EvictionSettings settings;
  settings.max_bytes = static_cast<size_t>(values.maxmemory);
  ParseEvictionPolicy(values.maxmemory_policy, &settings.policy);
  settings.samples = static_cast<size_t>(values.maxmemory_samples);
  settings.tracking.lfu_log_factor = values.lfu_log_factor;
  settings.tracking.lfu_decay_ms = values.lfu_decay_time * 60000;
  evictor.Configure(settings);
  if (budget_us > 0) evictor.MakeRoom(budget_us);
}

void ServerState::NoteMemoryPeak() { peak_memory = std::max<uint64_t>(peak_memory, UsedMemory()); }

}  // namespace ringcache
