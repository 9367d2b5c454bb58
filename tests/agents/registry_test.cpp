#include "goldensignals/agents/registry.h"

#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace gs::agents {
namespace {

TEST(RegistryTest, HasAllFiftyOneAgentsWithUniqueNames) {
    auto list = all_agents();
    EXPECT_EQ(list.size(), 51u);
    std::set<std::string_view> names;
    for (const auto* agent : list) {
        EXPECT_TRUE(names.insert(agent->name).second) << agent->name;
        EXPECT_EQ(find_agent(agent->name), agent);
        EXPECT_NE(agent->evaluate, nullptr) << agent->name;
        EXPECT_NE(agent->series, nullptr) << agent->name;
        EXPECT_GE(agent->min_bars, 1u) << agent->name;
        EXPECT_NO_THROW(nlohmann::json::parse(agent->parameters)) << agent->name;
    }
    EXPECT_EQ(find_agent("no_such_agent"), nullptr);
}

TEST(RegistryTest, CategoriesComeInTableOrderWithTheDocumentedCounts) {
    std::array<int, kCategoryCount> counts{};
    int previous = 0;
    for (const auto* agent : all_agents()) {
        const int c = static_cast<int>(agent->category);
        EXPECT_GE(c, previous) << agent->name;
        previous = c;
        ++counts[static_cast<std::size_t>(c)];
    }
    EXPECT_EQ(counts, (std::array<int, kCategoryCount>{13, 12, 6, 10, 6, 4}));
    EXPECT_EQ(all_agents().front()->name, "sma_cross");
    EXPECT_EQ(all_agents().back()->name, "high_low_52w");
}

}  // namespace
}  // namespace gs::agents
