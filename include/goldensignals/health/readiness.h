#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gs::health {

enum class State { kDisabled, kUp, kDown };

std::string_view to_string(State state);

// The state of each external dependency, as /readyz reports it. Components set their own
// entry; a change of state is logged once, not on every probe.
class Readiness final {
  public:
    void set(std::string_view dependency, State state);
    State get(std::string_view dependency) const;
    std::vector<std::pair<std::string, State>> snapshot() const;
    // False when any configured (not disabled) dependency is down.
    bool ready() const;

  private:
    mutable std::mutex mutex_;
    std::vector<std::pair<std::string, State>> states_;
};

}  // namespace gs::health
