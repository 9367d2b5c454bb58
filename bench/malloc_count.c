// An LD_PRELOAD counter of malloc calls, for "allocations per request" (bench/allocs_per_read.sh).
// SIGUSR2 writes "MALLOCS <count>" to stderr. This VM has no hardware counters and libc has no
// frame pointers, so counting calls is the dependable measure of the heap on a request path.
//   gcc -O2 -shared -fPIC bench/malloc_count.c -o /tmp/malloc_count.so
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern void* __libc_malloc(size_t size);

static unsigned long count;

void* malloc(size_t size) {
    __atomic_add_fetch(&count, 1, __ATOMIC_RELAXED);
    return __libc_malloc(size);
}

static void report(int signal_number) {
    (void)signal_number;
    char line[64];
    const int length = snprintf(line, sizeof line, "MALLOCS %lu\n", count);
    (void)!write(2, line, (size_t)length);
}

__attribute__((constructor)) static void install(void) { signal(SIGUSR2, report); }
