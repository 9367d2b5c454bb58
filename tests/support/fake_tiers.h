#pragma once

// In-memory stand-ins for the I/O seams (signal tier, signal archive, bar-version registry,
// bar repository). Each appends what it is asked to one shared CallLog, so a test can assert
// the order of calls across them, and can be told to fail.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "goldensignals/cache/signal_tier.h"
#include "goldensignals/orchestrator/bar_version_registry.h"
#include "goldensignals/store/bar_repository.h"
#include "goldensignals/store/pg_signal_store.h"

namespace gs::testing {

// "<seam>.<call> <argument>" lines in call order, from any thread.
class CallLog {
  public:
    void add(std::string line) {
        std::lock_guard lock(mutex_);
        lines_.push_back(std::move(line));
    }
    std::vector<std::string> lines() const {
        std::lock_guard lock(mutex_);
        return lines_;
    }
    std::size_t count(const std::string& prefix) const {
        std::lock_guard lock(mutex_);
        std::size_t n = 0;
        for (const auto& line : lines_) {
            n += line.starts_with(prefix) ? 1 : 0;
        }
        return n;
    }
    void clear() {
        std::lock_guard lock(mutex_);
        lines_.clear();
    }

  private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

// A signal tier in a map. `fail` makes every call throw (a tier that breaks its contract:
// the service must still treat it as a miss); `hold_gets` parks every get until release().
class FakeSignalTier final : public cache::SignalTier {
  public:
    explicit FakeSignalTier(CallLog& log) : log_(log) {}

    boost::asio::awaitable<std::optional<cache::SignalBodies>> get(std::string key) override {
        log_.add("l2.get " + key);
        if (hold_gets) {
            co_await park();
        }
        std::lock_guard lock(mutex_);
        if (fail) {
            throw std::runtime_error("tier down");
        }
        auto it = values_.find(key);
        if (it == values_.end()) {
            co_return std::nullopt;
        }
        co_return it->second;
    }
    boost::asio::awaitable<void> put(std::string key, std::string_view full,
                                     std::string_view summary) override {
        log_.add("l2.put " + key);
        std::lock_guard lock(mutex_);
        if (fail) {
            throw std::runtime_error("tier down");
        }
        values_[key] = cache::SignalBodies{std::string(full), std::string(summary)};
        co_return;
    }

    void set(const std::string& key, cache::SignalBodies bodies) {
        std::lock_guard lock(mutex_);
        values_[key] = std::move(bodies);
    }
    void erase(const std::string& key) {
        std::lock_guard lock(mutex_);
        values_.erase(key);
    }
    std::optional<cache::SignalBodies> value(const std::string& key) const {
        std::lock_guard lock(mutex_);
        auto it = values_.find(key);
        return it == values_.end() ? std::nullopt : std::optional(it->second);
    }
    std::size_t parked() const {
        std::lock_guard lock(mutex_);
        return timers_.size();
    }
    // Resumes every parked get. Call while the io_context is not running.
    void release() {
        hold_gets = false;
        std::lock_guard lock(mutex_);
        for (auto* timer : timers_) {
            timer->cancel();
        }
        timers_.clear();
    }

    bool fail = false;
    bool hold_gets = false;

  private:
    boost::asio::awaitable<void> park() {
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor,
                                        boost::asio::steady_timer::time_point::max());
        {
            std::lock_guard lock(mutex_);
            timers_.push_back(&timer);
        }
        boost::system::error_code ec;
        co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }

    CallLog& log_;
    mutable std::mutex mutex_;
    std::map<std::string, cache::SignalBodies> values_;
    std::vector<boost::asio::steady_timer*> timers_;
};

// Latest signals by "<timeframe>|<symbol>"; every enqueued row is kept in rows().
class FakeSignalArchive final : public store::SignalArchive {
  public:
    explicit FakeSignalArchive(CallLog& log) : log_(log) {}

    boost::asio::awaitable<std::optional<store::LatestSignal>> latest(
        std::string symbol, market::Timeframe timeframe) override {
        log_.add("l3.latest " + symbol);
        std::lock_guard lock(mutex_);
        if (fail_latest) {
            throw std::runtime_error("archive down");
        }
        auto it = latest_.find(key_of(symbol, timeframe));
        if (it == latest_.end()) {
            co_return std::nullopt;
        }
        co_return it->second;
    }
    boost::asio::awaitable<void> enqueue(store::SignalRow row) override {
        log_.add("l3.enqueue " + row.symbol);
        std::lock_guard lock(mutex_);
        if (fail_enqueue) {
            throw std::runtime_error("archive down");
        }
        rows_.push_back(std::move(row));
        co_return;
    }
    bool keeps_rows() const noexcept override { return keeps; }

