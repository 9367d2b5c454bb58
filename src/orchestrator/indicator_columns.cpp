#include "goldensignals/orchestrator/indicator_columns.h"

#include <algorithm>
#include <limits>
#include <new>
#include <stdexcept>

#include "goldensignals/agents/agent_states.h"

namespace gs::orchestrator {

namespace {

// Streaming agents whose verdict values are not bit for bit their series: their verdicts
// compute the newest window afresh (Bollinger's bands, the stochastics, rolling sums of money
// flow and volume, the z-score), while series() runs TA-Lib's running sums over every bar, so
// the two differ in the last bits (1e-8 relative on the bands, more on values near zero). Found
// by tests/orchestrator/indicator_columns_test.cpp, which checks every other agent bit for bit;
// these stay on series() once per new version.
constexpr std::string_view kNotStreamed[] = {
    "awesome_oscillator",
    "bollinger",
    "bollinger_squeeze",
    "cmf",
    "ease_of_movement",
    "mfi",
    "obv",
    "stoch_rsi",
    "stochastic",
    "ultimate_oscillator",
    "volume_spike",
    "vwap",
    "zscore_reversion",
};

}  // namespace

ColumnsMode columns_mode(const agents::AgentDef& def) noexcept {
    if (def.stream == nullptr) {
        return ColumnsMode::kBatch;
    }
    for (std::string_view name : kNotStreamed) {
        if (name == def.name) {
            return ColumnsMode::kBatch;
        }
    }
    return ColumnsMode::kStreamed;
}

// The agent's streaming state, owned (not an AgentStates block: one agent only).
struct IndicatorColumns::State {
    explicit State(const agents::StreamOps& ops) : ops(ops) {
        memory = static_cast<std::byte*>(
            ::operator new (ops.size, std::align_val_t{std::max(ops.align, alignof(void*))}));
        try {
            ops.construct(memory);
        } catch (...) {
            ::operator delete (memory, std::align_val_t{std::max(ops.align, alignof(void*))});
            throw;
        }
    }
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    ~State() {
        ops.destroy(memory);
        ::operator delete (memory, std::align_val_t{std::max(ops.align, alignof(void*))});
    }

