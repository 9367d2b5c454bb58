#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "goldensignals/store/error.h"

namespace gs::store {

// One migration file, `NNNN_name.sql`.
struct Migration {
    std::int64_t version = 0;
    std::string name;  // file name without the version prefix and ".sql"
    std::string path;
};

// The `NNNN_name.sql` files of `sql_dir`, sorted by version. Other files are ignored; a
// `.sql` file without a numeric prefix or two files with one version throw store::Error
// (kBadData), so a typo never silently skips a migration.
std::vector<Migration> list_migrations(const std::string& sql_dir);

// Applies, in version order, every migration of `sql_dir` not yet recorded in
// schema_migrations(version, name, applied_at): each file in its own transaction together
// with its record, so a failing file leaves nothing behind and stops the run. A session
// advisory lock around the whole run makes it safe from several processes at once. Returns
// the versions this call applied (empty when the schema was up to date). Throws
// store::Error. Blocking: run it at start or through PgPool::run.
std::vector<std::int64_t> apply_migrations(pqxx::connection& connection,
                                           const std::string& sql_dir);

// The start-up retry policy: whether attempt number `attempt` (1-based) of `attempts`, failed
// with `kind`, is tried again. Only kUnavailable is worth waiting for (in a compose stack the
// database may still be starting); a failing migration will not get better by itself. Note
// that libpq reports every failed connect alike (pqxx::broken_connection), so a missing
// database or bad credentials are kUnavailable too and are retried until the attempts run out.
bool retry_migration(ErrorKind kind, int attempt, int attempts) noexcept;

// Connects to `url` and applies the migrations of `sql_dir`, trying up to `attempts` times
// with `delay` between tries as retry_migration() decides (blocking: call it at start, before
// the I/O threads run). `on_retry` is told each error that is retried; each is also logged.
// Returns the versions applied; throws store::Error, the last attempt's, when it gives up.
std::vector<std::int64_t> migrate_with_retry(
    const std::string& url, const std::string& sql_dir, int attempts,
    std::chrono::milliseconds delay,
    const std::function<void(const Error& error)>& on_retry = nullptr);

}  // namespace gs::store
