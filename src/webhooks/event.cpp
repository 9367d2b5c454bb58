#include "goldensignals/webhooks/event.h"

#include <fmt/format.h>

#include "goldensignals/market/time_format.h"
#include "goldensignals/webhooks/signature.h"

namespace gs::webhooks {

std::string event_id_of(std::string_view symbol, market::Timeframe timeframe, std::int64_t as_of) {
    return "evt_" +
           sha256_hex(fmt::format("{}\n{}\n{}", symbol, market::to_string(timeframe), as_of), 12);
}

EventPlan plan_event(const SignalEvent& signal, const std::optional<std::string>& previous_action,
                     const std::vector<Candidate>& candidates, std::int64_t now_seconds) {
    EventPlan plan;
    const bool changed = previous_action && *previous_action != signal.action;
    for (const auto& candidate : candidates) {
        if (changed || candidate.on == Trigger::kEverySignal) {
            plan.webhook_ids.push_back(candidate.webhook_id);
        }
    }
    plan.event_id = event_id_of(signal.symbol, signal.timeframe, signal.as_of);
    plan.type = changed ? "signal.action_changed" : "signal.created";
    // The summary is already JSON: spliced in as is, so "data" is byte for byte the signal body.
    plan.body.reserve(96 + signal.summary_json.size());
    fmt::format_to(std::back_inserter(plan.body), R"({{"id":"{}","type":"{}","created":")",
                   plan.event_id, plan.type);
    market::append_iso8601(plan.body, now_seconds);
    plan.body += R"(","data":)";
    plan.body += signal.summary_json;
    plan.body += '}';
    return plan;
}

}  // namespace gs::webhooks