    void set_latest(const std::string& symbol, market::Timeframe timeframe,
                    store::LatestSignal latest) {
        std::lock_guard lock(mutex_);
        latest_[key_of(symbol, timeframe)] = std::move(latest);
    }
    std::vector<store::SignalRow> rows() const {
        std::lock_guard lock(mutex_);
        return rows_;
    }

    bool fail_latest = false;
    bool fail_enqueue = false;
    bool keeps = true;  // keeps_rows(): false plays an archive that keeps nothing

  private:
    static std::string key_of(const std::string& symbol, market::Timeframe timeframe) {
        return std::string(market::to_string(timeframe)) + "|" + symbol;
    }

    CallLog& log_;
    mutable std::mutex mutex_;
    std::map<std::string, store::LatestSignal> latest_;
    std::vector<store::SignalRow> rows_;
};

// Version records in a map; announce() records, then hands the bar-update message to every
// subscriber (other instances' BarSync::on_message), as Redis SET + PUBLISH would.
class FakeBarVersionRegistry final : public orchestrator::BarVersionRegistry {
  public:
    using Subscriber = std::function<void(std::string payload)>;

    explicit FakeBarVersionRegistry(CallLog& log) : log_(log) {}

    boost::asio::awaitable<orchestrator::SharedRecord> recorded(
        std::string symbol, market::Timeframe timeframe) override {
        log_.add("versions.recorded " + symbol);
        std::lock_guard lock(mutex_);
        if (!reachable) {
            co_return orchestrator::SharedRecord::unknown();
        }
        auto it = records_.find(key_of(symbol, timeframe));
        if (it == records_.end()) {
            co_return orchestrator::SharedRecord::absent();
        }
        co_return orchestrator::SharedRecord::found(it->second);
    }
    boost::asio::awaitable<void> seed(std::string symbol, market::Timeframe timeframe,
                                      std::string version) override {
        log_.add("versions.seed " + symbol + " " + version);
        std::lock_guard lock(mutex_);
        if (reachable) {
            records_.try_emplace(key_of(symbol, timeframe), std::move(version));
        }
        co_return;
    }
    boost::asio::awaitable<void> announce(std::string symbol, market::Timeframe timeframe,
                                          std::string version) override {
        log_.add("versions.announce " + symbol + " " + version);
        const std::string message = orchestrator::format_bar_update(symbol, timeframe, version);
        std::vector<Subscriber> subscribers;
        {
            std::lock_guard lock(mutex_);
            records_[key_of(symbol, timeframe)] = version;
            messages_.push_back(message);
            subscribers = subscribers_;
        }
        for (auto& subscriber : subscribers) {
            subscriber(message);
        }
        co_return;
    }
    std::string channel() const override { return "fake:bars"; }
    std::chrono::microseconds ack_delay() const override { return ack_delay_for_tests; }
    // What ack_delay() answers (the read lease of the instances a real registry serves).
    std::chrono::microseconds ack_delay_for_tests{0};

    // Records forgotten, as by a restart of a Redis without persistence.
    void forget_records() {
        std::lock_guard lock(mutex_);
        records_.clear();
    }
    void set_record(const std::string& symbol, market::Timeframe timeframe, std::string version) {
        std::lock_guard lock(mutex_);
        records_[key_of(symbol, timeframe)] = std::move(version);
    }
    std::optional<std::string> record(const std::string& symbol,
                                      market::Timeframe timeframe) const {
        std::lock_guard lock(mutex_);
        auto it = records_.find(key_of(symbol, timeframe));
        return it == records_.end() ? std::nullopt : std::optional(it->second);
    }
    std::vector<std::string> messages() const {
        std::lock_guard lock(mutex_);
        return messages_;
    }
    void subscribe(Subscriber subscriber) {
        std::lock_guard lock(mutex_);
        subscribers_.push_back(std::move(subscriber));
    }

  private:
    static std::string key_of(const std::string& symbol, market::Timeframe timeframe) {
        return std::string(market::to_string(timeframe)) + "|" + symbol;
    }

  public:
    // False: Redis unreachable, every read answers "unknown" and nothing is recorded.
    std::atomic<bool> reachable{true};

