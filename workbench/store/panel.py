"""The store's part of the expert panel: the draw log, pledges, double-entered paper sheets, site visits.

A mixin of `workbench.store.Store` (it uses the store's `_write`, `_read`, `_event` and `_actor`).
Every write here is also an event in the ledger. The draw log is hash-chained (see `panel_draws`
in schema.py); `workbench.panel.verify_draws` checks it and re-runs every draw.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import and_, delete, insert, select, tuple_, update
from sqlalchemy.engine import Connection

from workbench.config import Round
from workbench.errors import PledgeRequiredError, WorkbenchError
from workbench.store.schema import (
    _typed,
    nominations_table,
    panel_draws_table,
    paper_entries_table,
    pledges_table,
    reviewers_table,
    site_checks_table,
    site_visits_table,
)
from workbench.store.validation import _listing, _message

GENESIS = "0" * 64  # the "previous hash" of the first draw
PLEDGE_METHODS = ("app", "paper")


def canonical(value: Any) -> str:
    """The one JSON text of `value` that is hashed: sorted keys, no spaces, UTF-8 characters kept."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def chain_hash(prev_hash: str, body: str) -> str:
    """sha256 of the previous hash and this record's body: the link of the draw log."""
    return hashlib.sha256(f"{prev_hash}\n{body}".encode("utf-8")).hexdigest()


