#pragma once

// Every statement on the signals and latest_signals tables, named (userver keeps queries as
// named constants): the code that runs them reads as what it does, and the SQL of one table
// is reviewed in one place. Column lists here and in sql/ change together.

namespace gs::store::queries {

// The session's staging table for a batch of signals, filled by COPY. One per session and
// emptied by every commit: no catalog churn per batch (created, with its body's storage
// set, only when the session has none).
// `packed`: the service packed the row (registry_id .. agents hold it); otherwise those are
// zeros and gs_compact_signal packs the body. `latest`: the row the latest_signals upsert
// keeps for its series (store::latest_rows); `body` is NULL on a packed row that is not.
// `body` is stored EXTERNAL, uncompressed: a ~12 KB body went through pglz here, for a row
// read once and deleted at commit (pglz_compress was most of PostgreSQL's CPU under ingest).
inline constexpr char kSignalsStageTable[] = "gs_signals_stage";
inline constexpr char kCreateSignalsStage[] =
    "DO $$ BEGIN IF to_regclass('pg_temp.gs_signals_stage') IS NULL THEN"
    " CREATE TEMP TABLE gs_signals_stage (seq bigint, symbol text,"
    " timeframe text, as_of bigint, action text, strength text, score float8,"
    " confidence float8, config_version text, body text, packed boolean,"
    " registry_id smallint, computed_at bigint, bars_used integer, summary bytea,"
    " agents bytea, latest boolean, bars integer, first_time bigint, category_scores float8[],"
    " category_voters integer[]) ON COMMIT DELETE ROWS;"
    " ALTER TABLE gs_signals_stage ALTER COLUMN body SET STORAGE EXTERNAL;"
    " END IF; END $$";

// signals: the history, one row per computed signal, in the order staged, in the compact form
// (sql/0002_compact_history.sql). A row the service packed goes in as it is (no JSON parsed);
// any other is packed from its body by gs_compact_signal, the function that converted the rows
// written before, and a body that is not JSON is refused (kBadData).
inline constexpr char kInsertSignalsFromStage[] =
    "INSERT INTO signals (as_of, computed_at, score, confidence, bars_used, action, strength,"
    " registry_id, symbol, timeframe, config_version, summary, agents)"
    " SELECT to_timestamp(s.as_of),"
    " CASE WHEN s.packed THEN to_timestamp(s.computed_at) ELSE c.computed_at END,"
    " s.score, s.confidence, CASE WHEN s.packed THEN s.bars_used ELSE c.bars_used END,"
    " gs_action_code(s.action), gs_strength_code(s.strength),"
    " CASE WHEN s.packed THEN s.registry_id ELSE c.registry_id END, s.symbol, s.timeframe,"
    " s.config_version, CASE WHEN s.packed THEN s.summary ELSE c.summary END,"
    " CASE WHEN s.packed THEN s.agents ELSE c.agents END FROM gs_signals_stage s"
    " CROSS JOIN LATERAL gs_compact_signal(CASE WHEN s.packed THEN NULL"
    " ELSE s.body::jsonb END) c ORDER BY s.seq";

// agent_registries: the id of a list of agents ($1 names, $2 categories, text[]), added on
// first sight.
inline constexpr char kAgentRegistryId[] = "SELECT gs_agent_registry($1::text[], $2::text[])";

// signals: a page of one series' history, newest first, keyset-paginated. Built from parts:
// only the conditions in use go into the text, so each shape gets a plan that walks
// (symbol, timeframe, created_at DESC, id DESC) and prunes partitions. $1 symbol, $2
// timeframe; each optional condition takes the next placeholders.
inline constexpr char kSelectHistory[] =
    "SELECT id, (extract(epoch FROM created_at) * 1000000)::bigint,"
    " extract(epoch FROM as_of)::bigint, extract(epoch FROM computed_at)::bigint, action,"
    " strength, score, confidence, bars_used, registry_id, summary, agents FROM signals"
    " WHERE symbol = $1 AND timeframe = $2";
inline constexpr char kHistoryFrom[] = " AND created_at >= {}::timestamptz";
inline constexpr char kHistoryTo[] = " AND created_at < {}::timestamptz";
inline constexpr char kHistoryAfter[] = " AND (created_at, id) < ({}::timestamptz, {}::bigint)";
inline constexpr char kHistoryOrderAndLimit[] =
    " ORDER BY created_at DESC, id DESC LIMIT {}::bigint";

// agent_registries: the registries a page of history names ($1: '{1,2}'), as JSON arrays.
inline constexpr char kSelectRegistries[] =
    "SELECT id, array_to_json(agents)::text, array_to_json(categories)::text"
    " FROM agent_registries WHERE id = ANY($1::smallint[])";

// latest_signals: one row per series. ON CONFLICT may touch a row once per statement, so
// one candidate per series: the staged row marked `latest` (DISTINCT ON only guards that);
// an older as_of never replaces a newer one. The catalog columns (sql/0008) go with the body.
inline constexpr char kUpsertLatestFromStage[] =
    "INSERT INTO latest_signals (symbol, timeframe, as_of, config_version, body, updated_at,"
    " bars, first_time, action, strength, score, confidence, category_scores, category_voters)"
    " SELECT DISTINCT ON (symbol, timeframe) symbol, timeframe, to_timestamp(as_of),"
    " config_version, body, now(), bars, first_time, gs_action_code(action),"
    " gs_strength_code(strength), score, confidence, category_scores, category_voters"
    " FROM gs_signals_stage WHERE latest"
    " ORDER BY symbol, timeframe, as_of DESC, seq DESC"
    " ON CONFLICT (symbol, timeframe) DO UPDATE SET as_of = EXCLUDED.as_of,"
    " config_version = EXCLUDED.config_version, body = EXCLUDED.body,"
    " updated_at = EXCLUDED.updated_at, bars = EXCLUDED.bars,"
    " first_time = EXCLUDED.first_time, action = EXCLUDED.action,"
    " strength = EXCLUDED.strength, score = EXCLUDED.score,"
    " confidence = EXCLUDED.confidence, category_scores = EXCLUDED.category_scores,"
    " category_voters = EXCLUDED.category_voters"
    " WHERE latest_signals.as_of <= EXCLUDED.as_of";

// latest_signals: one series' newest signal (a prepared statement, by this name).
inline constexpr char kSelectLatestName[] = "gs_latest_signal";
inline constexpr char kSelectLatest[] =
    "SELECT extract(epoch FROM as_of)::bigint, config_version, body"
    " FROM latest_signals WHERE symbol = $1 AND timeframe = $2";

}  // namespace gs::store::queries
