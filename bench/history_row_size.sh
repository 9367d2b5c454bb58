#!/usr/bin/env bash
# Bytes per signal-history row, indexes included (issue 15, item 1), before and after the
# compact history (sql/0002_compact_history.sql).
#   bench/history_row_size.sh [ROWS]   (default 100000)
# Uses the PostgreSQL of GS_TEST_DATABASE_URL when set, else starts one (scripts/lib/services.sh).
# Signals are synthetic but shaped like the service's (orchestrator::to_json with agents): 51
# agents with a reason and 1-3 indicator values each, full-precision doubles, 2,000 series.
# They are written the way PgSignalStore writes them: batches of 500 rows, one transaction
# each (stage table, then INSERT ... SELECT; the SQL of src/store/signal_queries.h), so the
# series index grows as it does in service. Three databases:
#   v1        schema 1 (full jsonb per row), written by the old write path
#   migrated  the v1 database after migration 0002
#   v2        schemas 1+2, written by the new write path, packed in SQL from the JSON body
#   v2packed  schemas 1+2, rows packed by the service (SignalRow::packed; here packed beforehand
#             with gs_compact_signal, untimed), the service's own path
# Size = sum of pg_total_relation_size over the partitions of signals (heap, TOAST, indexes)
# divided by the row count. Also prints how long the batches took (history insert and latest
# upsert, as the writer runs them): the server's cost per signal on the write path.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
rows=${1:-100000}
batch=500
source "$repo/scripts/lib/services.sh"
if [[ -z "${GS_TEST_DATABASE_URL:-}" ]]; then
  trap stop_services EXIT
  start_postgres >/dev/null
