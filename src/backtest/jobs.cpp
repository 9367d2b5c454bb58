#include "goldensignals/backtest/jobs.h"

#include <atomic>
#include <chrono>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "goldensignals/async/run_on.h"
#include "goldensignals/market/time_format.h"

namespace gs::backtest {

namespace asio = boost::asio;

const char* to_string(JobStatus status) noexcept {
    switch (status) {
        case JobStatus::kQueued:
            return "queued";
        case JobStatus::kRunning:
            return "running";
        case JobStatus::kDone:
            return "done";
        case JobStatus::kCancelled:
            return "cancelled";
        case JobStatus::kFailed:
            return "failed";
    }
    return "failed";
}

struct JobRegistry::Job {
    std::string id;
    JobSpec spec;
    JobStatus status = JobStatus::kQueued;
    std::int64_t created_ms = 0;
    std::optional<std::int64_t> started_ms;
    std::optional<std::int64_t> finished_ms;
    std::size_t bars_total = 0;
    std::size_t bars_done = 0;
    std::vector<SymbolResult> results;  // in spec.symbols order, as far as done
    std::string error;                  // kFailed: why
    std::uint64_t revision = 0;
    std::atomic<bool> cancelled{false};

    bool finished() const noexcept {
        return status == JobStatus::kDone || status == JobStatus::kCancelled ||
               status == JobStatus::kFailed;
    }
};

// Shared with the running job's coroutine, which may outlive the registry's owner by a step.
struct JobRegistry::State {
    asio::any_io_executor io;
    asio::any_io_executor compute;
    SymbolRunner run;
    BarCounter count;
    JobLimits limits;
    Clock clock;

    std::mutex mutex;
    std::map<std::string, std::shared_ptr<Job>> jobs;
    std::deque<std::shared_ptr<Job>> queue;
    bool pumping = false;  // a coroutine is running the queue
    bool stopped = false;
    // Ids are what lets a client read or cancel a job: drawn from the OS's entropy, so that
    // one client's ids do not predict another's (a seeded engine's outputs would).
    std::random_device random;

    std::int64_t now() const { return clock(); }

    // Drops finished jobs past keep_for, then the oldest finished while the jobs and `room`
    // more would exceed max_kept.
    void expire(std::int64_t now_ms, std::size_t room = 0) {
        const std::int64_t keep_ms = limits.keep_for.count() * 1000;
        for (auto it = jobs.begin(); it != jobs.end();) {
            const Job& job = *it->second;
            it = job.finished() && job.finished_ms && now_ms - *job.finished_ms >= keep_ms
                     ? jobs.erase(it)
                     : std::next(it);
        }
        while (jobs.size() + room > limits.max_kept) {
            auto oldest = jobs.end();
            for (auto it = jobs.begin(); it != jobs.end(); ++it) {
                if (it->second->finished() &&
                    (oldest == jobs.end() ||
                     *it->second->finished_ms < *oldest->second->finished_ms)) {
                    oldest = it;
                }
            }
            if (oldest == jobs.end()) {
                return;
            }
            jobs.erase(oldest);
        }
    }

