"""The round state: the one path from the inputs to every screen, command, notebook and export.

`load_state(rnd, store)` reads the inbox, screens it with every override, ranks it with the score
ledger, and adds the funnel, the competition per category and the ranking diagnostics; nothing
else composes intake → screen → rank. The result is materialised once per snapshot under
<workdir>/.state/<snapshot_id>/ (a pickle with its checksum), found again by the cheap
`inputs_fingerprint` (file sizes and times, the ledger's head, the config, the code), so a new
kernel or a CLI command loads it without re-reading every workbook; the intake alone is kept
under .state/intake/ by the files' fingerprint, so a new score or override re-ranks without
re-reading them either. A cache that fails its checksum or does not unpickle to what was
written is ignored and rebuilt.

`snapshot_id` hashes the content of everything that can change a result: every inbox file
(workbooks, 收件登记.csv, photos and materials), the named-studios registry, honours.csv, the
working-day table, the config, and the ledger (overrides, scores, assignments) without the
meeting's decisions: recording a decision does not change the id, and the decision names it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import os
import pickle
import re
import shutil
import warnings
from dataclasses import dataclass, field, fields
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select

from workbench import labels
from workbench.config import Round
from workbench.intake import IntakeResult, file_sha256, finish_nominations, read_inbox
from workbench.ranking import FUNNEL_STEPS, Sheets, competition, funnel, rank, submitted_sheets
from workbench.screening import screen
from workbench.store import Store, events_table, open_store

log = logging.getLogger(__name__)

# Columns of `RoundState.diagnostics`: one row per ranked candidate (workbench.diagnostics.borderline).
DIAGNOSTIC_COLUMNS = ["nomination_id", "rank_low", "rank_high", "p_top", "band", "reasons"]
PHONE_LIKE = re.compile(r"\+?\d[\d\- ]{5,}\d")  # a run of digits, dashes and spaces
DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}( \d{1,2})?")  # a date, or a date and hour (2022-11-02 09:30)
STATE_DIR = ".state"  # under the round's workdir: <snapshot_id>/state.pkl, fingerprints/<fingerprint>
DECISION_EVENTS = ("decision",)  # ledger events that do not change a result (they refer to one)
CACHE_FORMAT = 1
KEEP_SNAPSHOTS = 8  # materialised states kept per workdir (the newest)


def _frame() -> pd.DataFrame:
    return pd.DataFrame()


@dataclass(frozen=True)
class RoundState:
    """Everything known about the round at one snapshot: the inputs read, screened, ranked.

    `screened` has every override applied; `ranked` one row per candidate under review;
    `diagnostics` the per-candidate band (DIAGNOSTIC_COLUMNS) the meeting shows, `diagnosis` the
    full `diagnose()` frame the exports print. `decisions` are read fresh on every load (they are
    not part of the snapshot). `fingerprint` is the cheap stamp a preheated kernel compares.
    """

    rnd: Round
    snapshot_id: str
    taken_at: dt.datetime
    screened: pd.DataFrame
    scores: pd.DataFrame
    ranked: pd.DataFrame
    funnel: pd.DataFrame  # category, step (FUNNEL_STEPS), label, count
    reviewer_alias: dict[str, str] = field(default_factory=dict)  # reviewer_id -> 评委1…n
    sheets: pd.DataFrame = field(default_factory=_frame)  # store.sheets(): totals and comments (names scrubbed)
    decisions: pd.DataFrame = field(default_factory=_frame)  # store.decisions() when loaded
    overrides: pd.DataFrame = field(default_factory=_frame)  # store.overrides()
    diagnostics: pd.DataFrame = field(default_factory=_frame)  # DIAGNOSTIC_COLUMNS
    fingerprint: str = ""
    nominations: pd.DataFrame = field(default_factory=_frame)  # intake, before screening
    problems: pd.DataFrame = field(default_factory=_frame)  # intake's problems (PROBLEM_COLUMNS)
    members: pd.DataFrame = field(default_factory=_frame)  # from the forms (附件2/3/4)
    achievements: pd.DataFrame = field(default_factory=_frame)
    materials: pd.DataFrame = field(default_factory=_frame)  # photo counts per nomination
    files: pd.DataFrame = field(default_factory=_frame)  # file, sha256: every input behind the id
    competition: pd.DataFrame | None = None  # per category: candidates, slots, ratio (derived when None)
    diagnosis: pd.DataFrame = field(default_factory=_frame)  # diagnose(): everything behind the band

    def __post_init__(self) -> None:
        if self.competition is None:
            object.__setattr__(self, "competition", competition(self.ranked, self.rnd) if "category" in self.ranked
                               else pd.DataFrame())

    @property
    def empty(self) -> bool:
        return self.screened.empty

    @property
    def intake(self) -> IntakeResult:
        """The intake part of the state, shaped as `read_inbox` returns it."""
        return IntakeResult(nominations=self.nominations, members=self.members, achievements=self.achievements,
                            materials=self.materials, problems=self.problems, files=self.files)


# ---------------------------------------------------------------------------- projector hygiene
def scrub(text: str, aliases: dict[str, str]) -> str:
    """Free text made fit for the projector: every key of `aliases` (reviewer ids or names) becomes
    its alias 评委k, and anything that looks like a phone number (7 or more digits) is masked."""
    for key in sorted((k for k in aliases if isinstance(k, str) and len(k) > 1), key=len, reverse=True):
        text = text.replace(key, aliases[key])

    def mask(found: re.Match) -> str:
        run = found.group()
        digits = sum(ch.isdigit() for ch in run)
        return run if digits < 7 or DATE_LIKE.fullmatch(run.strip()) else "＊" * len(run)

    return PHONE_LIKE.sub(mask, text)


def _scrub_comments(sheets: pd.DataFrame, reviewers: pd.DataFrame, alias: dict[str, str]) -> pd.DataFrame:
    """The sheets with reviewers' names in comments replaced by their alias (and phone numbers masked)."""
    if sheets.empty or "comment" not in sheets:
        return sheets
    names = {}
    if not reviewers.empty and {"reviewer_id", "name"} <= set(reviewers.columns):
        names = {str(n).strip(): alias[r] for r, n in zip(reviewers["reviewer_id"], reviewers["name"])
                 if r in alias and isinstance(n, str) and n.strip()}
    names |= alias
    return sheets.assign(comment=[scrub(c, names) if isinstance(c, str) and c else c for c in sheets["comment"]])


