#!/usr/bin/env python3
"""Interleaved A/B timing of whole commands: each round runs every command once, in turn, so
load that comes and goes on a shared machine hits them alike. Two warm-up rounds are dropped.

    python3 benches/ab.py RUNS "CMD A ..." "CMD B ..." ...

Prints the median and the minimum wall time of each command (docs/performance.md).
"""
import statistics
import subprocess
import sys
import time


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    runs = int(sys.argv[1])
    commands = [c.split() for c in sys.argv[2:]]
    times = [[] for _ in commands]
    for i in range(runs + 2):
        for j, command in enumerate(commands):
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            elapsed = time.perf_counter() - start
            if i >= 2:
                times[j].append(elapsed)
    for command, t in zip(commands, times):
        print(f"median {statistics.median(t) * 1000:6.1f} ms  min {min(t) * 1000:6.1f}  {' '.join(command)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
