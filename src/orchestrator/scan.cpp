#include "goldensignals/orchestrator/scan.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "goldensignals/market/time_format.h"

namespace gs::orchestrator {

namespace {

template <typename Enum, std::size_t N>
std::optional<Enum> enum_named(std::string_view name, const std::array<Enum, N>& values,
                               std::string_view (*to_text)(Enum) noexcept) {
    for (const Enum value : values) {
        if (to_text(value) == name) {
            return value;
        }
    }
    return std::nullopt;
}

constexpr std::array kActions = {agents::Action::kBuy, agents::Action::kSell, agents::Action::kHold,
                                 agents::Action::kAbstain};
constexpr std::array kStrengths = {consensus::Strength::kWeak, consensus::Strength::kModerate,
                                   consensus::Strength::kStrong};

std::optional<double> finite_number(const nlohmann::json& body, const char* key) {
    auto it = body.find(key);
    if (it == body.end() || !it->is_number()) {
        return std::nullopt;
    }
    const double value = it->get<double>();
    return std::isfinite(value) ? std::optional(value) : std::nullopt;
}

std::optional<std::string> text(const nlohmann::json& body, const char* key) {
    auto it = body.find(key);
    if (it == body.end() || !it->is_string()) {
        return std::nullopt;
    }
    return it->get<std::string>();
}

}  // namespace

std::optional<SignalSummary> parse_summary(std::string_view json) {
    const auto body = nlohmann::json::parse(json, nullptr, false);
    if (!body.is_object()) {
        return std::nullopt;
    }
    SignalSummary out;
    auto symbol = text(body, "symbol");
    auto action = text(body, "action");
    auto strength = text(body, "strength");
    auto as_of = text(body, "as_of");
    auto score = finite_number(body, "score");
    auto confidence = finite_number(body, "confidence");
    if (!symbol || !action || !strength || !as_of || !score || !confidence) {
        return std::nullopt;
    }
    auto action_value = enum_named(*action, kActions, &agents::to_string);
    auto strength_value = enum_named(*strength, kStrengths, &consensus::to_string);
    auto as_of_value = market::parse_iso8601(*as_of);
    if (!action_value || !strength_value || !as_of_value) {
        return std::nullopt;
    }
    out.symbol = std::move(*symbol);
    out.action = *action_value;
    out.strength = *strength_value;
    out.score = *score;
    out.confidence = *confidence;
    out.as_of = *as_of_value;
    auto categories = body.find("categories");
    if (categories == body.end() || !categories->is_object()) {
        return std::nullopt;
    }
    for (std::size_t c = 0; c < agents::kCategoryCount; ++c) {
        const auto name = agents::to_string(static_cast<agents::Category>(c));
        auto it = categories->find(name);
        if (it == categories->end() || !it->is_object()) {
            return std::nullopt;
        }
        auto category_score = finite_number(*it, "score");
        auto voters = it->find("voters");
        if (!category_score || voters == it->end() || !voters->is_number_unsigned()) {
            return std::nullopt;
        }
        out.category_scores[c] = *category_score;
        out.category_voters[c] = static_cast<std::uint16_t>(voters->get<std::uint64_t>());
    }
    return out;
}

double scan_score(const SignalSummary& summary, const ScanQuery& query) noexcept {
    return query.category ? summary.category_scores[static_cast<std::size_t>(*query.category)]
                          : summary.score;
}

ScanResult scan(std::span<const SignalSummary* const> summaries, const ScanQuery& query) {
    ScanResult result;
    std::vector<const SignalSummary*> passed;
    passed.reserve(summaries.size());
    for (const SignalSummary* summary : summaries) {
        if (query.action && summary->action != *query.action) {
            continue;
        }
        if (query.category &&
            summary->category_voters[static_cast<std::size_t>(*query.category)] == 0) {
            continue;
        }
        const double score = scan_score(*summary, query);
        if ((query.min_score && score < *query.min_score) ||
            (query.max_score && score > *query.max_score) ||
            (query.min_confidence && summary->confidence < *query.min_confidence)) {
            continue;
        }
        passed.push_back(summary);
    }
    result.total = passed.size();
    auto before = [&query](const SignalSummary* a, const SignalSummary* b) {
        switch (query.sort) {
            case ScanSort::kScoreDescending: {
                const double x = scan_score(*a, query);
                const double y = scan_score(*b, query);
                if (x != y) {
                    return x > y;
                }
                break;
            }
            case ScanSort::kScoreAscending: {
                const double x = scan_score(*a, query);
                const double y = scan_score(*b, query);
                if (x != y) {
                    return x < y;
                }
                break;
            }
            case ScanSort::kConfidence:
                if (a->confidence != b->confidence) {
                    return a->confidence > b->confidence;
                }
                break;
            case ScanSort::kSymbol:
                break;
        }
        return a->symbol < b->symbol;
    };
    // Only the page is sorted: O(n log limit), not a sort of every series.
    const std::size_t count = std::min(query.limit, passed.size());
    std::partial_sort(passed.begin(), passed.begin() + static_cast<std::ptrdiff_t>(count),
                      passed.end(), before);
    passed.resize(count);
    result.rows = std::move(passed);
    return result;
}

}  // namespace gs::orchestrator
