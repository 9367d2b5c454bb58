#pragma once

#include <string>

namespace gs::metrics {

// Appends the `gs_build_info` gauge (always 1, the facts are in its labels).
void render_build_info(std::string& out);

}  // namespace gs::metrics
