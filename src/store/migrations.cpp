#include "goldensignals/store/migrations.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include "goldensignals/store/error.h"
#include "store/log.h"

namespace gs::store {

namespace {

// pg_advisory_lock key of the migration run ("gsmigrat" in ASCII).
constexpr std::int64_t kMigrationLockKey = 0x67736d6967726174;

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ErrorKind::kInternal, "cannot read migration " + path);
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Releases the session lock however the run ends; a lost connection releases it anyway.
class AdvisoryLock final {
  public:
    explicit AdvisoryLock(pqxx::connection& connection) : connection_(connection) {
        pqxx::nontransaction tx(connection_);
        tx.exec_params("SELECT pg_advisory_lock($1)", kMigrationLockKey);
    }
    ~AdvisoryLock() {
        try {
            if (connection_.is_open()) {
                pqxx::nontransaction tx(connection_);
                tx.exec_params("SELECT pg_advisory_unlock($1)", kMigrationLockKey);
            }
        } catch (const std::exception& e) {
            logger()->warn("could not release the migration lock: {}", e.what());
        }
    }
    AdvisoryLock(const AdvisoryLock&) = delete;
    AdvisoryLock& operator=(const AdvisoryLock&) = delete;

  private:
    pqxx::connection& connection_;
};

}  // namespace

std::vector<Migration> list_migrations(const std::string& sql_dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(sql_dir, ec)) {
        throw Error(ErrorKind::kInternal, "migration directory " + sql_dir + " does not exist");
    }
    std::vector<Migration> migrations;
    for (const auto& entry : fs::directory_iterator(sql_dir)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".sql") {
            continue;
        }
        const std::string stem = entry.path().stem().string();
        std::size_t digits = 0;
        while (digits < stem.size() && std::isdigit(static_cast<unsigned char>(stem[digits]))) {
            ++digits;
        }
        if (digits == 0 || digits > 18) {
            throw Error(ErrorKind::kBadData,
                        "migration " + entry.path().string() + " has no numeric version prefix");
        }
        Migration migration;
        migration.version = std::stoll(stem.substr(0, digits));
        std::string name = stem.substr(digits);
        if (!name.empty() && (name.front() == '_' || name.front() == '-')) {
            name.erase(0, 1);
        }
        migration.name = name;
        migration.path = entry.path().string();
        migrations.push_back(std::move(migration));
    }
    std::sort(migrations.begin(), migrations.end(),
              [](const Migration& a, const Migration& b) { return a.version < b.version; });
    for (std::size_t i = 1; i < migrations.size(); ++i) {
        if (migrations[i].version == migrations[i - 1].version) {
            throw Error(ErrorKind::kBadData, "migrations " + migrations[i - 1].path + " and " +
                                                 migrations[i].path + " share a version");
        }
    }
    return migrations;
}

std::vector<std::int64_t> apply_migrations(pqxx::connection& connection,
                                           const std::string& sql_dir) {
    const auto migrations = list_migrations(sql_dir);
    std::vector<std::int64_t> applied;
    try {
        AdvisoryLock lock(connection);
        std::set<std::int64_t> done;
        {
            pqxx::work tx(connection);
            tx.exec0(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version bigint PRIMARY KEY,"
                " name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())");
            for (const auto& row : tx.exec("SELECT version FROM schema_migrations")) {
                done.insert(row[0].as<std::int64_t>());
            }
            tx.commit();
        }
        for (const auto& migration : migrations) {
            if (done.count(migration.version) != 0) {
                continue;
            }
            const std::string sql = read_file(migration.path);
            try {
                pqxx::work tx(connection);
                tx.exec0(sql);
                tx.exec_params0("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                                migration.version, migration.name);
                tx.commit();
            } catch (const std::exception& e) {
                const Error error = to_store_error(e);
                throw Error(error.kind(), "migration " + migration.path + " failed: " + e.what());
            }
            logger()->info("applied migration {} ({})", migration.version, migration.name);
            applied.push_back(migration.version);
        }
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw to_store_error(e);
    }
    return applied;
}

bool retry_migration(ErrorKind kind, int attempt, int attempts) noexcept {
    return kind == ErrorKind::kUnavailable && attempt < attempts;
}

std::vector<std::int64_t> migrate_with_retry(
    const std::string& url, const std::string& sql_dir, int attempts,
    std::chrono::milliseconds delay, const std::function<void(const Error& error)>& on_retry) {
    for (int attempt = 1;; ++attempt) {
        try {
            pqxx::connection connection(url);
            return apply_migrations(connection, sql_dir);
        } catch (const std::exception& e) {
            const Error error = to_store_error(e);
            if (!retry_migration(error.kind(), attempt, attempts)) {
                throw error;
            }
            logger()->warn("PostgreSQL not ready ({}), retrying", error.what());
            if (on_retry) {
                on_retry(error);
            }
            std::this_thread::sleep_for(delay);
        }
    }
}

}  // namespace gs::store
