// backtest::JobRegistry with a runner the test controls: progress as each symbol finishes,
// cancelling a running and a queued job, the limit on active jobs, expiry of finished jobs, and
// a symbol that fails without failing its job.
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "goldensignals/backtest/jobs.h"
#include "support/wait.h"

namespace gs::backtest {
namespace {

using nlohmann::json;

// Holds each symbol's run until the test releases it.
class Gate {
  public:
    void release(const std::string& symbol) {
        std::lock_guard lock(mutex_);
        released_.insert(symbol);
        changed_.notify_all();
    }
    void release_all() {
        std::lock_guard lock(mutex_);
        all_ = true;
        changed_.notify_all();
    }
    void wait(const std::string& symbol) {
        std::unique_lock lock(mutex_);
        entered_.insert(symbol);
        changed_.wait(lock, [&] { return all_ || released_.contains(symbol); });
    }
    bool entered(const std::string& symbol) {
        std::lock_guard lock(mutex_);
        return entered_.contains(symbol);
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::set<std::string> released_, entered_;
    bool all_ = false;
};

class JobRegistryTest : public ::testing::Test {
  protected:
    void TearDown() override {
        gate.release_all();
        registry.reset();
        work.reset();
        io_thread.join();
        compute.join();
    }

    void make(JobLimits limits = {}) {
        registry = std::make_unique<JobRegistry>(
            io.get_executor(), compute.get_executor(),
            [this](const std::string& symbol, const JobSpec&) {
                if (std::this_thread::get_id() == io_thread.get_id()) {
                    ran_on_io_thread = true;
                }
                gate.wait(symbol);
                if (symbol == "FAIL") {
                    throw std::runtime_error("no 1d bars for FAIL");
                }
                SymbolResult r;
                r.symbol = symbol;
                r.bars = 10;
                r.summary.total_return = returns.at(symbol);
                r.calls = 4;
                r.hits = 3;
                return r;
            },
            [](const std::string& symbol, const JobSpec&) {
                return symbol == "FAIL" ? std::size_t{0} : std::size_t{100};
            },
            limits, [this] { return now_ms.load(); });
    }

    JobSpec spec(std::vector<std::string> symbols) {
        JobSpec s;
        s.symbols = std::move(symbols);
        return s;
    }
    json describe(const std::string& id) { return registry->describe(id).value_or(json()); }
    std::string status(const std::string& id) {
        auto d = registry->describe(id, false);
        return d ? (*d)["status"].get<std::string>() : "gone";
    }

