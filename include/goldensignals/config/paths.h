#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gs::config {

struct Options;

// The folder of the running binary (from /proc/self/exe); empty when unknown.
std::filesystem::path executable_dir();

// Where a folder shipped with the program (sql, web, data/demo) is looked for when no flag or
// variable names it, in this order, so the binary runs from any directory:
//   ./<relative>                                   (the repository root, the compose image)
//   <binary dir>/../share/goldensignals/<installed> (an install: bin/ next to share/)
//   <binary dir>/../<relative>                     (a build tree: <repo>/build/goldensignals)
//   <binary dir>/../../<relative>                  (a nested build tree)
std::vector<std::filesystem::path> bundled_dir_candidates(std::string_view relative,
                                                          std::string_view installed,
                                                          const std::filesystem::path& exe_dir);

// The first candidate that is a directory, else nullopt.
std::optional<std::filesystem::path> find_bundled_dir(std::string_view relative,
                                                      std::string_view installed,
                                                      const std::filesystem::path& exe_dir);

// Throws Error naming `what` (the flag and variable) and `dir` unless `dir` is a directory
// this process can list.
void require_readable_dir(const std::string& dir, std::string_view what);

// Settles sql_dir, static_dir and demo_dir before anything starts. A folder named by a flag or
// variable must exist and be readable (else Error: a configuration mistake, reported at once
// instead of as a dependency that is not ready). An unnamed one is searched for (see
// bundled_dir_candidates); when none is found, the migrations are an Error if PostgreSQL is
// configured, the dashboard keeps its relative default (its routes warn that / is not
// served) and the demo data is switched off with a warning. Returns lines to log as warnings.
std::vector<std::string> resolve_paths(Options& options, const std::filesystem::path& exe_dir);

}  // namespace gs::config