class PanelStore:
    """Draws, pledges, paper entries and site visits (mixed into `Store`)."""

    rnd: Round

    # ------------------------------------------------------------------ the draw log
    def record_draw(self, category: str, seed: int | str, body: dict, *, actor: str) -> dict[str, Any]:
        """Append one draw (its inputs and result in `body`), or a replacement by a reserve (`body` kind
        "replace": out, in, reason), to the hash-chained log; returns id, at, hash."""
        actor = self._actor(actor)
        t = panel_draws_table
        with self._write() as conn:
            last = conn.execute(select(t.c.hash).order_by(t.c.id.desc()).limit(1)).scalar()
            prev = last or GENESIS
            at = self.rnd.now()
            text = canonical({**body, "category": category, "seed": str(seed), "actor": actor, "at": at.isoformat()})
            digest = chain_hash(prev, text)
            done = conn.execute(insert(t).values(at=at, actor=actor, category=category, seed=str(seed), body=text,
                                                 prev_hash=prev, hash=digest))
            draw_id = done.inserted_primary_key[0]
            kind = "panel_replace" if body.get("kind") == "replace" else "panel_draw"
            new = ({"out": body["out"], "in": body["in"], "reason": body["reason"]} if kind == "panel_replace" else
                   {"members": body["result"]["members"], "reserves": body["result"]["reserves"]})
            self._event(conn, kind, actor, payload={"draw_id": draw_id, "category": category, "seed": str(seed),
                                                    "hash": digest}, new=new, at=at)
        return {"id": draw_id, "at": at, "hash": digest}

    def draws(self) -> pd.DataFrame:
        """The draw log, oldest first: id, at, actor, category, seed, body (JSON text), prev_hash, hash."""
        t = panel_draws_table
        with self._read() as conn:
            rows = conn.execute(select(t).order_by(t.c.id)).mappings().all()
        return _typed(rows, {"id": "Int64", "at": "datetime", "actor": "str", "category": "str", "seed": "str",
                             "body": "str", "prev_hash": "str", "hash": "str"})

    def panel(self) -> pd.DataFrame:
        """The current panel from the log (latest draw per category, then its replacements), one row per
        expert: category, reviewer_id, role (member / reserve / out), order (within the role), draw_id."""
        from workbench.panel import current_panel

        return current_panel(self.draws())

    # ------------------------------------------------------------------ pledges
    def record_pledge(self, reviewer_id: str, *, method: str = "app", actor: str | None = None,
                      signed_on: dt.date | None = None, note: str = "") -> bool:
        """Record a reviewer's pledge (保密承诺 and 回避声明); False when one was already recorded.

        `method` "app" is the reviewer confirming in the scoring app (actor: the reviewer); "paper"
        is the analyst recording a signed paper pledge (`actor` required, `signed_on` the date on it).
        Declare the conflicts first (`declare_conflict`): the pledge confirms the declaration.
        """
        from workbench.store import _text

        if method not in PLEDGE_METHODS:
            raise WorkbenchError(_message("bad_pledge_method", value=method, known="、".join(PLEDGE_METHODS)),
                                 "bad_pledge_method")
        actor = reviewer_id if method == "app" and not actor else self._actor(actor)
        t = pledges_table
        with self._write() as conn:
            if conn.execute(select(reviewers_table.c.reviewer_id).where(
                    reviewers_table.c.reviewer_id == reviewer_id)).first() is None:
                raise WorkbenchError(_message("unknown_reviewer", reviewer_id=reviewer_id), "unknown_reviewer")
            if conn.execute(select(t.c.reviewer_id).where(t.c.reviewer_id == reviewer_id)).first() is not None:
                return False
            now = self.rnd.now()
            signed = None if signed_on is None else dt.datetime.combine(signed_on, dt.time())
            row = {"method": method, "recorded_by": actor, "signed_on": signed, "note": _text(note)}
            conn.execute(insert(t).values(reviewer_id=reviewer_id, pledged_at=now, **row))
            self._event(conn, "pledge", actor, reviewer_id=reviewer_id, old=None,
                        new={**row, "signed_on": None if signed_on is None else signed_on.isoformat()}, at=now)
        return True

    def pledges(self) -> pd.DataFrame:
        """Per reviewer: reviewer_id, name, pledged (bool), method, pledged_at, recorded_by, signed_on, note."""
        t = pledges_table
        with self._read() as conn:
            found = {r["reviewer_id"]: dict(r) for r in conn.execute(select(t)).mappings()}
        out = self.reviewers()[["reviewer_id", "name"]].copy()
        for col in ("method", "recorded_by", "note"):
            out[col] = out["reviewer_id"].map(lambda r, c=col: found.get(r, {}).get(c, "")).astype("str")
        for col in ("pledged_at", "signed_on"):
            out[col] = pd.to_datetime(out["reviewer_id"].map(lambda r, c=col: found.get(r, {}).get(c))).astype("datetime64[us]")
        out["pledged"] = out["pledged_at"].notna()
        return out[["reviewer_id", "name", "pledged", "method", "pledged_at", "recorded_by", "signed_on", "note"]]

    def has_pledged(self, reviewer_id: str) -> bool:
        with self._read() as conn:
            return conn.execute(select(pledges_table.c.reviewer_id).where(
                pledges_table.c.reviewer_id == reviewer_id)).first() is not None

    @staticmethod
    def _check_pledged(conn: Connection, reviewer_ids: Iterable[str], rnd: Round) -> None:
        """Refuse (PledgeRequiredError) when the round wants a pledge and one of these reviewers has none."""
        if not rnd.panel.pledge_required:
            return
        wanted = sorted(set(reviewer_ids))
        t = pledges_table
        done = set(conn.execute(select(t.c.reviewer_id).where(t.c.reviewer_id.in_(wanted))).scalars())
        missing = [r for r in wanted if r not in done]
        if missing:
            raise PledgeRequiredError(_message("pledge_required", reviewer_id=_listing(missing)), "pledge_required")

    # ------------------------------------------------------------------ paper entries (double entry)
    def save_paper_entry(self, rows: list[dict], entry: int, *, source: str, actor: str) -> None:
        """Keep one typing (`entry` 1 or 2) of paper sheets: rows of reviewer_id, nomination_id, stage,
        points, comment, cells. A sheet typed again at the same entry replaces that entry."""
        if entry not in (1, 2):
            raise WorkbenchError(_message("bad_entry", value=entry), "bad_entry")
        actor = self._actor(actor)
        t = paper_entries_table
        keys = [(r["reviewer_id"], r["nomination_id"], r["stage"]) for r in rows]
        with self._write() as conn:
            now = self.rnd.now()
            for i in range(0, len(keys), 500):
                conn.execute(delete(t).where(and_(t.c.entry == entry, tuple_(t.c.reviewer_id, t.c.nomination_id,
                                                                                t.c.stage).in_(keys[i:i + 500]))))
            if rows:
                conn.execute(insert(t), [{**r, "entry": entry, "source": source, "actor": actor, "at": now} for r in rows])
            for r in rows:
                self._event(conn, "paper_entry", actor, reviewer_id=r["reviewer_id"], nomination_id=r["nomination_id"],
                            stage=r["stage"], payload={"entry": entry, "source": source},
                            new={"points": r["points"], "comment": r["comment"]}, at=now)

    def paper_entries(self) -> pd.DataFrame:
        """Every typed entry: reviewer_id, nomination_id, stage, entry, points (dict), comment, cells (dict),
        source, actor, at."""
        t = paper_entries_table
        with self._read() as conn:
            rows = conn.execute(select(t).order_by(t.c.reviewer_id, t.c.nomination_id, t.c.stage, t.c.entry)).mappings().all()
        return _typed(rows, {"reviewer_id": "str", "nomination_id": "str", "stage": "str", "entry": "Int64",
                             "points": "object", "comment": "str", "cells": "object", "source": "str", "actor": "str",
                             "at": "datetime"})

    # ------------------------------------------------------------------ site visits (实地考察)
    def record_visit(self, nomination_id: str, visit_date: dt.date, inspectors: list[str],
                     checks: dict[str, tuple[bool | None, str]], *, actor: str, photos: list[str] = (),
                     note: str = "") -> None:
        """Record (or correct) the site visit of a nomination: date, inspectors, and per checklist condition
        (the round's `panel.site_conditions`) confirmed True / False / None (not checked) with a note."""
        from workbench.store import _text

        actor = self._actor(actor)
        known = {c.code for c in self.rnd.panel.site_conditions}
        unknown = sorted(set(checks) - known)
        if unknown:
            raise WorkbenchError(_message("unknown_condition", value=unknown[0], known="、".join(sorted(known))),
                                 "unknown_condition")
        people = [p for p in dict.fromkeys(_text(p) for p in inspectors) if p]
        if not people:
            raise WorkbenchError(_message("inspectors_required"), "inspectors_required")
        if not isinstance(visit_date, dt.date):
            raise WorkbenchError(_message("bad_visit_date", value=visit_date), "bad_visit_date")
        day = dt.datetime.combine(visit_date, dt.time()) if not isinstance(visit_date, dt.datetime) else visit_date
        new_checks = {c.code: {"confirmed": checks.get(c.code, (None, ""))[0], "note": _text(checks.get(c.code, (None, ""))[1])}
                      for c in self.rnd.panel.site_conditions}
        for code, value in new_checks.items():
            if value["confirmed"] is not None and not isinstance(value["confirmed"], bool):
                raise WorkbenchError(_message("bad_check", value=value["confirmed"]), "bad_check")
        v, c = site_visits_table, site_checks_table
        visit = {"visit_date": day, "inspectors": people, "photos": [str(p) for p in photos], "note": _text(note)}
        with self._write() as conn:
            if conn.execute(select(nominations_table.c.nomination_id).where(
                    nominations_table.c.nomination_id == nomination_id)).first() is None:
                raise WorkbenchError(_message("unknown_nomination", nomination_id=nomination_id), "unknown_nomination")
            found = conn.execute(select(v).where(v.c.nomination_id == nomination_id)).mappings().first()
            old_checks = {r["condition"]: {"confirmed": r["confirmed"], "note": r["note"]} for r in conn.execute(
                select(c).where(c.c.nomination_id == nomination_id)).mappings()}
            old = None if found is None else {**{k: found[k] for k in visit}, "checks": old_checks}
            new = {**visit, "checks": new_checks}
            if old is not None and canonical(old) == canonical(new):
                return
            now = self.rnd.now()
            conn.execute(delete(c).where(c.c.nomination_id == nomination_id))
            if found is None:
                conn.execute(insert(v).values(nomination_id=nomination_id, actor=actor, at=now, **visit))
            else:
                conn.execute(update(v).where(v.c.nomination_id == nomination_id).values(actor=actor, at=now, **visit))
            conn.execute(insert(c), [{"nomination_id": nomination_id, "condition": k, **x} for k, x in new_checks.items()])
            plain = None if old is None else json.loads(canonical(old))  # dates as text in the ledger
            self._event(conn, "site_visit", actor, nomination_id=nomination_id, old=plain,
                        new=json.loads(canonical(new)), at=now)

    def site_visits(self) -> pd.DataFrame:
        """One row per nomination visited and checklist condition: nomination_id, visit_date, inspectors
        (list), photos (list), visit_note, condition, confirmed (True / False / NA), note, actor, at."""
        v, c = site_visits_table, site_checks_table
        query = (select(v.c.nomination_id, v.c.visit_date, v.c.inspectors, v.c.photos, v.c.note.label("visit_note"),
                        c.c.condition, c.c.confirmed, c.c.note, v.c.actor, v.c.at)
                 .join(c, v.c.nomination_id == c.c.nomination_id).order_by(v.c.nomination_id))
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
        order = {s.code: i for i, s in enumerate(self.rnd.panel.site_conditions)}
        rows = sorted(rows, key=lambda r: (r["nomination_id"], order.get(r["condition"], len(order)), r["condition"]))
        return _typed(rows, {"nomination_id": "str", "visit_date": "datetime", "inspectors": "object", "photos": "object",
                             "visit_note": "str", "condition": "str", "confirmed": "boolean", "note": "str",
                             "actor": "str", "at": "datetime"})
