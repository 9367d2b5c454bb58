#pragma once

#include "goldensignals/orchestrator/signal.h"
#include "goldensignals/store/compact_history.h"

namespace gs::orchestrator {

// The signal in the history's packed form (store/compact_history.h), so the archive writes it
// without parsing its JSON. The agent list is shared by every signal of the same agents.
store::PackedSignal pack_signal(const Signal& signal);

}  // namespace gs::orchestrator
