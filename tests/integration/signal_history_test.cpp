// The compact signal history (sql/0002_compact_history.sql) against a real PostgreSQL
// (GS_TEST_DATABASE_URL): what is written reads back as computed, rows written under schema 1
// are converted by the migration, and a row that does not fit its registry is served with
// agents_error. Every test gets a database of its own.

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include "goldensignals/agents/registry.h"
#include "goldensignals/consensus/consensus.h"
#include "goldensignals/market/time_format.h"
#include "goldensignals/orchestrator/signal.h"
#include "goldensignals/orchestrator/signal_pack.h"
#include "goldensignals/store/compact_history.h"
#include "goldensignals/store/error.h"
#include "goldensignals/store/migrations.h"
#include "goldensignals/store/pg_signal_store.h"
#include "store/signal_queries.h"
#include "support/scratch_database.h"

namespace gs::store {
namespace {

const std::string kSqlDir = GS_SOURCE_DIR "/sql";

class HistoryDbTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(db_.ok()) << testing::kNoTestDatabase;
        connection_ = std::make_unique<pqxx::connection>(db_.url());
    }

    // Applies only the migrations up to `version` (a copy of them in a directory of their own).
    void migrate_to(std::int64_t version) {
        namespace fs = std::filesystem;
        const fs::path dir = fs::temp_directory_path() / ("gs_sql_" + db_.name());
        fs::create_directories(dir);
        for (const auto& migration : list_migrations(kSqlDir)) {
            if (migration.version <= version) {
                fs::copy_file(migration.path, dir / fs::path(migration.path).filename(),
                              fs::copy_options::overwrite_existing);
            }
        }
        apply_migrations(*connection_, dir.string());
        fs::remove_all(dir);
    }

    std::int64_t count(const std::string& sql) {
        pqxx::nontransaction tx(*connection_);
        return tx.exec1(sql)[0].as<std::int64_t>();
    }

    std::vector<nlohmann::json> history(const std::string& symbol, std::size_t limit = 1000) {
        HistoryQuery query;
        query.symbol = symbol;
        query.limit = limit;
        std::vector<nlohmann::json> rows;
        for (const auto& row : signal_history(*connection_, query).rows) {
            rows.push_back(nlohmann::json::parse(row.body));
        }
        return rows;
    }

    testing::ScratchDatabase db_;  // outlives the connection below
    std::unique_ptr<pqxx::connection> connection_;
};

// A signal over every registered agent with results of every kind: BUY, SELL, HOLD with a
// lean, HOLD with none, ABSTAIN; confidences with more than 4 decimal places.
orchestrator::Signal make_signal(const std::string& symbol, std::int64_t as_of, unsigned seed) {
    std::mt19937 random{seed};
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    orchestrator::Signal signal;
    signal.symbol = symbol;
    signal.timeframe = market::Timeframe::k1d;
    signal.as_of = as_of;
    signal.computed_at = as_of + 3600;
    signal.bars_used = 500;
    const auto defs = agents::all_agents();
    signal.defs.assign(defs.begin(), defs.end());
    for (std::size_t i = 0; i < defs.size(); ++i) {
        const double confidence = unit(random);
        switch ((i + seed) % 5) {
            case 0:
                signal.agents.push_back(agents::buy(confidence, "rising, with a \"quote\""));
                break;
            case 1:
                signal.agents.push_back(agents::sell(confidence, "falling"));
                break;
            case 2:
                signal.agents.push_back(agents::hold(confidence, unit(random) - 0.5, "flat"));
                break;
            case 3:
                signal.agents.push_back(agents::hold(confidence, 0.0, "flat, no lean"));
                break;
            default:
                signal.agents.push_back(agents::abstain("not enough bars"));
                break;
        }
        signal.agents.back().add("value", unit(random) * 100);
    }
    signal.consensus = consensus::build(signal.agents, signal.defs, consensus::Config{});
    return signal;
}

