// --memory-budget / GS_MEMORY_BUDGET (docs/memory.md).
#include <map>

#include <gtest/gtest.h>

#include "goldensignals/config/options.h"
#include "support/env_of.h"

namespace gs::config {
namespace {

using testing::env_of;

TEST(MemoryBudgetOptionTest, DefaultsTo900MiBOfWhichTheSeriesGetWhatL1AndTheReserveLeave) {
    const auto options = parse({}, env_of({}));
    EXPECT_EQ(options.memory_budget, std::size_t{900} << 20);
    // 900 MiB less the 256 MiB L1 cache and the 64 MiB reserve.
    EXPECT_EQ(series_budget(options), std::size_t{580} << 20);
    EXPECT_EQ(series_budget(parse({"--memory-budget=512MiB", "--l1-cache-mb=64"}, env_of({}))),
              std::size_t{384} << 20);
}

// The budget bounds the process, so one that the L1 cache and the reserve already fill is a
// mistake at start, named with what would fit.
TEST(MemoryBudgetOptionTest, RefusesABudgetThatLeavesTheSeriesNothing) {
    try {
        parse({"--memory-budget=256MiB"}, env_of({}));  // the default L1 cache alone is 256 MiB
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("--l1-cache-mb"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("at least 321 MiB"), std::string::npos) << e.what();
    }
    EXPECT_EQ(series_budget(parse({"--memory-budget=66MiB", "--l1-cache-mb=1"}, env_of({}))),
              std::size_t{1} << 20);
    EXPECT_THROW(parse({"--memory-budget=65MiB", "--l1-cache-mb=1"}, env_of({})), Error);
}

TEST(MemoryBudgetOptionTest, ParsesBinaryAndDecimalUnits) {
    EXPECT_EQ(parse_byte_size("1048576"), 1'048'576u);
    EXPECT_EQ(parse_byte_size("100B"), 100u);
    EXPECT_EQ(parse_byte_size("64KiB"), 64u * 1024);
    EXPECT_EQ(parse_byte_size("512MiB"), std::size_t{512} << 20);
    EXPECT_EQ(parse_byte_size("2GiB"), std::size_t{2} << 30);
    EXPECT_EQ(parse_byte_size("1TiB"), std::size_t{1} << 40);
    EXPECT_EQ(parse_byte_size("3KB"), 3'000u);
    EXPECT_EQ(parse_byte_size("750MB"), 750'000'000u);
    EXPECT_EQ(parse_byte_size("1GB"), 1'000'000'000u);
}

TEST(MemoryBudgetOptionTest, RefusesWhatIsNotASize) {
    for (const char* bad : {"", "MiB", "0", "0MiB", "12 MiB", "12mib", "1.5GiB", "-1", "12XB",
                            "99999999999999999999", "20000000TiB"}) {
        EXPECT_THROW(parse_byte_size(bad), Error) << bad;
    }
}

TEST(MemoryBudgetOptionTest, FlagWinsOverTheEnvironmentAndErrorsNameIt) {
    const auto options = parse({"--memory-budget=1GiB"}, env_of({{"GS_MEMORY_BUDGET", "400MiB"}}));
    EXPECT_EQ(options.memory_budget, std::size_t{1} << 30);
    EXPECT_EQ(parse({}, env_of({{"GS_MEMORY_BUDGET", "400MiB"}})).memory_budget,
              std::size_t{400} << 20);
    try {
        parse({"--memory-budget=lots"}, env_of({}));
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("--memory-budget"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace gs::config
