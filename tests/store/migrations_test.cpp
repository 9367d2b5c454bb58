#include "goldensignals/store/migrations.h"

#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "goldensignals/store/error.h"
#include "goldensignals/store/pg_pool.h"

namespace gs::store {
namespace {

namespace fs = std::filesystem;

class MigrationsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ =
            fs::temp_directory_path() / ("gs_migrations_" + std::to_string(std::random_device{}()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    void write(const std::string& name, const std::string& text = "SELECT 1;") {
        std::ofstream(dir_ / name) << text;
    }

    fs::path dir_;
};

TEST_F(MigrationsTest, ListsNumberedSqlFilesInVersionOrder) {
    write("0010_later.sql");
    write("0002_second.sql");
    write("0001_init.sql");
    write("README.md");
    write("0003_notes.txt");
    const auto migrations = list_migrations(dir_.string());
    ASSERT_EQ(migrations.size(), 3u);
    EXPECT_EQ(migrations[0].version, 1);
    EXPECT_EQ(migrations[0].name, "init");
    EXPECT_EQ(migrations[1].version, 2);
    EXPECT_EQ(migrations[1].name, "second");
    EXPECT_EQ(migrations[2].version, 10);
    EXPECT_EQ(migrations[2].name, "later");
    EXPECT_EQ(fs::path(migrations[2].path).filename(), "0010_later.sql");
}

TEST_F(MigrationsTest, RejectsTwoFilesWithOneVersion) {
    write("0001_init.sql");
    write("1_again.sql");
    try {
        list_migrations(dir_.string());
        FAIL() << "duplicate versions were accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kBadData);
    }
}

TEST_F(MigrationsTest, RejectsSqlFileWithoutVersion) {
    write("init.sql");
    EXPECT_THROW(list_migrations(dir_.string()), Error);
}

TEST_F(MigrationsTest, MissingDirectoryIsAnError) {
    EXPECT_THROW(list_migrations((dir_ / "nope").string()), Error);
}

TEST(MigrationsSourceTest, RepositoryMigrationsStartAtOne) {
    const auto migrations = list_migrations(GS_SOURCE_DIR "/sql");
    ASSERT_FALSE(migrations.empty());
    EXPECT_EQ(migrations.front().version, 1);
    EXPECT_EQ(migrations.front().name, "init");
}

TEST(PgPoolConnectionStringTest, AddsConnectTimeoutToUrlsAndKeywordStrings) {
    EXPECT_EQ(PgPool::connection_string("postgresql://u@h:5/db", std::chrono::seconds{2}),
              "postgresql://u@h:5/db?connect_timeout=2");
    EXPECT_EQ(PgPool::connection_string("postgres://h/db?sslmode=disable", std::chrono::seconds{3}),
              "postgres://h/db?sslmode=disable&connect_timeout=3");
    EXPECT_EQ(PgPool::connection_string("host=h dbname=db", std::chrono::seconds{2}),
              "host=h dbname=db connect_timeout=2");
    EXPECT_EQ(
        PgPool::connection_string("postgresql://h/db?connect_timeout=9", std::chrono::seconds{2}),
        "postgresql://h/db?connect_timeout=9");
}

// The start-up policy of migrate_with_retry: wait only for a database that is not up yet.
TEST(MigrateRetryPolicyTest, RetriesOnlyAnUnreachableDatabaseAndOnlyUpToTheLimit) {
    EXPECT_TRUE(retry_migration(ErrorKind::kUnavailable, 1, 30));
    EXPECT_TRUE(retry_migration(ErrorKind::kUnavailable, 29, 30));
    EXPECT_FALSE(retry_migration(ErrorKind::kUnavailable, 30, 30));
    EXPECT_FALSE(retry_migration(ErrorKind::kUnavailable, 1, 1));
    for (auto kind : {ErrorKind::kBadData, ErrorKind::kConflict, ErrorKind::kInternal}) {
        EXPECT_FALSE(retry_migration(kind, 1, 30)) << to_string(kind);
    }
}

}  // namespace
}  // namespace gs::store
