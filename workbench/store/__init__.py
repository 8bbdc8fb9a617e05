"""The score store: reviewers, access codes, conflicts, assignments, score sheets, stages, decisions
and overrides in one database.

Every change is an append-only row in `events` (who, when, kind, old -> new); the other tables are
the current state, written in the same transaction, so the state can always be rebuilt from the
events. A score sheet carries a version: a save made from a form loaded at another version is
refused (`StaleWriteError`), never silently applied. Every value is validated here in Python,
whatever a widget allowed.

Reviewers log in with a personal access code (`issue_codes`, `login`, `revoke_code`): only a
salted scrypt hash of each code is kept, and logins go to `access_log`, apart from the ledger.
Declared conflicts (`declare_conflict`) join the unit conflicts of `workbench.review.conflicts`
on every assignment and every save; a closed stage (`close_stage`) refuses every save until
reopened. `worklist` and `check_pair` are what a reviewer's app may ask: their own candidates and
sheets, never a conflicted one, never another reviewer's scores.

The default database is a SQLite file in the round's working folder (WAL and `BEGIN IMMEDIATE`
for writes, so concurrent reviewer processes queue instead of failing); `WORKBENCH_DB` or an
explicit URL selects any SQLAlchemy database, PostgreSQL being the supported server. Every wait
for a lock is bounded (`serving.lock_wait_seconds` of the round): a writer that waits longer
gets `store_busy`, naming the process that holds the lock; on PostgreSQL a transaction left
idle (its process stopped) is ended by the server, so a stopped process cannot freeze the others.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import numbers
import os
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: SQLite's busy timeout alone
    fcntl = None

import numpy as np
import pandas as pd
from sqlalchemy import (
    String,
    Table,
    and_,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from workbench import labels
from workbench.config import Round
from workbench.errors import (
    AccessCodeError,
    AssignmentError,
    NotAssignedError,
    PledgeRequiredError,
    ScoreValidationError,
    StageClosedError,
    StaleWriteError,
    WorkbenchError,
)
from workbench.review import conflict_reasons, conflicts
from workbench.store.codes import (
    CODE_ALPHABET,
    CODE_GROUP_LEN,
    CODE_GROUPS,
    _dummy_hash,
    check_code,
    code_id,
    hash_code,
    new_code,
    normalise_code,
)
from workbench.store.panel import PanelStore
from workbench.store.schema import (
    ADDED_COLUMNS,
    SCHEMA_VERSION,
    _typed,
    access_log_table,
    assignments_table,
    codes_table,
    decisions_table,
    declared_table,
    events_table,
    login_failures_table,
    metadata,
    nominations_table,
    overrides_table,
    pledges_table,
    points_table,
    reviewers_table,
    schema_version,
    sheets_table,
    stage_state_table,
)
from workbench.store.validation import _listing, _message, _problem, validate_sheet

SCHEMA_LOCK = 5_2022_0605  # PostgreSQL advisory lock taken while creating or upgrading the schema
SCORE_STATUSES = ("draft", "submitted")


def _text(value: object) -> str:
    """A stored text value: missing becomes "", everything else a stripped str."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _declared_text(said: str) -> str:
    """The reason shown for a declared conflict (the reviewer's own words after the label)."""
    return labels.CONFLICT_REASONS["declared"] + (f"：{said}" if said else "")


def _require_columns(df: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise WorkbenchError(_message("missing_columns", what=labels.STORE_FRAMES[what], missing="、".join(missing)),
                             "missing_columns")


def _id_frame(df: pd.DataFrame, columns: list[str], what: str) -> pd.DataFrame:
    """The `columns` of `df` as stripped text; blank ids (columns ending in _id) are refused."""
    _require_columns(df, columns, what)
    out = pd.DataFrame({c: [_text(v) for v in df[c]] for c in columns}, dtype="str")
    ids = [c for c in columns if c.endswith("_id")]
    blank = (out[ids] == "").any(axis=1) if ids else pd.Series(False, index=out.index)
    if blank.any():
        raise WorkbenchError(_message("blank_ids", what=labels.STORE_FRAMES[what], n=int(blank.sum())), "blank_ids")
    return out


# ============================================================================ the store
@dataclass(frozen=True)
class _SheetRequest:
    reviewer_id: str
    nomination_id: str
    stage: str
    points: Any
    comment: Any
    version: Any
    submit: bool

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.reviewer_id, self.nomination_id, self.stage)


def store_url(rnd: Round, url: str | None = None) -> str:
    """Which database: an explicit URL, else `WORKBENCH_DB`, else workbench.sqlite in the round's folder."""
    return url or os.environ.get("WORKBENCH_DB") or f"sqlite:///{rnd.paths.workdir / 'workbench.sqlite'}"


def open_store(rnd: Round, url: str | None = None) -> "Store":
    """Open (and create or upgrade) the round's store; see `store_url` for which database."""
    url = store_url(rnd, url)
    database = make_url(url).database
    if url.startswith("sqlite") and database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    return Store(_engine(url, rnd.serving.lock_wait_seconds), rnd)


def _engine(url: str, lock_wait: float) -> Engine:
    if not url.startswith("sqlite"):
        engine = create_engine(url, pool_pre_ping=True)
        if engine.dialect.name == "postgresql":
            _postgres_timeouts(engine, lock_wait)
        return engine
    engine = create_engine(url, connect_args={"timeout": lock_wait})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:
        # Take transaction control away from the sqlite3 module; `_sqlite_begin` issues BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(lock_wait * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # Every committed save is on disk before the reviewer sees "saved", power cut included: FULL
        # costs an fsync per save (measured up to 40 ms on a busy shared disk), a price worth a score.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Connection) -> None:
        # Writers take the write lock up front, so they queue on busy_timeout instead of failing
        # with "database is locked" when a read transaction tries to upgrade.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("workbench_write") else "BEGIN")

    return engine


def _postgres_timeouts(engine: Engine, lock_wait: float) -> None:
    """Bound every wait on PostgreSQL: a lock (lock_timeout), a statement (statement_timeout) and a
    transaction left idle by its process, e.g. one stopped with SIGSTOP mid-save, which the server
    ends (idle_in_transaction_session_timeout, shorter than the lock wait, so a writer queued
    behind a stopped one gets its turn instead of an error)."""
    settings = {"lock_timeout": int(lock_wait * 1000), "statement_timeout": int(lock_wait * 6000),
                "idle_in_transaction_session_timeout": max(int(lock_wait * 800), 1000)}

    @event.listens_for(engine, "connect")
    def _timeouts(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        for name, ms in settings.items():
            cursor.execute(f"SET {name} = {ms}")
        cursor.close()
        dbapi_connection.commit()


class _LockWait(Exception):
    """The alarm that ends a wait for the writer lock."""


def _wake(_signum, _frame) -> None:
    raise _LockWait


def _take_lock(fd: int, timeout: float) -> bool:
    """Take the exclusive lock on `fd` within `timeout` seconds; False when it stayed taken.

    In the main thread a blocking flock, cut short by a one-shot alarm, so the OS hands the lock
    over the moment it is free (fair and immediate); elsewhere (no signals there) a short poll.
    """
    if (threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
            and signal.getitimer(signal.ITIMER_REAL)[0] == 0):
        previous = signal.signal(signal.SIGALRM, _wake)
        try:
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                return True
            except _LockWait:
                return False
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)
    deadline, pause = time.monotonic() + timeout, 0.001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, 0.05)


def _holder(fd: int) -> str:
    """Who holds the writer lock, as a message part: its process id and whether it is stopped."""
    try:
        pid = int(os.pread(fd, 32, 0).split()[0])
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except (ValueError, IndexError, OSError):
        return labels.STORE_MESSAGES["holder_unknown"]
    return labels.STORE_MESSAGES["holder_stopped" if state in ("T", "t") else "holder_running"].format(pid=pid)


