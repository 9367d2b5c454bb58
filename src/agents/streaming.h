#pragma once

// Makes an agent's StreamOps from a class:
//
//   class Stream {
//     public:
//       void update(const market::Bar& bar);  // O(1) amortised
//       AgentResult evaluate() const;         // the verdict on the newest bar taken
//   };
//   extern const AgentDef kX = {..., evaluate, series, &stream_ops<Stream>};
//
// The class holds the streaming indicator states (goldensignals/indicators/streaming/) and the
// short tails its rule reads (a Ring of the last few values, a counter of bars since a cross),
// never the history. It must be default-constructible and copyable (a copy continues
// identically). evaluate() builds the same AgentResult as the agent's batch evaluate() over
// the same bars, through the same rule helpers, so the two cannot drift apart unnoticed:
// tests/agents/streaming_parity_test.cpp compares them bar by bar on long series.

#include <memory>
#include <new>

#include "goldensignals/agents/agent.h"

namespace gs::agents {

template <typename Stream>
inline constexpr StreamOps stream_ops = {
    sizeof(Stream),
    alignof(Stream),
    [](void* at) { new (at) Stream(); },
    [](void* at, const void* from) { new (at) Stream(*static_cast<const Stream*>(from)); },
    [](void* at) noexcept { static_cast<Stream*>(at)->~Stream(); },
    [](void* state, const market::Bar& bar) { static_cast<Stream*>(state)->update(bar); },
    [](const void* state) { return static_cast<const Stream*>(state)->evaluate(); },
    [](const void* state, AgentResult& out) {
        std::destroy_at(&out);
        try {
            // A prvalue initialising the object: evaluate()'s result is built right here.
            ::new (static_cast<void*>(&out))
                AgentResult(static_cast<const Stream*>(state)->evaluate());
        } catch (...) {
            ::new (static_cast<void*>(&out)) AgentResult();
            throw;
        }
    },
};

}  // namespace gs::agents
