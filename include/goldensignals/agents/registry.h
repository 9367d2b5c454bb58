#pragma once

#include <span>
#include <string_view>

#include "goldensignals/agents/agent.h"

namespace gs::agents {

// All 51 agents in the documented order (docs/agents.md): trend, momentum, volatility,
// volume, pattern, statistical.
std::span<const AgentDef* const> all_agents();

// nullptr when no agent has that name.
const AgentDef* find_agent(std::string_view name);

}  // namespace gs::agents
