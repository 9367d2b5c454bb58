#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "goldensignals/market/timeframe.h"

namespace gs::webhooks {

// Which signals a webhook is told of: only those whose consensus action differs from the
// previous signal of the series, or every new signal.
enum class Trigger : std::uint8_t { kActionChange, kEverySignal };
std::string_view to_string(Trigger trigger) noexcept;
std::optional<Trigger> parse_trigger(std::string_view text) noexcept;

// A registered receiver. `symbols` holds normalised symbols or the one entry "*".
struct Webhook {
    std::string id;
    std::string url;
    std::string secret;
    std::vector<std::string> symbols;
    std::vector<market::Timeframe> timeframes;
    Trigger on = Trigger::kActionChange;
    std::int64_t created = 0;  // epoch seconds
};

bool matches(const Webhook& webhook, std::string_view symbol, market::Timeframe timeframe);

// The API's object: {"id","url","symbols","timeframes","on","created","status"}; never the secret.
nlohmann::json to_json(const Webhook& webhook);

enum class AttemptResult : std::uint8_t { kDelivered, kRetry, kFailed };
std::string_view to_string(AttemptResult result) noexcept;
std::optional<AttemptResult> parse_attempt_result(std::string_view text) noexcept;

// One delivery attempt, as GET /v1/webhooks/{id}/deliveries lists it.
struct Attempt {
    std::string webhook_id;
    std::string event_id;
    int attempt = 1;           // 1 for the first try of an event
    std::int64_t time_ms = 0;  // epoch milliseconds when it started
    AttemptResult result = AttemptResult::kRetry;
    std::optional<int> status{};  // the receiver's HTTP status, if it answered
    std::int64_t latency_ms = 0;
    std::optional<std::string> error{};
};

// {"event_id","attempt","time","result","status","latency_ms","error"}
nlohmann::json to_json(const Attempt& attempt);

// An event due for delivery to one webhook, claimed by this process for one attempt.
struct Delivery {
    std::int64_t seq = 0;  // the outbox row
    std::string lease;     // the claim's token: a finish with a stale one changes nothing
    std::string webhook_id;
    std::string url;
    std::string secret;
    std::string event_id;
    std::string body;
    int attempts = 0;             // attempts made before this one
    std::int64_t created_ms = 0;  // when the event was queued (epoch milliseconds)
};

// A new signal of a series, as the signal service announced it.
struct SignalEvent {
    std::string symbol;
    market::Timeframe timeframe = market::kDefaultTimeframe;
    std::int64_t as_of = 0;
    std::string action;        // the consensus action, "BUY" | "SELL" | "HOLD"
    std::string summary_json;  // the signal without its agents
};

// A webhook that matched a signal, and what it asked to be told of.
struct Candidate {
    std::string webhook_id;
    Trigger on = Trigger::kActionChange;
};

}  // namespace gs::webhooks