# ---------------------------------------------------------------------------- what a snapshot depends on
def _reference_files(rnd: Round) -> dict[str, Path]:
    """The round's reference tables, by a stable name (they live outside the inbox)."""
    from workbench.notice import WORKDAYS_TABLE

    paths = (rnd.paths.named_studios, rnd.paths.honours, rnd.paths.workdays or WORKDAYS_TABLE)
    return {f"@{p.name}": p for p in paths}


def _inbox_paths(rnd: Round) -> list[Path]:
    return sorted(p for p in rnd.inbox.rglob("*") if p.is_file()) if rnd.inbox.is_dir() else []


def input_files(rnd: Round) -> pd.DataFrame:
    """file, sha256 of every input: each inbox file (relative path) and each reference table (@file name).

    A missing reference table is listed with an empty digest, so creating it changes the id.
    """
    rows = [(p.relative_to(rnd.inbox).as_posix(), file_sha256(p)) for p in _inbox_paths(rnd)]
    rows += [(name, file_sha256(path) if path.is_file() else "") for name, path in _reference_files(rnd).items()]
    return pd.DataFrame(rows, columns=["file", "sha256"])


def _config_text(rnd: Round) -> str:
    """The policy of the round as canonical text (not where its files live: their content is hashed)."""
    return rnd.model_dump_json(exclude={"source", "source_sha256", "paths"})


