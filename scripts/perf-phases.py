#!/usr/bin/env python3
"""Where a run's time goes, by phase: reads a `perf record --call-graph dwarf` profile of
`fdlint-bench --phase ...` and attributes each sample to the first phase its stack names,
split by what the sample's own frame was doing (allocator, memory copy, drop, kernel, work).

    perf record -e cpu-clock -F 1000 --call-graph dwarf,16384 -o full.data \\
        target/release/fdlint-bench CORPUS --phase full --phase-threads 1
    scripts/perf-phases.py full.data

The machine may have no hardware counters; `cpu-clock` samples CPU time all the same, so a
phase's samples are its time, which callgrind's instruction counts do not show (page faults,
cache misses). Samples whose stack was cut short (deep recursion beyond the 16 KB copied)
count as "other"; on the Rust frontend they are mostly syn's parse.
"""
import collections
import subprocess
import sys

# In order: the first whose frame appears anywhere in a stack wins.
PHASES = [
    ("names", "RunFiles>::names"),
    ("report", "files_report"),
    ("c-parse", "fdlint::frontend::c::parse"),
    ("rust-parse", "fdlint::frontend::rust::parse_source"),
    ("c-lower", "fdlint::frontend::c::lower"),
    ("rust-lower", "fdlint::frontend::rust::lower"),
    ("read", "fdlint::driver::read_source"),
    ("analysis", "fdlint::analysis::analyze_file"),
    ("merge", "MeasuredRun::analyze"),
    ("run", "analyze_run_measured"),
    ("bench-parse", "parse_only"),
]


def kind(leaf):
    if any(s in leaf for s in ("mi_", "malloc", "__rust_alloc", "__rust_dealloc", "free", "realloc")):
        return "alloc"
    if any(s in leaf for s in ("unaligned_erms", "memcpy", "memmove", "memset")):
        return "mem"
    if any(s in leaf for s in ("drop_in_place", "Drop>::drop", "dying_next")):
        return "drop"
    if "clear_page" in leaf or "page_fault" in leaf or leaf.startswith("["):
        return "kernel"
    return "work"


def main():
    script = subprocess.run(
        ["perf", "script", "-i", sys.argv[1], "-F", "ip,sym"],
        capture_output=True, text=True, check=True,
    ).stdout
    table = collections.defaultdict(collections.Counter)
    for sample in script.split("\n\n"):
        frames = [line.strip().split(" ", 1)[-1] for line in sample.strip().split("\n") if line.strip()]
        if not frames:
            continue
        stack = "\n".join(frames)
        phase = next((name for name, frame in PHASES if frame in stack), "other")
        table[phase][kind(frames[0])] += 1
    total = sum(sum(kinds.values()) for kinds in table.values())
    print(f"{'phase':12} {'samples':>8} {'share':>6}  by own frame")
    for phase, kinds in sorted(table.items(), key=lambda item: -sum(item[1].values())):
        count = sum(kinds.values())
        detail = ", ".join(f"{k} {v}" for k, v in kinds.most_common())
        print(f"{phase:12} {count:8} {100 * count / total:5.1f}%  {detail}")


if __name__ == "__main__":
    main()
