"""Intake speed: `wb.read_inbox` against the loop an analyst would otherwise write.

Generates N union summary workbooks with the sample generator (messy cells and all), then reads
the same files both ways in one run and prints the times and the ratio. The baseline only loads
the sheets with pandas (openpyxl) and does none of the header finding, typing or checking that
read_inbox does, so the ratio understates the difference in useful work.

    python benchmarks/intake.py [--unions 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

import workbench as wb


def baseline(files: list[Path]) -> int:
    """What a user writes: read every sheet of every file with pandas and openpyxl."""
    rows = 0
    for f in files:
        for frame in pd.read_excel(f, engine="openpyxl", sheet_name=None, header=None).values():
            rows += len(frame)
    return rows


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unions", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rnd = wb.load_round()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        wb.make_sample(tmp, seed=1, unions=args.unions, forms=False, photos=False)
        print(f"generated {args.unions} union workbooks in {time.perf_counter() - start:.1f} s")
        inbox = Path(tmp) / "inbox"
        files = sorted(p for p in inbox.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm"))
        ours, result = timed(lambda: wb.read_inbox(inbox, rnd, forms=False), args.repeat)
        theirs, rows = timed(lambda: baseline(files), max(1, args.repeat - 2))
        print(f"files: {len(files)}  nominations read: {len(result.nominations)}  problems: {len(result.problems)}")
        print(f"read_inbox (calamine, typed, checked): {ours:.2f} s  ({len(files) / ours:.0f} files/s)")
        print(f"pandas.read_excel(engine='openpyxl') loop, untyped: {theirs:.2f} s  ({rows} raw rows)")
        print(f"ratio: {theirs / ours:.1f}x faster (target >= 5x)")


if __name__ == "__main__":
    main()