    const agents::StreamOps& ops;
    std::byte* memory = nullptr;
    std::size_t taken = 0;
};

IndicatorColumns::IndicatorColumns(const agents::AgentDef& def)
    : def_(def), mode_(columns_mode(def)) {}

IndicatorColumns::~IndicatorColumns() = default;

IndicatorColumns::Step IndicatorColumns::update(const market::BarSeries& series) {
    if (built_) {
        if (series.epoch() < epoch_ || (series.epoch() == epoch_ && series.serial() < serial_)) {
            return Step::kOlder;  // epochs and serials only grow: a snapshot taken earlier
        }
        if (series.epoch() == epoch_ && series.serial() == serial_) {
            return Step::kCurrent;
        }
        const std::uint64_t behind = series.serial() - serial_;
        // Every new bar still held, and the window no longer than what the columns would hold
        // (a version of the same epoch keeps the bars of the previous one still in its window).
        if (series.epoch() == epoch_ && mode_ == ColumnsMode::kStreamed &&
            behind <= series.size() && series.size() <= live_ + behind) {
            built_ = false;  // until the appends are complete: a throw leaves a rebuild
            bool fed = true;
            try {
                for (std::size_t i = series.size() - behind; i < series.size() && fed; ++i) {
                    fed = append(series.bar(i));
                }
            } catch (...) {
                fed = false;  // a throwing verdict: the batch form decides
            }
            if (fed) {
                trim(series.size());
                serial_ = series.serial();
                built_ = true;
                return Step::kAppended;
            }
        }
    }
    rebuild(series);
    return Step::kRebuilt;
}

void IndicatorColumns::rebuild(const market::BarSeries& series) {
    built_ = false;
    state_.reset();
    const market::BarsView view = series.view();
    const std::size_t n = view.size();
    agents::SeriesSet set;
    def_.series(view, set);
    keys_.clear();
    columns_.clear();
    for (auto& [key, values] : set.series) {
        if (values.size() != n) {
            throw std::logic_error("an agent's series() is not aligned with the bars");
        }
        keys_.push_back(key);
        // Room for the window's slack (trim()) so a full window's appends never reallocate.
        values.reserve(n + n / 4 + 16);
        columns_.push_back(std::move(values));
    }
    if (mode_ == ColumnsMode::kStreamed) {
        state_ = std::make_unique<State>(*def_.stream);
        for (std::size_t i = 0; i < n; ++i) {
            state_->ops.update(state_->memory, series.bar(i));
        }
        state_->taken = n;
    }
    dead_ = 0;
    live_ = n;
    epoch_ = series.epoch();
    serial_ = series.serial();
    appended_ = 0;
    ++builds_;
    built_ = true;
}

bool IndicatorColumns::append(const market::Bar& bar) {
    state_->ops.update(state_->memory, bar);
    ++state_->taken;
    // Before min_bars the state cannot evaluate (and the series may already have values).
    if (state_->taken < def_.min_bars) {
        return false;
    }
    const agents::AgentResult r = state_->ops.evaluate(state_->memory);
    // An ABSTAIN on degenerate data may carry no values: then the batch form decides.
    const auto values = r.values();
    if (values.size() != keys_.size()) {
        return false;
    }
    for (std::size_t k = 0; k < keys_.size(); ++k) {
        if (values[k].key != keys_[k]) {
            return false;
        }
    }
    for (std::size_t k = 0; k < keys_.size(); ++k) {
        columns_[k].push_back(values[k].value);
    }
    ++live_;
    ++appended_;
    return true;
}

void IndicatorColumns::trim(std::size_t keep) {
    if (live_ <= keep) {
        return;
    }
    dead_ += live_ - keep;
    live_ = keep;
    // A quarter of dead values at most: 1.25x the window in memory, O(1) moves per append.
    if (dead_ * 4 >= live_) {
        const std::size_t room = live_ + live_ / 4 + 16;
        for (auto& column : columns_) {
            const auto first = column.begin() + static_cast<std::ptrdiff_t>(dead_);
            if (column.capacity() > room + room / 4) {
                // Grown by doubling while the window filled: back to the window's size.
                std::vector<double> moved;
                moved.reserve(room);
                moved.assign(first, column.end());
                column = std::move(moved);
            } else {
                column.erase(column.begin(), first);
            }
        }
        dead_ = 0;
    }
}

IndicatorSlice IndicatorColumns::slice(std::size_t limit) const {
    IndicatorSlice out;
    out.keys = keys_;
    out.count = std::min(limit, live_);
    out.values.resize(keys_.size() * out.count);
    const std::size_t from = dead_ + live_ - out.count;
    for (std::size_t k = 0; k < keys_.size(); ++k) {
        std::copy_n(columns_[k].begin() + static_cast<std::ptrdiff_t>(from), out.count,
                    out.values.begin() + static_cast<std::ptrdiff_t>(k * out.count));
    }
    return out;
}

std::size_t IndicatorColumns::bytes() const noexcept {
    std::size_t total = keys_.capacity() * sizeof(std::string_view) +
                        columns_.capacity() * sizeof(std::vector<double>);
    for (const auto& column : columns_) {
        total += column.capacity() * sizeof(double);
    }
    if (state_) {
        total += sizeof(State) + state_->ops.size;
    }
    return total;
}

IndicatorColumnsCache::IndicatorColumnsCache(std::size_t max_sets)
    : max_sets_(std::max<std::size_t>(1, max_sets)) {}

IndicatorSlice IndicatorColumnsCache::slice(std::string_view symbol, market::Timeframe timeframe,
                                            const agents::AgentDef& def,
                                            const market::BarSeries& series, std::size_t limit) {
    std::string key(market::to_string(timeframe));
    key += '|';
    key += symbol;
    const auto found = entry(key, def, series.epoch());
    {
        // One build per set however many requests arrive: the others wait here and find it.
        std::lock_guard lock(found->mutex);
        const auto step = found->columns.update(series);
        if (step == IndicatorColumns::Step::kRebuilt) {
            builds_.fetch_add(1, std::memory_order_relaxed);
        }
        if (step != IndicatorColumns::Step::kOlder) {
            return found->columns.slice(limit);
        }
    }
    // A snapshot older than the columns (taken before another request's newer one): its own
    // columns, once.
    IndicatorColumns once(def);
    once.update(series);
    return once.slice(limit);
}

std::shared_ptr<const std::string> IndicatorColumnsCache::body(
    std::string_view symbol, market::Timeframe timeframe, const agents::AgentDef& def,
    const market::BarSeries& series, std::size_t limit, const Render& render) {
    std::string key(market::to_string(timeframe));
    key += '|';
    key += symbol;
    const auto found = entry(key, def, series.epoch());
    IndicatorSlice slice;
    bool older = false;
    {
        std::lock_guard lock(found->mutex);
        const auto step = found->columns.update(series);
        if (step == IndicatorColumns::Step::kRebuilt) {
            builds_.fetch_add(1, std::memory_order_relaxed);
        }
        older = step == IndicatorColumns::Step::kOlder;
        if (!older) {
            if (found->body && found->body_epoch == series.epoch() &&
                found->body_serial == series.serial() && found->body_limit == limit) {
                return found->body;
            }
            slice = found->columns.slice(limit);
        }
    }
    if (older) {
        // kOlder: a snapshot older than the columns gets a body of its own, not kept.
        IndicatorColumns once(def);
        once.update(series);
        return std::make_shared<const std::string>(render(once.slice(limit)));
    }
    // Rendered outside the lock: concurrent first reads of a version may each render it.
    auto made = std::make_shared<const std::string>(render(slice));
    std::lock_guard lock(found->mutex);
    if (made->size() <= kMaxKeptBody && found->columns.epoch() == series.epoch() &&
        found->columns.serial() == series.serial()) {
        found->body = made;
        found->body_epoch = series.epoch();
        found->body_serial = series.serial();
        found->body_limit = limit;
    }
    return made;
}

std::shared_ptr<IndicatorColumnsCache::Entry> IndicatorColumnsCache::entry(
    const std::string& key, const agents::AgentDef& def, std::uint64_t epoch) {
    std::lock_guard lock(mutex_);
    auto& series = series_[key];
    if (epoch > series.epoch) {
        // A new epoch: every agent's columns of the older one would be rebuilt on their next
        // request anyway; until then they only hold memory.
        sets_ -= series.agents.size();
        series.agents.clear();
        series.epoch = epoch;
    }
    for (auto& [agent, e] : series.agents) {
        if (agent == &def) {
            e->last_used = ++clock_;
            return e;
        }
    }
    while (sets_ >= max_sets_) {
        evict_one(key);
    }
    auto made = std::make_shared<Entry>(def);
    made->last_used = ++clock_;
    series_[key].agents.emplace_back(&def, made);
    ++sets_;
    return made;
}

void IndicatorColumnsCache::evict_one(const std::string& keep) {
    auto oldest_series = series_.end();
    std::size_t oldest_index = 0;
    std::uint64_t oldest = std::numeric_limits<std::uint64_t>::max();
    for (auto it = series_.begin(); it != series_.end(); ++it) {
        for (std::size_t i = 0; i < it->second.agents.size(); ++i) {
            if (it->second.agents[i].second->last_used < oldest) {
                oldest = it->second.agents[i].second->last_used;
                oldest_series = it;
                oldest_index = i;
            }
        }
    }
    if (oldest_series == series_.end()) {
        sets_ = 0;
        return;
    }
    auto& agents = oldest_series->second.agents;
    agents.erase(agents.begin() + static_cast<std::ptrdiff_t>(oldest_index));
    --sets_;
    if (agents.empty() && oldest_series->first != keep) {
        series_.erase(oldest_series);
    }
}

std::size_t IndicatorColumnsCache::sets() const {
    std::lock_guard lock(mutex_);
    return sets_;
}

std::size_t IndicatorColumnsCache::bytes() const {
    std::vector<std::shared_ptr<Entry>> all;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [key, series] : series_) {
            for (const auto& [agent, e] : series.agents) {
                all.push_back(e);
            }
        }
    }
    std::size_t total = 0;
    for (const auto& e : all) {
        std::lock_guard lock(e->mutex);
        total += e->columns.bytes() + (e->body ? e->body->capacity() : 0);
    }
    return total;
}

}  // namespace gs::orchestrator