  private:
    CallLog& log_;
    mutable std::mutex mutex_;
    std::map<std::string, std::string> records_;
    std::vector<std::string> messages_;
    std::vector<Subscriber> subscribers_;
};

// Durable bars in a map (newest time wins per bar time, like the bars table).
class FakeBarRepository final : public store::BarRepository {
  public:
    explicit FakeBarRepository(CallLog& log) : log_(log) {}

    boost::asio::awaitable<std::size_t> upsert(std::string symbol, market::Timeframe timeframe,
                                               std::span<const market::Bar> bars) override {
        log_.add("bars.upsert " + symbol);
        std::lock_guard lock(mutex_);
        if (fail || fail_writes) {
            throw std::runtime_error("repository down");
        }
        auto& series = series_[key_of(symbol, timeframe)];
        for (const auto& bar : bars) {
            series[bar.time] = bar;
        }
        co_return bars.size();
    }
    // One "bars.batch <writes>" line, then each write as upsert() logs and stores it; all
    // or nothing when `fail` is set.
    boost::asio::awaitable<void> upsert_batch(std::vector<store::SeriesBars> writes) override {
        log_.add("bars.batch " + std::to_string(writes.size()));
        std::lock_guard lock(mutex_);
        if (fail || fail_writes) {
            throw std::runtime_error("repository down");
        }
        for (const auto& write : writes) {
            const std::string symbol(write.symbol);
            log_.add("bars.upsert " + symbol);
            auto& series = series_[key_of(symbol, write.timeframe)];
            for (const auto& bar : write.bars) {
                series[bar.time] = bar;
            }
        }
        co_return;
    }
    boost::asio::awaitable<std::vector<market::Bar>> load(std::string symbol,
                                                          market::Timeframe timeframe,
                                                          std::size_t newest_n) override {
        log_.add("bars.load " + symbol);
        if (on_load) {
            on_load();
        }
        std::lock_guard lock(mutex_);
        if (fail) {
            throw std::runtime_error("repository down");
        }
        std::vector<market::Bar> out;
        auto it = series_.find(key_of(symbol, timeframe));
        if (it != series_.end()) {
            for (const auto& [time, bar] : it->second) {
                out.push_back(bar);
            }
        }
        if (out.size() > newest_n) {
            out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(newest_n));
        }
        co_return out;
    }

    boost::asio::awaitable<std::size_t> erase(std::string symbol,
                                              market::Timeframe timeframe) override {
        log_.add("bars.erase " + symbol);
        std::lock_guard lock(mutex_);
        if (fail) {
            throw std::runtime_error("repository down");
        }
        auto it = series_.find(key_of(symbol, timeframe));
        if (it == series_.end()) {
            co_return 0;
        }
        const std::size_t removed = it->second.size();
        series_.erase(it);
        co_return removed;
    }

    // Replaces what the repository holds for the series.
    void set(const std::string& symbol, market::Timeframe timeframe,
             const std::vector<market::Bar>& bars) {
        std::lock_guard lock(mutex_);
        auto& series = series_[key_of(symbol, timeframe)];
        series.clear();
        for (const auto& bar : bars) {
            series[bar.time] = bar;
        }
    }
    std::size_t size(const std::string& symbol, market::Timeframe timeframe) const {
        std::lock_guard lock(mutex_);
        auto it = series_.find(key_of(symbol, timeframe));
        return it == series_.end() ? 0 : it->second.size();
    }
    std::optional<market::Bar> bar(const std::string& symbol, market::Timeframe timeframe,
                                   std::int64_t time) const {
        std::lock_guard lock(mutex_);
        auto it = series_.find(key_of(symbol, timeframe));
        if (it == series_.end() || !it->second.contains(time)) {
            return std::nullopt;
        }
        return it->second.at(time);
    }

    bool fail = false;
    // Writes only: loads still answer (the load a write does first, docs/memory.md).
    bool fail_writes = false;
    // Runs at the start of every load (what happens elsewhere while the load is out).
    std::function<void()> on_load;

  private:
    static std::string key_of(const std::string& symbol, market::Timeframe timeframe) {
        return std::string(market::to_string(timeframe)) + "|" + symbol;
    }

    CallLog& log_;
    mutable std::mutex mutex_;
    std::map<std::string, std::map<std::int64_t, market::Bar>> series_;
};

}  // namespace gs::testing
