#pragma once

#include <string>

namespace gs::testing {

// What a PostgreSQL test says when GS_TEST_DATABASE_URL is not set.
inline constexpr const char* kNoTestDatabase =
    "GS_TEST_DATABASE_URL is not set: these tests need a real PostgreSQL. Run "
    "scripts/test.sh, or `source scripts/lib/services.sh && start_postgres` first.";

// `url` with its database name replaced (URL or key=value form).
std::string with_database(const std::string& url, const std::string& database);

// A database of its own for one test (`<prefix><random>`) on the server GS_TEST_DATABASE_URL
// names, dropped (WITH FORCE) when this goes, so tests can run in parallel and leave nothing.
// ok() is false when the variable is not set: ASSERT_TRUE(db.ok()) << kNoTestDatabase.
class ScratchDatabase final {
  public:
    explicit ScratchDatabase(const std::string& prefix = "t_");
    ~ScratchDatabase();
    ScratchDatabase(const ScratchDatabase&) = delete;
    ScratchDatabase& operator=(const ScratchDatabase&) = delete;

    bool ok() const { return !url_.empty(); }
    const std::string& url() const { return url_; }
    const std::string& name() const { return name_; }

  private:
    std::string admin_url_;
    std::string name_;
    std::string url_;
};

}  // namespace gs::testing
