#pragma once

// Every statement on the bars table, named (see signal_queries.h).

namespace gs::store::queries {

// The session's staging table for upserted bars, filled by COPY; emptied by every commit.
inline constexpr char kBarsStageTable[] = "gs_bars_stage";
inline constexpr char kCreateBarsStage[] =
    "CREATE TEMP TABLE IF NOT EXISTS gs_bars_stage (t bigint, o float8, h float8,"
    " l float8, c float8, v float8) ON COMMIT DELETE ROWS";

// $1 symbol, $2 timeframe: the staged bars, an existing time overwritten.
inline constexpr char kUpsertBarsFromStage[] =
    "INSERT INTO bars (symbol, timeframe, time, open, high, low, close, volume)"
    " SELECT $1, $2, to_timestamp(t), o, h, l, c, v FROM gs_bars_stage"
    " ON CONFLICT (symbol, timeframe, time) DO UPDATE SET open = EXCLUDED.open,"
    " high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,"
    " volume = EXCLUDED.volume";

// A batch of several series in one statement (BarCommitter's group commit): arrays of the
// same length, one element per bar, no (symbol, timeframe, time) twice. One statement in
// autocommit is one transaction and one round trip.
inline constexpr char kUpsertBarsFromArrays[] =
    "INSERT INTO bars (symbol, timeframe, time, open, high, low, close, volume)"
    " SELECT s, tf, to_timestamp(t), o, h, l, c, v FROM unnest($1::text[], $2::text[],"
    " $3::bigint[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[])"
    " AS u(s, tf, t, o, h, l, c, v)"
    " ON CONFLICT (symbol, timeframe, time) DO UPDATE SET open = EXCLUDED.open,"
    " high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,"
    " volume = EXCLUDED.volume";

// A large batch goes by COPY into this staging table instead (emptied by every commit).
inline constexpr char kBatchStageTable[] = "gs_bars_batch_stage";
inline constexpr char kCreateBatchStage[] =
    "CREATE TEMP TABLE IF NOT EXISTS gs_bars_batch_stage (s text, tf text, t bigint,"
    " o float8, h float8, l float8, c float8, v float8) ON COMMIT DELETE ROWS";
inline constexpr char kUpsertBarsFromBatchStage[] =
    "INSERT INTO bars (symbol, timeframe, time, open, high, low, close, volume)"
    " SELECT s, tf, to_timestamp(t), o, h, l, c, v FROM gs_bars_batch_stage"
    " ON CONFLICT (symbol, timeframe, time) DO UPDATE SET open = EXCLUDED.open,"
    " high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,"
    " volume = EXCLUDED.volume";

// $1 symbol, $2 timeframe, $3 n: the newest n bars, oldest first.
inline constexpr char kSelectNewestBars[] =
    "SELECT extract(epoch FROM time)::bigint, open, high, low, close, volume FROM"
    " (SELECT time, open, high, low, close, volume FROM bars"
    "  WHERE symbol = $1 AND timeframe = $2 ORDER BY time DESC LIMIT $3) newest"
    " ORDER BY time";

// $1 symbol, $2 timeframe: the series gone (DELETE /v1/bars), with its kept latest signal.
inline constexpr char kDeleteSeriesBars[] = "DELETE FROM bars WHERE symbol = $1 AND timeframe = $2";
inline constexpr char kDeleteLatestSignal[] =
    "DELETE FROM latest_signals WHERE symbol = $1 AND timeframe = $2";

// $1 timeframe: symbols with bars in it, sorted. Walks the primary key from one symbol to
// the next (a skip scan) instead of reading every bar; the timeframe in every step keeps the
// walk to that timeframe's partition of bars (sql/0006) instead of probing all of them.
inline constexpr char kSelectBarSymbols[] =
    "WITH RECURSIVE s AS ("
    "  (SELECT symbol FROM bars WHERE timeframe = $1 ORDER BY symbol LIMIT 1)"
    "  UNION ALL"
    "  SELECT (SELECT b.symbol FROM bars b WHERE b.timeframe = $1 AND b.symbol > s.symbol"
    "          ORDER BY b.symbol LIMIT 1) FROM s WHERE s.symbol IS NOT NULL)"
    " SELECT symbol FROM s WHERE symbol IS NOT NULL ORDER BY symbol";

// latest_signals (sql/0008) as the catalog of stored series (docs/memory.md): small typed columns
// only.
inline constexpr char kSelectCatalog[] =
    "SELECT symbol, timeframe, extract(epoch FROM as_of)::bigint, bars, first_time, action,"
    " strength, score, confidence, category_scores[1], category_scores[2], category_scores[3],"
    " category_scores[4], category_scores[5], category_scores[6], category_voters[1],"
    " category_voters[2], category_voters[3], category_voters[4], category_voters[5],"
    " category_voters[6] FROM latest_signals";

}  // namespace gs::store::queries