@contextmanager
def _writer_turn(engine: Engine, timeout: float) -> Iterator[None]:
    """On a SQLite file, wait (at most `timeout` seconds) for this process's turn to write on an OS lock
    beside the database; `store_busy`, naming the holder, when the turn does not come.

    SQLite's own busy handler sleeps with a growing back-off (up to 100 ms a try), so with many
    writers some wait for a second or more; the OS lock wakes the next writer as soon as the last
    one is done (measured: p99 of a save with 20 writers on 2 cores 0.2-0.3 s instead of 1.2-1.4 s;
    polling the lock instead was as unfair as SQLite). The kernel drops the lock when a process
    dies, even by SIGKILL; a process stopped in the middle of a save keeps its SQLite transaction,
    which nothing can take from it: the others wait `timeout`, then are told who holds it (and that
    it is stopped) instead of hanging. BEGIN IMMEDIATE and the busy timeout stay underneath for any
    other program writing to the file.
    """
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if fcntl is None or not database or database == ":memory:":
        yield
        return
    fd = os.open(f"{database}.writer-lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _take_lock(fd, timeout):
            raise WorkbenchError(_message("store_busy_held", seconds=timeout, holder=_holder(fd)), "store_busy")
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@functools.lru_cache(maxsize=16)
def _context_statement(n_keys: int, with_session: bool):
    """The one read of a save (see `Store._save_context`) for `n_keys` sheets, with bound parameters
    rv0, nm0, sg0, … (and `session`): built once per shape, not at every save."""
    n, r, a, d, st = nominations_table, reviewers_table, assignments_table, declared_table, stage_state_table
    s, p, c = sheets_table, points_table, codes_table
    parts = [select(bindparam(f"rv{j}", type_=String(64)).label("reviewer_id"),
                    bindparam(f"nm{j}", type_=String(64)).label("nomination_id"),
                    bindparam(f"sg{j}", type_=String(32)).label("stage")) for j in range(n_keys)]
    w = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("wanted")
    same = lambda t: and_(t.c.reviewer_id == w.c.reviewer_id, t.c.nomination_id == w.c.nomination_id)  # noqa: E731
    columns = [w.c.reviewer_id, w.c.nomination_id, w.c.stage, n.c.category, n.c.host_unit,
               n.c.recommender, n.c.nomination_id.label("known"), r.c.unit, a.c.assigned_at,
               d.c.reason, st.c.closed, s.c.comment, s.c.status, s.c.version, s.c.updated_at,
               p.c.criterion, p.c.points, pledges_table.c.reviewer_id.label("pledged")]
    if with_session:
        columns += [c.c.reviewer_id.label("code_owner"), c.c.revoked_at.label("code_revoked")]
    query = (select(*columns)
             .select_from(w)
             .join(st, st.c.stage == w.c.stage)
             .join(n, n.c.nomination_id == w.c.nomination_id, isouter=True)
             .join(r, r.c.reviewer_id == w.c.reviewer_id, isouter=True)
             .join(a, and_(same(a), a.c.stage == w.c.stage), isouter=True)
             .join(d, same(d), isouter=True)
             .join(pledges_table, pledges_table.c.reviewer_id == w.c.reviewer_id, isouter=True)
             .join(s, and_(same(s), s.c.stage == w.c.stage), isouter=True)
             .join(p, and_(p.c.reviewer_id == s.c.reviewer_id, p.c.nomination_id == s.c.nomination_id,
                           p.c.stage == s.c.stage), isouter=True))
    if with_session:
        query = query.join(c, c.c.code_id == bindparam("session", type_=String(64)), isouter=True)
    return query.with_for_update(read=True, of=st)


@functools.lru_cache(maxsize=4)
def _upsert_statement(dialect: str):
    """INSERT … ON CONFLICT (the point's key) DO UPDATE SET points, for SQLite or PostgreSQL; built once."""
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as upsert
    else:
        from sqlalchemy.dialects.postgresql import insert as upsert
    p = points_table
    statement = upsert(p)
    return statement.on_conflict_do_update(index_elements=[p.c.reviewer_id, p.c.nomination_id, p.c.stage, p.c.criterion],
                                           set_={"points": statement.excluded.points})


def _upsert_points(conn: Connection, rows: list[dict]) -> None:
    """Write these criteria's points over the stored ones, or add them: one statement where the
    database has an upsert (SQLite, PostgreSQL), else a delete and an insert."""
    p = points_table
    keys = [p.c.reviewer_id, p.c.nomination_id, p.c.stage, p.c.criterion]
    if conn.dialect.name in ("sqlite", "postgresql"):
        conn.execute(_upsert_statement(conn.dialect.name), rows)
        return
    wanted = [tuple(r[k.name] for k in keys) for r in rows]
    for i in range(0, len(wanted), 500):
        conn.execute(delete(p).where(tuple_(*keys).in_(wanted[i:i + 500])))
    conn.execute(insert(p), rows)


def _require_session(code: tuple | None, reviewer_id: str) -> None:
    """`code` is (owner, revoked_at) of the access code a reviewer logged in with: it must still be
    theirs and not revoked, or the session has ended (AccessCodeError session_ended)."""
    if code is None or code[0] != reviewer_id or code[1] is not None:
        raise AccessCodeError(_message("session_ended"), "session_ended")


# PostgreSQL's codes for a wait cut short: lock_timeout, statement_timeout, idle-in-transaction timeout.
_BUSY_STATES = {"55P03": "store_busy", "57014": "store_busy", "25P03": "store_timed_out"}


class Store(PanelStore):
    """The round's database: write through the methods, read DataFrames back (the panel's part: `PanelStore`)."""

    def __init__(self, engine: Engine, rnd: Round):
        self.engine = engine
        self.rnd = rnd
        self.lock_wait = rnd.serving.lock_wait_seconds
        self._create_schema()

    # ------------------------------------------------------------------ plumbing
    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store<{self.engine.url.render_as_string(hide_password=True)}>"

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction (BEGIN IMMEDIATE on SQLite); a lock timeout becomes store_busy."""
        try:
            with _writer_turn(self.engine, self.lock_wait), self.engine.connect() as conn:
                conn.execution_options(workbench_write=True)
                with conn.begin():
                    yield conn
        except DBAPIError as exc:
            said = str(exc.orig).lower()
            code = _BUSY_STATES.get(getattr(exc.orig, "sqlstate", None) or "")
            if code is None and "idle-in-transaction" in said:
                code = "store_timed_out"
            if code is None and isinstance(exc, OperationalError) and any(w in said for w in ("locked", "busy")):
                code = "store_busy"
            if code is not None:
                raise WorkbenchError(_message(code, seconds=self.lock_wait), code) from exc
            raise

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def _create_schema(self) -> None:
        """Create the tables or upgrade an older store (once), and give every stage of the round its row."""
        if self._schema_current():
            return
        with self._write() as conn:
            if conn.dialect.name == "postgresql":  # several processes may open a new store at once
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
            metadata.create_all(conn)
            found = conn.execute(select(func.max(schema_version.c.version))).scalar()
            if found is None:
                conn.execute(insert(schema_version).values(version=SCHEMA_VERSION))
            elif found > SCHEMA_VERSION:
                raise WorkbenchError(_message("schema_too_new", found=found, supported=SCHEMA_VERSION), "schema_too_new")
            elif found < SCHEMA_VERSION:
                # New tables were just made by create_all; new columns of old tables are added here.
                self._add_columns(conn, found)
                conn.execute(update(schema_version).values(version=SCHEMA_VERSION))
            known = set(conn.execute(select(stage_state_table.c.stage)).scalars())
            missing = [s for s in self.rnd.stages if s not in known]
            if missing:
                conn.execute(insert(stage_state_table), [{"stage": s, "closed": False} for s in missing])

    @staticmethod
    def _add_columns(conn: Connection, found: int) -> None:
        """The columns later schema versions added to existing tables, where the table lacks them."""
        have: dict[str, set[str]] = {}
        for version, table, column, ddl in ADDED_COLUMNS:
            if version <= found:
                continue
            if table not in have:
                have[table] = {c["name"] for c in inspect(conn).get_columns(table)}
            if column not in have[table]:
                conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}")
                have[table].add(column)

    def _schema_current(self) -> bool:
        """True when the store is at this version and knows every stage: opening it writes nothing."""
        try:
            with self._read() as conn:
                found = conn.execute(select(func.max(schema_version.c.version))).scalar()
                known = set(conn.execute(select(stage_state_table.c.stage)).scalars()) if found == SCHEMA_VERSION else set()
        except DBAPIError:  # no tables yet
            return False
        if found is not None and found > SCHEMA_VERSION:
            raise WorkbenchError(_message("schema_too_new", found=found, supported=SCHEMA_VERSION), "schema_too_new")
        return found == SCHEMA_VERSION and set(self.rnd.stages) <= known

    def _event(self, conn: Connection, kind: str, actor: str, *, nomination_id: str | None = None,
               reviewer_id: str | None = None, stage: str | None = None, payload: Any = None,
               old: Any = None, new: Any = None, at: dt.datetime | None = None) -> None:
        conn.execute(insert(events_table).values(
            at=at or self.rnd.now(), actor=actor, kind=kind, nomination_id=nomination_id, reviewer_id=reviewer_id,
            stage=stage, payload=payload, old=old, new=new,
        ))

    def _upsert(self, conn: Connection, table: Table, key: str, rows: pd.DataFrame, kind: str, actor: str) -> None:
        """Insert new rows, update changed ones, one event per change; unchanged rows are left alone."""
        existing = {r[key]: dict(r) for r in conn.execute(select(table)).mappings()}
        now = self.rnd.now()
        for row in rows.to_dict("records"):
            old = existing.get(row[key])
            if old == row:
                continue
            if old is None:
                conn.execute(insert(table).values(**row))
            else:
                conn.execute(update(table).where(table.c[key] == row[key]).values(**row))
            ids = {k: row[k] for k in ("nomination_id", "reviewer_id") if k in row}
            self._event(conn, kind, actor, old=old, new=row, at=now, **ids)

    # ------------------------------------------------------------------ identities
    def add_reviewers(self, df: pd.DataFrame, *, actor: str = "analyst") -> None:
        """Insert or update reviewers (reviewer_id, name, unit); running it twice changes nothing."""
        rows = _id_frame(df, ["reviewer_id", "name", "unit"], "reviewers").drop_duplicates("reviewer_id", keep="last")
        with self._write() as conn:
            self._upsert(conn, reviewers_table, "reviewer_id", rows, "reviewer", actor)

    def reviewers(self) -> pd.DataFrame:
        with self._read() as conn:
            rows = conn.execute(select(reviewers_table).order_by(reviewers_table.c.reviewer_id)).mappings().all()
        return _typed(rows, {"reviewer_id": "str", "name": "str", "unit": "str"})

    def save_nominations(self, df: pd.DataFrame, *, actor: str = "analyst") -> None:
        """Insert or update the nominations the store knows (id, category, studio, host unit, recommender).

        Every row is kept, also one whose category intake could not read; such a nomination cannot
        be assigned or scored until its category is corrected.
        """
        cols = ["nomination_id", "category", "studio", "host_unit", "recommender"]
        _require_columns(df, ["nomination_id", "category"], "nominations")
        df = df.assign(**{c: "" for c in cols if c not in df.columns})
        rows = _id_frame(df, cols, "nominations").drop_duplicates("nomination_id", keep="last")
        with self._write() as conn:
            self._upsert(conn, nominations_table, "nomination_id", rows, "nomination", actor)

    def nominations(self) -> pd.DataFrame:
        with self._read() as conn:
            rows = conn.execute(select(nominations_table).order_by(nominations_table.c.nomination_id)).mappings().all()
        return _typed(rows, {c: "str" for c in ("nomination_id", "category", "studio", "host_unit", "recommender")})

    # ------------------------------------------------------------------ assignments
    def save_assignments(self, plan: pd.DataFrame, *, replace: bool = True, actor: str = "analyst") -> None:
        """Make `plan` (nomination_id, reviewer_id, stage) the assignment.

        With `replace` (the default) pairs absent from the plan are withdrawn, which is refused for
        a pair that already has a score sheet; without it the plan's pairs are added. Unknown ids,
        unknown stages and conflicted pairs are refused; nothing is written then.
        """
        rows = _id_frame(plan, ["nomination_id", "reviewer_id", "stage"], "assignments").drop_duplicates()
        unknown_stages = sorted(set(rows["stage"]) - set(self.rnd.stages))
        if unknown_stages:
            raise AssignmentError(_message("unknown_stage", stage=unknown_stages[0], known="、".join(self.rnd.stages)),
                                  "unknown_stage")
        with self._write() as conn:
            noms = pd.DataFrame(conn.execute(select(nominations_table)).mappings().all(),
                                columns=list(nominations_table.c.keys()))
            revs = pd.DataFrame(conn.execute(select(reviewers_table)).mappings().all(),
                                columns=list(reviewers_table.c.keys()))
            for col, code, known in (("nomination_id", "unknown_nomination", noms), ("reviewer_id", "unknown_reviewer", revs)):
                missing = sorted(set(rows[col]) - set(known[col]))
                if missing:
                    raise AssignmentError(_message(code, **{col: _listing(missing)}), code)
            uncategorised = noms[noms["nomination_id"].isin(rows["nomination_id"]) & ~noms["category"].isin(list(self.rnd.categories))]
            if len(uncategorised):
                first = uncategorised.iloc[0]
                raise AssignmentError(_message("unknown_category", nomination_id=first["nomination_id"],
                                               category=first["category"], known="、".join(self.rnd.categories)),
                                      "unknown_category")
            declared = pd.DataFrame(conn.execute(select(declared_table)).mappings().all(),
                                    columns=list(declared_table.c.keys()))
            clash = rows.merge(conflicts(noms, revs, declared), on=["nomination_id", "reviewer_id"])
            if len(clash):
                pairs = _listing([f"{r.reviewer_id}→{r.nomination_id}（{r.reason}）" for r in clash.itertuples()])
                raise AssignmentError(_message("assignment_conflict", pairs=pairs), "assignment_conflict")
            current = {tuple(r) for r in conn.execute(select(
                assignments_table.c.nomination_id, assignments_table.c.reviewer_id, assignments_table.c.stage))}
            wanted = set(rows.itertuples(index=False, name=None))
            dropped = sorted(current - wanted) if replace else []
            scored = {(n, r, s) for r, n, s in conn.execute(select(
                sheets_table.c.reviewer_id, sheets_table.c.nomination_id, sheets_table.c.stage))}
            in_use = [p for p in dropped if p in scored]
            if in_use:
                pairs = _listing([f"{r}→{n}（{s}）" for n, r, s in in_use])
                raise AssignmentError(_message("assignment_in_use", pairs=pairs), "assignment_in_use")
            now = self.rnd.now()
            for n, r, s in dropped:
                conn.execute(delete(assignments_table).where(and_(
                    assignments_table.c.nomination_id == n, assignments_table.c.reviewer_id == r,
                    assignments_table.c.stage == s)))
                self._event(conn, "unassign", actor, nomination_id=n, reviewer_id=r, stage=s,
                            old={"assigned": True}, new={"assigned": False}, at=now)
            added = sorted(wanted - current)
            if added:
                conn.execute(insert(assignments_table), [
                    {"nomination_id": n, "reviewer_id": r, "stage": s, "assigned_at": now} for n, r, s in added])
                conn.execute(insert(events_table), [
                    {"at": now, "actor": actor, "kind": "assign", "nomination_id": n, "reviewer_id": r, "stage": s,
                     "payload": None, "old": {"assigned": False}, "new": {"assigned": True}} for n, r, s in added])

    def assignments(self) -> pd.DataFrame:
        """The current assignment: nomination_id, reviewer_id, stage, assigned_at."""
        t = assignments_table
        with self._read() as conn:
            rows = conn.execute(select(t).order_by(t.c.nomination_id, t.c.stage, t.c.reviewer_id)).mappings().all()
        return _typed(rows, {"nomination_id": "str", "reviewer_id": "str", "stage": "str", "assigned_at": "datetime"})

    # ------------------------------------------------------------------ access codes
    def issue_codes(self, reviewer_ids: str | Iterable[str] | None = None, *, actor: str = "analyst") -> pd.DataFrame:
        """New personal access codes: reviewer_id, name, code. The codes are in this frame only: show them once.

        Without `reviewer_ids` every reviewer who has no valid code gets one, so running it again after
        adding reviewers leaves the others' codes alone; a named reviewer gets a new code and the old
        one stops working (reissue). Only a salted scrypt hash of each code is stored.
        """
        names = dict(self.reviewers()[["reviewer_id", "name"]].itertuples(index=False, name=None))
        wanted = None if reviewer_ids is None else list(dict.fromkeys(
            _text(r) for r in ([reviewer_ids] if isinstance(reviewer_ids, str) else reviewer_ids)))
        unknown = [r for r in wanted or [] if r not in names]
        if unknown:
            raise WorkbenchError(_message("unknown_reviewer", reviewer_id=_listing(unknown)), "unknown_reviewer")
        candidates = sorted(names) if wanted is None else wanted
        codes = {r: new_code() for r in candidates}
        hashes = {r: hash_code(normalise_code(c)) for r, c in codes.items()}  # slow: before taking the write lock
        c = codes_table
        with self._write() as conn:
            active = set(conn.execute(select(c.c.reviewer_id).where(c.c.revoked_at.is_(None))).scalars())
            targets = [r for r in candidates if wanted is not None or r not in active]
            taken = set(conn.execute(select(c.c.code_id)).scalars())
            for r in targets:
                while code_id(codes[r]) in taken:  # a first group already in use (about 1 in a million)
                    codes[r] = new_code()
                    hashes[r] = hash_code(normalise_code(codes[r]))
                taken.add(code_id(codes[r]))
            now = self.rnd.now()
            replaced = sorted(active & set(targets))
            if replaced:
                conn.execute(update(c).where(and_(c.c.reviewer_id.in_(replaced), c.c.revoked_at.is_(None)))
                             .values(revoked_at=now))
            if targets:
                conn.execute(insert(c), [{"code_id": code_id(codes[r]), "reviewer_id": r, "code_hash": hashes[r],
                                          "issued_at": now, "issued_by": actor, "revoked_at": None} for r in targets])
                self._log_access(conn, [("code_revoke", r) for r in replaced] + [("code_issue", r) for r in targets],
                                 actor, now)
        return pd.DataFrame({"reviewer_id": targets, "name": [names[r] for r in targets],
                             "code": [codes[r] for r in targets]}, dtype="str")

    def revoke_code(self, reviewer_id: str, *, actor: str = "analyst") -> None:
        """Stop a reviewer's access code from working (issue a new one with `issue_codes([reviewer_id])`)."""
        c = codes_table
        with self._write() as conn:
            if conn.execute(select(reviewers_table.c.reviewer_id).where(
                    reviewers_table.c.reviewer_id == reviewer_id)).first() is None:
                raise WorkbenchError(_message("unknown_reviewer", reviewer_id=reviewer_id), "unknown_reviewer")
            now = self.rnd.now()
            done = conn.execute(update(c).where(and_(c.c.reviewer_id == reviewer_id, c.c.revoked_at.is_(None)))
                                .values(revoked_at=now))
            if done.rowcount == 0:
                raise WorkbenchError(_message("no_active_code", reviewer_id=reviewer_id), "no_active_code")
            self._log_access(conn, [("code_revoke", reviewer_id)], actor, now)

    def login(self, code: object, *, client: str | None = None) -> str:
        """The reviewer whose valid access code this is; `AccessCodeError` (code_wrong / code_revoked /
        login_locked) otherwise.

        Spaces, dashes and letter case do not matter. Every attempt is logged, never the code. Wrong
        codes are counted per code id (the first group typed) and per `client` (the browser's
        address) over the round's `serving.login_window_minutes`; past the limits every attempt of
        that code id or client is refused, the right code too, without checking it, until the
        window has passed. The count lives in the store: a new page, kernel or server resets nothing.
        """
        serving = self.rnd.serving
        normal = normalise_code(code)
        cid = normal[:CODE_GROUP_LEN] if normal is not None else None
        client = _text(client)[:200] or None
        f = login_failures_table
        since = self.rnd.now() - dt.timedelta(minutes=serving.login_window_minutes)
        row = None
        with self._read() as conn:
            if normal is not None:
                row = conn.execute(select(codes_table).where(codes_table.c.code_id == cid)).mappings().first()
            per_code = conn.execute(select(func.count()).where(f.c.code_id == cid, f.c.at >= since)).scalar() if cid else 0
            per_client = (conn.execute(select(func.count()).where(f.c.client == client, f.c.at >= since)).scalar()
                          if client else 0)
        if per_code >= serving.login_failures_per_code or per_client >= serving.login_failures_per_client:
            self._log_access(None, [("login_locked", row["reviewer_id"] if row is not None else None)], "reviewer")
            raise AccessCodeError(_message("login_locked", minutes=f"{serving.login_window_minutes:g}"), "login_locked")
        # A wrong first group costs the same hash as a wrong rest, so timing does not tell them apart.
        matched = check_code(normal or "", row["code_hash"] if row is not None else _dummy_hash())
        if row is None or not matched:
            with self._write() as conn:
                conn.execute(insert(f).values(at=self.rnd.now(), code_id=cid, client=client))
                self._log_access(conn, [("login_failed", None)], "reviewer")
            raise AccessCodeError(_message("code_wrong"), "code_wrong")
        if row["revoked_at"] is not None:
            self._log_access(None, [("login_revoked", row["reviewer_id"])], row["reviewer_id"])
            raise AccessCodeError(_message("code_revoked"), "code_revoked")
        with self._write() as conn:
            conn.execute(delete(f).where(f.c.code_id == cid))  # the owner got it right: their slips are forgiven
            self._log_access(conn, [("login", row["reviewer_id"])], row["reviewer_id"])
        return row["reviewer_id"]

    def check_session(self, reviewer_id: str, session: str) -> None:
        """Raise `AccessCodeError` (session_ended) unless `session`, the code id a reviewer logged in
        with, is still this reviewer's valid code: a revoked or reissued code ends its open sessions
        at their next action."""
        with self._read() as conn:
            self._check_session(conn, reviewer_id, session)

    @staticmethod
    def _check_session(conn: Connection, reviewer_id: str, session: str) -> None:
        c = codes_table
        row = conn.execute(select(c.c.reviewer_id, c.c.revoked_at).where(c.c.code_id == session)).first()
        _require_session(None if row is None else tuple(row), reviewer_id)

    def access_codes(self) -> pd.DataFrame:
        """Per reviewer: reviewer_id, name, has_code (a valid one), issued_at (of the latest code), revoked_at."""
        c = codes_table
        with self._read() as conn:
            rows = conn.execute(select(c.c.reviewer_id, c.c.issued_at, c.c.revoked_at)).mappings().all()
        latest: dict[str, dict] = {}
        for r in rows:
            if r["reviewer_id"] not in latest or r["issued_at"] >= latest[r["reviewer_id"]]["issued_at"]:
                latest[r["reviewer_id"]] = dict(r)
        out = self.reviewers()[["reviewer_id", "name"]]
        out["issued_at"] = pd.to_datetime(out["reviewer_id"].map(lambda r: latest.get(r, {}).get("issued_at"))).astype("datetime64[us]")
        out["revoked_at"] = pd.to_datetime(out["reviewer_id"].map(lambda r: latest.get(r, {}).get("revoked_at"))).astype("datetime64[us]")
        out["has_code"] = out["issued_at"].notna() & out["revoked_at"].isna()
        return out[["reviewer_id", "name", "has_code", "issued_at", "revoked_at"]]

    def access_log(self, reviewer_id: str | None = None) -> pd.DataFrame:
        """Logins, failed logins and code changes, oldest first: id, at, actor, kind, reviewer_id."""
        t = access_log_table
        query = select(t).order_by(t.c.id)
        if reviewer_id is not None:
            query = query.where(t.c.reviewer_id == reviewer_id)
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
        return _typed(rows, {"id": "Int64", "at": "datetime", "actor": "str", "kind": "str", "reviewer_id": "str"})

    def _log_access(self, conn: Connection | None, entries: list[tuple[str, str | None]], actor: str,
                    at: dt.datetime | None = None) -> None:
        rows = [{"at": at or self.rnd.now(), "actor": actor, "kind": kind, "reviewer_id": rid} for kind, rid in entries]
        if conn is not None:
            conn.execute(insert(access_log_table), rows)
            return
        with self._write() as own:
            own.execute(insert(access_log_table), rows)

    # ------------------------------------------------------------------ conflicts
    def declare_conflict(self, reviewer_id: str, nomination_id: str, reason: str = "", *, actor: str = "analyst") -> None:
        """Record a declared conflict: the reviewer is never assigned, shown or allowed to score this nomination.

        Their assignments to it without a score sheet are withdrawn in the same transaction; when they
        already saved a sheet for it, it is refused (conflict_scored): the meeting must decide about that score.
        """
        reason, actor = _text(reason), self._actor(actor)
        a, s, d = assignments_table, sheets_table, declared_table
        with self._write() as conn:
            self._require_known(conn, reviewer_id=reviewer_id, nomination_id=nomination_id)
            pair = and_(a.c.reviewer_id == reviewer_id, a.c.nomination_id == nomination_id)
            scored = conn.execute(select(s.c.stage).where(and_(s.c.reviewer_id == reviewer_id,
                                                                s.c.nomination_id == nomination_id))).scalars().all()
            if scored:
                raise WorkbenchError(_message("conflict_scored", reviewer_id=reviewer_id, nomination_id=nomination_id),
                                     "conflict_scored")
            now = self.rnd.now()
            old = conn.execute(select(d.c.reason).where(and_(d.c.reviewer_id == reviewer_id,
                                                              d.c.nomination_id == nomination_id))).first()
            if old is not None and old.reason == reason:
                return
            if old is None:
                conn.execute(insert(d).values(reviewer_id=reviewer_id, nomination_id=nomination_id, reason=reason,
                                              actor=actor, at=now))
            else:
                conn.execute(update(d).where(and_(d.c.reviewer_id == reviewer_id, d.c.nomination_id == nomination_id))
                             .values(reason=reason, actor=actor, at=now))
            self._event(conn, "conflict_declare", actor, nomination_id=nomination_id, reviewer_id=reviewer_id,
                        old=None if old is None else {"reason": old.reason}, new={"reason": reason}, at=now)
            for stage in conn.execute(select(a.c.stage).where(pair)).scalars().all():
                conn.execute(delete(a).where(and_(pair, a.c.stage == stage)))
                self._event(conn, "unassign", actor, nomination_id=nomination_id, reviewer_id=reviewer_id, stage=stage,
                            old={"assigned": True}, new={"assigned": False}, payload={"why": "conflict_declare"}, at=now)

    def declared_conflicts(self) -> pd.DataFrame:
        """The declared conflicts: nomination_id, reviewer_id, reason, actor, at."""
        t = declared_table
        with self._read() as conn:
            rows = conn.execute(select(t).order_by(t.c.nomination_id, t.c.reviewer_id)).mappings().all()
        return _typed(rows, {"nomination_id": "str", "reviewer_id": "str", "reason": "str", "actor": "str", "at": "datetime"})

    def conflicts(self) -> pd.DataFrame:
        """Every conflicted pair the store knows: by unit (host unit, recommending union) and declared."""
        return conflicts(self.nominations(), self.reviewers(), self.declared_conflicts())

    def _require_known(self, conn: Connection, *, reviewer_id: str, nomination_id: str) -> None:
        if conn.execute(select(reviewers_table.c.reviewer_id).where(
                reviewers_table.c.reviewer_id == reviewer_id)).first() is None:
            raise WorkbenchError(_message("unknown_reviewer", reviewer_id=reviewer_id), "unknown_reviewer")
        if conn.execute(select(nominations_table.c.nomination_id).where(
                nominations_table.c.nomination_id == nomination_id)).first() is None:
            raise WorkbenchError(_message("unknown_nomination", nomination_id=nomination_id), "unknown_nomination")

    # ------------------------------------------------------------------ stages
    def close_stage(self, stage: str, *, actor: str = "analyst") -> None:
        """Close a stage: from now on its score sheets are refused (StageClosedError) until `reopen_stage`."""
        self._set_stage(stage, True, actor)

    def reopen_stage(self, stage: str, *, actor: str = "analyst") -> None:
        """Reopen a closed stage, so reviewers can edit its sheets again."""
        self._set_stage(stage, False, actor)

    def closed_stages(self) -> list[str]:
        """The closed stages, in the round's order."""
        with self._read() as conn:
            closed = set(conn.execute(select(stage_state_table.c.stage).where(stage_state_table.c.closed)).scalars())
        return [s for s in self.rnd.stages if s in closed]

    def _set_stage(self, stage: str, closed: bool, actor: str) -> None:
        if stage not in self.rnd.stages:
            raise WorkbenchError(_message("unknown_stage", stage=stage, known="、".join(self.rnd.stages)), "unknown_stage")
        actor, t = self._actor(actor), stage_state_table
        with self._write() as conn:
            # The update waits for saves in flight on a server database (they hold a shared row lock).
            was = conn.execute(select(t.c.closed).where(t.c.stage == stage).with_for_update()).scalar()
            if bool(was) == closed:
                return
            now = self.rnd.now()
            conn.execute(update(t).where(t.c.stage == stage).values(closed=closed, actor=actor, at=now))
            self._event(conn, "stage_close" if closed else "stage_reopen", actor, stage=stage,
                        old={"closed": bool(was)}, new={"closed": closed}, at=now)

    # ------------------------------------------------------------------ one reviewer's view
    def check_pair(self, reviewer_id: str, nomination_id: str, stage: str) -> None:
        """Raise NotAssignedError unless the reviewer is assigned this nomination at this stage, without a conflict."""
        request = _SheetRequest(reviewer_id, nomination_id, stage, {}, "", None, False)
        with self._read() as conn:
            noms = {r["nomination_id"]: dict(r) for r in conn.execute(select(nominations_table).where(
                nominations_table.c.nomination_id == nomination_id)).mappings()}
            units = dict(conn.execute(select(reviewers_table.c.reviewer_id, reviewers_table.c.unit).where(
                reviewers_table.c.reviewer_id == reviewer_id)).all())
            assigned = self._existing_keys(conn, assignments_table, [request.key])
            declared = self._declared_for(conn, {(reviewer_id, nomination_id)})
            self._check_pairs([request], noms, units, assigned, declared, self.rnd)
            self._check_pledged(conn, [reviewer_id], self.rnd)  # no candidate opens before the pledge

    def worklist(self, reviewer_id: str, stage: str | None = None) -> pd.DataFrame:
        """One reviewer's candidates, conflicts left out, with *their own* sheet only: nomination_id, stage,
        category, studio, status (none / draft / submitted), total, version, updated_at."""
        a, n = assignments_table, nominations_table
        query = (select(a.c.nomination_id, a.c.stage, n.c.category, n.c.studio, n.c.host_unit, n.c.recommender)
                 .join(n, a.c.nomination_id == n.c.nomination_id).where(a.c.reviewer_id == reviewer_id))
        if stage is not None:
            query = query.where(a.c.stage == stage)
        with self._read() as conn:
            unit = conn.execute(select(reviewers_table.c.unit).where(reviewers_table.c.reviewer_id == reviewer_id)).scalar()
            rows = conn.execute(query).mappings().all()
            declared = self._declared_for(conn, {(reviewer_id, r["nomination_id"]) for r in rows})
        rows = [r for r in rows if unit is not None and (reviewer_id, r["nomination_id"]) not in declared
                and not conflict_reasons(unit, r["host_unit"], r["recommender"])]
        own = self.sheets(reviewer_id)
        mine = {(r.nomination_id, r.stage): r for r in own.itertuples(index=False)}
        order = {s: i for i, s in enumerate(self.rnd.stages)}
        out = []
        for r in sorted(rows, key=lambda r: (order.get(r["stage"], len(order)), r["nomination_id"])):
            sheet = mine.get((r["nomination_id"], r["stage"]))
            out.append({"nomination_id": r["nomination_id"], "stage": r["stage"], "category": r["category"],
                        "studio": r["studio"], "status": "none" if sheet is None else sheet.status,
                        "total": None if sheet is None else sheet.total,
                        "version": None if sheet is None else sheet.version,
                        "updated_at": None if sheet is None else sheet.updated_at})
        return _typed(out, {"nomination_id": "str", "stage": "str", "category": "str", "studio": "str", "status": "str",
                            "total": "Float64", "version": "Int64", "updated_at": "datetime"})

    # ------------------------------------------------------------------ scores
    def save_scores(
        self,
        reviewer_id: str,
        nomination_id: str,
        stage: str,
        points: dict[str, float],
        comment: str = "",
        version: int | None = None,
        submit: bool = False,
        rnd: Round | None = None,
        *,
        actor: str | None = None,
        session: str | None = None,
    ) -> int:
        """Save one reviewer's sheet for a nomination and stage; returns the sheet's new version.

        `version` is the version the form was loaded at (None for a sheet not saved before); if the
        stored sheet is at another version, `StaleWriteError` and nothing is written. A save without
        `submit` stores a draft, also over a submitted sheet (it must then be submitted again); a
        save that changes nothing returns the current version and writes no event. With `session`
        (the code id the reviewer logged in with) the save is refused (`AccessCodeError`,
        session_ended) when that code has been revoked since, in the same transaction.
        """
        comment = "" if comment is None else comment
        request = _SheetRequest(reviewer_id, nomination_id, stage, points, comment, version, bool(submit))
        with self._write() as conn:
            return self._save_sheets(conn, [request], rnd or self.rnd, actor, session=session)[0]

    def save_scores_frame(self, df: pd.DataFrame, rnd: Round | None = None, *, actor: str | None = None) -> int:
        """Bulk-save a long scores frame (one row per criterion) through the same checks; returns sheets saved.

        Columns nomination_id, reviewer_id, stage, criterion, points; optional status ("submitted"
        when absent), comment and version (per sheet, None = new sheet). All or nothing.
        """
        _require_columns(df, ["nomination_id", "reviewer_id", "stage", "criterion", "points"], "scores")
        df = df.assign(**{k: v for k, v in {"status": "submitted", "comment": "", "version": None}.items()
                          if k not in df.columns})
        bad_status = sorted(set(df["status"]) - set(SCORE_STATUSES), key=str)
        if bad_status:
            raise ScoreValidationError([_problem("bad_status", value=bad_status[0])])
        twice = df[df.duplicated(["nomination_id", "reviewer_id", "stage", "criterion"], keep=False)]
        if len(twice):
            r = twice.iloc[0]
            raise ScoreValidationError([_problem("duplicate_criterion", str(r["criterion"]), name=r["criterion"],
                                                 sheet=f"{r['nomination_id']}/{r['reviewer_id']}/{r['stage']}")])
        requests = []
        for (nom, rev, stage), sheet in df.groupby(["nomination_id", "reviewer_id", "stage"], sort=True):
            first = sheet.iloc[0]
            version = None if pd.isna(first["version"]) else first["version"]
            if isinstance(version, float) and version.is_integer():
                version = int(version)
            requests.append(_SheetRequest(
                str(rev), str(nom), str(stage), dict(zip(sheet["criterion"], sheet["points"])),
                _text(first["comment"]), version, first["status"] == "submitted"))
        with self._write() as conn:
            self._save_sheets(conn, requests, rnd or self.rnd, actor)
        return len(requests)

    def _save_sheets(self, conn: Connection, requests: list[_SheetRequest], rnd: Round, actor: str | None,
                     session: str | None = None) -> list[int]:
        """Check every request (session, pair, values, version), then write them all; raises before any write."""
        noms, units, assigned, declared, closed, sheets, pledged, codes = self._save_context(conn, requests, rnd, session)
        if session is not None and any(q.stage in rnd.stages for q in requests):  # read in the same statement
            _require_session(codes.get(session), requests[0].reviewer_id)
        self._check_pairs(requests, noms, units, assigned, declared, rnd)
        unpledged = sorted({q.reviewer_id for q in requests} - pledged) if rnd.panel.pledge_required else []
        if unpledged:  # no pledge, no scoring (read in the same statement as the rest)
            raise PledgeRequiredError(_message("pledge_required", reviewer_id=_listing(unpledged)), "pledge_required")
        if closed:
            raise StageClosedError(_message("stage_closed", stage=rnd.stages[sorted(closed)[0]].label), "stage_closed")
        problems = []
        for q in requests:
            prefix = "" if len(requests) == 1 else f"{q.nomination_id}/{q.reviewer_id}/{q.stage}："
            found = validate_sheet(q.points, noms[q.nomination_id]["category"], q.stage, rnd,
                                   comment=q.comment, submit=q.submit)
            if not (q.version is None or (isinstance(q.version, numbers.Integral) and not isinstance(q.version, bool))):
                found.append(_problem("bad_version", value=q.version))
            problems += [{**p, "message": prefix + p["message"]} for p in found]
        if problems:
            raise ScoreValidationError(problems)
        stale = [q for q in requests if (sheets[q.key]["version"] if q.key in sheets else None) != q.version]
        if stale:
            if len(requests) == 1:
                raise StaleWriteError(_message("stale_write"))
            names = _listing([f"{q.nomination_id}/{q.reviewer_id}/{q.stage}" for q in stale])
            raise StaleWriteError(_message("stale_write_many", sheets=names), "stale_write")
        return self._write_sheets(conn, requests, sheets, actor)

    @staticmethod
    def _save_context(conn: Connection, requests: list[_SheetRequest], rnd: Round, session: str | None = None) -> tuple:
        """Everything the checks of a save need, read in one statement per 200 sheets (issue 18: a
        reviewer's save is one read and its writes, not a dozen round trips): the nominations,
        reviewers' units, assignments, declared conflicts, closed stages (with a shared lock on
        their rows, so a concurrent close waits for this save), the pledges, the stored sheets
        with points and, with `session`, that access code's owner and revocation.
        """
        wanted = [q for q in requests if q.stage in rnd.stages]  # an unknown stage fails before any read matters
        noms, units, declared, sheets, codes = {}, {}, {}, {}, {}
        assigned, closed, pledged = set(), set(), set()
        for i in range(0, len(wanted), 200):
            keys = sorted({q.key for q in wanted[i:i + 200]})
            params = {f"{k}{j}": v for j, key in enumerate(keys) for k, v in zip(("rv", "nm", "sg"), key)}
            if session is not None:
                params["session"] = session
            query = _context_statement(len(keys), session is not None)
            for row in conn.execute(query, params).mappings():
                key = (row["reviewer_id"], row["nomination_id"], row["stage"])
                if session is not None and row["code_owner"] is not None:
                    codes[session] = (row["code_owner"], row["code_revoked"])
                if row["known"] is not None:
                    noms[key[1]] = {"nomination_id": key[1], "category": row["category"],
                                    "host_unit": row["host_unit"], "recommender": row["recommender"]}
                if row["unit"] is not None:
                    units[key[0]] = row["unit"]
                if row["assigned_at"] is not None:
                    assigned.add(key)
                if row["reason"] is not None:
                    declared[key[:2]] = row["reason"]
                if row["closed"]:
                    closed.add(key[2])
                if row["pledged"] is not None:
                    pledged.add(key[0])
                if row["version"] is not None:
                    sheet = sheets.setdefault(key, {"points": {}, "comment": row["comment"], "status": row["status"],
                                                    "version": row["version"], "updated_at": row["updated_at"]})
                    if row["criterion"] is not None:
                        sheet["points"][row["criterion"]] = row["points"]
        return noms, units, assigned, declared, closed, sheets, pledged, codes

    @staticmethod
    def _check_pairs(requests: list[_SheetRequest], noms: dict, units: dict, assigned: set, declared: dict,
                     rnd: Round) -> None:
        for q in requests:
            where = {"reviewer_id": q.reviewer_id, "nomination_id": q.nomination_id}
            if q.stage not in rnd.stages:
                raise ScoreValidationError([_problem("unknown_stage", stage=q.stage, known="、".join(rnd.stages))])
            if q.nomination_id not in noms:
                raise NotAssignedError(_message("unknown_nomination", nomination_id=q.nomination_id), "not_assigned")
            nom = noms[q.nomination_id]
            reason = conflict_reasons(units.get(q.reviewer_id, ""), nom["host_unit"], nom["recommender"])
            said = declared.get((q.reviewer_id, q.nomination_id))
            if said is not None:
                reason = "；".join(r for r in (reason, _declared_text(said)) if r)
            if reason:
                raise NotAssignedError(_message("conflicted", reason=reason, **where), "conflicted")
            if q.key not in assigned:
                raise NotAssignedError(_message("not_assigned", stage=rnd.stages[q.stage].label, **where))

    @staticmethod
    def _declared_for(conn: Connection, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """Declared conflicts among `pairs` (reviewer_id, nomination_id) -> the reason given."""
        t = declared_table
        found: dict[tuple[str, str], str] = {}
        pairs_list = sorted(pairs)
        for i in range(0, len(pairs_list), 500):
            chunk = pairs_list[i:i + 500]
            for r in conn.execute(select(t.c.reviewer_id, t.c.nomination_id, t.c.reason).where(
                    tuple_(t.c.reviewer_id, t.c.nomination_id).in_(chunk))):
                found[(r.reviewer_id, r.nomination_id)] = r.reason
        return found

    @staticmethod
    def _existing_keys(conn: Connection, table: Table, keys: list[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
        cols = (table.c.reviewer_id, table.c.nomination_id, table.c.stage)
        found = set()
        for i in range(0, len(keys), 500):
            found |= {tuple(r) for r in conn.execute(select(*cols).where(tuple_(*cols).in_(keys[i:i + 500])))}
        return found

    @staticmethod
    def _load_sheets(conn: Connection, keys: list[tuple[str, str, str]]) -> dict[tuple, dict]:
        """Stored sheets for `keys`: {key: {points, comment, status, version, updated_at}}."""
        s, p = sheets_table, points_table
        out: dict[tuple, dict] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            for r in conn.execute(select(s).where(tuple_(s.c.reviewer_id, s.c.nomination_id, s.c.stage).in_(chunk))).mappings():
                out[(r["reviewer_id"], r["nomination_id"], r["stage"])] = {
                    "points": {}, "comment": r["comment"], "status": r["status"], "version": r["version"],
                    "updated_at": r["updated_at"]}
            for r in conn.execute(select(p).where(tuple_(p.c.reviewer_id, p.c.nomination_id, p.c.stage).in_(chunk))).mappings():
                out[(r["reviewer_id"], r["nomination_id"], r["stage"])]["points"][r["criterion"]] = r["points"]
        return out

    def _write_sheets(self, conn: Connection, requests: list[_SheetRequest], sheets: dict, actor: str | None) -> list[int]:
        s, p = sheets_table, points_table
        now = self.rnd.now()
        versions, events, new_points, upserts, removed, new_sheets = [], [], [], [], [], []
        for q in requests:
            old = sheets.get(q.key)
            state = {"points": {k: float(v) for k, v in q.points.items()}, "comment": q.comment.strip(),
                     "status": "submitted" if q.submit else "draft"}
            if old is not None and {k: old[k] for k in state} == state:
                versions.append(old["version"])
                continue
            version = 1 if old is None else old["version"] + 1
            key = dict(zip(("reviewer_id", "nomination_id", "stage"), q.key))
            row = {**key, "comment": state["comment"], "status": state["status"], "version": version, "updated_at": now}
            if old is None:
                new_sheets.append(row)  # inserted together below
            else:
                done = conn.execute(update(s).where(and_(
                    s.c.reviewer_id == q.reviewer_id, s.c.nomination_id == q.nomination_id,
                    s.c.stage == q.stage, s.c.version == old["version"])).values(**row))
                if done.rowcount != 1:  # a concurrent writer on a server database got there first
                    raise StaleWriteError(_message("stale_write"))
            if old is None:
                new_points += [{**key, "criterion": c, "points": v} for c, v in state["points"].items()]
            else:  # only the criteria that changed: a reviewer's save is usually one field
                upserts += [{**key, "criterion": c, "points": v} for c, v in state["points"].items()
                            if old["points"].get(c) != v]
                removed += [(*q.key, c) for c in old["points"] if c not in state["points"]]
            events.append({
                "at": now, "actor": actor or q.reviewer_id, "kind": "score_submit" if q.submit else "score_save",
                **key, "payload": {"loaded_version": q.version, "submit": q.submit},
                "old": None if old is None else {k: old[k] for k in (*state, "version")},
                "new": {**state, "version": version}})
            versions.append(version)
        if new_sheets:
            try:
                conn.execute(insert(s), new_sheets)
            except IntegrityError as exc:  # another writer created one of them first
                raise StaleWriteError(_message("stale_write")) from exc
        keys = (p.c.reviewer_id, p.c.nomination_id, p.c.stage, p.c.criterion)
        for i in range(0, len(removed), 500):
            conn.execute(delete(p).where(tuple_(*keys).in_(removed[i:i + 500])))
        if new_points:
            conn.execute(insert(p), new_points)
        if upserts:
            _upsert_points(conn, upserts)
        if events:
            conn.execute(insert(events_table), events)
        return versions

    def load_sheet(self, reviewer_id: str, nomination_id: str, stage: str) -> dict | None:
        """One sheet as a form loads it: points, comment, status, version, updated_at (None if unsaved)."""
        with self._read() as conn:
            return self._load_sheets(conn, [(reviewer_id, nomination_id, stage)]).get((reviewer_id, nomination_id, stage))

    def scores(self) -> pd.DataFrame:
        """Long form, one row per criterion per sheet, drafts included (filter on status).

        Sorted by nomination, stage, reviewer and the rubric's order. The text columns (nomination_id,
        reviewer_id, stage, criterion, status) are categoricals whose categories are the values present,
        sorted: each id is a small integer code, so ranking compares codes instead of 10^6 texts. They
        compare with text as text columns do; group by them with `observed=True`.
        """
        s, p = sheets_table, points_table
        query = select(p.c.nomination_id, p.c.reviewer_id, p.c.stage, p.c.criterion, p.c.points, s.c.status,
                       s.c.updated_at).join(s, and_(p.c.reviewer_id == s.c.reviewer_id,
                                                    p.c.nomination_id == s.c.nomination_id, p.c.stage == s.c.stage))
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
        df = _typed(rows, {"nomination_id": "category", "reviewer_id": "category", "stage": "category",
                           "criterion": "category", "points": "float64", "status": "category",
                           "updated_at": "datetime"})
        order = {c.code: i for i, c in enumerate(self.rnd.rubric)}
        criteria = df["criterion"].cat
        rubric_place = criteria.categories.map(lambda c: order.get(c, len(order))).to_numpy(dtype=np.int64)
        df["_order"] = rubric_place[criteria.codes.to_numpy()] if len(df) else np.zeros(0, np.int64)
        return (df.sort_values(["nomination_id", "stage", "reviewer_id", "_order", "criterion"], kind="stable")
                .drop(columns="_order").reset_index(drop=True))

    def sheets(self, reviewer_id: str | None = None) -> pd.DataFrame:
        """One row per sheet (one reviewer's only, when given): reviewer_id, nomination_id, stage, total,
        comment, status, version, updated_at."""
        s, p = sheets_table, points_table
        total = (select(p.c.reviewer_id, p.c.nomination_id, p.c.stage, func.sum(p.c.points).label("total"))
                 .group_by(p.c.reviewer_id, p.c.nomination_id, p.c.stage).subquery())
        query = (select(s.c.reviewer_id, s.c.nomination_id, s.c.stage, func.coalesce(total.c.total, 0.0).label("total"),
                        s.c.comment, s.c.status, s.c.version, s.c.updated_at)
                 .join(total, and_(s.c.reviewer_id == total.c.reviewer_id, s.c.nomination_id == total.c.nomination_id,
                                   s.c.stage == total.c.stage), isouter=True)
                 .order_by(s.c.nomination_id, s.c.stage, s.c.reviewer_id))
        if reviewer_id is not None:
            query = query.where(s.c.reviewer_id == reviewer_id)
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
        return _typed(rows, {"reviewer_id": "str", "nomination_id": "str", "stage": "str", "total": "float64",
                             "comment": "str", "status": "str", "version": "Int64", "updated_at": "datetime"})

    # ------------------------------------------------------------------ decisions and overrides
    def record_decision(self, nomination_id: str, decision: str, note: str, snapshot_id: str, actor: str,
                        version: int | None = None, *, replaces: str | None = None) -> int:
        """Record the meeting's decision (approve / reject / defer) on a nomination, with the snapshot
        it saw; returns the decision's new version.

        Versioned like a score sheet: `version` is the version the screen showed (None when it showed
        no decision); if the stored decision is at another version, `StaleWriteError` (saying who
        changed it and when; the stored row is its `current`) and nothing is written. `replaces`
        makes it a 递补: an approval of a candidate of the same category in place of one the meeting
        rejected or deferred. Recording what is already stored returns its version and writes nothing.
        """
        if decision not in labels.DECISION:
            raise WorkbenchError(_message("bad_decision", value=decision), "bad_decision")
        if not isinstance(snapshot_id, str) or not snapshot_id.strip():
            raise WorkbenchError(_message("snapshot_required"), "snapshot_required")
        if not (version is None or (isinstance(version, numbers.Integral) and not isinstance(version, bool))):
            raise WorkbenchError(_message("bad_version", value=version), "bad_version")
        if not (replaces is None or (isinstance(replaces, str) and replaces.strip())):
            raise WorkbenchError(_message("bad_replaces", value=replaces), "bad_replaces")
        actor, note = self._actor(actor), _text(note)
        row = {"decision": decision, "note": note, "snapshot_id": snapshot_id.strip(),
               "replaces": replaces.strip() if replaces else None}
        t = decisions_table
        with self._write() as conn:
            noms = self._known_nominations(conn, [nomination_id] + ([row["replaces"]] if row["replaces"] else []))
            if row["replaces"]:
                self._check_replacement(conn, nomination_id, row["replaces"], decision, noms)
            found = conn.execute(select(t).where(t.c.nomination_id == nomination_id)
                                 .with_for_update()).mappings().first()
            stored = None if found is None else int(found["version"])
            if stored != (None if version is None else int(version)):
                raise self._stale_decision(found, noms[nomination_id])
            if found is not None and all(found[k] == v for k, v in row.items()):
                return stored
            now, new_version = self.rnd.now(), 1 if found is None else stored + 1
            values = {**row, "actor": actor, "at": now, "version": new_version}
            try:
                if found is None:
                    conn.execute(insert(t).values(nomination_id=nomination_id, **values))
                elif conn.execute(update(t).where(and_(t.c.nomination_id == nomination_id, t.c.version == stored))
                                  .values(**values)).rowcount != 1:
                    raise self._stale_decision(found, noms[nomination_id])  # a server database's concurrent writer
            except IntegrityError as exc:
                raise self._stale_decision(None, noms[nomination_id]) from exc
            old = None if found is None else {k: found[k] for k in (*row, "actor", "version")}
            self._event(conn, "decision", actor, nomination_id=nomination_id,
                        payload={"loaded_version": version, **({"replaces": row["replaces"]} if row["replaces"] else {})},
                        old=old, new={**row, "version": new_version}, at=now)
            return new_version

    @staticmethod
    def _known_nominations(conn: Connection, ids: list[str]) -> dict[str, dict]:
        """{nomination_id: row} for `ids`; an unknown one is refused."""
        n = nominations_table
        found = {r["nomination_id"]: dict(r) for r in conn.execute(
            select(n).where(n.c.nomination_id.in_([i for i in ids if isinstance(i, str)]))).mappings()}
        for nid in ids:
            if nid not in found:
                raise NotAssignedError(_message("unknown_nomination", nomination_id=nid), "unknown_nomination")
        return found

    @staticmethod
    def _check_replacement(conn: Connection, nomination_id: str, replaced: str, decision: str, noms: dict) -> None:
        """A 递补 approves another candidate of the same category in place of a rejected or deferred one."""
        t = decisions_table
        before = conn.execute(select(t.c.decision).where(t.c.nomination_id == replaced)).scalar()
        if (decision != "approve" or replaced == nomination_id or before not in ("reject", "defer")
                or noms[replaced]["category"] != noms[nomination_id]["category"]):
            raise WorkbenchError(_message("bad_replacement", nomination_id=nomination_id, replaced=replaced),
                                 "bad_replacement")

    @staticmethod
    def _stale_decision(found: dict | None, nomination: dict) -> StaleWriteError:
        """The refusal of a decision made on a stale screen: who changed it, when, to what."""
        m = labels.STORE_MESSAGES
        if found is None:
            text = m["decision_stale_new"].format(studio=nomination["studio"])
        else:
            text = m["decision_stale"].format(
                studio=nomination["studio"], actor=found["actor"], at=found["at"].strftime("%m-%d %H:%M:%S"),
                decision=labels.DECISION.get(found["decision"], found["decision"]), version=found["version"])
        error = StaleWriteError(f"{text} [stale_write]", "stale_write")
        error.current = None if found is None else dict(found)
        return error

    def decisions(self) -> pd.DataFrame:
        """The latest decision per nomination, with its version and the candidate a 递补 replaces
        (the full trail is in `history`)."""
        t = decisions_table
        with self._read() as conn:
            rows = conn.execute(select(t).order_by(t.c.nomination_id)).mappings().all()
        return _typed(rows, {"nomination_id": "str", "decision": "str", "note": "str", "snapshot_id": "str",
                             "actor": "str", "at": "datetime", "version": "Int64", "replaces": "object"})

    def record_override(self, nomination_id: str, verdict: str, value: str, reason: str, actor: str) -> None:
        """Record an analyst's override of a screening verdict ("eligibility" or "quota_status"), with a reason."""
        from workbench.screening import (
            RULES,  # a rule's own verdict can be overridden too
        )

        allowed = {"eligibility": labels.ELIGIBILITY, "quota_status": labels.QUOTA_STATUS,
                   **{f"rule_{r.code}": labels.RULE_RESULT_WORD for r in RULES}}
        if verdict not in allowed:
            raise WorkbenchError(_message("bad_override", value=verdict), "bad_override")
        if value not in allowed[verdict]:
            raise WorkbenchError(_message("bad_override_value", verdict=labels.OVERRIDE_VERDICTS.get(verdict, verdict), value=value,
                                          known="、".join(allowed[verdict])), "bad_override_value")
        if not isinstance(reason, str) or not reason.strip():
            raise WorkbenchError(_message("reason_required"), "reason_required")
        actor = self._actor(actor)
        row = {"value": value, "reason": reason.strip(), "actor": actor}
        self._record_current(overrides_table, {"nomination_id": nomination_id, "verdict": verdict}, row, "override", actor)

    def overrides(self) -> pd.DataFrame:
        t = overrides_table
        with self._read() as conn:
            rows = conn.execute(select(t).order_by(t.c.nomination_id, t.c.verdict)).mappings().all()
        return _typed(rows, {"nomination_id": "str", "verdict": "str", "value": "str", "reason": "str",
                             "actor": "str", "at": "datetime"})

    @staticmethod
    def _actor(actor: object) -> str:
        if not isinstance(actor, str) or not actor.strip():
            raise WorkbenchError(_message("actor_required"), "actor_required")
        return actor.strip()

    def _record_current(self, table: Table, key: dict[str, str], row: dict, kind: str, actor: str) -> None:
        """Replace the current row at `key` in `table` and append the event, in one transaction."""
        where = and_(*(table.c[k] == v for k, v in key.items()))
        with self._write() as conn:
            if conn.execute(select(nominations_table.c.nomination_id).where(
                    nominations_table.c.nomination_id == key["nomination_id"])).first() is None:
                raise NotAssignedError(_message("unknown_nomination", nomination_id=key["nomination_id"]),
                                       "unknown_nomination")
            found = conn.execute(select(table).where(where)).mappings().first()
            old = None if found is None else {k: found[k] for k in row}
            now = self.rnd.now()
            if found is None:
                conn.execute(insert(table).values(**key, **row, at=now))
            else:
                conn.execute(update(table).where(where).values(**row, at=now))
            extra = {k: v for k, v in key.items() if k != "nomination_id"}
            self._event(conn, kind, actor, nomination_id=key["nomination_id"], payload=extra or None,
                        old=old, new=row, at=now)

    # ------------------------------------------------------------------ the ledger
    def history(self, nomination_id: str | None = None, reviewer_id: str | None = None) -> pd.DataFrame:
        """The events, oldest first (optionally for one nomination and/or one reviewer); old/new as dicts."""
        t = events_table
        query = select(t).order_by(t.c.id)
        if nomination_id is not None:
            query = query.where(t.c.nomination_id == nomination_id)
        if reviewer_id is not None:
            query = query.where(t.c.reviewer_id == reviewer_id)
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
        df = _typed(rows, {"id": "Int64", "at": "datetime", "actor": "str", "kind": "str", "nomination_id": "str",
                           "reviewer_id": "str", "stage": "str", "payload": "object", "old": "object", "new": "object"})
        return df

    def ledger_hash(self, exclude: tuple[str, ...] = ()) -> str:
        """A sha256 over every event in order: equal hashes, equal ledgers (part of a snapshot id).

        Events of the kinds in `exclude` are left out as if never written (the snapshot id leaves
        out the meeting's decisions), so the events' content and order are hashed, not their ids.
        """
        digest = hashlib.sha256()
        t = events_table
        query = select(t).order_by(t.c.id)
        if exclude:
            query = query.where(t.c.kind.not_in(exclude))
        with self._read() as conn:
            for r in conn.execute(query).mappings():
                record = [r["at"].isoformat(), r["actor"], r["kind"], r["nomination_id"], r["reviewer_id"],
                          r["stage"], r["payload"], r["old"], r["new"]]
                digest.update(json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                                         default=str).encode("utf-8"))
                digest.update(b"\n")
        return digest.hexdigest()


__all__ = [
    "CODE_ALPHABET",
    "CODE_GROUP_LEN",
    "CODE_GROUPS",
    "SCHEMA_VERSION",
    "events_table",
    "metadata",
    "AccessCodeError",
    "AssignmentError",
    "NotAssignedError",
    "PledgeRequiredError",
    "StageClosedError",
    "ScoreValidationError",
    "StaleWriteError",
    "Store",
    "WorkbenchError",
    "check_code",
    "hash_code",
    "new_code",
    "normalise_code",
    "open_store",
    "store_url",
    "validate_sheet",
]