    std::shared_ptr<Job> find(const std::string& id) {
        expire(now());
        auto it = jobs.find(id);
        return it == jobs.end() ? nullptr : it->second;
    }
};

namespace {

std::int64_t system_clock_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

nlohmann::json optional_time(const std::optional<std::int64_t>& ms) {
    return ms ? nlohmann::json(market::format_iso8601(*ms / 1000)) : nlohmann::json(nullptr);
}

nlohmann::json summary_json(const Summary& s) {
    return {{"total_return", s.total_return},
            {"buy_and_hold_return", s.buy_and_hold_return},
            {"cagr", s.cagr},
            {"sharpe", s.sharpe},
            {"sortino", s.sortino},
            {"max_drawdown", s.max_drawdown},
            {"hit_rate", s.hit_rate},
            {"trades", s.trades},
            {"exposure", s.exposure},
            {"turnover", s.turnover}};
}

nlohmann::json result_json(const SymbolResult& r) {
    if (r.error) {
        return {{"symbol", r.symbol}, {"error", *r.error}};
    }
    return {{"symbol", r.symbol}, {"bars", r.bars}, {"skipped", r.skipped},
            {"calls", r.calls},   {"hits", r.hits}, {"summary", summary_json(r.summary)}};
}

nlohmann::json aggregate_json(const Aggregate& a) {
    return {{"tested", a.tested},
            {"failed", a.failed},
            {"positive", a.positive},
            {"beat_buy_and_hold", a.beat_buy_and_hold},
            {"mean_total_return", a.mean_total_return},
            {"median_total_return", a.median_total_return},
            {"mean_buy_and_hold_return", a.mean_buy_and_hold_return},
            {"mean_sharpe", a.mean_sharpe},
            {"mean_max_drawdown", a.mean_max_drawdown},
            {"hit_rate", a.hit_rate},
            {"calls", a.calls},
            {"trades", a.trades}};
}

// Runs the queue until it is empty; one job at a time, one symbol per compute task.
asio::awaitable<void> pump(std::shared_ptr<JobRegistry::State> state);

}  // namespace

JobRegistry::JobRegistry(asio::any_io_executor io, asio::any_io_executor compute, SymbolRunner run,
                         BarCounter count, JobLimits limits, Clock clock)
    : state_(std::make_shared<State>()), limits_(limits) {
    state_->io = std::move(io);
    state_->compute = std::move(compute);
    state_->run = std::move(run);
    state_->count = std::move(count);
    state_->limits = limits;
    state_->clock = clock ? std::move(clock) : Clock(system_clock_ms);
}

JobRegistry::~JobRegistry() {
    std::lock_guard lock(state_->mutex);
    state_->stopped = true;
    for (auto& [id, job] : state_->jobs) {
        job->cancelled = true;
    }
}

std::string JobRegistry::submit(JobSpec spec) {
    std::shared_ptr<Job> job;
    bool start = false;
    {
        std::lock_guard lock(state_->mutex);
        const auto now = state_->now();
        state_->expire(now, 1);
        std::size_t active = 0;
        for (const auto& [id, existing] : state_->jobs) {
            active += existing->finished() ? 0 : 1;
        }
        if (active >= limits_.max_active) {
            throw JobsBusy(fmt::format(
                "{} universe backtests are queued or running; retry when one is done", active));
        }
        job = std::make_shared<Job>();
        job->id = fmt::format("bt_{:08x}{:08x}{:08x}{:08x}", state_->random(), state_->random(),
                              state_->random(), state_->random());
        job->spec = std::move(spec);
        job->created_ms = now;
        state_->jobs.emplace(job->id, job);
        state_->queue.push_back(job);
        start = !state_->pumping;
        state_->pumping = true;
    }
    if (start) {
        asio::co_spawn(state_->io, pump(state_), asio::detached);
    }
    return job->id;
}

std::optional<nlohmann::json> JobRegistry::describe(const std::string& id, bool results) {
    std::lock_guard lock(state_->mutex);
    const auto job = state_->find(id);
    if (!job) {
        return std::nullopt;
    }
    const JobSpec& spec = job->spec;
    nlohmann::json eta = nullptr;
    if (job->finished()) {
        eta = 0;
    } else if (job->started_ms && job->bars_done > 0) {
        const double elapsed_s = static_cast<double>(state_->now() - *job->started_ms) / 1000.0;
        eta = elapsed_s * static_cast<double>(job->bars_total - job->bars_done) /
              static_cast<double>(job->bars_done);
    }
    nlohmann::json body = {
        {"id", job->id},
        {"status", to_string(job->status)},
        {"timeframe", market::to_string(spec.timeframe)},
        {"from", spec.from ? nlohmann::json(market::format_iso8601(*spec.from)) : nullptr},
        {"to", spec.to ? nlohmann::json(market::format_iso8601(*spec.to)) : nullptr},
        {"horizon", spec.options.horizon},
        {"mode", spec.options.mode == Mode::kLongOnly ? "long_only" : "long_short"},
        {"fee_bps", spec.options.fee_bps},
        {"weighting", "static"},
        {"created", optional_time(job->created_ms)},
        {"started", optional_time(job->started_ms)},
        {"finished", optional_time(job->finished_ms)},
        {"progress",
         {{"symbols_total", spec.symbols.size()},
          {"symbols_done", job->results.size()},
          {"bars_total", job->bars_total},
          {"bars_done", job->bars_done},
          {"eta_seconds", eta}}}};
    if (job->status == JobStatus::kFailed) {
        body["error"] = job->error;
    }
    if (!results) {
        return body;
    }
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : job->results) {
        list.push_back(result_json(r));
    }
    body["results"] = std::move(list);
    if (job->finished()) {
        nlohmann::json ranked = nlohmann::json::array();
        std::size_t rank = 0;
        for (const std::size_t i : ranking(job->results)) {
            const SymbolResult& r = job->results[i];
            ranked.push_back({{"rank", ++rank},
                              {"symbol", r.symbol},
                              {"total_return", r.summary.total_return},
                              {"sharpe", r.summary.sharpe},
                              {"hit_rate", r.summary.hit_rate}});
        }
        body["ranking"] = std::move(ranked);
        body["aggregate"] = aggregate_json(aggregate(job->results));
    }
    return body;
}

