// --max-symbols / GS_MAX_SYMBOLS: the bar store's limit on series (issue 10, item 13).
#include <gtest/gtest.h>

#include "goldensignals/config/options.h"

namespace gs::config {
namespace {

std::optional<std::string> no_env(std::string_view) {
    return std::nullopt;
}

TEST(MaxSymbolsOptionTest, DefaultsToAHundredThousandSeries) {
    EXPECT_EQ(parse({}, no_env).max_symbols, 100'000u);
    EXPECT_NE(help_text().find("--max-symbols"), std::string::npos);
}

TEST(MaxSymbolsOptionTest, FlagWinsOverEnvironment) {
    auto env = [](std::string_view name) -> std::optional<std::string> {
        if (name == "GS_MAX_SYMBOLS") {
            return "500";
        }
        return std::nullopt;
    };
    EXPECT_EQ(parse({}, env).max_symbols, 500u);
    EXPECT_EQ(parse({"--max-symbols=7"}, env).max_symbols, 7u);
}

TEST(MaxSymbolsOptionTest, RefusesZeroAndNonNumbers) {
    EXPECT_THROW(parse({"--max-symbols=0"}, no_env), Error);
    EXPECT_THROW(parse({"--max-symbols=lots"}, no_env), Error);
}

}  // namespace
}  // namespace gs::config
