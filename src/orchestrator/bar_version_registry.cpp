#include "goldensignals/orchestrator/bar_version_registry.h"

#include "goldensignals/market/symbol.h"

namespace gs::orchestrator {

std::string BarVersion::str() const {
    char text[kMaxText];
    return std::string(text, write(text));
}

std::string format_bar_update(std::string_view symbol, market::Timeframe timeframe,
                              std::string_view version) {
    return fmt::format("{}|{}|{}", market::to_string(timeframe), symbol, version);
}

std::optional<BarUpdate> parse_bar_update(std::string_view payload) {
    const auto first = payload.find('|');
    if (first == std::string_view::npos) {
        return std::nullopt;
    }
    const auto second = payload.find('|', first + 1);
    if (second == std::string_view::npos) {
        return std::nullopt;
    }
    auto timeframe = market::parse_timeframe(payload.substr(0, first));
    auto symbol = market::normalize_symbol(payload.substr(first + 1, second - first - 1));
    if (!timeframe || !symbol) {
        return std::nullopt;
    }
    return BarUpdate{*timeframe, std::move(*symbol), std::string(payload.substr(second + 1))};
}

}  // namespace gs::orchestrator
