#include "goldensignals/webhooks/webhook.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "goldensignals/market/time_format.h"

namespace gs::webhooks {

std::string_view to_string(Trigger trigger) noexcept {
    return trigger == Trigger::kActionChange ? "action_change" : "every_signal";
}

std::optional<Trigger> parse_trigger(std::string_view text) noexcept {
    if (text == "action_change") {
        return Trigger::kActionChange;
    }
    if (text == "every_signal") {
        return Trigger::kEverySignal;
    }
    return std::nullopt;
}

bool matches(const Webhook& webhook, std::string_view symbol, market::Timeframe timeframe) {
    if (std::find(webhook.timeframes.begin(), webhook.timeframes.end(), timeframe) ==
        webhook.timeframes.end()) {
        return false;
    }
    return std::any_of(webhook.symbols.begin(), webhook.symbols.end(),
                       [symbol](const std::string& s) { return s == "*" || s == symbol; });
}

nlohmann::json to_json(const Webhook& webhook) {
    nlohmann::json timeframes = nlohmann::json::array();
    for (const auto timeframe : webhook.timeframes) {
        timeframes.push_back(market::to_string(timeframe));
    }
    return {{"id", webhook.id},
            {"url", webhook.url},
            {"symbols", webhook.symbols},
            {"timeframes", std::move(timeframes)},
            {"on", to_string(webhook.on)},
            {"created", market::format_iso8601(webhook.created)},
            {"status", "active"}};
}

std::string_view to_string(AttemptResult result) noexcept {
    switch (result) {
        case AttemptResult::kDelivered:
            return "delivered";
        case AttemptResult::kRetry:
            return "retry";
        case AttemptResult::kFailed:
            return "failed";
    }
    return "failed";
}

std::optional<AttemptResult> parse_attempt_result(std::string_view text) noexcept {
    for (const auto result :
         {AttemptResult::kDelivered, AttemptResult::kRetry, AttemptResult::kFailed}) {
        if (to_string(result) == text) {
            return result;
        }
    }
    return std::nullopt;
}

nlohmann::json to_json(const Attempt& attempt) {
    // Milliseconds matter between quick retries: "2026-12-01T08:00:00.123Z".
    std::string time = market::format_iso8601(attempt.time_ms / 1000);
    if (!time.empty() && time.back() == 'Z') {
        time.pop_back();
        time += fmt::format(".{:03}Z", attempt.time_ms % 1000);
    }
    return {{"event_id", attempt.event_id},
            {"attempt", attempt.attempt},
            {"time", std::move(time)},
            {"result", to_string(attempt.result)},
            {"status", attempt.status ? nlohmann::json(*attempt.status) : nlohmann::json(nullptr)},
            {"latency_ms", attempt.latency_ms},
            {"error", attempt.error ? nlohmann::json(*attempt.error) : nlohmann::json(nullptr)}};
}

}  // namespace gs::webhooks
