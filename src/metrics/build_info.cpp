#include "goldensignals/metrics/build_info.h"

#include <fmt/format.h>

#include "goldensignals/build_info.h"
#include "goldensignals/metrics/histogram.h"

namespace gs::metrics {

void render_build_info(std::string& out) {
    out += "# HELP gs_build_info Version and build of the running binary.\n";
    out += "# TYPE gs_build_info gauge\n";
    fmt::format_to(std::back_inserter(out),
                   "gs_build_info{{version=\"{}\",commit=\"{}\",build_type=\"{}\",compiler=\"{}\","
                   "malloc=\"{}\"}} 1\n",
                   escape_label(build_info::kVersion), escape_label(build_info::kGitCommit),
                   escape_label(build_info::kBuildType), escape_label(build_info::kCompiler),
                   escape_label(build_info::kMalloc));
}

}  // namespace gs::metrics
