"""The store's tables: one SQLAlchemy `metadata` that every database (SQLite, PostgreSQL) is created from.

Every change is an append-only row in `events`; the other tables are the current state, written in
the same transaction. Logins go to `access_log`, apart from the ledger, so a login does not change
the ledger hash.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

SCHEMA_VERSION = 5  # 2: declared conflicts, stage state, access codes and their log; 3: decision versions, 递补;
# 4: failed logins (lockout across pages, kernels and servers); 5: the panel (draws, pledges, paper entries, site visits)

metadata = MetaData()

schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))

reviewers_table = Table(
    "reviewers",
    metadata,
    Column("reviewer_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("unit", String(400), nullable=False),
)

nominations_table = Table(
    "nominations",
    metadata,
    Column("nomination_id", String(64), primary_key=True),
    Column("category", String(32), nullable=False),
    Column("studio", String(400), nullable=False),
    Column("host_unit", String(400), nullable=False),
    Column("recommender", String(400), nullable=False),
)

assignments_table = Table(
    "assignments",
    metadata,
    Column("nomination_id", String(64), primary_key=True),
    Column("reviewer_id", String(64), primary_key=True),
    Column("stage", String(32), primary_key=True),
    Column("assigned_at", DateTime, nullable=False),
    ForeignKeyConstraint(["nomination_id"], ["nominations.nomination_id"]),
    ForeignKeyConstraint(["reviewer_id"], ["reviewers.reviewer_id"]),
)

sheets_table = Table(
    "score_sheets",
    metadata,
    Column("reviewer_id", String(64), primary_key=True),
    Column("nomination_id", String(64), primary_key=True),
    Column("stage", String(32), primary_key=True),
    Column("comment", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    # A sheet exists only for an assigned pair; unassigning a scored pair fails in the database too.
    ForeignKeyConstraint(
        ["nomination_id", "reviewer_id", "stage"],
        ["assignments.nomination_id", "assignments.reviewer_id", "assignments.stage"],
    ),
)

points_table = Table(
    "score_points",
    metadata,
    Column("reviewer_id", String(64), primary_key=True),
    Column("nomination_id", String(64), primary_key=True),
    Column("stage", String(32), primary_key=True),
    Column("criterion", String(64), primary_key=True),
    Column("points", Float, nullable=False),
    ForeignKeyConstraint(
        ["reviewer_id", "nomination_id", "stage"],
        ["score_sheets.reviewer_id", "score_sheets.nomination_id", "score_sheets.stage"],
    ),
)

decisions_table = Table(
    "decisions",
    metadata,
    Column("nomination_id", String(64), primary_key=True),
    Column("decision", String(16), nullable=False),
    Column("note", Text, nullable=False),
    Column("snapshot_id", String(128), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", DateTime, nullable=False),
    # 3: a decision is versioned like a score sheet (a stale screen cannot overwrite it), and a
    # 递补 names the candidate it replaces
    Column("version", Integer, nullable=False, server_default="1"),
    Column("replaces", String(64)),
    ForeignKeyConstraint(["nomination_id"], ["nominations.nomination_id"]),
)

# Columns added to existing tables by a schema version: (version, table, column DDL); the upgrade
# of an older store adds the ones it lacks (create_all makes only missing tables).
ADDED_COLUMNS: list[tuple[int, str, str, str]] = [
    (3, "decisions", "version", "INTEGER NOT NULL DEFAULT 1"),
    (3, "decisions", "replaces", "VARCHAR(64)"),
]

overrides_table = Table(
    "overrides",
    metadata,
    Column("nomination_id", String(64), primary_key=True),
    Column("verdict", String(32), primary_key=True),
    Column("value", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", DateTime, nullable=False),
    ForeignKeyConstraint(["nomination_id"], ["nominations.nomination_id"]),
)

events_table = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("nomination_id", String(64), index=True),
    Column("reviewer_id", String(64), index=True),
    Column("stage", String(32)),
    Column("payload", JSON),
    Column("old", JSON),
    Column("new", JSON),
    sqlite_autoincrement=True,
)

declared_table = Table(
    "declared_conflicts",
    metadata,
    Column("nomination_id", String(64), primary_key=True),
    Column("reviewer_id", String(64), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", DateTime, nullable=False),
    ForeignKeyConstraint(["nomination_id"], ["nominations.nomination_id"]),
    ForeignKeyConstraint(["reviewer_id"], ["reviewers.reviewer_id"]),
)

stage_state_table = Table(
    "stage_state",
    metadata,
    Column("stage", String(32), primary_key=True),
    Column("closed", Boolean, nullable=False),
    Column("actor", String(200)),
    Column("at", DateTime),
)

# Access codes: only a slow salted hash of each code is kept. `code_id` is the code's first group,
# stored in clear to find the row to check (the secret is the rest of the code).
codes_table = Table(
    "access_codes",
    metadata,
    Column("code_id", String(16), primary_key=True),
    Column("reviewer_id", String(64), nullable=False, index=True),
    Column("code_hash", String(300), nullable=False),
    Column("issued_at", DateTime, nullable=False),
    Column("issued_by", String(200), nullable=False),
    Column("revoked_at", DateTime),
    ForeignKeyConstraint(["reviewer_id"], ["reviewers.reviewer_id"]),
)

# Who logged in, failed to, got or lost a code: kept apart from `events`, so a login does not
# change the ledger hash (and with it the meeting's snapshot id). Never holds a code.
access_log_table = Table(
    "access_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("reviewer_id", String(64), index=True),
    sqlite_autoincrement=True,
)



# ---------------------------------------------------------------- the expert panel (schema 5)
# The draw log: each row's `hash` covers its `body` (canonical JSON: who, when, seed, inputs, result)
# and the previous row's hash, so an edited or deleted row breaks the chain (`workbench reviewers
# draw --verify`). Never updated, only appended.
panel_draws_table = Table(
    "panel_draws",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("category", String(32), nullable=False),
    Column("seed", String(40), nullable=False),
    Column("body", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    sqlite_autoincrement=True,
)

# The pledge (保密承诺书 and 回避声明): confirmed in the app or signed on paper; no pledge, no scoring.
pledges_table = Table(
    "pledges",
    metadata,
    Column("reviewer_id", String(64), primary_key=True),
    Column("method", String(16), nullable=False),  # app | paper
    Column("pledged_at", DateTime, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("signed_on", DateTime),  # the date written on a paper pledge
    Column("note", Text, nullable=False),
    ForeignKeyConstraint(["reviewer_id"], ["reviewers.reviewer_id"]),
)

# Paper score sheets typed in twice (double entry): nothing reaches score_sheets until both agree.
paper_entries_table = Table(
    "paper_entries",
    metadata,
    Column("reviewer_id", String(64), primary_key=True),
    Column("nomination_id", String(64), primary_key=True),
    Column("stage", String(32), primary_key=True),
    Column("entry", Integer, primary_key=True),  # 1 or 2
    Column("points", JSON, nullable=False),
    Column("comment", Text, nullable=False),
    Column("cells", JSON, nullable=False),  # field -> the cell it was read from, e.g. "D7"
    Column("source", String(400), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", DateTime, nullable=False),
)

# On-site inspection (实地考察): one visit per nomination, one row per checklist condition.
site_visits_table = Table(
    "site_visits",
    metadata,
    Column("nomination_id", String(64), primary_key=True),
    Column("visit_date", DateTime, nullable=False),
    Column("inspectors", JSON, nullable=False),
    Column("photos", JSON, nullable=False),
    Column("note", Text, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", DateTime, nullable=False),
    ForeignKeyConstraint(["nomination_id"], ["nominations.nomination_id"]),
)

site_checks_table = Table(
    "site_checks",
    metadata,
    Column("nomination_id", String(64), primary_key=True),
    Column("condition", String(64), primary_key=True),
    Column("confirmed", Boolean),  # None: not checked
    Column("note", Text, nullable=False),
    ForeignKeyConstraint(["nomination_id"], ["site_visits.nomination_id"]),
)
# Failed logins, counted per code id (the first group typed) and per client (the browser's address)
# over a window: the lockout holds across pages, kernels and servers sharing the store. Never a code.
login_failures_table = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("code_id", String(16), index=True),
    Column("client", String(200), index=True),
    sqlite_autoincrement=True,
)


def _typed(rows: list[dict], columns: dict[str, str]) -> pd.DataFrame:
    """A frame with exactly `columns` and their dtypes (datetime, object or a pandas dtype), also when empty."""
    df = pd.DataFrame(rows, columns=list(columns))
    for col, dtype in columns.items():
        if dtype == "datetime":
            df[col] = pd.to_datetime(df[col]).astype("datetime64[us]")
        elif dtype != "object":
            df[col] = df[col].astype(dtype)
    return df.reset_index(drop=True)
