#pragma once

#include <cstddef>
#include <string>

#include "goldensignals/market/bar_store.h"

namespace gs::market {

// Loads every `<dir>/<SYMBOL>.csv` (the bar CSV format of POST /v1/bars) as daily bars.
// Returns the number of symbols loaded; throws std::runtime_error naming a bad file.
std::size_t load_demo_data(BarStore& store, const std::string& dir);

}  // namespace gs::market
