#include <gtest/gtest.h>

#include "goldensignals/import/importer.h"

namespace gs::import {
namespace {

config::EnvLookup env_with(std::optional<std::string> token) {
    return [token](std::string_view name) -> std::optional<std::string> {
        return name == "GS_API_TOKEN" ? token : std::nullopt;
    };
}

TEST(ImportOptionsTest, ReadsFlagsAndFilesWithTheTokenFromTheEnvironment) {
    const auto options = parse_import_args({"--url=http://h:1", "--timeframe", "1h", "--symbol",
                                            "brk.b", "a.csv", "--chunk-rows=500", "b.csv"},
                                           env_with("secret"));
    EXPECT_EQ(options.url, "http://h:1");
    EXPECT_EQ(options.timeframe, market::Timeframe::k1h);
    EXPECT_EQ(options.symbol, "BRK.B");
    EXPECT_EQ(options.chunk_rows, 500u);
    EXPECT_EQ(options.token, "secret");
    EXPECT_EQ(options.files, (std::vector<std::string>{"a.csv", "b.csv"}));
    EXPECT_EQ(parse_import_args({"--token=t", "x"}, env_with("secret")).token, "t");
}

TEST(ImportOptionsTest, RefusesBadValuesNamingTheFlag) {
    const auto env = env_with(std::nullopt);
    auto message = [&](std::vector<std::string> args) {
        try {
            parse_import_args(args, env);
        } catch (const config::Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message({"--timeframe=2d", "f"}).find("--timeframe"), std::string::npos);
    EXPECT_NE(message({"--symbol=a b", "f"}).find("--symbol"), std::string::npos);
    EXPECT_NE(message({"--url=ftp://x", "f"}).find("--url"), std::string::npos);
    EXPECT_NE(message({"--chunk-rows=100001", "f"}).find("--chunk-rows"), std::string::npos);
    EXPECT_NE(message({"--bogus", "f"}).find("--bogus"), std::string::npos);
    EXPECT_NE(message({}).find("no files"), std::string::npos);
    EXPECT_NE(message({"f", "--url"}).find("needs a value"), std::string::npos);
    EXPECT_TRUE(parse_import_args({"--help"}, env).show_help);
}

}  // namespace
}  // namespace gs::import
