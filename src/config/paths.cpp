#include "goldensignals/config/paths.h"

#include <unistd.h>

#include <array>
#include <system_error>

#include <fmt/format.h>

#include "goldensignals/config/options.h"

namespace gs::config {
namespace {

namespace fs = std::filesystem;

// The folders' names: relative to a checkout, and under share/goldensignals in an install
// (the layout docker/Dockerfile uses).
constexpr std::string_view kSql = "sql";
constexpr std::string_view kWeb = "web";
constexpr std::string_view kDemo = "data/demo";
constexpr std::string_view kInstalledDemo = "demo";

std::string searched(std::string_view relative, std::string_view installed,
                     const fs::path& exe_dir) {
    std::string out;
    for (const auto& candidate : bundled_dir_candidates(relative, installed, exe_dir)) {
        out += (out.empty() ? "" : ", ") + candidate.string();
    }
    return out;
}

// One named-or-searched folder: the named one must be readable; an unnamed one is found or
// left at its relative default.
std::optional<fs::path> settle(std::string& dir, std::string_view what, std::string_view relative,
                               std::string_view installed, const fs::path& exe_dir) {
    if (!dir.empty()) {
        require_readable_dir(dir, what);
        return fs::path(dir);
    }
    if (auto found = find_bundled_dir(relative, installed, exe_dir)) {
        require_readable_dir(found->string(), what);
        dir = found->string();
        return found;
    }
    dir = std::string(relative);
    return std::nullopt;
}

}  // namespace

fs::path executable_dir() {
    std::array<char, 4096> buffer{};
    const auto length = ::readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
    if (length <= 0) {
        return {};
    }
    return fs::path(std::string(buffer.data(), static_cast<std::size_t>(length))).parent_path();
}

std::vector<fs::path> bundled_dir_candidates(std::string_view relative, std::string_view installed,
                                             const fs::path& exe_dir) {
    std::vector<fs::path> out{fs::path(relative)};
    if (!exe_dir.empty()) {
        out.push_back((exe_dir / ".." / "share" / "goldensignals" / installed).lexically_normal());
        out.push_back((exe_dir / ".." / relative).lexically_normal());
        out.push_back((exe_dir / ".." / ".." / relative).lexically_normal());
    }
    return out;
}

std::optional<fs::path> find_bundled_dir(std::string_view relative, std::string_view installed,
                                         const fs::path& exe_dir) {
    for (const auto& candidate : bundled_dir_candidates(relative, installed, exe_dir)) {
        std::error_code ec;
        if (fs::is_directory(candidate, ec)) {
            return candidate;
        }
    }
    return std::nullopt;
}

void require_readable_dir(const std::string& dir, std::string_view what) {
    std::error_code ec;
    const auto status = fs::status(dir, ec);
    if (ec || !fs::exists(status)) {
        throw Error(fmt::format("{}: folder '{}' does not exist", what, dir));
    }
    if (!fs::is_directory(status)) {
        throw Error(fmt::format("{}: '{}' is not a folder", what, dir));
    }
    fs::directory_iterator listing(dir, ec);
    if (ec) {
        throw Error(fmt::format("{}: cannot read folder '{}': {}", what, dir, ec.message()));
    }
}

std::vector<std::string> resolve_paths(Options& options, const fs::path& exe_dir) {
    std::vector<std::string> warnings;
    if (options.database_url &&
        !settle(options.sql_dir, "--sql-dir/GS_SQL_DIR", kSql, kSql, exe_dir)) {
        throw Error(fmt::format(
            "--sql-dir/GS_SQL_DIR: no migration folder found (looked in {}), and PostgreSQL "
            "(GS_DATABASE_URL) needs one",
            searched(kSql, kSql, exe_dir)));
    }
    // Left at "web" when not found: the static routes warn that GET / is not served.
    settle(options.static_dir, "--static-dir/GS_STATIC_DIR", kWeb, kWeb, exe_dir);
    if (options.demo &&
        !settle(options.demo_dir, "--demo-dir/GS_DEMO_DIR", kDemo, kInstalledDemo, exe_dir)) {
        options.demo = false;
        warnings.push_back(fmt::format(
            "demo data not loaded: no demo data folder found (looked in {}); set --demo-dir, or "
            "--demo=false to silence this",
            searched(kDemo, kInstalledDemo, exe_dir)));
    }
    return warnings;
}

}  // namespace gs::config