def snapshot_id(rnd: Round, files: pd.DataFrame, ledger: str) -> str:
    """A short hash of the config, the input files and the ledger without decisions."""
    h = hashlib.sha256(_config_text(rnd).encode())
    for name, digest in sorted(zip(files.get("file", []), files.get("sha256", []))):
        h.update(f"{name}:{digest};".encode())
    h.update(ledger.encode())
    return h.hexdigest()[:12]


@functools.lru_cache(maxsize=1)
def _code_version() -> str:
    """A hash of the package's source: a cached state computed by other code is not reused."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256(str(CACHE_FORMAT).encode())
    for p in sorted(root.rglob("*.py")):
        h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _ledger_head(store: Store, *, decisions: bool) -> str:
    t = events_table
    query = select(func.count(), func.max(t.c.id))
    if not decisions:
        query = query.where(t.c.kind.not_in(DECISION_EVENTS))
    with store.engine.connect() as conn:
        count, last = conn.execute(query).one()
    return f"{count}:{last}"


def intake_fingerprint(rnd: Round, store: Store) -> str:
    """A cheap hash of what intake depends on, without reading a workbook: the config, every input
    file's name, size, times and inode (a copy that keeps the modification time still gets a new
    change time), the store and the code."""
    h = hashlib.sha256(rnd.model_dump_json().encode())
    h.update(_code_version().encode())
    h.update(store.engine.url.render_as_string(hide_password=True).encode())
    listed = [(p.relative_to(rnd.inbox).as_posix(), p) for p in _inbox_paths(rnd)]
    for name, path in [*listed, *_reference_files(rnd).items()]:
        try:
            st = path.stat()
            h.update(f"{name}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino};".encode())
        except OSError:
            h.update(f"{name}:-;".encode())
    return h.hexdigest()[:16]


def inputs_fingerprint(rnd: Round, store: Store, *, intake: str | None = None) -> str:
    """A cheap hash of what the snapshot's results depend on: the `intake_fingerprint` (or
    `intake`, one at hand) and the ledger's length and last event without decisions (the ledger
    is append-only: overrides, scores, assignments)."""
    h = hashlib.sha256((intake or intake_fingerprint(rnd, store)).encode())
    h.update(f"ledger:{_ledger_head(store, decisions=False)}".encode())
    return h.hexdigest()[:16]


def fingerprint(rnd: Round, store: Store, *, inputs: str | None = None) -> str:
    """The cheap test of "has anything changed since", decisions included: what a preheated
    meeting kernel compares before re-loading the state (`inputs`: an `inputs_fingerprint` at hand)."""
    h = hashlib.sha256((inputs or inputs_fingerprint(rnd, store)).encode())
    h.update(f"ledger:{_ledger_head(store, decisions=True)}".encode())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------------------- computing the state
def candidate_diagnostics(diagnosis: pd.DataFrame) -> pd.DataFrame:
    """Rank interval, P(in top N) and the borderline band per ranked candidate (DIAGNOSTIC_COLUMNS)."""
    if diagnosis.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in DIAGNOSTIC_COLUMNS})
    return diagnosis.rename(columns={"candidate": "nomination_id"})[DIAGNOSTIC_COLUMNS].reset_index(drop=True)


def _diagnose(scores: pd.DataFrame | Sheets, ranked: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """diagnose(), or an empty frame when nothing is scored or it fails (logged): informational,
    it never changes the list, so the meeting still sees the official one."""
    if ranked.empty or not ranked["composite"].notna().any():
        return pd.DataFrame()
    from workbench.diagnostics import diagnose  # scipy: only when a state is computed, not read from its cache

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. a disconnected design: not for the projector
            return diagnose(scores, ranked, rnd)
    except Exception:  # noqa: BLE001 - diagnostics are optional on the meeting screen
        log.exception("state: the ranking diagnostics failed")
        return pd.DataFrame()


def _read_intake(rnd: Round, *, progress: bool) -> dict:
    """The intake fields of the state: every workbook read, every input file hashed."""
    intake = read_inbox(rnd.inbox, rnd, progress=progress) if rnd.inbox.is_dir() else IntakeResult(finish_nominations([]))
    return dict(nominations=intake.nominations, problems=intake.problems, members=intake.members,
                achievements=intake.achievements, materials=intake.materials, files=input_files(rnd))


def _results(rnd: Round, store: Store, intake: dict, *, diagnostics: bool) -> dict:
    """The fields that stand on the ledger: screened with the overrides, scores, ranked, diagnosed."""
    overrides = store.overrides()
    screened = screen(intake["nominations"], rnd, overrides=overrides, site_visits=store.site_visits())
    scores = store.scores()
    sheets = submitted_sheets(scores, rnd)  # coded once, for the list and its diagnostics
    ranked = rank(screened, sheets, rnd)
    reviewers = sorted(scores["reviewer_id"].dropna().unique())
    alias = {rid: labels.MEETING["reviewer_alias"].format(n=i) for i, rid in enumerate(reviewers, start=1)}
    diagnosis = _diagnose(sheets, ranked, rnd) if diagnostics else pd.DataFrame()
    return dict(
        snapshot_id=snapshot_id(rnd, intake["files"], store.ledger_hash(exclude=DECISION_EVENTS)),
        screened=screened, scores=scores, ranked=ranked, funnel=funnel(screened, ranked, rnd),
        competition=competition(ranked, rnd), reviewer_alias=alias,
        sheets=_scrub_comments(store.sheets(), store.reviewers(), alias), overrides=overrides,
        diagnosis=diagnosis, diagnostics=candidate_diagnostics(diagnosis),
    )


INTAKE = ("nominations", "problems", "members", "achievements", "materials", "files")
CACHED = (*INTAKE, "snapshot_id", "screened", "scores", "ranked", "funnel", "competition", "reviewer_alias", "sheets",
          "overrides", "diagnosis", "diagnostics")


# ---------------------------------------------------------------------------- the materialised state
def _state_dir(rnd: Round) -> Path:
    return rnd.workdir / STATE_DIR


def _valid(values: object, names: tuple[str, ...]) -> bool:
    """A cached dict holds exactly `names`, frames where frames belong."""
    return (isinstance(values, dict) and set(values) == set(names)
            and all(isinstance(values[k], pd.DataFrame) for k in names if k not in ("snapshot_id", "reviewer_alias")))


def _read_blob(path: Path) -> object | None:
    """The object pickled at `path`, or None when absent, failing its checksum or unreadable."""
    try:
        blob = path.read_bytes()
        if hashlib.sha256(blob).hexdigest() != path.with_suffix(".sha256").read_text(encoding="ascii").strip():
            log.warning("state: %s fails its checksum; rebuilding", path)
            return None
        return pickle.loads(blob)  # noqa: S301 - our own file, checked against its checksum above
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a damaged cache is rebuilt, never trusted
        log.warning("state: %s is unreadable; rebuilding", path, exc_info=True)
        return None


def _write_blob(path: Path, values: dict) -> None:
    """Pickle `values` to `path` with its checksum beside it (each file replaced atomically)."""
    blob = pickle.dumps(values, protocol=pickle.HIGHEST_PROTOCOL)
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(path, blob)
    _atomic_write(path.with_suffix(".sha256"), hashlib.sha256(blob).hexdigest().encode("ascii"))


def _read_state(rnd: Round, stamp: str) -> dict | None:
    """The cached state for this `inputs_fingerprint`, or None."""
    root = _state_dir(rnd)
    try:
        sid = (root / "fingerprints" / stamp).read_text(encoding="ascii").strip()
    except OSError:
        return None
    if not re.fullmatch(r"[0-9a-f]{12}", sid):
        return None
    values = _read_blob(root / sid / "state.pkl")
    return values if _valid(values, CACHED) and values["snapshot_id"] == sid else None


def _read_intake_cache(rnd: Round, stamp: str) -> dict | None:
    """The cached intake for this `intake_fingerprint`, or None."""
    values = _read_blob(_state_dir(rnd) / "intake" / f"{stamp}.pkl")
    return values if _valid(values, INTAKE) else None


def _write_cache(rnd: Round, path: Path, values: dict, names: tuple[str, ...], link: str | None = None) -> None:
    """Materialise `values` at `path` (and point fingerprints/`link` at its snapshot); failures are logged."""
    root = _state_dir(rnd)
    try:
        _write_blob(path, {k: values[k] for k in names})
        if link is not None:
            (root / "fingerprints").mkdir(parents=True, exist_ok=True)
            _atomic_write(root / "fingerprints" / link, values["snapshot_id"].encode("ascii"))
        _prune(root)
    except OSError:
        log.warning("state: cannot write the cache under %s", root, exc_info=True)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _newest_first(paths) -> list[Path]:
    return sorted(paths, key=lambda p: p.stat().st_mtime_ns, reverse=True)


def _prune(root: Path) -> None:
    """Keep the newest KEEP_SNAPSHOTS states and intakes, and the fingerprints that point at kept states."""
    dirs = _newest_first(p for p in root.iterdir() if p.is_dir() and re.fullmatch(r"[0-9a-f]{12}", p.name))
    for old in dirs[KEEP_SNAPSHOTS:]:
        shutil.rmtree(old, ignore_errors=True)
    if (root / "intake").is_dir():
        for old in _newest_first((root / "intake").glob("*.pkl"))[KEEP_SNAPSHOTS:]:
            old.unlink(missing_ok=True)
            old.with_suffix(".sha256").unlink(missing_ok=True)
    kept = {p.name for p in dirs[:KEEP_SNAPSHOTS]}
    links = root / "fingerprints"
    for link in links.iterdir() if links.is_dir() else ():
        try:
            if link.read_text(encoding="ascii").strip() not in kept:
                link.unlink()
        except OSError:
            pass


def load_state(rnd: Round, store: Store | None = None, *, diagnostics: bool = True, cache: bool = True,
               progress: bool = False) -> RoundState:
    """The round state now: from the materialised snapshot when the inputs are unchanged, else
    read, screened (every override applied), ranked and diagnosed afresh and materialised. When
    only the ledger changed (a score, an override), the workbooks are not read again: the intake
    is materialised on its own, by the files' fingerprint.

    `store` defaults to the round's own; `diagnostics=False` skips the (slower) ranking
    diagnostics of a fresh computation; `cache=False` neither reads nor writes <workdir>/.state;
    `progress` shows a progress bar while the workbooks are read.
    """
    store = store or open_store(rnd)
    intake_stamp = intake_fingerprint(rnd, store)  # taken before reading: a change meanwhile misses next time
    stamp = inputs_fingerprint(rnd, store, intake=intake_stamp)
    values = _read_state(rnd, stamp) if cache else None
    if values is None:
        intake = _read_intake_cache(rnd, intake_stamp) if cache else None
        if intake is None:
            intake = _read_intake(rnd, progress=progress)
            if cache:
                _write_cache(rnd, _state_dir(rnd) / "intake" / f"{intake_stamp}.pkl", intake, INTAKE)
        values = {**intake, **_results(rnd, store, intake, diagnostics=diagnostics)}
        if cache and diagnostics:
            _write_cache(rnd, _state_dir(rnd) / values["snapshot_id"] / "state.pkl", values, CACHED, link=stamp)
    return RoundState(rnd=rnd, taken_at=rnd.now().replace(microsecond=0), decisions=store.decisions(),
                      fingerprint=fingerprint(rnd, store, inputs=stamp), **values)


FIELDS = tuple(f.name for f in fields(RoundState))

__all__ = ["DIAGNOSTIC_COLUMNS", "FIELDS", "FUNNEL_STEPS", "RoundState", "candidate_diagnostics", "fingerprint",
           "input_files", "inputs_fingerprint", "intake_fingerprint", "load_state", "scrub", "snapshot_id"]
