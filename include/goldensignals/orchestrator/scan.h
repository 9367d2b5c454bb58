#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "goldensignals/agents/agent.h"
#include "goldensignals/consensus/consensus.h"

namespace gs::orchestrator {

// What a scan reads of one series' current signal: the consensus and each category's score.
struct SignalSummary {
    std::string symbol;
    agents::Action action = agents::Action::kHold;
    consensus::Strength strength = consensus::Strength::kWeak;
    double score = 0.0;
    double confidence = 0.0;
    std::int64_t as_of = 0;  // epoch seconds
    std::array<double, agents::kCategoryCount> category_scores{};
    // 0: no agent of the category voted (its score says nothing).
    std::array<std::uint16_t, agents::kCategoryCount> category_voters{};
};

// The summary body of a signal (SignalEntry::summary_json) as a scan reads it; nullopt when
// the body lacks a field or a field has an unknown value.
std::optional<SignalSummary> parse_summary(std::string_view json);

enum class ScanSort : std::uint8_t { kScoreDescending, kScoreAscending, kConfidence, kSymbol };

inline constexpr std::size_t kMaxScanLimit = 500;

// GET /v1/scan's filters. With `category`, the score filters and the score sorts read that
// category's score, and series where no agent of the category voted are left out.
struct ScanQuery {
    std::optional<agents::Action> action = std::nullopt;
    std::optional<double> min_score = std::nullopt;
    std::optional<double> max_score = std::nullopt;
    std::optional<double> min_confidence = std::nullopt;
    std::optional<agents::Category> category = std::nullopt;
    ScanSort sort = ScanSort::kScoreDescending;
    std::size_t limit = 50;
};

struct ScanResult {
    std::size_t total = 0;                   // summaries that pass the filters
    std::vector<const SignalSummary*> rows;  // the first `limit` of them in sort order
};

// The score a query filters and sorts on: the consensus score, or the category's.
double scan_score(const SignalSummary& summary, const ScanQuery& query) noexcept;

// Filters and sorts. Ties (and every order) break on the symbol, so the same summaries give
// the same answer whatever order they come in (every instance of a cluster agrees).
ScanResult scan(std::span<const SignalSummary* const> summaries, const ScanQuery& query);

}  // namespace gs::orchestrator
