"""Shared fixtures: small rounds built with the sample generator, never the committed data/sample."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

import workbench as wb

ROOT = Path(__file__).resolve().parent


def build_private_round(folder: Path, rnd: wb.Round | None = None, *, unions: int = 35) -> wb.Round:
    """The sample round generated afresh into `folder` (seed 2022, as data/sample) and filled with
    simulated scores in its own store. Never a copy of data/sample: a user's `make demo` leaves a
    store, exports and materialised states there, and no test may stand on them."""
    rnd = (rnd or wb.load_round()).at(folder)
    wb.build_demo(rnd, unions=unions)
    return rnd


def pytest_configure(config: pytest.Config) -> None:
    """Notebooks (nbval) get a private sample round with simulated scores.

    nbval's kernels inherit this process's environment, and served notebooks read their round
    through `wb.round_from_env()`, so data/sample is neither read nor written by a test.
    """
    if os.environ.get("WORKBENCH_TEST_WORKDIR"):
        return
    workdir = Path(tempfile.mkdtemp(prefix="workbench-test-")) / "sample"
    os.environ["WORKBENCH_TEST_WORKDIR"] = os.environ["WORKBENCH_WORKDIR"] = str(workdir)
    os.environ["WORKBENCH_ROUND"] = str(wb.DEFAULT_ROUND)
    os.environ.pop("WORKBENCH_DB", None)
    build_private_round(workdir)


@pytest.fixture(scope="session")
def demo_round() -> wb.Round:
    """The default-size sample round, generated afresh, with simulated scores in its own SQLite store."""
    return wb.round_from_env()


@pytest.fixture(scope="session")
def small_round(tmp_path_factory: pytest.TempPathFactory) -> wb.Round:
    """A fresh 8-union sample round (seed 7) in a temporary folder, without scores."""
    folder = tmp_path_factory.mktemp("small")
    wb.make_sample(folder, seed=7, unions=8)
    return wb.load_round().at(folder)


@pytest.fixture
def rnd(tmp_path) -> wb.Round:
    """The default round pointed at an empty temporary folder (its own SQLite store)."""
    return wb.load_round().at(tmp_path)


@pytest.fixture
def stage(rnd: wb.Round) -> str:
    """The round's first review stage."""
    return next(iter(rnd.stages))
