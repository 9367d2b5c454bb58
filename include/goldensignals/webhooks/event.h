#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "goldensignals/webhooks/webhook.h"

namespace gs::webhooks {

// What a new signal of a series makes: one event body, and the webhooks it goes to.
struct EventPlan {
    std::string event_id;
    std::string type;  // "signal.action_changed" or "signal.created"
    std::string body;
    std::vector<std::string> webhook_ids;
};

// The same signal (series and newest bar time) gets the same id on every instance.
std::string event_id_of(std::string_view symbol, market::Timeframe timeframe, std::int64_t as_of);

// Plans the deliveries of `signal`, whose series' previous signal had `previous_action`
// (nullopt: none known, which is not an action change). action_change webhooks get the event
// only when the action changed; every_signal ones always. The body is
// {"id","type","created","data":<summary_json>} with `created` as ISO 8601 from `now_seconds`.
EventPlan plan_event(const SignalEvent& signal, const std::optional<std::string>& previous_action,
                     const std::vector<Candidate>& candidates, std::int64_t now_seconds);

}  // namespace gs::webhooks
