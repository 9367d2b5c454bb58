#!/usr/bin/env python3
"""CPU per command while a benchmark runs: every second, the share of one CPU each command
name used (utime + stime from /proc/PID/stat, summed over its processes), for those at 3 % or
more. On a 2-core host where the server, its stores and the load generator share the cores,
this says which of them a rate is bound by.

    bench/lib/cpu_by_command.py SECONDS > cpu.txt &  # then run the benchmark
"""
import collections
import os
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")


def snapshot():
    used = collections.Counter()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # gone meanwhile
        command = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        used[command] += int(fields[11]) + int(fields[12])  # utime, stime
    return used


def main():
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    previous = snapshot()
    for second in range(seconds):
        time.sleep(1)
        current = snapshot()
        shares = {c: (current[c] - previous.get(c, 0)) * 100 / HZ for c in current}
        busy = sorted(((v, c) for c, v in shares.items() if v >= 3), reverse=True)
        print(second, " ".join(f"{c}={v:.0f}%" for v, c in busy), flush=True)
        previous = current


if __name__ == "__main__":
    main()