SignalRow row_of(const orchestrator::Signal& signal) {
    SignalRow row;
    row.symbol = signal.symbol;
    row.timeframe = signal.timeframe;
    row.as_of = signal.as_of;
    row.action = std::string(agents::to_string(signal.consensus.action));
    row.strength = std::string(consensus::to_string(signal.consensus.strength));
    row.score = signal.consensus.score;
    row.confidence = signal.consensus.confidence;
    row.config_version = "0123456789abcdef-fedcba9876543210";
    row.body = orchestrator::to_json(signal, true);
    return row;
}

// An agent's number as the history keeps it: 4 decimal places (gs_fixed4 rounds with rint,
// as nearbyint does in the default rounding mode).
double fixed4(double value) {
    return std::nearbyint(value * 10000) / 10000.0;
}

// Every field of a history row against the signal it was computed as.
void expect_row_is(const nlohmann::json& row, const orchestrator::Signal& signal) {
    const auto& c = signal.consensus;
    EXPECT_EQ(row.at("symbol"), signal.symbol);
    EXPECT_EQ(row.at("timeframe"), "1d");
    EXPECT_EQ(row.at("as_of"), market::format_iso8601(signal.as_of));
    EXPECT_EQ(row.at("computed_at"), market::format_iso8601(signal.computed_at));
    EXPECT_EQ(row.at("action"), agents::to_string(c.action));
    EXPECT_EQ(row.at("strength"), consensus::to_string(c.strength));
    EXPECT_EQ(row.at("score").get<double>(), c.score);
    EXPECT_EQ(row.at("confidence").get<double>(), c.confidence);
    EXPECT_EQ(row.at("bars_used"), signal.bars_used);
    EXPECT_EQ(row.at("votes"), (nlohmann::json{{"buy", c.votes.buy},
                                               {"sell", c.votes.sell},
                                               {"hold", c.votes.hold},
                                               {"abstain", c.votes.abstain}}));
    for (std::size_t k = 0; k < agents::kCategoryCount; ++k) {
        const auto name = std::string(agents::to_string(static_cast<agents::Category>(k)));
        const auto& category = row.at("categories").at(name);
        EXPECT_EQ(category.at("action"), agents::to_string(c.categories[k].action)) << name;
        EXPECT_EQ(category.at("voters"), c.categories[k].voters) << name;
        EXPECT_EQ(category.at("score").get<double>(), fixed4(c.categories[k].score)) << name;
    }
    const auto& list = row.at("agents");
    ASSERT_EQ(list.size(), signal.agents.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto& agent = list[i];
        const auto& result = signal.agents[i];
        EXPECT_EQ(agent.at("name"), signal.defs[i]->name);
        EXPECT_EQ(agent.at("category"), agents::to_string(signal.defs[i]->category));
        EXPECT_EQ(agent.at("action"), agents::to_string(result.action)) << i;
        // The value read back is the computed one in 4 decimal places.
        EXPECT_EQ(agent.at("confidence").get<double>(), fixed4(result.confidence)) << agent;
        EXPECT_EQ(agent.at("score").get<double>(), fixed4(result.score)) << agent;
        EXPECT_FALSE(agent.contains("reason"));
        EXPECT_FALSE(agent.contains("indicators"));
    }
}

TEST_F(HistoryDbTest, WrittenRowsReadBackAsComputed) {
    migrate_to(1'000'000);
    std::vector<orchestrator::Signal> signals;
    std::vector<SignalRow> rows;
    for (unsigned i = 0; i < 10; ++i) {
        signals.push_back(make_signal("ACME", 1'700'000'000 + i * 86'400, i));
        rows.push_back(row_of(signals.back()));
    }
    insert_signals(*connection_, rows);
    const auto read = history("ACME");
    ASSERT_EQ(read.size(), signals.size());
    for (std::size_t i = 0; i < read.size(); ++i) {
        SCOPED_TRACE(i);
        expect_row_is(read[i], signals[signals.size() - 1 - i]);  // newest first
    }
    // One registry for all of them; the full signal stays in latest_signals.
    EXPECT_EQ(count("SELECT count(*) FROM agent_registries"), 1);
    const auto latest = latest_signal(*connection_, "ACME", market::Timeframe::k1d);
    ASSERT_TRUE(latest.has_value());
    EXPECT_EQ(latest->body, rows.back().body);
    // The typed columns hold the codes.
    pqxx::nontransaction tx(*connection_);
    const auto typed = tx.exec1(
        "SELECT action, strength, score, config_version, registry_id FROM signals"
        " ORDER BY id DESC LIMIT 1");
    EXPECT_EQ(typed[0].as<int>(), static_cast<int>(signals.back().consensus.action));
    EXPECT_EQ(typed[1].as<int>(), static_cast<int>(signals.back().consensus.strength));
    EXPECT_EQ(typed[2].as<double>(), signals.back().consensus.score);
    EXPECT_EQ(typed[3].as<std::string>(), rows.back().config_version);
    EXPECT_EQ(typed[4].as<int>(), 1);
}

