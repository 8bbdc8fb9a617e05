"""Loading the round state: the materialised snapshot against computing it afresh.

What a new kernel or a CLI command pays for `wb.load_state(rnd, store)` when nothing has changed
(the state read from <workdir>/.state after the cheap fingerprint), against the strongest plain
alternative, the same state computed from the inputs (every workbook read, screened with the
overrides, ranked; `cache=False`, without the optional diagnostics, which only favours it).
Alternating runs, medians; the sample round with simulated scores is built once under --cache.

    python benchmarks/state.py [--repeat 7] [--unions 35]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import workbench as wb

GOAL_S = 1.0  # a new kernel or a command: well under a second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--unions", type=int, default=35)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "workbench-bench-state")
    args = parser.parse_args()
    rnd = wb.load_round().at(args.cache / f"u{args.unions}")
    store = wb.build_demo(rnd, unions=args.unions)
    first = wb.load_state(rnd, store)  # materialise once
    print(f"{len(first.screened)} nominations, {len(first.ranked)} under review, {len(first.scores)} score rows; "
          f"snapshot {first.snapshot_id}")
    cached, fresh = [], []
    for _ in range(args.repeat):  # alternating, so drift in the machine's load hits both alike
        t = time.perf_counter()
        wb.load_state(rnd, store)
        cached.append(time.perf_counter() - t)
        t = time.perf_counter()
        wb.load_state(rnd, store, cache=False, diagnostics=False)
        fresh.append(time.perf_counter() - t)
    c, f = statistics.median(cached), statistics.median(fresh)
    print(f"materialised state: {c:.3f} s   computed afresh (no diagnostics): {f:.3f} s   ratio {f / c:.1f}x")
    print(f"goal: materialised load < {GOAL_S:.1f} s ({'met' if c < GOAL_S else 'NOT met'})")


if __name__ == "__main__":
    main()
