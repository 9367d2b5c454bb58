#include "agents/category_lists.h"

namespace gs::agents {

extern const AgentDef kZscoreReversion;
extern const AgentDef kPivotPoints;
extern const AgentDef kFibonacci;
extern const AgentDef kHighLow52w;

std::span<const AgentDef* const> statistical_agents() {
    static const AgentDef* const kList[] = {
        &kZscoreReversion,
        &kPivotPoints,
        &kFibonacci,
        &kHighLow52w,
    };
    return kList;
}

}  // namespace gs::agents
