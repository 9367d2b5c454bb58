#include "agents/category_lists.h"

namespace gs::agents {

extern const AgentDef kRsi;
extern const AgentDef kStochastic;
extern const AgentDef kStochRsi;
extern const AgentDef kWilliamsR;
extern const AgentDef kCci;
extern const AgentDef kRoc;
extern const AgentDef kMomentum;
extern const AgentDef kUltimateOscillator;
extern const AgentDef kCmo;
extern const AgentDef kPpo;
extern const AgentDef kRsiDivergence;
extern const AgentDef kAwesomeOscillator;

std::span<const AgentDef* const> momentum_agents() {
    static const AgentDef* const kList[] = {
        &kRsi, &kStochastic, &kStochRsi,      &kWilliamsR,
        &kCci, &kRoc,        &kMomentum,      &kUltimateOscillator,
        &kCmo, &kPpo,        &kRsiDivergence, &kAwesomeOscillator,
    };
    return kList;
}

}  // namespace gs::agents
