"""Benchmark the journal's storage against SQLite and TinyDB's JSONStorage.

Same as ``journal bench``; see docs/storage.md for what is measured::

    python bench/storage_bench.py                      # 1,000 / 10,000 / 50,000 entries
    python bench/storage_bench.py --sizes 1000 --reps 10
    python bench/storage_bench.py --crash 200          # the long kill -9 drill
"""

from __future__ import annotations

import argparse
import os
import sys

from journal.storage import benchmark


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the benchmark (or the crash drill) and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--json-reps", type=int, default=5)
    parser.add_argument("--json-max", type=int, default=None)
    parser.add_argument("--cold-reps", type=int, default=3)
    parser.add_argument("--crash", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    if args.crash:
        return 1 if benchmark.crash_drill(args.crash)["failures"] else 0
    print(f"python bench/storage_bench.py --sizes {args.sizes} --reps {args.reps} "
          f"--json-reps {args.json_reps} (Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")
    sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
    benchmark.run(sizes, reps=args.reps, json_reps=args.json_reps, json_max=args.json_max,
                  cold_reps=args.cold_reps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
