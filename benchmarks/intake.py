"""Intake speed: `wb.read_inbox` against the two plain ways of reading the same workbooks.

Generates one inbox of N union summary workbooks per repetition with the sample generator (messy
cells and all; a different seed each time, so no reader meets text it has already read), then
times, alternating in one run, on the same inbox: (a) read_inbox, (b) the loop an analyst would
otherwise write (pandas.read_excel with openpyxl, every sheet, untyped), and (c) the raw
python-calamine read of every sheet of the same files, which does none of the work read_inbox does
(checking the file and its zip, finding headers, typing and checking cells, listing the inbox,
duplicates, ranks, photos, digests). A fourth reading, (d) read_inbox's core alone, says how far
the design can go: calamine as read_inbox calls it, each sheet's tables found and every cell typed,
and none of the rest (no zip or file checks, no listing, no cross-checks, no frames). If (d) alone is
near 2x of (c), no tuning of the rest can meet that goal. All run in this one process, one file after
another: no reader uses more than one core. The garbage the previous read left is collected, untimed,
before each timed read, so no reader pays for another's: without it read_inbox timed right after
the openpyxl loop took 0.197 s against 0.121-0.147 s in its other runs. Medians are printed beside
the goals: read_inbox at least 10x faster than (b), and at most 2x slower than (c); the ratios are
medians of the per-inbox ratios.

    python benchmarks/intake.py [--unions 300] [--repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

import workbench as wb
from workbench.intake.summary import find_tables, read_tables
from workbench.intake.values import FieldParser, category_lookup
from workbench.intake.workbook import Sheet, read_bytes

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
    """The floor: python-calamine's rows of every sheet (hidden ones too), nothing else."""
    rows = 0
    for f in files:
        book = CalamineWorkbook.from_path(str(f))
        for name in book.sheet_names:
            rows += len(book.get_sheet_by_name(name).to_python())
    return rows


def core_alone(files: list[Path], rnd: wb.Round) -> int:
    """read_inbox's irreducible work: calamine on the bytes (as read_inbox calls it), tables found, cells typed."""
    tables = []
    for f in files:
        book = CalamineWorkbook.from_filelike(io.BytesIO(read_bytes(f)))
        for i, name in enumerate(book.sheet_names):
            sheet = Sheet(name, list(book.get_sheet_by_index(i).iter_rows()), (0, 0))
            tables += find_tables(sheet, file=f.name, rnd=rnd)
    columns, _ = read_tables(tables, FieldParser(rnd, category_lookup(rnd)))
    return len(columns["studio"])


def workbooks(inbox: Path) -> list[Path]:
    """The files the two plain readers read: every workbook of the inbox (read_inbox also reads its CSVs)."""
    return sorted(p for p in inbox.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm"))


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def interpreter() -> str:
    """Which Python ran this: the ratio to calamine depends on it. A CPython built without PGO/LTO (as a
    plain `pyenv install` builds it) ran a plain Python loop twice as slowly as Debian's build on the
    same machine, and read_inbox 0.235 s against 0.180 s (calamine 0.092 s under both)."""
    return f"{sys.executable} (Python {platform.python_version()}, {platform.python_compiler()})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unions", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rnd = wb.load_round()
    print(f"interpreter: {interpreter()}")
    print(f"load average at start: {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        inboxes = []
        for seed in range(args.repeat + 1):  # inbox 0 warms up imports and compiled patterns, untimed
            wb.make_sample(Path(tmp) / str(seed), seed=seed + 1, unions=args.unions if seed else 10,
                           forms=False, photos=False)
            inboxes.append(Path(tmp) / str(seed) / "inbox")
        print(f"generated {args.repeat} inboxes of {args.unions} unions in {time.perf_counter() - start:.1f} s")
        runs = {"read_inbox": lambda inbox: wb.read_inbox(inbox, rnd, forms=False),
                "openpyxl": lambda inbox: openpyxl_loop(workbooks(inbox)),
                "calamine": lambda inbox: calamine_raw(workbooks(inbox)),
                "core": lambda inbox: core_alone(workbooks(inbox), rnd)}
        for fn in runs.values():
            fn(inboxes[0])
        times: dict[str, list[float]] = {name: [] for name in runs}
        vs_openpyxl, vs_calamine, core_vs_calamine = [], [], []
        result = None
        for i, inbox in enumerate(inboxes[1:]):
            took = {}
            for name, fn in (runs.items() if i % 2 == 0 else reversed(runs.items())):  # alternate the order
                if name == "openpyxl" and i >= max(1, args.repeat // 2):
                    continue  # the slow baseline needs fewer runs to have a stable median
                gc.collect()  # untimed: the previous reader's garbage is not this one's to pay for
                t = time.perf_counter()
                out = fn(inbox)
                took[name] = time.perf_counter() - t
                times[name].append(took[name])
                result = out if name == "read_inbox" else result
            vs_calamine.append(took["read_inbox"] / took["calamine"])
            core_vs_calamine.append(took["core"] / took["calamine"])
            if "openpyxl" in took:
                vs_openpyxl.append(took["openpyxl"] / took["read_inbox"])
        files = statistics.median(len(workbooks(inbox)) for inbox in inboxes[1:])
        med = {name: statistics.median(t) for name, t in times.items()}
        print(f"workbooks per inbox: {files:.0f} (median); last inbox: {len(result.nominations)} nominations, "
              f"{len(result.problems)} problems")
        for name, label in (("read_inbox", "read_inbox (found, typed, checked)"),
                            ("openpyxl", "pandas.read_excel(engine='openpyxl') loop, untyped"),
                            ("calamine", "python-calamine raw rows, untyped"),
                            ("core", "read_inbox's core alone (calamine, tables found, cells typed)")):
            print(f"{label}: median {med[name]:.3f} s of {len(times[name])} runs ({files / med[name]:.0f} files/s)")
        print("single process, one core each (no parallelism on either side)")
        print(f"vs openpyxl loop: {statistics.median(vs_openpyxl):.1f}x faster (goal >= {GOAL_OPENPYXL:g}x; "
              f"ratio of the medians {med['openpyxl'] / med['read_inbox']:.1f}x)")
        print(f"vs raw calamine:  {statistics.median(vs_calamine):.1f}x slower (goal <= {GOAL_CALAMINE:g}x; "
              f"ratio of the medians {med['read_inbox'] / med['calamine']:.1f}x)")
        print(f"the core alone vs raw calamine: {statistics.median(core_vs_calamine):.2f}x slower (what is left for the "
              f"file checks, listing, cross-checks and frames within the {GOAL_CALAMINE:g}x goal: "
              f"{GOAL_CALAMINE - statistics.median(core_vs_calamine):.2f}x)")
    print(f"load average at end: {load()}")


if __name__ == "__main__":
    main()
