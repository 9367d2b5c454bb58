#include "agents/category_lists.h"

namespace gs::agents {

extern const AgentDef kObv;
extern const AgentDef kVolumeSpike;
extern const AgentDef kMfi;
extern const AgentDef kChaikinOscillator;
extern const AgentDef kAdLine;
extern const AgentDef kVwap;
extern const AgentDef kForceIndex;
extern const AgentDef kEaseOfMovement;
extern const AgentDef kCmf;
extern const AgentDef kPvo;

std::span<const AgentDef* const> volume_agents() {
    static const AgentDef* const kList[] = {
        &kObv,    &kVolumeSpike, &kMfi,        &kChaikinOscillator,
        &kAdLine, &kVwap,        &kForceIndex, &kEaseOfMovement,
        &kCmf,    &kPvo,
    };
    return kList;
}

}  // namespace gs::agents
