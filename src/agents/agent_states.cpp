#include "goldensignals/agents/agent_states.h"

#include <algorithm>
#include <new>

namespace gs::agents {

namespace {

// One alignment for the whole block: the largest any state asks for.
constexpr std::align_val_t kBlockAlign{alignof(std::max_align_t) > 64 ? alignof(std::max_align_t)
                                                                      : 64};

std::size_t round_up(std::size_t n, std::size_t align) {
    return (n + align - 1) / align * align;
}

}  // namespace

void AgentStates::Free::operator()(std::byte* p) const noexcept {
    ::operator delete(p, kBlockAlign);
}

AgentStates::AgentStates(std::span<const AgentDef* const> defs)
    : defs_(defs), offsets_(defs.size(), kNone) {
    for (std::size_t i = 0; i < defs.size(); ++i) {
        if (const StreamOps* ops = defs[i]->stream) {
            block_size_ = round_up(block_size_, ops->align);
            offsets_[i] = block_size_;
            block_size_ += ops->size;
        }
    }
    block_.reset(static_cast<std::byte*>(
        ::operator new(std::max<std::size_t>(block_size_, 1), kBlockAlign)));
    std::size_t built = 0;
    try {
        for (; built < defs.size(); ++built) {
            if (offsets_[built] != kNone) {
                defs[built]->stream->construct(at(built));
            }
        }
    } catch (...) {
        for (std::size_t i = 0; i < built; ++i) {
            if (offsets_[i] != kNone) {
                defs[i]->stream->destroy(at(i));
            }
        }
        throw;
    }
}

AgentStates::AgentStates(const AgentStates& other)
    : defs_(other.defs_),
      offsets_(other.offsets_),
      block_size_(other.block_size_),
      taken_(other.taken_),
      last_time_(other.last_time_) {
    block_.reset(static_cast<std::byte*>(
        ::operator new(std::max<std::size_t>(block_size_, 1), kBlockAlign)));
    std::size_t built = 0;
    try {
        for (; built < defs_.size(); ++built) {
            if (offsets_[built] != kNone) {
                defs_[built]->stream->copy_construct(at(built), other.at(built));
            }
        }
    } catch (...) {
        for (std::size_t i = 0; i < built; ++i) {
            if (offsets_[i] != kNone) {
                defs_[i]->stream->destroy(at(i));
            }
        }
        throw;
    }
}

AgentStates::AgentStates(AgentStates&& other) noexcept
    : defs_(other.defs_),
      offsets_(std::move(other.offsets_)),
      block_size_(other.block_size_),
      block_(std::move(other.block_)),
      taken_(other.taken_),
      last_time_(other.last_time_) {
    other.offsets_.clear();
}

AgentStates::~AgentStates() {
    destroy();
}

void AgentStates::destroy() noexcept {
    if (!block_) {
        return;
    }
    for (std::size_t i = 0; i < offsets_.size(); ++i) {
        if (offsets_[i] != kNone) {
            defs_[i]->stream->destroy(at(i));
        }
    }
}

AgentStates AgentStates::built_from(std::span<const AgentDef* const> defs,
                                    const market::BarsView& bars) {
    AgentStates states(defs);
    states.update(bars, 0);
    return states;
}

void* AgentStates::at(std::size_t i) const noexcept {
    return block_.get() + offsets_[i];
}

const void* AgentStates::state(std::size_t i) const noexcept {
    return i < offsets_.size() && offsets_[i] != kNone ? at(i) : nullptr;
}

void AgentStates::update(const market::Bar& bar) {
    for (std::size_t i = 0; i < offsets_.size(); ++i) {
        if (offsets_[i] != kNone) {
            defs_[i]->stream->update(at(i), bar);
        }
    }
    ++taken_;
    last_time_ = bar.time;
}

void AgentStates::update(const market::BarsView& bars, std::size_t from) {
    for (std::size_t k = from; k < bars.size(); ++k) {
        update(market::Bar{bars.time[k], bars.open[k], bars.high[k], bars.low[k], bars.close[k],
                           bars.volume[k]});
    }
}

}  // namespace gs::agents
