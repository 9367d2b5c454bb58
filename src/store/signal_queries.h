#pragma once

// Every statement on the signals and latest_signals tables, named (userver keeps queries as
// named constants): the code that runs them reads as what it does, and the SQL of one table
// is reviewed in one place. Column lists here and in sql/ change together.

namespace gs::store::queries {

// The session's staging table for a batch of signals, filled by COPY. One per session and
// emptied by every commit: no catalog churn per batch.
inline constexpr char kSignalsStageTable[] = "gs_signals_stage";
inline constexpr char kCreateSignalsStage[] =
    "CREATE TEMP TABLE IF NOT EXISTS gs_signals_stage (seq bigint, symbol text,"
    " timeframe text, as_of bigint, action text, strength text, score float8,"
    " confidence float8, config_version text, body text) ON COMMIT DELETE ROWS";

// signals: the history, one row per computed signal, in the order staged.
inline constexpr char kInsertSignalsFromStage[] =
    "INSERT INTO signals (symbol, timeframe, as_of, action, strength, score,"
    " confidence, config_version, signal)"
    " SELECT symbol, timeframe, to_timestamp(as_of), action, strength, score,"
    " confidence, config_version, body::jsonb FROM gs_signals_stage ORDER BY seq";

// signals: a page of one series' history, newest first, keyset-paginated. Built from parts:
// only the conditions in use go into the text, so each shape gets a plan that walks
// (symbol, timeframe, created_at DESC, id DESC) and prunes partitions. $1 symbol, $2
// timeframe; each optional condition takes the next placeholders.
inline constexpr char kSelectHistory[] =
    "SELECT id, (extract(epoch FROM created_at) * 1000000)::bigint,"
    " extract(epoch FROM as_of)::bigint, signal::text FROM signals"
    " WHERE symbol = $1 AND timeframe = $2";
inline constexpr char kHistoryFrom[] = " AND created_at >= {}::timestamptz";
inline constexpr char kHistoryTo[] = " AND created_at < {}::timestamptz";
inline constexpr char kHistoryAfter[] = " AND (created_at, id) < ({}::timestamptz, {}::bigint)";
inline constexpr char kHistoryOrderAndLimit[] =
    " ORDER BY created_at DESC, id DESC LIMIT {}::bigint";

// latest_signals: one row per series. ON CONFLICT may touch a row once per statement, so
// one candidate per series; an older as_of never replaces a newer one.
inline constexpr char kUpsertLatestFromStage[] =
    "INSERT INTO latest_signals (symbol, timeframe, as_of, config_version, signal,"
    " body, updated_at)"
    " SELECT DISTINCT ON (symbol, timeframe) symbol, timeframe, to_timestamp(as_of),"
    " config_version, body::jsonb, body, now() FROM gs_signals_stage"
    " ORDER BY symbol, timeframe, as_of DESC, seq DESC"
    " ON CONFLICT (symbol, timeframe) DO UPDATE SET as_of = EXCLUDED.as_of,"
    " config_version = EXCLUDED.config_version, signal = EXCLUDED.signal,"
    " body = EXCLUDED.body, updated_at = EXCLUDED.updated_at"
    " WHERE latest_signals.as_of <= EXCLUDED.as_of";

// latest_signals: one series' newest signal (a prepared statement, by this name).
inline constexpr char kSelectLatestName[] = "gs_latest_signal";
inline constexpr char kSelectLatest[] =
    "SELECT extract(epoch FROM as_of)::bigint, config_version, body"
    " FROM latest_signals WHERE symbol = $1 AND timeframe = $2";

}  // namespace gs::store::queries