    boost::asio::io_context io;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work{
        boost::asio::make_work_guard(io)};
    std::thread io_thread{[this] { io.run(); }};
    boost::asio::thread_pool compute{1};
    Gate gate;
    std::map<std::string, double> returns{{"AAA", 0.1}, {"BBB", 0.3}, {"CCC", -0.2}};
    std::atomic<std::int64_t> now_ms{1'700'000'000'000};
    std::unique_ptr<JobRegistry> registry;
    std::atomic<bool> ran_on_io_thread{false};
};

TEST_F(JobRegistryTest, ReportsProgressPerSymbolAndTheRankingWhenDone) {
    make();
    const auto id = registry->submit(spec({"AAA", "BBB", "CCC"}));
    EXPECT_TRUE(id.starts_with("bt_"));
    ASSERT_TRUE(support::wait_until([&] { return gate.entered("AAA"); }));
    EXPECT_EQ(status(id), "running");
    const auto before = registry->revision(id);
    now_ms += 2'000;
    gate.release("AAA");
    ASSERT_TRUE(support::wait_until([&] { return gate.entered("BBB"); }));
    EXPECT_GT(registry->revision(id), before);
    json d = describe(id);
    EXPECT_EQ(d["progress"]["symbols_total"], 3);
    EXPECT_EQ(d["progress"]["symbols_done"], 1);
    EXPECT_EQ(d["progress"]["bars_total"], 300);
    EXPECT_EQ(d["progress"]["bars_done"], 100);
    // 2 s for 100 bars, 200 to go.
    EXPECT_DOUBLE_EQ(d["progress"]["eta_seconds"].get<double>(), 4.0);
    EXPECT_EQ(d["results"].size(), 1u);
    EXPECT_FALSE(d.contains("ranking"));  // only once finished
    // A symbol's backtest runs on the compute pool: on the I/O thread it would hold up every
    // connection that thread serves for as long as the symbol takes.
    EXPECT_FALSE(ran_on_io_thread);

    gate.release_all();
    ASSERT_TRUE(support::wait_until([&] { return status(id) == "done"; }));
    d = describe(id);
    EXPECT_EQ(d["progress"]["symbols_done"], 3);
    EXPECT_EQ(d["progress"]["bars_done"], 300);
    EXPECT_EQ(d["progress"]["eta_seconds"], 0);
    ASSERT_EQ(d["ranking"].size(), 3u);
    EXPECT_EQ(d["ranking"][0]["symbol"], "BBB");
    EXPECT_EQ(d["ranking"][1]["symbol"], "AAA");
    EXPECT_EQ(d["ranking"][2]["symbol"], "CCC");
    EXPECT_EQ(d["ranking"][0]["rank"], 1);
    EXPECT_EQ(d["aggregate"]["tested"], 3);
    EXPECT_EQ(d["aggregate"]["calls"], 12);
    EXPECT_DOUBLE_EQ(d["aggregate"]["hit_rate"].get<double>(), 0.75);
    EXPECT_NEAR(d["aggregate"]["mean_total_return"].get<double>(), (0.1 + 0.3 - 0.2) / 3, 1e-15);
}

TEST_F(JobRegistryTest, CancelStopsARunningJobAfterItsCurrentSymbolAndAQueuedOneAtOnce) {
    make();
    const auto running = registry->submit(spec({"AAA", "BBB", "CCC"}));
    const auto queued = registry->submit(spec({"CCC"}));
    ASSERT_TRUE(support::wait_until([&] { return gate.entered("AAA"); }));
    EXPECT_EQ(status(queued), "queued");
    EXPECT_TRUE(registry->cancel(queued));
    EXPECT_EQ(status(queued), "cancelled");  // at once: it never started

    EXPECT_TRUE(registry->cancel(running));
    EXPECT_EQ(status(running), "running");  // AAA is still being tested
    gate.release("AAA");
    ASSERT_TRUE(support::wait_until([&] { return status(running) == "cancelled"; }));
    const json d = describe(running);
    ASSERT_EQ(d["results"].size(), 1u);
    EXPECT_EQ(d["results"][0]["symbol"], "AAA");
    EXPECT_EQ(d["aggregate"]["tested"], 1);  // over what was tested
    EXPECT_FALSE(gate.entered("BBB"));
    EXPECT_FALSE(gate.entered("CCC"));  // neither job ran it
    EXPECT_FALSE(registry->cancel("bt_unknown"));
}

TEST_F(JobRegistryTest, RefusesJobsBeyondTheActiveLimit) {
    make({.max_active = 1});
    const auto first = registry->submit(spec({"AAA"}));
    EXPECT_THROW(registry->submit(spec({"BBB"})), JobsBusy);
    gate.release_all();
    ASSERT_TRUE(support::wait_until([&] { return status(first) == "done"; }));
    EXPECT_NO_THROW(registry->submit(spec({"BBB"})));  // a finished job does not count
}

TEST_F(JobRegistryTest, FinishedJobsExpireAfterKeepFor) {
    make({.keep_for = std::chrono::seconds(60)});
    gate.release_all();
    const auto id = registry->submit(spec({"AAA"}));
    ASSERT_TRUE(support::wait_until([&] { return status(id) == "done"; }));
    now_ms += 59'000;
    EXPECT_EQ(status(id), "done");
    now_ms += 1'000;
    EXPECT_EQ(status(id), "gone");
    EXPECT_FALSE(registry->revision(id));
}

TEST_F(JobRegistryTest, KeepsAtMostMaxKeptDroppingTheOldestFinished) {
    make({.max_active = 4, .max_kept = 2});
    gate.release_all();
    const auto a = registry->submit(spec({"AAA"}));
    ASSERT_TRUE(support::wait_until([&] { return status(a) == "done"; }));
    now_ms += 1;
    const auto b = registry->submit(spec({"BBB"}));
    ASSERT_TRUE(support::wait_until([&] { return status(b) == "done"; }));
    const auto c = registry->submit(spec({"CCC"}));
    ASSERT_TRUE(support::wait_until([&] { return status(c) == "done"; }));
    EXPECT_EQ(status(a), "gone");
    EXPECT_EQ(status(b), "done");
}

TEST_F(JobRegistryTest, ASymbolThatFailsIsReportedAndTheJobGoesOn) {
    make();
    gate.release_all();
    const auto id = registry->submit(spec({"FAIL", "AAA"}));
    ASSERT_TRUE(support::wait_until([&] { return status(id) == "done"; }));
    const json d = describe(id);
    ASSERT_EQ(d["results"].size(), 2u);
    EXPECT_EQ(d["results"][0]["symbol"], "FAIL");
    EXPECT_EQ(d["results"][0]["error"], "no 1d bars for FAIL");
    EXPECT_EQ(d["results"][1]["summary"]["total_return"], 0.1);
    EXPECT_EQ(d["aggregate"]["failed"], 1);
    EXPECT_EQ(d["ranking"].size(), 1u);
}

}  // namespace
}  // namespace gs::backtest
