// --signal-retention, --bar-retention and --retention-interval-s (docs/retention.md).
#include <map>

#include <gtest/gtest.h>

#include "goldensignals/config/options.h"
#include "support/env_of.h"

namespace gs::config {
namespace {

using market::Timeframe;
using std::chrono::hours;
using std::chrono::seconds;

using testing::env_of;

std::string error_of(const std::vector<std::string>& args) {
    try {
        parse(args, env_of({}));
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST(RetentionOptionsTest, DefaultsKeepNinetyDaysOfSignalsAndEveryBar) {
    const auto options = parse({}, env_of({}));
    EXPECT_EQ(options.retention.signals, seconds(hours(24 * 90)));
    EXPECT_TRUE(options.retention.bars.empty());
    EXPECT_EQ(options.retention.interval, seconds(3600));
}

TEST(RetentionOptionsTest, ParsesHoursDaysWeeksAndForever) {
    EXPECT_EQ(parse_retention("36h"), seconds(36 * 3600));
    EXPECT_EQ(parse_retention("90d"), seconds(90 * 86'400));
    EXPECT_EQ(parse_retention("4w"), seconds(28 * 86'400));
    EXPECT_EQ(parse_retention("1h"), seconds(3600));
    EXPECT_EQ(parse_retention("forever"), std::nullopt);
}

TEST(RetentionOptionsTest, RefusesWhatIsNotAWholeNumberAndAUnit) {
    for (const char* bad :
         {"", "d", "90", "90 d", "90D", "1.5d", "-3d", "+3d", "0d", "0h", "3m", "3y", "90dd", "d90",
          "never", "Forever", "99999999999999999999d", "36600w"}) {
        EXPECT_THROW(parse_retention(bad), Error) << bad;
    }
    // 100 years is the most.
    EXPECT_EQ(parse_retention("36500d"), seconds(36'500LL * 86'400));
}

TEST(RetentionOptionsTest, BarRetentionPerTimeframe) {
    const auto bars = parse_bar_retention("1m:30d,5m:180d,1d:forever");
    ASSERT_EQ(bars.size(), 2u);
    EXPECT_EQ(bars.at(Timeframe::k1m), seconds(30 * 86'400));
    EXPECT_EQ(bars.at(Timeframe::k5m), seconds(180 * 86'400));
    EXPECT_EQ(bars.count(Timeframe::k1d), 0u);
    EXPECT_TRUE(parse_bar_retention("").empty());
}

TEST(RetentionOptionsTest, BarRetentionRefusesBadEntriesNamingThem) {
    const auto message = [](std::string_view text) {
        try {
            parse_bar_retention(text);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(message("2m:30d").find("'2m' is not a timeframe"), std::string::npos);
    EXPECT_NE(message("1m:30d,1m:40d").find("1m is given twice"), std::string::npos);
    EXPECT_NE(message("1m:30d,1m:forever").find("given twice"), std::string::npos);
    EXPECT_NE(message("1m").find("'1m' is not TIMEFRAME:RETENTION"), std::string::npos);
    EXPECT_NE(message("1m:30d,").find("is not TIMEFRAME:RETENTION"), std::string::npos);
    EXPECT_NE(message("1m:30x").find("'30x' is not a retention"), std::string::npos);
    EXPECT_NE(message(" 1m:30d").find("is not a timeframe"), std::string::npos);
}

TEST(RetentionOptionsTest, FlagsAndEnvironmentNameTheOptionAtFault) {
    auto options =
        parse({"--signal-retention=forever", "--bar-retention=1h:2w", "--retention-interval-s=60"},
              env_of({{"GS_SIGNAL_RETENTION", "7d"}}));
    EXPECT_EQ(options.retention.signals, std::nullopt);
    EXPECT_EQ(options.retention.bars.at(Timeframe::k1h), seconds(14 * 86'400));
    EXPECT_EQ(options.retention.interval, seconds(60));
    options = parse({}, env_of({{"GS_SIGNAL_RETENTION", "7d"}, {"GS_BAR_RETENTION", "5m:1d"}}));
    EXPECT_EQ(options.retention.signals, seconds(7 * 86'400));
    EXPECT_EQ(options.retention.bars.at(Timeframe::k5m), seconds(86'400));

    EXPECT_NE(error_of({"--signal-retention=90"})
                  .find("--signal-retention: '90' is not a "
                        "retention"),
              std::string::npos);
    EXPECT_NE(error_of({"--bar-retention=1x:3d"}).find("--bar-retention: '1x' is not a timeframe"),
              std::string::npos);
    EXPECT_NE(error_of({"--retention-interval-s=0"}).find("--retention-interval-s"),
              std::string::npos);
    try {
        parse({}, env_of({{"GS_BAR_RETENTION", "1m:0d"}}));
        ADD_FAILURE() << "GS_BAR_RETENTION=1m:0d was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("GS_BAR_RETENTION"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace gs::config
