"""The paper side of a submission, from the receipt register (inbox/收件登记.csv).

The notice asks for the paper materials 一式两份, bound into a volume (装订成册), sealed, and filed
after the unit's party and administrative leadership agreed (征得单位党政组织同意). The office
records them per nomination in the register: a row whose `studio` column names the studio (its
`file` is the studio's 推荐表, under the union's folder), with paper_copies, bound, sealed and
party_consent. A row without a studio (the union's summary file) applies to every nomination of that
union that has no row of its own. What was not recorded stays unknown (screening: 待核实).
"""

from __future__ import annotations

import pandas as pd

from workbench import labels
from workbench.intake.problems import Problem
from workbench.intake.register import Register
from workbench.intake.values import ValueProblem, normalise_header, normalise_text, parse_bool, parse_number

PAPER_DTYPES: dict[str, str] = {"paper_copies": "Int64", "paper_bound": "boolean", "paper_sealed": "boolean",
                                "party_consent": "boolean"}
KEY_COLUMNS = ("folder", "studio_key")
COPIES_UNIT = "份"  # 2份


def _canonical(header: str) -> str:
    norm = normalise_header(header)
    for field, names in labels.RECEIPT_PAPER_HEADERS.items():
        if norm in {normalise_header(n) for n in names}:
            return field
    return header


def _paper_value(field: str, value: str) -> tuple[object, ValueProblem | None]:
    """One register entry read as its field's type, or the problem with it."""
    try:
        if field == "paper_copies":
            return parse_number(value.strip().removesuffix(COPIES_UNIT)), None
        return parse_bool(value), None
    except ValueProblem as exc:
        return None, exc


def read_paper(register: Register | None) -> tuple[pd.DataFrame, list[Problem]]:
    """The register's paper columns (the register as `read_register` parsed it, every cell as written):
    folder, studio_key (blank: the whole union) and PAPER_DTYPES."""
    raw = {_canonical(header): cells for header, cells in (register or {}).items()}
    if "file" not in raw or not set(PAPER_DTYPES) & set(raw):  # none, or unreadable: read_register reports that
        return _paper_frame({c: [] for c in (*KEY_COLUMNS, *PAPER_DTYPES)}), []
    blank = [""] * len(raw["file"])
    column = {c: raw.get(c, blank) for c in ("file", "studio", *PAPER_DTYPES)}
    files = [normalise_text(f).replace("\\", "/") for f in column["file"]]
    data: dict[str, list] = {"folder": [f.split("/")[0] if "/" in f else "" for f in files],
                             "studio_key": [normalise_text(s) for s in column["studio"]]}
    found: list[tuple[int, int, Problem]] = []  # (row, field, problem): problems in row order
    for k, field in enumerate(PAPER_DTYPES):
        parsed = {value: _paper_value(field, value) for value in set(column[field])}  # each distinct entry once
        data[field] = [parsed[value][0] for value in column[field]]
        if all(problem is None for _, problem in parsed.values()):
            continue
        found += [(i, k, Problem(labels.RECEIPTS_FILE, "", f"第{i + 2}行", field, str(value), "warning", "bad_paper_record",
                                 f"{labels.RECEIPT_PAPER_HEADERS[field][0]}无法识别：{parsed[value][1]}"))
                  for i, value in enumerate(column[field]) if parsed[value][1] is not None]
    problems = [problem for _, _, problem in sorted(found, key=lambda f: f[:2])]
    data["paper_copies"] = [None if v is None else round(v) for v in data["paper_copies"]]  # 2.0 copies -> 2
    return _paper_frame(data), problems


def _paper_frame(data: dict[str, list]) -> pd.DataFrame:
    dtypes = {**{c: "string" for c in KEY_COLUMNS}, **PAPER_DTYPES}
    return pd.DataFrame({c: pd.array(data[c], dtype=dtype) for c, dtype in dtypes.items()})


def attach_paper(nominations: pd.DataFrame, paper: pd.DataFrame) -> pd.DataFrame:
    """The nominations with the paper columns: their own row first, else their union's row, else unknown."""
    folders = [normalise_text(f).split("/")[0] if "/" in f else "" for f in nominations["source_file"].fillna("").tolist()]
    studios = [normalise_text(s) for s in nominations["studio"].fillna("").tolist()]
    rows = zip(*(paper[c].tolist() for c in (*KEY_COLUMNS, *PAPER_DTYPES)))
    own: dict[tuple[str, str], tuple] = {}
    union: dict[str, tuple] = {}
    for folder, studio, *values in rows:  # a later row for the same studio or union wins
        if studio != "":
            own[(folder, studio)] = tuple(values)
        else:
            union[folder] = tuple(values)
    blank = (pd.NA,) * len(PAPER_DTYPES)
    found = []
    for folder, studio in zip(folders, studios):
        mine, theirs = own.get((folder, studio), blank), union.get(folder, blank)
        found.append(mine if theirs is blank else theirs if mine is blank else
                     tuple(t if m is pd.NA else m for m, t in zip(mine, theirs)))
    columns = zip(*found) if found else [()] * len(PAPER_DTYPES)
    return nominations.assign(**{field: pd.array(list(values), dtype=dtype)
                                 for (field, dtype), values in zip(PAPER_DTYPES.items(), columns)})
