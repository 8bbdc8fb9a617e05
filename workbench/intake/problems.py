"""The problems table: one row per thing a recommending union must fix, with where it is."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from workbench.names import folder_union

PROBLEM_COLUMNS = ["recommender", "file", "sheet", "cell", "field", "value", "severity", "code", "message"]


class Problem(NamedTuple):
    """One thing to fix (a named tuple: intake makes thousands of them)."""

    file: str
    sheet: str
    cell: str
    field: str
    value: str
    severity: str  # error | warning
    code: str  # English, stable: what tests and scripts match on
    message: str  # Chinese, for the union


def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) -> 'D7'."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def shown(value: object) -> str:
    """A cell's value as the union sees it in Excel: 9, not the 9.0 a workbook stores; TRUE, not True; blank for none."""
    if value is None:
        return ""
    if value.__class__ is bool:
        return "TRUE" if value else "FALSE"
    return f"{value:.15g}" if value.__class__ is float else str(value)


def problems_frame(problems: list[Problem], recommender_of: dict[str, str]) -> pd.DataFrame:
    """Problems as a frame; `recommender` is the union that sent the file (`recommender_of`: by the name its
    summary writes), else the union its inbox folder is named for (as its summary writes it, if any)."""
    columns = dict(zip(PROBLEM_COLUMNS[1:], zip(*problems))) if problems else {c: () for c in PROBLEM_COLUMNS[1:]}
    by_folder = {}
    for rel, union in recommender_of.items():
        by_folder.setdefault(rel.split("/")[0] if "/" in rel else "", union)
    columns["recommender"] = [recommender_of.get(f) or by_folder.get(f.split("/")[0]) or folder_union(f.split("/")[0])
                              if "/" in f else recommender_of.get(f, "") for f in columns["file"]]
    return pd.DataFrame({c: pd.array(list(columns[c]), dtype="string") for c in PROBLEM_COLUMNS})
