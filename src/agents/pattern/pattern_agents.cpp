#include "agents/category_lists.h"

namespace gs::agents {

extern const AgentDef kCdlEngulfing;
extern const AgentDef kCdlHammer;
extern const AgentDef kCdlStar;
extern const AgentDef kCdlThreeSoldiersCrows;
extern const AgentDef kCdlHarami;
extern const AgentDef kCdlPiercingDarkCloud;

std::span<const AgentDef* const> pattern_agents() {
    static const AgentDef* const kList[] = {
        &kCdlEngulfing,          &kCdlHammer, &kCdlStar,
        &kCdlThreeSoldiersCrows, &kCdlHarami, &kCdlPiercingDarkCloud,
    };
    return kList;
}

}  // namespace gs::agents
