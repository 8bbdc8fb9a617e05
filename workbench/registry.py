"""The named-studios registry (data/reference/named_studios.csv or the round's copy): what a round adds.

After the 命名通知, this round's approved studios join the registry with their batch and naming
date, so the next round's screening (示范性 "命名满2年", "已命名的不重复命名") knows them without
anyone typing them in. Adding is idempotent: a studio already registered at that level and batch
is not added twice.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from workbench import labels
from workbench.config import Round
from workbench.errors import WorkbenchError

REGISTRY_COLUMNS = ["batch", "category", "studio", "host_unit", "leader", "named_on"]


def named_rows(public: pd.DataFrame, rnd: Round, named_on: dt.date | None = None) -> pd.DataFrame:
    """The approved list (category, studio, host_unit, leader) as registry rows of this round's batches.

    `named_on` defaults to the config's documents.naming_date (the 命名通知's date).
    """
    day = named_on or rnd.documents.naming_date
    if day is None:
        raise WorkbenchError(f"{labels.REGISTRY_TEXT['naming_date_missing']} [naming_date_missing]", "naming_date_missing")
    batch = public["category"].map({c: cfg.batch for c, cfg in rnd.categories.items()})
    rows = public.assign(batch=batch.astype("Int64").astype("string"), named_on=day.isoformat())
    return rows[REGISTRY_COLUMNS].astype("string").reset_index(drop=True)


def merge_named(registry: pd.DataFrame, rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the registry with `rows` appended, the rows actually added); the same batch, level and studio once."""
    registry = registry.reindex(columns=REGISTRY_COLUMNS).astype("string")
    key = ["batch", "category", "studio"]
    known = set(map(tuple, registry[key].fillna("").to_numpy()))
    new = rows[[tuple(r) not in known for r in rows[key].fillna("").to_numpy()]]
    return pd.concat([registry, new], ignore_index=True), new.reset_index(drop=True)


def read_registry(path: Path) -> pd.DataFrame:
    """The registry as text columns; an absent file is an empty registry."""
    if not path.exists():
        return pd.DataFrame(columns=REGISTRY_COLUMNS, dtype="string")
    return pd.read_csv(path, dtype="string", encoding="utf-8-sig", keep_default_na=False)


def add_named(rnd: Round, public: pd.DataFrame, named_on: dt.date | None = None) -> pd.DataFrame:
    """Add the approved studios to the round's registry file (paths.named_studios); returns the added rows."""
    path = rnd.paths.named_studios
    merged, added = merge_named(read_registry(path), named_rows(public, rnd, named_on))
    if len(added):
        path.parent.mkdir(parents=True, exist_ok=True)
        merged.to_csv(path, index=False, encoding="utf-8-sig")
    return added
