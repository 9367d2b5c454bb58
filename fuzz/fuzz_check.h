#pragma once

// What the fuzz targets share: a check that survives -DNDEBUG and says what broke.
#include <cstdio>
#include <cstdlib>

// Aborts (libFuzzer then saves the input as a crash) when `cond` is false.
#define GS_FUZZ_CHECK(cond)                                                                        \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "GS_FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)
