#pragma once

// Each category folder lists its agents in table order; registry.cpp concatenates them.
#include <span>

#include "goldensignals/agents/agent.h"

namespace gs::agents {

std::span<const AgentDef* const> trend_agents();
std::span<const AgentDef* const> momentum_agents();
std::span<const AgentDef* const> volatility_agents();
std::span<const AgentDef* const> volume_agents();
std::span<const AgentDef* const> pattern_agents();
std::span<const AgentDef* const> statistical_agents();

}  // namespace gs::agents
