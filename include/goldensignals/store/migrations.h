#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/connection>

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

}  // namespace gs::store
