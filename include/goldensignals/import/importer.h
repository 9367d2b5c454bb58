#pragma once

// `goldensignals import [--url URL] [--timeframe TF] [--token TOKEN] [--symbol S] FILE...`:
// loads CSV files of bars into a running service through POST /v1/bars (docs/import.md).

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "goldensignals/config/options.h"
#include "goldensignals/market/timeframe.h"

namespace gs::import {

struct ImportOptions {
    std::string url = "http://127.0.0.1:8080";
    // Unset: the file's own (Stooq's <PER>), else 1d.
    std::optional<market::Timeframe> timeframe;
    // --token, else GS_API_TOKEN; empty sends none.
    std::string token;
    // Unset: each file's name (symbol_from_path).
    std::optional<std::string> symbol;
    // Bars per request: under POST /v1/bars' 100,000; bodies are also kept under its 10 MB.
    std::size_t chunk_rows = 10'000;
    unsigned retries = 5;
    // auto: a bar on a terminal, a line every few seconds otherwise.
    enum class Progress { kAuto, kAlways, kNever } progress = Progress::kAuto;
    std::vector<std::string> files;
    bool show_help = false;
};

// Throws config::Error naming the bad flag.
ImportOptions parse_import_args(const std::vector<std::string>& args, const config::EnvLookup& env);

std::string import_help_text();

// The whole subcommand: 0 every file imported, 1 some file failed (each one is tried), 2 bad
// usage.
int run_import(const std::vector<std::string>& args, const config::EnvLookup& env);

}  // namespace gs::import