fi
base_url=${GS_TEST_DATABASE_URL%/*}
psql_db() {  # psql_db DB [psql args...]
  local db=$1
  shift
  psql "$base_url/$db" -v ON_ERROR_STOP=1 -qAtX "$@"
}

fresh_db() {
  psql_db postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
}

# The synthetic signals, generated once per database into bench_bodies (not measured).
generate() {
  psql_db "$1" <<SQL
CREATE TABLE bench_bodies AS
WITH agents AS (
  SELECT i AS signal, a AS ord,
         (ARRAY['BUY','SELL','HOLD','ABSTAIN'])[1 + floor(random() * 4)::int] AS action,
         random() AS conf, random() - 0.5 AS lean
    FROM generate_series(1, $rows) i, generate_series(1, 51) a)
SELECT signal AS i, 'S' || lpad((signal % 2000)::text, 4, '0') AS symbol,
       (ARRAY['BUY','SELL','HOLD'])[1 + signal % 3] AS action,
       (ARRAY['weak','moderate','strong'])[1 + signal % 3] AS strength,
       random() * 2 - 1 AS score, random() AS confidence,
       json_build_object(
         'action', (ARRAY['BUY','SELL','HOLD'])[1 + signal % 3],
         'agents', json_agg(json_build_object(
             'action', action,
             'category', (ARRAY['trend','momentum','volatility','volume','pattern',
                                'statistical'])[1 + (ord - 1) / 9],
             'confidence', CASE WHEN action = 'ABSTAIN' THEN 0 ELSE conf END,
             'indicators', CASE WHEN ord % 3 = 0 THEN json_build_object('value', random() * 100)
                                ELSE json_build_object('value', random() * 100,
                                       'signal', random() * 100, 'upper', random() * 200) END,
             'name', 'agent_' || lpad(ord::text, 2, '0'),
             'reason', CASE WHEN action = 'ABSTAIN' THEN 'needs 200 bars, have 120'
                            ELSE 'indicator ' || round((conf * 100)::numeric, 2)
                                 || ' crossed its signal line ' || round((lean * 100)::numeric, 2)
                                 || ' above the band' END,
             'score', CASE action WHEN 'BUY' THEN conf WHEN 'SELL' THEN -conf
                                  WHEN 'HOLD' THEN lean ELSE 0 END) ORDER BY ord),
         'as_of', '2024-01-02T00:00:00Z', 'bars_used', 500,
         'categories', json_build_object(
             'trend', json_build_object('action','BUY','score',random(),'voters',9),
             'momentum', json_build_object('action','SELL','score',-random(),'voters',9),
             'volatility', json_build_object('action','HOLD','score',random()-0.5,'voters',9),
             'volume', json_build_object('action','HOLD','score',random()-0.5,'voters',9),
             'pattern', json_build_object('action','ABSTAIN','score',0,'voters',0),
             'statistical', json_build_object('action','BUY','score',random(),'voters',6)),
         'computed_at', '2024-01-02T00:00:05Z', 'confidence', random(), 'score', random(),
         'strength', 'moderate', 'symbol', 'S' || lpad((signal % 2000)::text, 4, '0'),
         'timeframe', '1d', 'votes', json_build_object('buy',20,'sell',10,'hold',15,'abstain',6)
       )::text AS body
  FROM agents GROUP BY signal;
SQL
}

# One transaction per batch of 500, as PgSignalStore::write_loop does.
write_batches() {  # write_batches DB INSERT_SQL UPSERT_SQL [PACKED]
  local db=$1 insert=$2 upsert=$3 packed=${4:-false} script
  script=$(mktemp)
  {
    echo "CREATE TEMP TABLE IF NOT EXISTS gs_signals_stage (seq bigint, symbol text,"
    echo " timeframe text, as_of bigint, action text, strength text, score float8,"
    echo " confidence float8, config_version text, body text, packed boolean,"
    echo " registry_id smallint, computed_at bigint, bars_used integer, summary bytea,"
    echo " agents bytea) ON COMMIT DELETE ROWS;"
    for ((first = 1; first <= rows; first += batch)); do
      echo "BEGIN;"
      echo "INSERT INTO gs_signals_stage SELECT i, symbol, '1d', 1704153600 + i, action,"
      echo " strength, score, confidence, '0123456789abcdef-fedcba9876543210', body, $packed,"
      if [[ $packed == true ]]; then
        echo " p_registry, p_computed, p_bars, p_summary, p_agents"
      else
        echo " 0, 0, 0, '', ''"
      fi
      echo " FROM bench_bodies WHERE i BETWEEN $first AND $((first + batch - 1));"
      echo "$insert;"
      echo "$upsert;"
      echo "COMMIT;"
    done
  } >"$script"
  local start end
  start=$(date +%s.%N)
  psql_db "$db" -f "$script" >/dev/null
  end=$(date +%s.%N)
  rm -f "$script"
  echo "$end - $start" | bc
}

measure() {  # measure DB LABEL SECONDS
  psql_db "$1" -c "ANALYZE signals" >/dev/null
  psql_db "$1" -F ' ' <<SQL | while read -r n total heap; do
SELECT count(*), (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('signals')),
       (SELECT sum(pg_table_size(relid)) FROM pg_partition_tree('signals'))
  FROM signals;
SQL
    printf '%-9s rows %7d  bytes/row %6d (heap+toast %6d, indexes %4d)  %s\n' \
      "$2" "$n" $((total / n)) $((heap / n)) $(((total - heap) / n)) "$3"
  done
}

# The write path's statements (src/store/signal_queries.h before and after 0002).
old_insert="INSERT INTO signals (symbol, timeframe, as_of, action, strength, score, confidence,
 config_version, signal) SELECT symbol, timeframe, to_timestamp(as_of), action, strength, score,
 confidence, config_version, body::jsonb FROM gs_signals_stage ORDER BY seq"
new_insert="INSERT INTO signals (as_of, computed_at, score, confidence, bars_used, action,
 strength, registry_id, symbol, timeframe, config_version, summary, agents)
 SELECT to_timestamp(s.as_of),
 CASE WHEN s.packed THEN to_timestamp(s.computed_at) ELSE c.computed_at END,
 s.score, s.confidence, CASE WHEN s.packed THEN s.bars_used ELSE c.bars_used END,
 gs_action_code(s.action), gs_strength_code(s.strength),
 CASE WHEN s.packed THEN s.registry_id ELSE c.registry_id END, s.symbol, s.timeframe,
 s.config_version, CASE WHEN s.packed THEN s.summary ELSE c.summary END,
 CASE WHEN s.packed THEN s.agents ELSE c.agents END FROM gs_signals_stage s
 CROSS JOIN LATERAL gs_compact_signal(CASE WHEN s.packed THEN NULL
 ELSE s.body::jsonb END) c ORDER BY s.seq"
old_upsert="INSERT INTO latest_signals (symbol, timeframe, as_of, config_version, signal, body,
 updated_at) SELECT DISTINCT ON (symbol, timeframe) symbol, timeframe, to_timestamp(as_of),
 config_version, body::jsonb, body, now() FROM gs_signals_stage
 ORDER BY symbol, timeframe, as_of DESC, seq DESC ON CONFLICT (symbol, timeframe) DO UPDATE
 SET as_of = EXCLUDED.as_of, config_version = EXCLUDED.config_version, signal = EXCLUDED.signal,
 body = EXCLUDED.body, updated_at = EXCLUDED.updated_at
 WHERE latest_signals.as_of <= EXCLUDED.as_of"
new_upsert="INSERT INTO latest_signals (symbol, timeframe, as_of, config_version, body, updated_at)
 SELECT DISTINCT ON (symbol, timeframe) symbol, timeframe, to_timestamp(as_of), config_version,
 body, now() FROM gs_signals_stage ORDER BY symbol, timeframe, as_of DESC, seq DESC
 ON CONFLICT (symbol, timeframe) DO UPDATE SET as_of = EXCLUDED.as_of,
 config_version = EXCLUDED.config_version, body = EXCLUDED.body,
 updated_at = EXCLUDED.updated_at WHERE latest_signals.as_of <= EXCLUDED.as_of"
rate() {  # rate SECONDS: "write N s, R rows/s"
  echo "write $1 s, $(echo "$rows / $1" | bc) rows/s (history insert + latest upsert)"
}

fresh_db gs_rows_v1
psql_db gs_rows_v1 -f "$repo/sql/0001_init.sql" >/dev/null
generate gs_rows_v1
echo "jsonb per signal (v1): $(psql_db gs_rows_v1 -c \
  "SELECT round(avg(pg_column_size(body::jsonb))) FROM bench_bodies") bytes"
seconds=$(write_batches gs_rows_v1 "$old_insert" "$old_upsert")
measure gs_rows_v1 v1 "$(rate "$seconds")"
start=$(date +%s.%N)
psql_db gs_rows_v1 -1 -f "$repo/sql/0002_compact_history.sql" >/dev/null
migrated=$(echo "$(date +%s.%N) - $start" | bc)
measure gs_rows_v1 migrated "migration $migrated s"

fresh_db gs_rows_v2
psql_db gs_rows_v2 -f "$repo/sql/0001_init.sql" >/dev/null
psql_db gs_rows_v2 -1 -f "$repo/sql/0002_compact_history.sql" >/dev/null
generate gs_rows_v2
seconds=$(write_batches gs_rows_v2 "$new_insert" "$new_upsert")
measure gs_rows_v2 v2 "$(rate "$seconds")"

fresh_db gs_rows_v2p
psql_db gs_rows_v2p -f "$repo/sql/0001_init.sql" >/dev/null
psql_db gs_rows_v2p -1 -f "$repo/sql/0002_compact_history.sql" >/dev/null
generate gs_rows_v2p
psql_db gs_rows_v2p >/dev/null <<'SQL'
ALTER TABLE bench_bodies ADD p_registry smallint, ADD p_computed bigint, ADD p_bars integer,
  ADD p_summary bytea, ADD p_agents bytea;
UPDATE bench_bodies b SET p_registry = c.registry_id,
  p_computed = extract(epoch FROM c.computed_at)::bigint, p_bars = c.bars_used,
  p_summary = c.summary, p_agents = c.agents
  FROM bench_bodies b2 CROSS JOIN LATERAL gs_compact_signal(b2.body::jsonb) c WHERE b2.i = b.i;
VACUUM ANALYZE bench_bodies;
SQL
seconds=$(write_batches gs_rows_v2p "$new_insert" "$new_upsert" true)
measure gs_rows_v2p v2packed "$(rate "$seconds")"
psql_db postgres -c "DROP DATABASE gs_rows_v1" -c "DROP DATABASE gs_rows_v2" \
  -c "DROP DATABASE gs_rows_v2p" >/dev/null
