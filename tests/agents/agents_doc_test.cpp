// docs/agents.md documents exactly the agents of the registry, each under its category with
// the parameters and min_bars the API serves: the committed file is what gs_agents_doc writes.
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "agents/agents_doc.h"
#include "goldensignals/agents/registry.h"

namespace gs::agents {
namespace {

std::string read_doc() {
    std::ifstream in(std::string(GS_SOURCE_DIR) + "/docs/agents.md", std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

TEST(AgentsDocTest, EveryAgentHasOneSectionUnderItsCategory) {
    const auto synced = sync_agents_doc(read_doc());
    for (const auto& error : synced.errors) {
        ADD_FAILURE() << "docs/agents.md: " << error;
    }
}

TEST(AgentsDocTest, RegistryLinesMatchTheRegistry) {
    const std::string doc = read_doc();
    ASSERT_FALSE(doc.empty());
    const auto synced = sync_agents_doc(doc);
    for (const AgentDef* def : all_agents()) {
        EXPECT_NE(doc.find(registry_line(*def) + "\n"), std::string::npos)
            << "docs/agents.md lacks: " << registry_line(*def)
            << "\n(run: gs_agents_doc docs/agents.md)";
    }
    EXPECT_EQ(synced.text, doc) << "run: gs_agents_doc docs/agents.md";
}

TEST(AgentsDocTest, SyncFindsMissingExtraAndMisplacedSections) {
    const auto synced = sync_agents_doc(
        "# Trend agents\n\n## 1. sma_cross\ntext\n## rsi\n## not_an_agent\n## Tests\n"
        "# Momentum agents\n## rsi\n- Registry: stale\n");
    const std::string line = registry_line(*find_agent("sma_cross"));
    EXPECT_NE(synced.text.find("## 1. sma_cross\n" + line + "\ntext\n"), std::string::npos)
        << synced.text;
    EXPECT_EQ(synced.text.find("stale"), std::string::npos) << "a stale line is replaced";
    auto has = [&](const std::string& s) {
        for (const auto& e : synced.errors) {
            if (e.find(s) != std::string::npos) {
                return true;
            }
        }
        return false;
    };
    EXPECT_TRUE(has("`rsi` is a momentum agent but documented under trend"));
    EXPECT_TRUE(has("`rsi` has more than one section"));
    EXPECT_TRUE(has("`not_an_agent`, which is no agent"));
    EXPECT_TRUE(has("`macd` has no section"));
    EXPECT_FALSE(has("Tests"));
}

}  // namespace
}  // namespace gs::agents
