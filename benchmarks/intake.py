"""Intake speed: `wb.read_inbox` against the two plain ways of reading the same workbooks.

Generates N union summary workbooks with the sample generator (messy cells and all), then times,
alternating in one run, (a) read_inbox, (b) the loop an analyst would otherwise write
(pandas.read_excel with openpyxl, every sheet, untyped), and (c) the raw python-calamine read of
every sheet of the same files, which does none of the work read_inbox does (finding headers,
typing and checking cells, listing the inbox, duplicates, ranks). Medians are printed beside the
goals: read_inbox at least 10x faster than (b), and at most 2x slower than (c).

    python benchmarks/intake.py [--unions 300] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

import workbench as wb

GOAL_OPENPYXL = 10.0  # read_inbox at least this many times faster than the openpyxl loop
GOAL_CALAMINE = 2.0  # read_inbox at most this many times slower than a raw calamine read


def openpyxl_loop(files: list[Path]) -> int:
    """What a user writes: read every sheet of every file with pandas and openpyxl."""
    rows = 0
    for f in files:
        for frame in pd.read_excel(f, engine="openpyxl", sheet_name=None, header=None).values():
            rows += len(frame)
    return rows


def calamine_raw(files: list[Path]) -> int:
    """The floor: python-calamine's rows of every sheet, nothing else."""
    rows = 0
    for f in files:
        book = CalamineWorkbook.from_path(str(f))
        for name in book.sheet_names:
            rows += len(book.get_sheet_by_name(name).to_python())
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unions", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rnd = wb.load_round()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        wb.make_sample(tmp, seed=1, unions=args.unions, forms=False, photos=False)
        print(f"generated {args.unions} union workbooks in {time.perf_counter() - start:.1f} s")
        inbox = Path(tmp) / "inbox"
        files = sorted(p for p in inbox.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm"))
        runs = {"read_inbox": lambda: wb.read_inbox(inbox, rnd, forms=False),
                "openpyxl": lambda: openpyxl_loop(files), "calamine": lambda: calamine_raw(files)}
        times: dict[str, list[float]] = {name: [] for name in runs}
        result = None
        for i in range(args.repeat):  # alternate, so a busy moment on a shared machine hits all three alike
            for name, fn in (runs.items() if i % 2 == 0 else reversed(runs.items())):
                if name == "openpyxl" and i >= max(1, args.repeat // 2):
                    continue  # the slow baseline needs fewer runs to have a stable median
                t = time.perf_counter()
                out = fn()
                times[name].append(time.perf_counter() - t)
                result = out if name == "read_inbox" else result
        med = {name: statistics.median(t) for name, t in times.items()}
        print(f"files: {len(files)}  nominations read: {len(result.nominations)}  problems: {len(result.problems)}")
        for name, label in (("read_inbox", "read_inbox (found, typed, checked)"),
                            ("openpyxl", "pandas.read_excel(engine='openpyxl') loop, untyped"),
                            ("calamine", "python-calamine raw rows, untyped")):
            print(f"{label}: median {med[name]:.2f} s of {len(times[name])} runs ({len(files) / med[name]:.0f} files/s)")
        print(f"vs openpyxl loop: {med['openpyxl'] / med['read_inbox']:.1f}x faster (goal >= {GOAL_OPENPYXL:g}x)")
        print(f"vs raw calamine:  {med['read_inbox'] / med['calamine']:.1f}x slower (goal <= {GOAL_CALAMINE:g}x)")


if __name__ == "__main__":
    main()
