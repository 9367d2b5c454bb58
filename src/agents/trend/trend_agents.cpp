// The trend agents (#1-#13), in the agent table's order.
#include "agents/category_lists.h"

namespace gs::agents {

extern const AgentDef kSmaCross;
extern const AgentDef kEmaCross;
extern const AgentDef kMacd;
extern const AgentDef kAdxDmi;
extern const AgentDef kAroon;
extern const AgentDef kParabolicSar;
extern const AgentDef kIchimoku;
extern const AgentDef kSupertrend;
extern const AgentDef kTrix;
extern const AgentDef kKama;
extern const AgentDef kLinregSlope;
extern const AgentDef kEmaRibbon;
extern const AgentDef kT3Trend;

std::span<const AgentDef* const> trend_agents() {
    static const AgentDef* const kList[] = {
        &kSmaCross,   &kEmaCross, &kMacd, &kAdxDmi,      &kAroon,     &kParabolicSar, &kIchimoku,
        &kSupertrend, &kTrix,     &kKama, &kLinregSlope, &kEmaRibbon, &kT3Trend,
    };
    return kList;
}

}  // namespace gs::agents
