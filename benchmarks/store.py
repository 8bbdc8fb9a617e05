"""Benchmark of the score store: save latency (median, p99) and throughput, 1 and 20 writers,
SQLite and (when a URL is given) PostgreSQL, in two regimes.

GOAL (issue 18): p99 < 50 ms per save for 20 reviewers who pause between saves, on SQLite and on
PostgreSQL; saturation (everyone saving back to back) is reported as throughput, not judged.

    .venv/bin/python benchmarks/store.py                       # SQLite only
    .venv/bin/python benchmarks/store.py --pg "$(scripts/postgres-for-tests.sh)"

Each writer is its own process (as each reviewer's Voila kernel is), with its own reviewer and
sheets; all start together at a barrier. One save is one `Store.save_scores` call as the scoring
app makes it (with the reviewer's session, checked in the same transaction), a full sheet of six
criteria: first as a draft, then submitted (so half the saves update an existing sheet).
Latency is measured around each call; throughput is all saves over the time from the barrier to
the last writer's end. "paced": each writer waits a random 0.5-1.5 × --pause seconds before each
save (a reviewer reads the next form), so saves overlap as they do in a review; "saturation":
no pause at all (a queueing test).

Baseline, the raw limit: the same writers, pauses and rows saved by what a user writing their own
store would do with the database driver (sqlite3 / psycopg): one transaction per save, an upsert
of the sheet and an upsert of its six points, same durability (SQLite WAL with synchronous=FULL),
and nothing else: no session, pledge, assignment, value or version check, no audit event. Ours and
the raw saves run alternately, `--repeat` times each, on fresh databases; medians and the ratio
ours / raw are printed. Figures depend on the machine and its load (printed): compare the ratios.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from workbench.config import DEFAULT_ROUND, load_round  # noqa: E402
from workbench.store import open_store  # noqa: E402
from workbench.store.codes import code_id  # noqa: E402

CATEGORY = "model_worker"


def _points(rnd, stage: str, fraction: float) -> dict[str, float]:
    step = rnd.review.score_step
    return {c.code: math.floor(c.max[CATEGORY] * fraction / step) * step for c in rnd.criteria(CATEGORY, stage)}


RAW_TABLES = [
    "CREATE TABLE raw_sheets (reviewer_id TEXT, nomination_id TEXT, stage TEXT, status TEXT NOT NULL, "
    "version INTEGER NOT NULL, PRIMARY KEY (reviewer_id, nomination_id, stage))",
    "CREATE TABLE raw_points (reviewer_id TEXT, nomination_id TEXT, stage TEXT, criterion TEXT, "
    "points DOUBLE PRECISION NOT NULL, PRIMARY KEY (reviewer_id, nomination_id, stage, criterion))",
]
RAW_SHEET = ("INSERT INTO raw_sheets VALUES ({p}, {p}, {p}, {p}, 1) ON CONFLICT (reviewer_id, nomination_id, stage) "
             "DO UPDATE SET status = excluded.status, version = raw_sheets.version + 1")
RAW_POINTS = ("INSERT INTO raw_points VALUES ({p}, {p}, {p}, {p}, {p}) "
              "ON CONFLICT (reviewer_id, nomination_id, stage, criterion) DO UPDATE SET points = excluded.points")


def _raw_connect(url: str):
    """A plain driver connection with the store's durability (SQLite: WAL, synchronous=FULL)."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(make_url(url).database, timeout=30, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        return conn, "?", "BEGIN IMMEDIATE"
    import psycopg

    return psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)), "%s", None


def _raw_save(conn, mark: str, begin: str | None, key: tuple[str, str, str], status: str, points: dict) -> None:
    """One save the plain way: one transaction, upsert the sheet, upsert its points."""
    cur = conn.cursor()
    if begin:
        cur.execute(begin)
    cur.execute(RAW_SHEET.format(p=mark), (*key, status))
    cur.executemany(RAW_POINTS.format(p=mark), [(*key, c, v) for c, v in points.items()])
    conn.commit() if begin is None else cur.execute("COMMIT")


@contextmanager
def _saver(rnd, url: str, reviewer_id: str, stage: str, session: str | None, raw: bool):
    """A connected `save(nomination_id, points, version, submit) -> version`: the store's (checked,
    with the reviewer's session, as the scoring app saves) or the raw baseline's."""
    if raw:
        conn, mark, begin = _raw_connect(url)
        yield lambda nom, points, version, submit: _raw_save(
            conn, mark, begin, (reviewer_id, nom, stage), "submitted" if submit else "draft", points)
        conn.close()
        return
    with open_store(rnd, url) as store:
        store.sheets(reviewer_id)  # connect before the clock starts
        yield lambda nom, points, version, submit: store.save_scores(
            reviewer_id, nom, stage, points, version=version, submit=submit, session=session)