// The service packs its rows itself (orchestrator::pack_signal) so the write path parses no
// JSON: the bytes must be the ones the SQL packer makes from the JSON (which the migration
// used for the rows written before).
TEST_F(HistoryDbTest, RowsPackedByTheServiceEqualRowsPackedFromTheirJson) {
    migrate_to(1'000'000);
    std::vector<orchestrator::Signal> signals;
    std::vector<SignalRow> rows;
    for (unsigned i = 0; i < 10; ++i) {
        signals.push_back(make_signal("PACK", 1'700'000'000 + i * 86'400, i));
        signals.back().agents[1].confidence = std::nan("");  // null in the JSON
        signals.back().consensus.categories[2].score = std::nan("");
        rows.push_back(row_of(signals.back()));
        SignalRow from_json = rows.back();
        from_json.symbol = "JSON";
        rows.back().packed = orchestrator::pack_signal(signals.back());
        rows.push_back(std::move(from_json));
    }
    insert_signals(*connection_, rows);
    pqxx::nontransaction tx(*connection_);
    const auto differing = tx.exec1(
        "SELECT count(*) FROM signals p JOIN signals j ON j.symbol = 'JSON' AND p.symbol = 'PACK'"
        " AND j.as_of = p.as_of WHERE p.summary IS DISTINCT FROM j.summary"
        " OR p.agents IS DISTINCT FROM j.agents OR p.registry_id IS DISTINCT FROM j.registry_id"
        " OR p.computed_at IS DISTINCT FROM j.computed_at"
        " OR p.bars_used IS DISTINCT FROM j.bars_used");
    EXPECT_EQ(differing[0].as<int>(), 0);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM signals p JOIN signals j ON j.symbol = 'JSON'"
                       " AND p.symbol = 'PACK' AND j.as_of = p.as_of")[0]
                  .as<int>(),
              10);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM signals WHERE agents IS NOT NULL")[0].as<int>(), 20);
    tx.commit();
    const auto read = history("PACK");
    ASSERT_EQ(read.size(), signals.size());
    for (std::size_t i = 0; i < read.size(); ++i) {
        SCOPED_TRACE(i);
        auto signal = signals[signals.size() - 1 - i];
        auto row = read[i];
        // Nulls as the JSON had them; everything else as computed.
        EXPECT_TRUE(row.at("agents")[1].at("confidence").is_null());
        EXPECT_TRUE(row.at("categories").at("volatility").at("score").is_null());
        row["agents"][1]["confidence"] = 0.0;
        signal.agents[1].confidence = 0.0;
        row["categories"]["volatility"]["score"] = 0.0;
        signal.consensus.categories[2].score = 0.0;
        expect_row_is(row, signal);
    }
    EXPECT_EQ(count("SELECT count(*) FROM agent_registries"), 1);
}

