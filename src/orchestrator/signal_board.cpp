#include "goldensignals/orchestrator/signal_board.h"

#include <mutex>
#include <unordered_set>

#include <spdlog/spdlog.h>

namespace gs::orchestrator {

namespace {

bool same(const BarVersion& a, const BarVersion& b) noexcept {
    return a.newest == b.newest && a.fingerprint == b.fingerprint;
}

std::size_t index_of(market::Timeframe timeframe) noexcept {
    return static_cast<std::size_t>(timeframe);
}

}  // namespace

SignalBoard::Answer SignalBoard::scan_current(market::Timeframe timeframe,
                                              const std::vector<market::CatalogRef>& held,
                                              const ScanQuery& query,
                                              std::vector<std::size_t>* stale) const {
    std::vector<const SignalSummary*> current;
    current.reserve(held.size());
    std::shared_lock lock(mutex_);
    const Map& map = maps_[index_of(timeframe)];
    for (std::size_t i = 0; i < held.size(); ++i) {
        auto it = map.find(held[i].symbol);
        if (!held[i].series) {
            // Stored, not resident: its kept summary is its current one (see the header).
            if (it != map.end()) {
                current.push_back(&it->second.summary);
            }
        } else if (it != map.end() && same(it->second.version, BarVersion::of(*held[i].series))) {
            current.push_back(&it->second.summary);
        } else if (stale != nullptr) {
            stale->push_back(i);
        }
    }
    auto result = orchestrator::scan(current, query);
    Answer answer;
    answer.total = result.total;
    answer.rows.reserve(result.rows.size());
    for (const SignalSummary* row : result.rows) {
        answer.rows.push_back(*row);  // copied under the lock: a refresh may replace it after
    }
    return answer;
}

void SignalBoard::seed(market::Timeframe timeframe, SignalSummary summary) {
    std::unique_lock lock(mutex_);
    std::string symbol = summary.symbol;
    // A version no series has: once the series is resident its summary is read again.
    maps_[index_of(timeframe)].try_emplace(std::move(symbol),
                                           Entry{BarVersion{}, std::move(summary)});
}

std::optional<SignalSummary> SignalBoard::summary_of(const store::CatalogRow& row) {
    if (!row.summary) {
        return std::nullopt;
    }
    const auto& s = *row.summary;
    if (s.action < 0 || s.action > static_cast<int>(agents::Action::kAbstain) || s.strength < 0 ||
        s.strength > static_cast<int>(consensus::Strength::kStrong)) {
        return std::nullopt;
    }
    SignalSummary out;
    out.symbol = row.key.symbol;
    out.action = static_cast<agents::Action>(s.action);
    out.strength = static_cast<consensus::Strength>(s.strength);
    out.score = s.score;
    out.confidence = s.confidence;
    out.as_of = row.last;
    for (std::size_t c = 0; c < agents::kCategoryCount && c < s.category_scores.size(); ++c) {
        out.category_scores[c] = s.category_scores[c];
        out.category_voters[c] = s.category_voters[c];
    }
    return out;
}

boost::asio::awaitable<void> SignalBoard::refresh(const market::CatalogRef& ref) {
    const BarVersion version = BarVersion::of(*ref.series);
    std::string name = ref.symbol;
    auto lookup = co_await signals_.current(std::move(name), ref.timeframe, Need::kSummary);
    refreshes_.fetch_add(1, std::memory_order_relaxed);
    std::unique_lock lock(mutex_);
    Map& map = maps_[index_of(ref.timeframe)];
    if (!lookup.entry) {
        map.erase(ref.symbol);  // deleted meanwhile
        co_return;
    }
    auto summary = parse_summary(*lookup.entry->summary_json);
    if (!summary) {
        spdlog::warn("signal of {} {} has no scan summary", ref.symbol,
                     market::to_string(ref.timeframe));
        co_return;
    }
    // Kept under the version read before the lookup: if the bars changed meanwhile, the next
    // scan sees a different version and reads the signal again.
    map.insert_or_assign(ref.symbol, Entry{version, std::move(*summary)});
}

void SignalBoard::prune(market::Timeframe timeframe, const std::vector<market::CatalogRef>& held) {
    std::unique_lock lock(mutex_);
    Map& map = maps_[index_of(timeframe)];
    if (map.size() <= 2 * held.size() + 64) {
        return;
    }
    std::unordered_set<std::string_view> symbols;
    symbols.reserve(held.size());
    for (const auto& ref : held) {
        symbols.insert(ref.symbol);
    }
    std::erase_if(map, [&symbols](const auto& item) { return !symbols.contains(item.first); });
}

boost::asio::awaitable<SignalBoard::Answer> SignalBoard::scan(market::Timeframe timeframe,
                                                              ScanQuery query) {
    const auto held = bars_.list_catalog(timeframe);
    std::vector<std::size_t> stale;
    auto answer = scan_current(timeframe, held, query, &stale);
    if (stale.empty()) {
        co_return answer;
    }
    for (const std::size_t i : stale) {
        try {
            co_await refresh(held[i]);
        } catch (const std::exception& e) {
            // Left out of this scan; the next one tries again.
            spdlog::warn("signal of {} not read for a scan: {}", held[i].symbol, e.what());
        }
    }
    prune(timeframe, held);
    co_return scan_current(timeframe, held, query, nullptr);
}

std::size_t SignalBoard::size() const {
    std::shared_lock lock(mutex_);
    std::size_t total = 0;
    for (const auto& map : maps_) {
        total += map.size();
    }
    return total;
}

}  // namespace gs::orchestrator
