"""The problems workbook the analyst sends back: one sheet per union, what to fix and where."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from workbench import labels
from workbench.export import frame_to_sheet, new_workbook, save, xml_text

REPORT_COLUMNS = ["severity_label", "file", "sheet", "cell", "message", "value", "code"]
REPORT_HEADERS = {c: labels.COLUMNS["severity" if c == "severity_label" else c] for c in REPORT_COLUMNS}


def _sheet_title(name: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\ nor what XML cannot hold, not beginning
    or ending with an apostrophe, unique."""
    base = re.sub(r"[\[\]:*?/\\]", "", xml_text(name))[:28].strip("'") or labels.PROBLEMS_NO_UNION
    title, n = base, 2
    while title in used:
        title, n = f"{base}{n}", n + 1
    used.add(title)
    return title


def write_problems_workbook(problems: pd.DataFrame, path: str | Path) -> Path:
    """问题清单.xlsx: a summary sheet, then one sheet per recommending union, errors first."""
    book = new_workbook()
    inside_union = problems["file"].str.split("/", n=1).str[-1]  # each union's sheet: paths from its own folder
    df = problems.assign(severity_label=problems["severity"].map(labels.SEVERITY), file=inside_union,
                         recommender=problems["recommender"].fillna("").replace("", labels.PROBLEMS_NO_UNION))
    df = df.sort_values(["recommender", "severity", "file", "sheet", "cell"], kind="stable")
    summary = (df.groupby("recommender", dropna=False)["severity"].value_counts().unstack(fill_value=0)
               .reindex(columns=["error", "warning"], fill_value=0).reset_index())
    frame_to_sheet(book.create_sheet("汇总"), summary,
                   {"recommender": labels.COLUMNS["recommender"], "error": labels.SEVERITY["error"], "warning": labels.SEVERITY["warning"]},
                   labels.PROBLEMS_TITLE, note=labels.PROBLEMS_NOTE)
    used = {"汇总"}
    for recommender, part in df.groupby("recommender", dropna=False, sort=True):
        frame_to_sheet(book.create_sheet(_sheet_title(str(recommender), used)), part.reset_index(drop=True),
                       REPORT_HEADERS, f"{recommender}：报送材料需修改的问题", highlight=part["severity"].eq("error").reset_index(drop=True))
    return save(book, Path(path))