// Only the rows latest_signals keeps send their body (any other body would be replaced
// within the same statement); every row still lands in the history. What was sent is read
// from the staging table, created here first so that it keeps its rows past the commit.
TEST_F(HistoryDbTest, BatchSendsABodyOnlyForTheRowsLatestSignalsKeeps) {
    migrate_to(1'000'000);
    {
        std::string create = queries::kCreateSignalsStage;
        const std::string delete_rows = "ON COMMIT DELETE ROWS";
        const auto at = create.find(delete_rows);
        ASSERT_NE(at, std::string::npos);
        create.replace(at, delete_rows.size(), "ON COMMIT PRESERVE ROWS");
        pqxx::nontransaction tx(*connection_);
        tx.exec0(create);
    }
    constexpr std::int64_t kDay = 86'400;
    constexpr std::int64_t kStart = 1'700'000'000;
    // KEEP: four signals out of order, the newest second, the last one not packed by the
    // service (the history packs it from its body, so that body is sent too). SAME: two of
    // one as_of, the later computation wins.
    const std::vector<orchestrator::Signal> signals{make_signal("KEEP", kStart + kDay, 1),
                                                    make_signal("KEEP", kStart + 3 * kDay, 2),
                                                    make_signal("KEEP", kStart + 2 * kDay, 3),
                                                    make_signal("SAME", kStart, 4),
                                                    make_signal("SAME", kStart, 5),
                                                    make_signal("KEEP", kStart, 6)};
    std::vector<SignalRow> rows;
    for (std::size_t i = 0; i < signals.size(); ++i) {
        rows.push_back(row_of(signals[i]));
        if (i != 5) {
            rows.back().packed = orchestrator::pack_signal(signals[i]);
        }
    }
    insert_signals(*connection_, rows);

    std::vector<std::int64_t> sent;
    {
        pqxx::nontransaction tx(*connection_);
        for (const auto& row :
             tx.exec("SELECT seq FROM gs_signals_stage WHERE body IS NOT NULL ORDER BY seq")) {
            sent.push_back(row[0].as<std::int64_t>());
        }
    }
    EXPECT_EQ(sent, (std::vector<std::int64_t>{1, 4, 5}));
    {
        // The staged body is not compressed (EXTERNAL): it is read once, then deleted.
        pqxx::nontransaction tx(*connection_);
        EXPECT_EQ(tx.exec1("SELECT attstorage FROM pg_attribute WHERE attrelid ="
                           " 'pg_temp.gs_signals_stage'::regclass AND attname = 'body'")[0]
                      .as<std::string>(),
                  "e");
    }
    const auto keep = latest_signal(*connection_, "KEEP", market::Timeframe::k1d);
    ASSERT_TRUE(keep.has_value());
    EXPECT_EQ(keep->as_of, kStart + 3 * kDay);
    EXPECT_EQ(keep->body, rows[1].body);
    const auto same = latest_signal(*connection_, "SAME", market::Timeframe::k1d);
    ASSERT_TRUE(same.has_value());
    EXPECT_EQ(same->body, rows[4].body);
    EXPECT_NE(rows[3].body, rows[4].body);

    // The history has every row, newest stored first (the batch's order reversed).
    const auto read = history("KEEP");
    ASSERT_EQ(read.size(), 4u);
    const std::size_t order[] = {5, 2, 1, 0};
    for (std::size_t i = 0; i < read.size(); ++i) {
        SCOPED_TRACE(i);
        expect_row_is(read[i], signals[order[i]]);
    }
    ASSERT_EQ(history("SAME").size(), 2u);
    expect_row_is(history("SAME")[0], signals[4]);
    expect_row_is(history("SAME")[1], signals[3]);
}

