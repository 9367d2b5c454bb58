#include "agents/category_lists.h"

namespace gs::agents {

extern const AgentDef kBollinger;
extern const AgentDef kBollingerSqueeze;
extern const AgentDef kKeltner;
extern const AgentDef kDonchian;
extern const AgentDef kChandelierExit;
extern const AgentDef kAtrExpansion;

std::span<const AgentDef* const> volatility_agents() {
    static const AgentDef* const kList[] = {
        &kBollinger, &kBollingerSqueeze, &kKeltner, &kDonchian, &kChandelierExit, &kAtrExpansion,
    };
    return kList;
}

}  // namespace gs::agents
