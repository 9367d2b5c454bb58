#include "goldensignals/orchestrator/signal_pack.h"

#include <mutex>
#include <utility>
#include <vector>

namespace gs::orchestrator {

namespace {

// One AgentList per distinct agent set (in practice one: agents::all_agents()), so the queue of
// the archive holds a pointer per row, not 51 names.
std::shared_ptr<const store::AgentList> agent_list(
    const std::vector<const agents::AgentDef*>& defs) {
    static std::mutex mutex;
    static std::vector<
        std::pair<std::vector<const agents::AgentDef*>, std::shared_ptr<const store::AgentList>>>
        lists;
    std::lock_guard lock(mutex);
    for (const auto& [known, list] : lists) {
        if (known == defs) {
            return list;
        }
    }
    auto list = std::make_shared<store::AgentList>();
    for (const auto* def : defs) {
        list->agents.emplace_back(def->name);
        list->categories.emplace_back(agents::to_string(def->category));
    }
    lists.emplace_back(defs, list);
    return list;
}

}  // namespace

store::PackedSignal pack_signal(const Signal& signal) {
    const auto& c = signal.consensus;
    store::PackedSignal packed;
    packed.computed_at = signal.computed_at;
    packed.bars_used = static_cast<std::int64_t>(signal.bars_used);
    std::array<store::PackedCategory, 6> categories;
    static_assert(agents::kCategoryCount == 6);
    for (std::size_t i = 0; i < agents::kCategoryCount; ++i) {
        categories[i] = {static_cast<int>(c.categories[i].action), c.categories[i].voters,
                         c.categories[i].score};
    }
    packed.summary =
        store::pack_summary({c.votes.buy, c.votes.sell, c.votes.hold, c.votes.abstain}, categories);
    std::vector<store::PackedVote> votes;
    votes.reserve(signal.agents.size());
    for (const auto& result : signal.agents) {
        votes.push_back({static_cast<int>(result.action), result.confidence, result.score});
    }
    packed.agents = store::pack_agents(votes);
    if (!signal.agents.empty()) {
        packed.registry = agent_list(signal.defs);
    }
    return packed;
}

}  // namespace gs::orchestrator
