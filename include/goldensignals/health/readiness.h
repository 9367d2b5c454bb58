#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gs::health {

enum class State { kDisabled, kUp, kDown };

std::string_view to_string(State state);

// The state of each external dependency, as /readyz reports it; a change of state is logged
// once. One source of truth per dependency: the client the process itself uses, through
// follow(). PostgreSQL's entry follows PgPool::on_state_change (the pool checks an idle
// connection every probe_interval, so it follows the server without traffic); Redis's follows
// redis::Client::on_state_change (the client reconnects in the background on its own). No
// separate prober opens connections of its own: a fresh connection can succeed while the
// process's own cannot (credentials, a full pool), and it costs a connect every round.
class Readiness final {
  public:
    // A state-change callback for `dependency`: up -> kUp, down -> kDown. Any thread; this
    // Readiness must outlive whoever calls it.
    std::function<void(bool up)> follow(std::string dependency);

    void set(std::string_view dependency, State state);
    State get(std::string_view dependency) const;
    std::vector<std::pair<std::string, State>> snapshot() const;
    // False when any configured (not disabled) dependency is down.
    bool ready() const;
    // gs_dependency_up{dependency} (1 up, 0 down; disabled ones left out) and gs_ready, the
    // same answer as /readyz, for alerts on a degraded replica.
    void render_metrics(std::string& out) const;

  private:
    mutable std::mutex mutex_;
    std::vector<std::pair<std::string, State>> states_;
};

}  // namespace gs::health
