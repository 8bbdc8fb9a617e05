"""Every benchmark script still runs end to end (at a tiny size) and prints its goal and its ratio.

A benchmark that hangs or crashes is found here, not on the day someone needs its figures (as
`benchmarks/load.py` once hung at the pledge form). Nothing here asserts a time: the figures
belong to the scripts, run by hand on a quiet machine.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import CHROMIUM

ROOT = Path(__file__).resolve().parent.parent
RATIO = re.compile(r"x\s?\d+(\.\d+)?|\d+(\.\d+)?x", re.IGNORECASE)


def run_benchmark(script: str, *args: str, env: dict | None = None, timeout: float = 600) -> str:
    """Run benchmarks/<script> with its arguments; its output, after checking it ended well."""
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args], cwd=ROOT, timeout=timeout,
                          capture_output=True, text=True, env={**os.environ, **(env or {})})
    assert done.returncode == 0, f"{script} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    out = done.stdout
    assert "goal" in out.lower(), f"{script} does not print its goal:\n{out}"
    assert RATIO.search(out), f"{script} prints no ratio:\n{out}"
    return out


def test_intake_benchmark_runs(tmp_path):
    out = run_benchmark("intake.py", "--unions", "3", "--repeat", "1", env={"TMPDIR": str(tmp_path)})
    assert "openpyxl" in out and "calamine" in out and "core alone vs raw calamine" in out


def test_ranking_benchmark_runs():
    out = run_benchmark("ranking.py", "--candidates", "2000", "--repeat", "1", "--resamples", "20")
    assert "groupby-apply" in out and "rank + all diagnostics" in out and "resamples" in out.lower()


def test_store_benchmark_runs_ours_and_the_raw_baseline():
    out = run_benchmark("store.py", "--writers", "1", "2", "--sheets", "2", "--pause", "0.01", "--repeat", "1")
    assert re.search(r"2 writers paced\s+ours", out) and re.search(r"2 writers saturation\s+raw", out)
    assert "ours / raw" in out


@pytest.mark.skipif(not os.environ.get("WORKBENCH_TEST_PG_URL"), reason="no test PostgreSQL (make test starts one)")
def test_store_benchmark_runs_on_postgresql():
    out = run_benchmark("store.py", "--pg", os.environ["WORKBENCH_TEST_PG_URL"], "--writers", "1", "--sheets", "2",
                        "--pause", "0", "--repeat", "1")
    assert re.search(r"postgresql\s+1 writers saturation\s+raw", out)


def test_state_benchmark_runs(tmp_path):
    out = run_benchmark("state.py", "--repeat", "1", "--unions", "3", "--cache", str(tmp_path))
    assert "materialised state" in out


def test_startup_benchmark_runs():
    out = run_benchmark("startup.py", "--repeat", "1")
    assert "workbench --help" in out


def test_load_benchmark_runs_and_stops_what_it_started():
    out = run_benchmark("load.py", "--reviewers", "2", "--saves", "2", "--pause", "0.1", timeout=900)
    assert "p99" in out


@pytest.mark.skipif(not CHROMIUM.exists(), reason="the dashboard benchmark needs the system Chromium")
def test_dashboard_benchmark_runs(tmp_path):
    out = run_benchmark("dashboard.py", "--loads", "1", "--rounds", "sample", "--modes", "preheated",
                        "--cache", str(tmp_path), timeout=900)
    assert "preheated" in out
