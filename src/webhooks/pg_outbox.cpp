#include "goldensignals/webhooks/pg_outbox.h"

#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include "goldensignals/webhooks/event.h"

namespace gs::webhooks {

namespace asio = boost::asio;

namespace {

constexpr const char* kWebhookColumns =
    "id, url, secret, array_to_json(symbols)::text, array_to_json(timeframes)::text, trigger, "
    "extract(epoch FROM created_at)::bigint";

Webhook webhook_of(const pqxx::row& row) {
    Webhook webhook;
    webhook.id = row[0].as<std::string>();
    webhook.url = row[1].as<std::string>();
    webhook.secret = row[2].as<std::string>();
    webhook.symbols =
        nlohmann::json::parse(row[3].as<std::string>()).get<std::vector<std::string>>();
    for (const auto& text :
         nlohmann::json::parse(row[4].as<std::string>()).get<std::vector<std::string>>()) {
        if (auto timeframe = market::parse_timeframe(text)) {
            webhook.timeframes.push_back(*timeframe);
        }
    }
    webhook.on = parse_trigger(row[5].as<std::string>()).value_or(Trigger::kActionChange);
    webhook.created = row[6].as<std::int64_t>();
    return webhook;
}

std::string lease_token() {
    thread_local std::mt19937_64 random{std::random_device{}()};
    return fmt::format("{:016x}", random());
}

}  // namespace

PgOutbox::PgOutbox(store::PgPool& pool) : pool_(pool) {}

asio::awaitable<void> PgOutbox::add_webhook(Webhook webhook) {
    auto work = [webhook = std::move(webhook)](pqxx::connection& connection) {
        nlohmann::json timeframes = nlohmann::json::array();
        for (const auto timeframe : webhook.timeframes) {
            timeframes.push_back(market::to_string(timeframe));
        }
        pqxx::work tx(connection);
        tx.exec_params0(
            "INSERT INTO webhooks (id, url, secret, symbols, timeframes, trigger, created_at) "
            "VALUES ($1, $2, $3, ARRAY(SELECT json_array_elements_text($4::json)), "
            "ARRAY(SELECT json_array_elements_text($5::json)), $6, to_timestamp($7::bigint))",
            webhook.id, webhook.url, webhook.secret, nlohmann::json(webhook.symbols).dump(),
            timeframes.dump(), std::string(to_string(webhook.on)), webhook.created);
        tx.commit();
    };
    co_await pool_.run(std::move(work));
}

asio::awaitable<std::vector<Webhook>> PgOutbox::webhooks() {
    auto work = [](pqxx::connection& connection) {
        pqxx::nontransaction tx(connection);
        const auto rows = tx.exec(
            fmt::format("SELECT {} FROM webhooks ORDER BY created_at, id", kWebhookColumns));
        std::vector<Webhook> out;
        for (const auto& row : rows) {
            out.push_back(webhook_of(row));
        }
        return out;
    };
    co_return co_await pool_.run(std::move(work));
}

asio::awaitable<bool> PgOutbox::remove_webhook(std::string id) {
    auto work = [id = std::move(id)](pqxx::connection& connection) {
        pqxx::work tx(connection);
        const auto rows = tx.exec_params("DELETE FROM webhooks WHERE id = $1", id);
        tx.commit();
        return rows.affected_rows() > 0;
    };
    co_return co_await pool_.run(std::move(work));
}

asio::awaitable<std::size_t> PgOutbox::enqueue(SignalEvent signal,
                                               std::vector<Candidate> candidates) {
    auto work = [signal = std::move(signal),
                 candidates = std::move(candidates)](pqxx::connection& connection) -> std::size_t {
        pqxx::work tx(connection);
        const std::string timeframe(market::to_string(signal.timeframe));
        // The series' previous signal, locked, and whether this one is newer; the upsert
        // decides between instances computing the same signal.
        const auto previous = tx.exec_params(
            "SELECT as_of, action FROM webhook_series WHERE symbol = $1 AND timeframe = $2 "
            "FOR UPDATE",
            signal.symbol, timeframe);
        std::optional<std::string> previous_action;
        if (!previous.empty()) {
            if (previous[0][0].as<std::int64_t>() >= signal.as_of) {
                return 0;
            }
            previous_action = previous[0][1].as<std::string>();
        }
        const auto stored = tx.exec_params(
            "INSERT INTO webhook_series (symbol, timeframe, as_of, action) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (symbol, timeframe) DO UPDATE SET as_of = excluded.as_of, "
            "action = excluded.action WHERE webhook_series.as_of < excluded.as_of",
            signal.symbol, timeframe, signal.as_of, signal.action);
        if (stored.affected_rows() == 0) {
            return 0;  // another instance stored it first
        }
        const auto now = tx.exec1("SELECT extract(epoch FROM now())::bigint")[0].as<std::int64_t>();
        const auto plan = plan_event(signal, previous_action, candidates, now);
        std::size_t queued = 0;
        if (!plan.webhook_ids.empty()) {
            const auto rows = tx.exec_params(
                "INSERT INTO webhook_outbox (webhook_id, event_id, body) "
                "SELECT id, $2::text, $3::text FROM webhooks "
                "WHERE id IN (SELECT json_array_elements_text($1::json)) "
                "ON CONFLICT (webhook_id, event_id) DO NOTHING",
                nlohmann::json(plan.webhook_ids).dump(), plan.event_id, plan.body);
            queued = static_cast<std::size_t>(rows.affected_rows());
        }
        tx.commit();
        return queued;
    };
    co_return co_await pool_.run(std::move(work));
}

asio::awaitable<std::vector<Delivery>> PgOutbox::claim(std::size_t max,
                                                       std::chrono::milliseconds lease) {
    auto work = [max, lease](pqxx::connection& connection) {
        const std::string token = lease_token();
        pqxx::work tx(connection);
        const auto rows = tx.exec_params(
            "WITH due AS (SELECT seq FROM webhook_outbox WHERE next_attempt_at <= now() "
            "ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) "
            "UPDATE webhook_outbox o SET next_attempt_at = now() + $2::bigint * interval '1 "
            "millisecond', "
            "lease = $3 FROM due, webhooks w WHERE o.seq = due.seq AND w.id = o.webhook_id "
            "RETURNING o.seq, o.webhook_id, w.url, w.secret, o.event_id, o.body, o.attempts, "
            "(extract(epoch FROM o.created_at) * 1000)::bigint",
            static_cast<std::int64_t>(max), static_cast<std::int64_t>(lease.count()), token);
        tx.commit();
        std::vector<Delivery> out;
        for (const auto& row : rows) {
            Delivery delivery;
            delivery.seq = row[0].as<std::int64_t>();
            delivery.lease = token;
            delivery.webhook_id = row[1].as<std::string>();
            delivery.url = row[2].as<std::string>();
            delivery.secret = row[3].as<std::string>();
            delivery.event_id = row[4].as<std::string>();
            delivery.body = row[5].as<std::string>();
            delivery.attempts = row[6].as<int>();
            delivery.created_ms = row[7].as<std::int64_t>();
            out.push_back(std::move(delivery));
        }
        return out;
    };
    co_return co_await pool_.run(std::move(work));
}

asio::awaitable<void> PgOutbox::finish(Delivery delivery, Outcome outcome) {
    auto work = [delivery = std::move(delivery),
                 outcome = std::move(outcome)](pqxx::connection& connection) {
        const Attempt& a = outcome.attempt;
        pqxx::work tx(connection);
        if (a.result == AttemptResult::kRetry) {
            tx.exec_params(
                "UPDATE webhook_outbox SET attempts = $3, lease = NULL, "
                "next_attempt_at = to_timestamp($4::bigint / 1000.0) WHERE seq = $1 AND lease = $2",
                delivery.seq, delivery.lease, a.attempt, outcome.next_attempt_ms);
        } else {
            tx.exec_params("DELETE FROM webhook_outbox WHERE seq = $1 AND lease = $2", delivery.seq,
                           delivery.lease);
        }
        // The webhook may be gone by now: then there is nothing to record it under.
        const auto inserted = tx.exec_params(
            "INSERT INTO webhook_attempts (webhook_id, event_id, attempt, started_at, result, "
            "status, latency_ms, error) SELECT id, $2::text, $3::int, to_timestamp($4::bigint / "
            "1000.0), "
            "$5::text, NULLIF($6::int, -1), $7::int, NULLIF($8::text, '') FROM webhooks WHERE id = "
            "$1 "
            "RETURNING id",
            a.webhook_id, a.event_id, a.attempt, a.time_ms, std::string(to_string(a.result)),
            a.status.value_or(-1), a.latency_ms, a.error.value_or(""));
        if (!inserted.empty()) {
            // Keep the newest kAttemptsKept of the webhook.
            tx.exec_params(
                "DELETE FROM webhook_attempts WHERE webhook_id = $1 AND id <= (SELECT id FROM "
                "webhook_attempts WHERE webhook_id = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)",
                a.webhook_id, static_cast<std::int64_t>(kAttemptsKept));
        }
        tx.commit();
    };
    co_await pool_.run(std::move(work));
}

asio::awaitable<std::vector<Attempt>> PgOutbox::attempts(std::string webhook_id,
                                                         std::size_t limit) {
    auto work = [webhook_id = std::move(webhook_id), limit](pqxx::connection& connection) {
        pqxx::nontransaction tx(connection);
        const auto rows = tx.exec_params(
            "SELECT event_id, attempt, (extract(epoch FROM started_at) * 1000)::bigint, result, "
            "status, latency_ms, error FROM webhook_attempts WHERE webhook_id = $1 "
            "ORDER BY id DESC LIMIT $2",
            webhook_id, static_cast<std::int64_t>(limit));
        std::vector<Attempt> out;
        for (const auto& row : rows) {
            Attempt a;
            a.webhook_id = webhook_id;
            a.event_id = row[0].as<std::string>();
            a.attempt = row[1].as<int>();
            a.time_ms = row[2].as<std::int64_t>();
            a.result =
                parse_attempt_result(row[3].as<std::string>()).value_or(AttemptResult::kFailed);
            if (!row[4].is_null()) {
                a.status = row[4].as<int>();
            }
            a.latency_ms = row[5].as<std::int64_t>();
            if (!row[6].is_null()) {
                a.error = row[6].as<std::string>();
            }
            out.push_back(std::move(a));
        }
        return out;
    };
    co_return co_await pool_.run(std::move(work));
}

asio::awaitable<std::size_t> PgOutbox::pending() {
    auto work = [](pqxx::connection& connection) {
        pqxx::nontransaction tx(connection);
        return tx.exec1("SELECT count(*) FROM webhook_outbox")[0].as<std::size_t>();
    };
    co_return co_await pool_.run(std::move(work));
}

}  // namespace gs::webhooks
