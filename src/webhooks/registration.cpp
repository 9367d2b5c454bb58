#include "goldensignals/webhooks/registration.h"

#include <algorithm>
#include <random>

#include <fmt/format.h>
#include <boost/asio/ip/address.hpp>
#include <nlohmann/json.hpp>

#include "goldensignals/market/excerpt.h"
#include "goldensignals/market/symbol.h"
#include "goldensignals/webhooks/address_policy.h"
#include "goldensignals/webhooks/endpoint.h"

namespace gs::webhooks {

namespace {

[[noreturn]] void invalid(const std::string& message) {
    throw RegistrationError("invalid_webhook", message);
}

std::vector<std::string> parse_symbols(const nlohmann::json& value) {
    if (!value.is_array() || value.empty()) {
        invalid("symbols must be [\"*\"] or a non-empty list of symbols");
    }
    if (value.size() > kMaxSymbolsPerWebhook) {
        invalid(fmt::format("symbols lists at most {} symbols", kMaxSymbolsPerWebhook));
    }
    std::vector<std::string> symbols;
    for (const auto& item : value) {
        if (!item.is_string()) {
            invalid("symbols must be strings");
        }
        const auto& text = item.get_ref<const std::string&>();
        if (text == "*") {
            if (value.size() != 1) {
                invalid("symbols is either [\"*\"] or a list of symbols, not both");
            }
            return {"*"};
        }
        auto symbol = market::normalize_symbol(text);
        if (!symbol) {
            invalid(fmt::format("symbol '{}' must be 1 to 20 characters of A-Z a-z 0-9 . - _ ^ =",
                                market::excerpt(text)));
        }
        if (std::find(symbols.begin(), symbols.end(), *symbol) == symbols.end()) {
            symbols.push_back(std::move(*symbol));
        }
    }
    return symbols;
}

std::vector<market::Timeframe> parse_timeframes(const nlohmann::json& value) {
    if (!value.is_array() || value.empty() || value.size() > market::kAllTimeframes.size()) {
        invalid("timeframes must be a list of 1 to 8 of 1m 5m 15m 30m 1h 4h 1d 1w");
    }
    std::vector<market::Timeframe> timeframes;
    for (const auto& item : value) {
        const auto timeframe = item.is_string()
                                   ? market::parse_timeframe(item.get_ref<const std::string&>())
                                   : std::nullopt;
        if (!timeframe) {
            invalid("timeframes must be a list of 1m 5m 15m 30m 1h 4h 1d 1w");
        }
        if (std::find(timeframes.begin(), timeframes.end(), *timeframe) == timeframes.end()) {
            timeframes.push_back(*timeframe);
        }
    }
    return timeframes;
}

}  // namespace

Webhook parse_registration(std::string_view body, bool allow_private) {
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(body);
    } catch (const nlohmann::json::parse_error&) {
        throw RegistrationError("invalid_json", "the body is not valid JSON");
    }
    if (!json.is_object()) {
        invalid("the body must be a JSON object");
    }
    for (const auto& [key, value] : json.items()) {
        if (key != "url" && key != "secret" && key != "symbols" && key != "timeframes" &&
            key != "on") {
            invalid(fmt::format("unknown field '{}' (url, secret, symbols, timeframes, on)",
                                market::excerpt(key)));
        }
    }
    Webhook webhook;
    if (!json.contains("url") || !json["url"].is_string()) {
        invalid("url is required (a string)");
    }
    webhook.url = json["url"].get<std::string>();
    Endpoint endpoint;
    try {
        endpoint = parse_endpoint(webhook.url);
    } catch (const UrlError& e) {
        invalid(e.what());
    }
    if (endpoint.host_is_literal && !allow_private) {
        const auto address = boost::asio::ip::make_address(endpoint.host);
        const auto kind = classify(address);
        if (kind != AddressClass::kPublic) {
            throw RegistrationError(
                "address_not_allowed",
                fmt::format("url points to a {} address, which webhooks may not reach "
                            "(GS_WEBHOOK_ALLOW_PRIVATE)",
                            to_string(kind)));
        }
    }
    if (!json.contains("secret") || !json["secret"].is_string()) {
        invalid("secret is required (a string of 16 to 256 bytes)");
    }
    webhook.secret = json["secret"].get<std::string>();
    if (webhook.secret.size() < kMinSecretLength || webhook.secret.size() > kMaxSecretLength) {
        invalid("secret must be 16 to 256 bytes");
    }
    webhook.symbols =
        json.contains("symbols") ? parse_symbols(json["symbols"]) : std::vector<std::string>{"*"};
    webhook.timeframes = json.contains("timeframes")
                             ? parse_timeframes(json["timeframes"])
                             : std::vector<market::Timeframe>{market::kDefaultTimeframe};
    if (json.contains("on")) {
        const auto trigger = json["on"].is_string()
                                 ? parse_trigger(json["on"].get_ref<const std::string&>())
                                 : std::nullopt;
        if (!trigger) {
            invalid("on must be \"action_change\" or \"every_signal\"");
        }
        webhook.on = *trigger;
    }
    return webhook;
}

std::string new_webhook_id() {
    thread_local std::mt19937_64 random{std::random_device{}()};
    return fmt::format("wh_{:016x}{:08x}", random(), static_cast<std::uint32_t>(random()));
}

}  // namespace gs::webhooks