def _writer(workdir: str, url: str, reviewer_id: str, nominations: list[str], barrier, results,
            pause: float = 0.0, session: str | None = None, raw: bool = False) -> None:
    """One reviewer: per nomination a draft, then the submitted sheet, each after a pause; latencies."""
    rnd = load_round(DEFAULT_ROUND).at(workdir)
    stage = next(iter(rnd.stages))
    draft, final = _points(rnd, stage, 0.7), _points(rnd, stage, 0.8)
    latencies = []
    rng = random.Random(reviewer_id)
    rest = (lambda: time.sleep(rng.uniform(0.5, 1.5) * pause)) if pause else (lambda: None)
    with _saver(rnd, url, reviewer_id, stage, session, raw) as save:
        barrier.wait(timeout=300)
        start = time.time()
        for nomination_id in nominations:
            version = None
            for submit, points in ((False, draft), (True, final)):
                rest()
                t0 = time.perf_counter()
                version = save(nomination_id, points, version, submit)
                latencies.append(time.perf_counter() - t0)
        end = time.time()
    results.put((reviewer_id, start, end, latencies))


def _prepare_raw(url: str) -> None:
    conn, _, begin = _raw_connect(url)
    for statement in RAW_TABLES:
        conn.execute(statement)
    if begin is None:
        conn.commit()
    conn.close()


def _prepare(rnd, url: str, writers: int, sheets: int) -> dict[str, str]:
    """The round's reviewers, nominations, assignments and pledges; returns each reviewer's session
    (the code id a login gives the app, checked by every save as the app's saves are)."""
    stage = next(iter(rnd.stages))
    reviewers = [f"R{i:02d}" for i in range(writers)]
    nominations = [f"N{j:03d}" for j in range(sheets)]
    with open_store(rnd, url) as store:
        store.add_reviewers(pd.DataFrame({"reviewer_id": reviewers, "name": reviewers,
                                          "unit": [f"大学{i}" for i in range(writers)]}))
        store.save_nominations(pd.DataFrame({"nomination_id": nominations, "category": CATEGORY,
                                             "host_unit": [f"公司{j}" for j in range(sheets)], "recommender": "市总工会"}))
        store.save_assignments(pd.DataFrame([(n, r, stage) for r in reviewers for n in nominations],
                                            columns=["nomination_id", "reviewer_id", "stage"]))
        for reviewer_id in reviewers:  # no pledge, no scoring
            store.record_pledge(reviewer_id, method="paper", actor="benchmark")
        codes = store.issue_codes(reviewers)
    return {r: code_id(c) for r, c in zip(codes["reviewer_id"], codes["code"])}


def run_case(backend: str, base_url: str | None, writers: int, sheets: int, pause: float = 0.0,
             raw: bool = False) -> dict:
    """One measurement on a fresh database: SQLite file in a temp folder, or a fresh PostgreSQL schema;
    `raw`: the baseline's plain driver saves instead of the store's."""
    with tempfile.TemporaryDirectory(prefix="wb-bench-") as tmp:
        rnd = load_round(DEFAULT_ROUND).at(tmp)
        schema = None
        if backend == "sqlite":
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        else:
            schema = f"bench_{uuid.uuid4().hex[:12]}"
            with create_engine(base_url).begin() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
                hide_password=False)
        try:
            sessions = {f"R{i:02d}": None for i in range(writers)} if raw else _prepare(rnd, url, writers, sheets)
            if raw:
                _prepare_raw(url)
            ctx = multiprocessing.get_context("spawn")
            barrier, results = ctx.Barrier(writers), ctx.Queue()
            nominations = [f"N{j:03d}" for j in range(sheets)]
            procs = [ctx.Process(target=_writer, args=(tmp, url, f"R{i:02d}", nominations, barrier, results, pause,
                                                       sessions[f"R{i:02d}"], raw))
                     for i in range(writers)]
            for p in procs:
                p.start()
            outcomes = [results.get(timeout=1800) for _ in procs]
            for p in procs:
                p.join(60)
            if not raw:
                with open_store(rnd, url) as store:  # nothing lost
                    stored = store.sheets()
                assert len(stored) == writers * sheets and set(stored["status"]) == {"submitted"}, "saves were lost"
        finally:
            if schema:
                with create_engine(base_url).begin() as conn:
                    conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    latencies = sorted(lat for *_, lats in outcomes for lat in lats)
    wall = max(o[2] for o in outcomes) - min(o[1] for o in outcomes)
    p99 = latencies[min(len(latencies) - 1, math.ceil(0.99 * len(latencies)) - 1)]
    return {"backend": backend, "writers": writers, "regime": "paced" if pause else "saturation", "saves": len(latencies),
            "median_ms": statistics.median(latencies) * 1000, "p99_ms": p99 * 1000,
            "throughput": len(latencies) / wall}


