#pragma once

// The streaming states of every agent for one series, in one block: each new bar updates
// all of them in O(1), and an agent evaluates the newest bar from its state alone (issue 12).
//
// What the states cover: every bar taken since the block was built. The engine builds a block
// from the bars a series holds (at load, reload, and whenever a bar arrives that is not newer
// than the newest: a correction or a late bar) and then feeds it each new bar, so between
// rebuilds the states may cover more bars than --max-bars keeps (docs/streaming.md).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "goldensignals/agents/agent.h"
#include "goldensignals/market/bar.h"
#include "goldensignals/market/bars_view.h"

namespace gs::agents {

class AgentStates final {
  public:
    // States for the agents in `defs` that stream (the others have none); `defs` must outlive
    // this (the registry's span does).
    explicit AgentStates(std::span<const AgentDef* const> defs);
    AgentStates(const AgentStates& other);
    AgentStates(AgentStates&& other) noexcept;
    AgentStates& operator=(const AgentStates&) = delete;
    AgentStates& operator=(AgentStates&&) = delete;
    ~AgentStates();

    // Every bar of `bars`, oldest first, into fresh states.
    static AgentStates built_from(std::span<const AgentDef* const> defs,
                                  const market::BarsView& bars);

    // The next bar: newer than every bar taken (the caller checks; see last_time()).
    void update(const market::Bar& bar);
    void update(const market::BarsView& bars, std::size_t from);

    std::size_t taken() const noexcept { return taken_; }
    // The newest bar time taken; 0 when none.
    std::int64_t last_time() const noexcept { return last_time_; }
    std::span<const AgentDef* const> defs() const noexcept { return defs_; }
    // defs()[i]'s state, nullptr when that agent does not stream.
    const void* state(std::size_t i) const noexcept;

  private:
    void* at(std::size_t i) const noexcept;
    void destroy() noexcept;

    static constexpr std::size_t kNone = ~std::size_t{0};
    struct Free {
        void operator()(std::byte* p) const noexcept;
    };

    std::span<const AgentDef* const> defs_;
    std::vector<std::size_t> offsets_;  // kNone for an agent without a streaming form
    std::size_t block_size_ = 0;
    std::unique_ptr<std::byte[], Free> block_;
    std::size_t taken_ = 0;
    std::int64_t last_time_ = 0;
};

}  // namespace gs::agents
