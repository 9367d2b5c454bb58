// POST /v1/bars JSON bodies: parse_bars_json either refuses with a BarParseError (nothing
// else may escape: the route would answer 500) or returns bars that are all storable and
// survive a round trip through both accepted formats unchanged.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bar_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    gs::fuzz::check_bar_parser(std::string_view(reinterpret_cast<const char*>(data), size),
                               gs::market::parse_bars_json);
    return 0;
}
