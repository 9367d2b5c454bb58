#include "goldensignals/agents/registry.h"

#include <vector>

#include "agents/category_lists.h"

namespace gs::agents {

std::span<const AgentDef* const> all_agents() {
    static const std::vector<const AgentDef*> agents = [] {
        std::vector<const AgentDef*> out;
        for (auto list : {trend_agents(), momentum_agents(), volatility_agents(), volume_agents(),
                          pattern_agents(), statistical_agents()}) {
            out.insert(out.end(), list.begin(), list.end());
        }
        return out;
    }();
    return agents;
}

const AgentDef* find_agent(std::string_view name) {
    for (const AgentDef* agent : all_agents()) {
        if (agent->name == name) {
            return agent;
        }
    }
    return nullptr;
}

}  // namespace gs::agents
