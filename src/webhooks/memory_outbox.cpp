#include "goldensignals/webhooks/memory_outbox.h"

#include <algorithm>
#include <chrono>

#include "goldensignals/webhooks/event.h"

namespace gs::webhooks {

namespace asio = boost::asio;

namespace {

std::int64_t system_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

MemoryOutbox::MemoryOutbox(Clock clock) : clock_(clock ? std::move(clock) : system_now_ms) {}

asio::awaitable<void> MemoryOutbox::add_webhook(Webhook webhook) {
    std::lock_guard lock(mutex_);
    webhooks_.push_back(std::move(webhook));
    co_return;
}

asio::awaitable<std::vector<Webhook>> MemoryOutbox::webhooks() {
    std::lock_guard lock(mutex_);
    co_return webhooks_;
}

asio::awaitable<bool> MemoryOutbox::remove_webhook(std::string id) {
    std::lock_guard lock(mutex_);
    const auto removed = std::erase_if(webhooks_, [&id](const Webhook& w) { return w.id == id; });
    if (removed == 0) {
        co_return false;
    }
    std::erase_if(rows_,
                  [&id](const auto& entry) { return entry.second.delivery.webhook_id == id; });
    attempts_.erase(id);
    co_return true;
}

asio::awaitable<std::size_t> MemoryOutbox::enqueue(SignalEvent signal,
                                                   std::vector<Candidate> candidates) {
    std::lock_guard lock(mutex_);
    const auto now = clock_();
    auto [it, inserted] = series_.try_emplace({signal.symbol, signal.timeframe});
    if (!inserted && it->second.as_of >= signal.as_of) {
        co_return 0;
    }
    std::optional<std::string> previous;
    if (!inserted) {
        previous = it->second.action;
    }
    it->second = {signal.as_of, signal.action};
    const auto plan = plan_event(signal, previous, candidates, now / 1000);
    std::size_t queued = 0;
    for (const auto& id : plan.webhook_ids) {
        const auto webhook = std::find_if(webhooks_.begin(), webhooks_.end(),
                                          [&id](const Webhook& w) { return w.id == id; });
        if (webhook == webhooks_.end()) {
            continue;  // removed since the caller matched it
        }
        Row row;
        row.delivery.seq = next_seq_++;
        row.delivery.webhook_id = id;
        row.delivery.url = webhook->url;
        row.delivery.secret = webhook->secret;
        row.delivery.event_id = plan.event_id;
        row.delivery.body = plan.body;
        row.delivery.created_ms = now;
        row.due_ms = now;
        rows_.emplace(row.delivery.seq, std::move(row));
        ++queued;
    }
    co_return queued;
}

asio::awaitable<std::vector<Delivery>> MemoryOutbox::claim(std::size_t max,
                                                           std::chrono::milliseconds lease) {
    std::lock_guard lock(mutex_);
    const auto now = clock_();
    std::vector<Row*> due;
    for (auto& [seq, row] : rows_) {
        if (row.due_ms <= now) {
            due.push_back(&row);
        }
    }
    std::stable_sort(due.begin(), due.end(),
                     [](const Row* a, const Row* b) { return a->due_ms < b->due_ms; });
    std::vector<Delivery> claimed;
    for (Row* row : due) {
        if (claimed.size() >= max) {
            break;
        }
        row->due_ms = now + lease.count();
        row->delivery.lease = std::to_string(next_lease_++);
        claimed.push_back(row->delivery);
    }
    co_return claimed;
}

asio::awaitable<void> MemoryOutbox::finish(Delivery delivery, Outcome outcome) {
    std::lock_guard lock(mutex_);
    auto& log = attempts_[delivery.webhook_id];
    if (std::any_of(webhooks_.begin(), webhooks_.end(),
                    [&delivery](const Webhook& w) { return w.id == delivery.webhook_id; })) {
        log.push_front(outcome.attempt);
        while (log.size() > kAttemptsKept) {
            log.pop_back();
        }
    }
    auto it = rows_.find(delivery.seq);
    if (it == rows_.end() || it->second.delivery.lease != delivery.lease) {
        co_return;
    }
    if (outcome.attempt.result == AttemptResult::kRetry) {
        it->second.delivery.attempts = outcome.attempt.attempt;
        it->second.due_ms = outcome.next_attempt_ms;
        it->second.delivery.lease.clear();
    } else {
        rows_.erase(it);
    }
    co_return;
}

asio::awaitable<std::vector<Attempt>> MemoryOutbox::attempts(std::string webhook_id,
                                                             std::size_t limit) {
    std::lock_guard lock(mutex_);
    std::vector<Attempt> out;
    if (auto it = attempts_.find(webhook_id); it != attempts_.end()) {
        for (const auto& attempt : it->second) {
            if (out.size() >= limit) {
                break;
            }
            out.push_back(attempt);
        }
    }
    co_return out;
}

asio::awaitable<std::size_t> MemoryOutbox::pending() {
    std::lock_guard lock(mutex_);
    co_return rows_.size();
}

}  // namespace gs::webhooks