std::optional<std::uint64_t> JobRegistry::revision(const std::string& id) {
    std::lock_guard lock(state_->mutex);
    const auto job = state_->find(id);
    return job ? std::optional<std::uint64_t>(job->revision) : std::nullopt;
}

bool JobRegistry::cancel(const std::string& id) {
    std::lock_guard lock(state_->mutex);
    const auto job = state_->find(id);
    if (!job) {
        return false;
    }
    if (!job->finished()) {
        job->cancelled = true;
        if (job->status == JobStatus::kQueued) {  // never started: done with at once
            job->status = JobStatus::kCancelled;
            job->finished_ms = state_->now();
            ++job->revision;
        }
    }
    return true;
}

namespace {

asio::awaitable<void> run_job(std::shared_ptr<JobRegistry::State> state,
                              std::shared_ptr<JobRegistry::Job> job) {
    // The spec is not written once the job runs: read without the lock.
    std::vector<std::size_t> walked;
    std::size_t bars_total = 0;
    for (const auto& symbol : job->spec.symbols) {
        walked.push_back(state->count(symbol, job->spec));
        bars_total += walked.back();
    }
    {
        std::lock_guard lock(state->mutex);
        job->bars_total = bars_total;
        ++job->revision;
    }
    for (std::size_t i = 0; i < job->spec.symbols.size(); ++i) {
        const std::string& symbol = job->spec.symbols[i];
        if (job->cancelled) {
            break;
        }
        // On the compute pool; the job resumes on state->io (where pump() spawned it).
        auto work = [&state, &job, &symbol] {
            try {
                return state->run(symbol, job->spec);
            } catch (const std::exception& e) {
                SymbolResult failed;
                failed.symbol = symbol;
                failed.error = e.what();
                return failed;
            }
        };
        SymbolResult result = co_await async::run_on(state->compute, std::move(work));
        std::lock_guard lock(state->mutex);
        job->bars_done += walked[i];
        job->results.push_back(std::move(result));
        ++job->revision;
    }
    std::lock_guard lock(state->mutex);
    job->status = job->cancelled ? JobStatus::kCancelled : JobStatus::kDone;
    job->bars_done = job->status == JobStatus::kDone ? job->bars_total : job->bars_done;
    job->finished_ms = state->now();
    ++job->revision;
}

asio::awaitable<void> pump(std::shared_ptr<JobRegistry::State> state) {
    for (;;) {
        std::shared_ptr<JobRegistry::Job> job;
        {
            std::lock_guard lock(state->mutex);
            while (!state->queue.empty() && state->queue.front()->finished()) {
                state->queue.pop_front();  // cancelled while queued
            }
            if (state->queue.empty() || state->stopped) {
                state->pumping = false;
                co_return;
            }
            job = state->queue.front();
            state->queue.pop_front();
            job->status = JobStatus::kRunning;
            job->started_ms = state->now();
            ++job->revision;
        }
        try {
            co_await run_job(state, job);
        } catch (const std::exception& e) {
            std::lock_guard lock(state->mutex);
            spdlog::error("universe backtest {} failed: {}", job->id, e.what());
            job->status = JobStatus::kFailed;
            job->error = e.what();
            job->finished_ms = state->now();
            ++job->revision;
        }
    }
}

}  // namespace

}  // namespace gs::backtest