TEST_F(HistoryDbTest, NullNumbersAndAnotherRegistryRoundTrip) {
    migrate_to(1'000'000);
    auto signal = make_signal("NULLS", 1'700'000'000, 3);
    signal.agents[0] = agents::hold(0.5, 0.25, "x");
    signal.agents[0].confidence = std::nan("");  // serialised as null
    // A registry of two agents only: a second registry row, read back with its own names.
    auto small = make_signal("SMALL", 1'700'000'000, 4);
    small.defs.resize(2);
    small.agents.resize(2);
    insert_signals(*connection_, std::vector<SignalRow>{row_of(signal), row_of(small)});
    const auto nulls = history("NULLS");
    ASSERT_EQ(nulls.size(), 1u);
    EXPECT_TRUE(nulls[0].at("agents")[0].at("confidence").is_null());
    EXPECT_EQ(nulls[0].at("agents")[0].at("score"), 0.25);
    const auto read = history("SMALL");
    ASSERT_EQ(read.size(), 1u);
    ASSERT_EQ(read[0].at("agents").size(), 2u);
    EXPECT_EQ(read[0].at("agents")[1].at("name"), small.defs[1]->name);
    EXPECT_EQ(count("SELECT count(*) FROM agent_registries"), 2);
}

TEST_F(HistoryDbTest, MigrationConvertsRowsWrittenUnderSchemaOne) {
    migrate_to(1);
    // Rows as version 1 wrote them: full jsonb, text action and strength, in a monthly
    // partition and in DEFAULT, and one whose body has no agents at all.
    std::vector<orchestrator::Signal> signals;
    {
        pqxx::work tx(*connection_);
        tx.exec0(
            "CREATE TABLE signals_y2025m06 PARTITION OF signals FOR VALUES FROM"
            " ('2025-06-01 00:00:00+00') TO ('2025-07-01 00:00:00+00')");
        for (unsigned i = 0; i < 6; ++i) {
            signals.push_back(make_signal("OLD", 1'749'000'000 + i * 86'400, i));
            const SignalRow row = row_of(signals.back());
            tx.exec_params0(
                "INSERT INTO signals (created_at, symbol, timeframe, as_of, action, strength,"
                " score, confidence, config_version, signal) VALUES ($1::timestamptz, $2, '1d',"
                " to_timestamp($3), $4, $5, $6, $7, $8, $9::jsonb)",
                i < 3 ? "2025-06-10 00:00:00+00" : "2031-01-10 00:00:00+00", row.symbol, row.as_of,
                row.action, row.strength, row.score, row.confidence, row.config_version, row.body);
        }
        tx.exec0(
            "INSERT INTO signals (created_at, symbol, timeframe, as_of, action, strength, score,"
            " confidence, config_version, signal) VALUES ('2025-06-11 00:00:00+00', 'BARE',"
            " '1d', '2025-06-11 00:00:00+00', 'HOLD', 'weak', 0, 0, 'cfg', '{\"n\": 1}')");
        tx.commit();
    }
    const auto before_max_id = count("SELECT max(id) FROM signals");
    const auto before_ids = count("SELECT sum(id) FROM signals");

    migrate_to(1'000'000);
    EXPECT_EQ(count("SELECT count(*) FROM signals"), 7);
    EXPECT_EQ(count("SELECT sum(id) FROM signals"), before_ids) << "ids are kept";
    EXPECT_EQ(count("SELECT count(*) FROM signals_y2025m06"), 4) << "partitions are kept";
    EXPECT_EQ(count("SELECT count(*) FROM signals_default"), 3);
    const auto read = history("OLD");
    ASSERT_EQ(read.size(), signals.size());
    // Newest first by created_at, then id: the three 2031 rows, then the three 2025 ones.
    const std::vector<std::size_t> order = {5, 4, 3, 2, 1, 0};
    for (std::size_t i = 0; i < read.size(); ++i) {
        SCOPED_TRACE(i);
        expect_row_is(read[i], signals[order[i]]);
    }
    const auto bare = history("BARE");
    ASSERT_EQ(bare.size(), 1u);
    EXPECT_EQ(bare[0].at("action"), "HOLD");
    EXPECT_FALSE(bare[0].contains("agents"));
    EXPECT_FALSE(bare[0].contains("votes"));
    // New rows take ids after the migrated ones, in the new form.
    const auto fresh = make_signal("NEW", 1'800'000'000, 9);
    insert_signals(*connection_, std::vector<SignalRow>{row_of(fresh)});
    EXPECT_GT(count("SELECT max(id) FROM signals"), before_max_id);
    const auto fresh_rows = history("NEW");
    ASSERT_EQ(fresh_rows.size(), 1u);
    expect_row_is(fresh_rows[0], fresh);
}

TEST_F(HistoryDbTest, PaginationAcrossTheMigrationKeepsItsCursor) {
    migrate_to(1);
    {
        pqxx::work tx(*connection_);
        for (int i = 0; i < 5; ++i) {
            tx.exec_params0(
                "INSERT INTO signals (created_at, symbol, timeframe, as_of, action, strength,"
                " score, confidence, config_version, signal) VALUES"
                " (to_timestamp($1), 'PAGE', '1d', to_timestamp($1), 'BUY', 'strong', $2, 0.5,"
                " 'cfg', '{}')",
                1'750'000'000 + i, 0.5 + i * 0.01);
        }
        tx.commit();
    }
    // The cursor a first page of 2 ended with under schema 1 (the same encoding).
    std::int64_t last_id = 0;
    std::string cursor;
    {
        pqxx::nontransaction tx(*connection_);
        const auto row = tx.exec1(
            "SELECT id, (extract(epoch FROM created_at) * 1000000)::bigint FROM signals"
            " ORDER BY created_at DESC, id DESC OFFSET 1 LIMIT 1");
        last_id = row[0].as<std::int64_t>();
        cursor = encode_history_cursor({row[1].as<std::int64_t>(), last_id});
    }
    migrate_to(1'000'000);
    HistoryQuery query;
    query.symbol = "PAGE";
    query.cursor = cursor;
    query.limit = 10;
    const auto rest = signal_history(*connection_, query);
    ASSERT_EQ(rest.rows.size(), 3u);
    EXPECT_LT(rest.rows.front().id, last_id);
    EXPECT_EQ(nlohmann::json::parse(rest.rows.front().body).at("score").get<double>(),
              0.5 + 2 * 0.01);
    EXPECT_FALSE(rest.next_cursor.has_value());
}

TEST_F(HistoryDbTest, RowThatDoesNotFitItsRegistryIsServedWithAgentsError) {
    migrate_to(1'000'000);
    const auto signal = make_signal("BAD", 1'700'000'000, 1);
    // One batch: one created_at, so the later row (signal) is the newer.
    insert_signals(*connection_,
                   std::vector<SignalRow>{row_of(make_signal("BAD", 1, 2)), row_of(signal)});
    {
        pqxx::work tx(*connection_);
        // The newest row names a registry the database does not hold; the older one has its
        // agents cut short.
        tx.exec0("UPDATE signals SET registry_id = 999 WHERE id = (SELECT max(id) FROM signals)");
        tx.exec0(
            "UPDATE signals SET agents = substr(agents, 1, 20)"
            " WHERE id = (SELECT min(id) FROM signals)");
        tx.commit();
    }
    const auto read = history("BAD");
    ASSERT_EQ(read.size(), 2u);
    EXPECT_FALSE(read[0].contains("agents"));
    EXPECT_NE(read[0].at("agents_error").get<std::string>().find("registry 999"), std::string::npos)
        << read[0];
    // Everything else of the row is still served.
    EXPECT_EQ(read[0].at("score").get<double>(), signal.consensus.score);
    EXPECT_EQ(read[0].at("votes").at("buy"), signal.consensus.votes.buy);
    EXPECT_NE(read[1].at("agents_error").get<std::string>().find("do not match registry 1"),
              std::string::npos)
        << read[1];
}

TEST_F(HistoryDbTest, BodyWithAnAgentOfUnknownActionIsRefusedAsBadData) {
    migrate_to(1'000'000);
    auto row = row_of(make_signal("ODD", 1'700'000'000, 1));
    const auto at = row.body.find("\"action\":\"BUY\"", row.body.find("\"agents\""));
    ASSERT_NE(at, std::string::npos);
    row.body.replace(at, 14, "\"action\":\"MAYBE\"");
    try {
        insert_signals(*connection_, std::vector<SignalRow>{row});
        ADD_FAILURE() << "stored";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kBadData) << e.what();
    }
    EXPECT_EQ(count("SELECT count(*) FROM signals"), 0);
}

}  // namespace
}  // namespace gs::store