def _median_case(runs: list[dict]) -> dict:
    """Medians over repeated runs of one case."""
    return {**runs[0], **{k: statistics.median(r[k] for r in runs) for k in ("median_ms", "p99_ms", "throughput")}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="SQLAlchemy URL of a PostgreSQL database the benchmark may create schemas in")
    parser.add_argument("--sheets", type=int, default=25, help="sheets per writer (two saves each)")
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--pause", type=float, default=1.0, help="mean seconds a paced reviewer waits before a save")
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours and of the raw baseline, alternating")
    args = parser.parse_args(argv)
    backends = ["sqlite"] + (["postgresql"] if args.pg else [])
    print("GOAL: p99 < 50 ms per save, 20 reviewers pausing between saves, SQLite and PostgreSQL; "
          "saturation throughput reported; baseline: plain driver upserts (the raw limit)")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {args.repeat} runs each, medians")
    pauses = (args.pause, 0.0) if args.pause else (0.0,)  # --pause 0: the saturation test only
    rows = []
    for backend in backends:
        for writers in args.writers:
            for pause in pauses:
                runs: dict[bool, list[dict]] = {False: [], True: []}
                for _ in range(args.repeat):  # alternating, so the machine's load hits both alike
                    for raw in (False, True):
                        runs[raw].append(run_case(backend, args.pg, writers, args.sheets, pause, raw=raw))
                ours, plain = _median_case(runs[False]), _median_case(runs[True])
                rows.append(ours)
                verdict = ("  (goal met)" if ours["p99_ms"] < 50 else "  (goal NOT met)") if pause and writers >= 20 else ""
                for name, row in (("ours", ours), ("raw", plain)):
                    print(f"{backend:<10} {writers:>3} writers {row['regime']:<10} {name:<4} {row['saves']:>5} saves  "
                          f"median {row['median_ms']:7.1f} ms  p99 {row['p99_ms']:7.1f} ms  "
                          f"{row['throughput']:7.1f} saves/s{verdict if name == 'ours' else ''}", flush=True)
                print(f"{'':<10} ours / raw: median x{ours['median_ms'] / plain['median_ms']:.2f}, "
                      f"p99 x{ours['p99_ms'] / plain['p99_ms']:.2f}, "
                      f"throughput x{ours['throughput'] / plain['throughput']:.2f}  "
                      f"(p99 of each run, ours {[round(r['p99_ms'], 1) for r in runs[False]]}, "
                      f"raw {[round(r['p99_ms'], 1) for r in runs[True]]})", flush=True)
    table = pd.DataFrame(rows).set_index(["backend", "writers", "regime"])
    print("\nratios (ours)")
    lo, hi = min(args.writers), max(args.writers)
    for backend in backends if lo < hi else []:
        for regime in ("paced", "saturation")[-len(pauses):]:
            a, b = table.loc[(backend, lo, regime)], table.loc[(backend, hi, regime)]
            print(f"  {backend} {regime}: {hi} vs {lo} writers: median latency x{b['median_ms'] / a['median_ms']:.2f}, "
                  f"p99 x{b['p99_ms'] / a['p99_ms']:.2f}, throughput x{b['throughput'] / a['throughput']:.2f}")
    if len(backends) == 2:
        for writers in args.writers:
            s, p = table.loc[("sqlite", writers, "saturation")], table.loc[("postgresql", writers, "saturation")]
            print(f"  postgresql vs sqlite, {writers} writers saturated: median latency x{p['median_ms'] / s['median_ms']:.2f}, "
                  f"p99 x{p['p99_ms'] / s['p99_ms']:.2f}, throughput x{p['throughput'] / s['throughput']:.2f}")


if __name__ == "__main__":
    main()
