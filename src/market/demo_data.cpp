#include "goldensignals/market/demo_data.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "goldensignals/market/bar_parsing.h"
#include "goldensignals/market/symbol.h"

namespace gs::market {

std::size_t load_demo_data(BarStore& store, const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        throw std::runtime_error(fmt::format("demo data folder '{}' not found", dir));
    }
    std::size_t loaded = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".csv") {
            continue;
        }
        auto symbol = normalize_symbol(entry.path().stem().string());
        if (!symbol) {
            throw std::runtime_error(fmt::format("demo file '{}' is not named after a valid symbol",
                                                 entry.path().string()));
        }
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        try {
            auto bars = parse_bars_csv(text.str());
            store.upsert(*symbol, Timeframe::k1d, bars);
        } catch (const BarParseError& e) {
            throw std::runtime_error(
                fmt::format("demo file '{}': {}", entry.path().string(), e.what()));
        }
        ++loaded;
    }
    return loaded;
}

}  // namespace gs::market
