#include "goldensignals/config/paths.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "goldensignals/config/options.h"

namespace gs::config {
namespace {

namespace fs = std::filesystem;

// Runs each test in a fresh empty working directory (restored afterwards), so what "./sql"
// finds depends on the test alone, not on where the suite was started.
class PathsTest : public testing::Test {
  protected:
    void SetUp() override {
        char pattern[] = "/tmp/gs-paths-test.XXXXXX";
        ASSERT_NE(mkdtemp(pattern), nullptr);
        root_ = pattern;
        previous_ = fs::current_path();
        fs::create_directories(root_ / "cwd");
        fs::current_path(root_ / "cwd");
    }
    void TearDown() override {
        fs::current_path(previous_);
        std::error_code ignored;
        fs::remove_all(root_, ignored);
    }

    // A layout like a build tree: <root>/repo/{sql,web,data/demo} and the binary in
    // <root>/repo/build.
    fs::path make_build_tree() {
        const auto repo = root_ / "repo";
        fs::create_directories(repo / "build");
        fs::create_directories(repo / "sql");
        fs::create_directories(repo / "web");
        fs::create_directories(repo / "data" / "demo");
        return repo / "build";
    }

    // Built in one place: g++ 12 warns (maybe-uninitialized, a false positive) about an
    // Options whose optional URL is assigned inside the test body (docs/coroutines.md).
    static Options with_postgres() {
        Options options;
        options.database_url.emplace("postgresql://127.0.0.1/gs");
        return options;
    }

    static std::string message_of(Options& options, const fs::path& exe_dir) {
        try {
            resolve_paths(options, exe_dir);
        } catch (const Error& e) {
            return e.what();
        }
        return "(no error)";
    }

    fs::path root_;
    fs::path previous_;
};

TEST_F(PathsTest, SearchesTheWorkingDirectoryThenBesideTheBinary) {
    const auto candidates = bundled_dir_candidates("data/demo", "demo", "/opt/gs/bin");
    ASSERT_EQ(candidates.size(), 4u);
    EXPECT_EQ(candidates[0], fs::path("data/demo"));
    EXPECT_EQ(candidates[1], fs::path("/opt/gs/share/goldensignals/demo"));
    EXPECT_EQ(candidates[2], fs::path("/opt/gs/data/demo"));
    EXPECT_EQ(candidates[3], fs::path("/opt/data/demo"));
    // Unknown binary location: the working directory only.
    EXPECT_EQ(bundled_dir_candidates("sql", "sql", {}).size(), 1u);
}

TEST_F(PathsTest, FindsTheFoldersOfABuildTreeFromAnotherDirectory) {
    const auto exe_dir = make_build_tree();
    Options options = with_postgres();
    EXPECT_TRUE(resolve_paths(options, exe_dir).empty());
    EXPECT_EQ(options.sql_dir, (root_ / "repo" / "sql").string());
    EXPECT_EQ(options.static_dir, (root_ / "repo" / "web").string());
    EXPECT_EQ(options.demo_dir, (root_ / "repo" / "data" / "demo").string());
    EXPECT_TRUE(options.demo);
}

TEST_F(PathsTest, PrefersTheWorkingDirectory) {
    const auto exe_dir = make_build_tree();
    fs::create_directories("sql");
    Options options = with_postgres();
    resolve_paths(options, exe_dir);
    EXPECT_EQ(options.sql_dir, "sql");
}

TEST_F(PathsTest, FindsAnInstalledLayout) {
    fs::create_directories(root_ / "usr" / "bin");
    fs::create_directories(root_ / "usr" / "share" / "goldensignals" / "demo");
    Options options;
    resolve_paths(options, root_ / "usr" / "bin");
    EXPECT_EQ(options.demo_dir, (root_ / "usr" / "share" / "goldensignals" / "demo").string());
}

TEST_F(PathsTest, NamedMigrationFolderMustExist) {
    const auto exe_dir = make_build_tree();
    Options options = with_postgres();
    options.sql_dir = (root_ / "missing-sql").string();
    const auto message = message_of(options, exe_dir);
    EXPECT_NE(message.find("--sql-dir/GS_SQL_DIR"), std::string::npos) << message;
    EXPECT_NE(message.find(options.sql_dir), std::string::npos) << message;
    EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
}

TEST_F(PathsTest, NoMigrationFolderAnywhereIsAnErrorOnlyWithPostgres) {
    Options options = with_postgres();
    const auto message = message_of(options, root_ / "nowhere" / "bin");
    EXPECT_NE(message.find("no migration folder found"), std::string::npos) << message;
    EXPECT_NE(message.find((root_ / "nowhere" / "share" / "goldensignals" / "sql").string()),
              std::string::npos)
        << "the message should list where it looked: " << message;

    Options without_postgres;
    without_postgres.sql_dir = (root_ / "missing-sql").string();
    EXPECT_NO_THROW(resolve_paths(without_postgres, root_ / "nowhere" / "bin"));
}

TEST_F(PathsTest, NamedDemoFolderMustExistButAMissingDefaultOnlyWarns) {
    Options named;
    named.demo_dir = (root_ / "missing-demo").string();
    const auto message = message_of(named, root_ / "nowhere" / "bin");
    EXPECT_NE(message.find("--demo-dir/GS_DEMO_DIR"), std::string::npos) << message;
    EXPECT_NE(message.find(named.demo_dir), std::string::npos) << message;

    Options unnamed;
    const auto warnings = resolve_paths(unnamed, root_ / "nowhere" / "bin");
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("demo data not loaded"), std::string::npos) << warnings[0];
    EXPECT_FALSE(unnamed.demo);

    // Demo off: its folder does not matter.
    Options off;
    off.demo = false;
    off.demo_dir = (root_ / "missing-demo").string();
    EXPECT_NO_THROW(resolve_paths(off, root_ / "nowhere" / "bin"));
}

TEST_F(PathsTest, NamedStaticFolderMustBeAFolder) {
    std::ofstream(root_ / "a-file") << "x";
    Options options;
    options.static_dir = (root_ / "a-file").string();
    const auto message = message_of(options, root_ / "nowhere" / "bin");
    EXPECT_NE(message.find("--static-dir/GS_STATIC_DIR"), std::string::npos) << message;
    EXPECT_NE(message.find("is not a folder"), std::string::npos) << message;

    // Not named and not found: the default stays, and the static routes warn.
    Options unnamed;
    unnamed.demo = false;
    EXPECT_TRUE(resolve_paths(unnamed, root_ / "nowhere" / "bin").empty());
    EXPECT_EQ(unnamed.static_dir, "web");
}

TEST_F(PathsTest, ExecutableDirIsThisTestBinarysFolder) {
    const auto dir = executable_dir();
    ASSERT_FALSE(dir.empty());
    EXPECT_TRUE(fs::is_directory(dir));
    EXPECT_TRUE(dir.is_absolute());
}

}  // namespace
}  // namespace gs::config
