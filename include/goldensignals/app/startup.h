#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "goldensignals/config/options.h"
#include "goldensignals/consensus/consensus.h"
#include "goldensignals/market/bar_store.h"

namespace gs::app {

// Configuration that names files and folders, checked before anything starts so a mistake
// exits at once with a message naming it.
struct StartupFiles {
    consensus::Config consensus;
    std::vector<std::string> warnings;
};

// Resolves the configured paths (relative to the binary where unset) and loads the files they
// name. Throws config::Error naming the flag at fault.
StartupFiles check_startup_files(config::Options& options);

// The process-wide logger, its level and pattern, and what the tokens leave open.
void configure_logging(const config::Options& options);

// --migrate-only: applies the migrations in options.sql_dir to options.database_url (waiting
// up to 30 s for the server, under the same advisory lock as a replica's start) and returns
// the process's exit status: 0 done, 1 failed, 2 no database configured.
int migrate_only(const config::Options& options);

// Each stream holds a descriptor, so the soft limit (often 1,024) is raised to the hard one,
// as servers meant for many connections do; a limit below the stream limit is reported.
void raise_open_file_limit(std::size_t max_streams);

// Applies the migrations (waiting up to 30 s for a database that is still starting, as in a
// compose stack), creates the partitions ahead and switches on the eviction of `bars` under
// its budget. Loads no series: they load on first use (docs/memory.md). False, logged, when it
// cannot.
bool prepare_postgres(const config::Options& options, market::MemoryBarStore& bars);

}  // namespace gs::app
