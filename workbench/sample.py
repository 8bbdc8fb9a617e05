"""The fictional sample round: nominations with planted problems, and the folder a city union receives.

`sample_nominations` is the pure core: the clean nominations frame (what intake should read back)
with ground-truth columns naming the problems planted in each row, plus the registry of studios
named in earlier batches. It is vectorised with numpy, so 10^5 nominations take seconds.
`make_sample` is the edge: it writes the round folder the way unions really fill Excel in (merged
title, a fill line, headers on row 3-6 with aliases and line breaks, numbers with units, dates in
five styles, several sheets, .xlsm), one 推荐表 per studio, tiny photos, the receipts log and the
reference files. Every name, phone number, honour holder and text is invented; phones contain 0000.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.constants import XLSM, XLSX
from PIL import Image, ImageDraw

from workbench import labels
from workbench.config import Round, load_round
from workbench.intake.values import FIELD_TYPES

# ---------------------------------------------------------------------------- planted cases
# Case code -> (screening rule code, expected result). Codes are those of workbench.screening.RULES.
CASE_RULES: dict[str, tuple[str, str]] = {
    "no_honour": ("leader_honour", "fail"),
    "unknown_honour": ("leader_honour", "review"),
    "small_team": ("team_size", "fail"),
    "no_frontline": ("frontline", "fail"),
    "young": ("running", "fail"),
    "never_named": ("named_years", "fail"),
    "named_recently": ("named_years", "fail"),
    "direct": ("named_years", "review"),
    "late_file": ("on_time", "fail"),
    "duplicate": ("no_duplicate", "review"),  # the notice: keep one after checking
    "already_named": ("not_already_named", "fail"),
    "not_legal_person": ("legal_person", "fail"),
    "rnd_or_team": ("not_rnd_or_team", "fail"),
    "no_video": ("video", "fail"),
}
# missing_value: the blanked field -> the rule that must then say review.
MISSING_FIELD_RULES: dict[str, str] = {
    "team_size": "team_size", "established": "running", "legal_person": "legal_person",
    "results_last_year": "results", "funding": "funding", "site_area": "site",
}
CASES: tuple[str, ...] = (
    "over_quota", "no_honour", "unknown_honour", "small_team", "no_frontline", "young", "never_named",
    "named_recently", "direct", "late_file", "duplicate", "already_named", "form_mismatch",
    "not_legal_person", "rnd_or_team", "no_video", "missing_value", "bad_rank", "photos_short",
    "paper_short", "no_consent", "paper_unrecorded",
)
# The paper side (收件登记): case -> share of the otherwise clean rows; planted with their own random stream.
PAPER_CASES: tuple[tuple[str, float], ...] = (("paper_short", 0.02), ("no_consent", 0.01), ("paper_unrecorded", 0.01))
PAPER_SHORTFALLS = ("copies", "bound", "sealed")  # paper_short variants, cycled
PAPER_RULES = {"copies": "paper_copies", "bound": "paper_bound", "sealed": "paper_sealed", "party_consent": "party_consent"}
# Row-level cases: (code, categories drawn from, share of those rows).
_ROW_CASES: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("no_honour", ("model_worker", "employee"), 0.03),
    ("unknown_honour", ("model_worker", "employee"), 0.02),
    ("small_team", ("model_worker", "employee"), 0.02),
    ("no_frontline", ("employee",), 0.04),
    ("young", ("model_worker", "employee"), 0.02),
    ("never_named", ("demonstration",), 0.07),
    ("named_recently", ("demonstration",), 0.07),
    ("direct", ("demonstration",), 0.06),
    ("no_video", ("demonstration",), 0.06),
    ("already_named", ("model_worker",), 0.015),
    ("not_legal_person", ("demonstration", "model_worker", "employee"), 0.012),
    ("rnd_or_team", ("demonstration", "model_worker", "employee"), 0.012),
    ("missing_value", ("demonstration", "model_worker", "employee"), 0.02),
    ("form_mismatch", ("demonstration", "model_worker", "employee"), 0.03),
    ("photos_short", ("demonstration", "model_worker", "employee"), 0.03),
)
FORM_MISMATCHES = ("members", "leader", "achievements")
PHOTO_SHORTAGES = ("no_leader", "no_team", "few_scenes", "none")

# Fictional dates of earlier batches (the sample's registry only).
MODEL_BATCHES = {1: "2009-04-28", 2: "2011-04-27", 3: "2013-04-26", 4: "2015-04-28", 5: "2017-04-27",
                 6: "2019-04-26", 7: "2021-04-28"}
DEMONSTRATION_BATCHES = {1: "2014-04-28", 2: "2016-04-27", 3: "2018-04-27", 4: "2021-04-28"}
EMPLOYEE_BATCHES = {1: "2021-04-28"}

FIXED_STAMP = dt.datetime(2022, 10, 26, 9, 0, 0)  # workbook properties and zip entries: byte-stable files
TRUTH_DTYPES: dict[str, str] = {
    "nomination_id": "str", "recommender": "str", "category": "str", "recommender_rank": "Int64",
    "studio": "str", "host_unit": "str", "legal_person": "boolean", "union_sound": "boolean",
    "rnd_or_team": "boolean", "party_building": "boolean", "leader": "str", "leader_honours": "object",
    "team_size": "Int64", "frontline": "Int64", "established": "datetime64[ns]", "named_on": "datetime64[ns]",
    "direct": "boolean", "site_area": "Float64", "funding": "Float64", "systems": "boolean", "ledger": "boolean",
    "results_last_year": "Int64", "benefit": "Float64", "video": "boolean", "contact": "str", "phone": "str",
    "note": "str", "received_at": "datetime64[ns]", "source_file": "str", "source_row": "Int64",
    "paper_copies": "Int64", "paper_bound": "boolean", "paper_sealed": "boolean", "party_consent": "boolean",
    "case": "str", "expected_rules_fail": "str", "expected_rules_review": "str", "expected_quota": "str",
    "case_detail": "str",
}
REGISTRY_COLUMNS = ["batch", "category", "studio", "host_unit", "leader", "named_on"]


class SampleError(ValueError):
    """The sample cannot be written where asked (code: sample_target_not_empty)."""

    code = "sample_target_not_empty"


@dataclass(frozen=True)
class _Plan:
    truth: pd.DataFrame
    named: pd.DataFrame
    unions: pd.DataFrame  # one row per union: layout of its summary file, receipt, contact
    techs: np.ndarray  # each nomination's field of work (for the narratives of its form)


# ---------------------------------------------------------------------------- small pure helpers
def _month(text: str) -> int:
    """'2019-04-26' -> a month index (year * 12 + month - 1)."""
    return int(text[:4]) * 12 + int(text[5:7]) - 1


def _month_dates(index: np.ndarray, na: np.ndarray | None = None) -> np.ndarray:
    """Month indices -> datetime64[ns] of the month's first day (NaT where na)."""
    out = ((index - 1970 * 12).astype("int64")).astype("datetime64[M]").astype("datetime64[ns]")
    if na is not None:
        out[na] = np.datetime64("NaT")
    return out


def _objects(items: list) -> np.ndarray:
    """A 1-d object array holding `items` as they are (lists stay lists)."""
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out


def _none(n: int) -> np.ndarray:
    return np.zeros(n, dtype=bool)


def _fullwidth(text: str) -> str:
    """'120.5' -> '１２０．５' (what a Chinese input method types)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _num_text(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _append(codes: np.ndarray, rows: np.ndarray, code: str) -> None:
    """Add `code` to the ';'-joined code lists at `rows` (in place)."""
    codes[rows] = [f"{c};{code}" if c else code for c in codes[rows]]


def _union_table(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """The recommending unions: the eight district unions, bureaus and companies, then numbered ones."""
    rows = [(name, "district", region, "") for name, region in labels.SAMPLE_DISTRICT_UNIONS.items()]
    rows += [(name, sector, labels.SAMPLE_CITY, brand) for name, sector, brand in labels.SAMPLE_OTHER_UNIONS]
    brands, words, sectors = labels.SAMPLE_BRANDS, labels.SAMPLE_GROUP_WORDS, list(labels.SAMPLE_SECTORS)
    for k in range(max(0, n - len(rows))):
        brand, word, cycle = brands[k % len(brands)], words[(k // len(brands)) % len(words)], k // (len(brands) * len(words))
        name = (labels.SAMPLE_GENERATED_UNION.format(brand=brand, word=word) if cycle == 0 else
                labels.SAMPLE_GENERATED_UNION_NUMBERED.format(brand=brand, word=word, n=cycle + 1))
        rows.append((name, sectors[k % len(sectors)], labels.SAMPLE_CITY, brand))
    return pd.DataFrame(rows[:n], columns=["union", "sector", "region", "brand"])


def _unique_names(rng: np.random.Generator, k: int) -> np.ndarray:
    """k distinct invented Chinese names (surname + one or two given characters)."""
    surnames = np.array(list(labels.SAMPLE_SURNAMES))
    given = np.array(list(dict.fromkeys(labels.SAMPLE_GIVEN)))
    ns, ng = len(surnames), len(given)
    k1 = min(k // 8, ns * ng // 2)
    short = rng.choice(ns * ng, size=k1, replace=False)
    long = rng.choice(ns * ng * ng, size=k - k1, replace=False)
    names = np.concatenate([
        np.char.add(surnames[short // ng], given[short % ng]),
        np.char.add(np.char.add(surnames[long // (ng * ng)], given[(long // ng) % ng]), given[long % ng]),
    ])
    return names[rng.permutation(k)].astype(object)


def _any_names(rng: np.random.Generator, k: int) -> np.ndarray:
    """k invented names, repeats allowed (contacts, team members)."""
    surnames = np.array(list(labels.SAMPLE_SURNAMES))
    given = np.array(list(dict.fromkeys(labels.SAMPLE_GIVEN)))
    first = np.char.add(surnames[rng.integers(0, len(surnames), k)], given[rng.integers(0, len(given), k)])
    second = np.where(rng.random(k) < 0.8, given[rng.integers(0, len(given), k)], "")
    return np.char.add(first, second).astype(object)


def _phones(rng: np.random.Generator, k: int) -> np.ndarray:
    """Fictional phone numbers: every one contains 0000."""
    prefix = rng.choice(["135", "138", "139", "151", "158", "180", "189"], k)
    tail = np.char.zfill(rng.integers(0, 10000, k).astype(str), 4)
    mobile = np.char.add(np.char.add(prefix, "0000"), tail)
    dashed = np.char.add(np.char.add(prefix, "-0000-"), tail)
    landline = np.char.add("0510-0000", tail)
    style = rng.random(k)
    return np.where(style < 0.6, mobile, np.where(style < 0.8, dashed, landline)).astype(object)


def _host_units(rng: np.random.Generator, unions: pd.DataFrame, u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Invented host units for rows of unions `u`: (host_unit, brand, sector)."""
    n = len(u)
    sector = unions["sector"].to_numpy(dtype=object)[u]
    district = sector == "district"
    sector[district] = rng.choice(["manufacturing"] * 5 + ["construction", "commerce", "utility", "agriculture"],
                                  int(district.sum()))
    brand = unions["brand"].to_numpy(dtype=object)[u].copy()
    free = brand == ""
    brand[free] = rng.choice(labels.SAMPLE_BRANDS, int(free.sum()))
    brand[sector == "metro"] = ""
    region = unions["region"].to_numpy(dtype=object)[u].copy()
    region[sector == "metro"] = labels.SAMPLE_METRO_REGION
    host = np.empty(n, dtype=object)
    for code, spec in labels.SAMPLE_SECTORS.items():
        rows = np.flatnonzero(sector == code)
        if len(rows):
            industry = rng.choice(spec["industries"], len(rows))
            suffix = rng.choice(spec["suffixes"], len(rows))
            host[rows] = region[rows] + brand[rows] + industry.astype(object) + suffix.astype(object)
    return host, brand, sector


def _honour_pools(rnd: Round, honours: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per category: (qualifying titles, their weights, non-qualifying titles), from the round's rules."""
    titles = honours["title"].astype(str).to_numpy()
    kinds = honours["kind"].astype(str).to_numpy()
    levels = honours["level"].astype(int).to_numpy()
    pools = {}
    for cat, cond in rnd.conditions.items():
        ok = np.zeros(len(titles), dtype=bool)
        for need in cond.leader_honours:
            ok |= (kinds == need.kind) & (levels >= need.min_level)
        senior = cat == "demonstration"
        weights = np.where(levels == 2, 1.0 if senior else 6.0, np.where(levels == 3, 4.0 if senior else 3.0, 2.0 if senior else 1.0))
        w = weights[ok]
        pools[cat] = (titles[ok], w / w.sum(), titles[~ok & (levels >= 1)])
    return pools


def _honour_lists(rng: np.random.Generator, category: np.ndarray, pools: dict, all_titles: np.ndarray) -> np.ndarray:
    """Each leader's honours: one qualifying title, sometimes one or two other known titles."""
    n = len(category)
    first = np.empty(n, dtype=object)
    for cat, (qual, weights, _) in pools.items():
        rows = np.flatnonzero(category == cat)
        first[rows] = rng.choice(qual, len(rows), p=weights)
    n_extra = rng.choice([0, 1, 2], n, p=[0.5, 0.35, 0.15])
    extras = rng.choice(all_titles, (n, 2))
    return _objects([[f] + [e for e in dict.fromkeys(ex[:k]) if e != f] for f, k, ex in zip(first, n_extra, extras)])


# ---------------------------------------------------------------------------- the plan
Rows = dict[str, np.ndarray]  # one array per attribute, one element per nomination


@dataclass(frozen=True)
class _Special:
    """Unions that carry union-level cases."""

    over_model: np.ndarray
    over_employee: np.ndarray
    late: np.ndarray
    bad_rank: np.ndarray
    duplicate_targets: np.ndarray


def _union_counts(n: int, rnd: Round, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, _Special]:
    """How many nominations each union lists per quota group, and which unions carry union-level cases."""
    model_limit = rnd.quota_group_of("model_worker").limit
    emp_limit = rnd.quota_group_of("employee").limit
    n_model = np.minimum(rng.choice([0, 1, 2, 3], n, p=[0.05, 0.25, 0.35, 0.35]), model_limit)
    n_emp = np.minimum((rng.random(n) < 0.65).astype(int), emp_limit)
    order = rng.permutation(n)
    k_over = min(n, max(1, round(0.06 * n)))
    k_late = min(n - k_over, max(1, round(n / 35)))
    k_bad = min(n - k_over - k_late, max(1, round(n / 35)))
    over, late = order[:k_over], order[k_over:k_over + k_late]
    bad, rest = order[k_over + k_late:k_over + k_late + k_bad], order[k_over + k_late + k_bad:]
    n_model[over[0::2]] = model_limit + rng.integers(1, 3, len(over[0::2]))
    n_emp[over[1::2]] = emp_limit + 1
    n_model[late] = np.maximum(n_model[late], 1)
    n_model[bad] = np.clip(n_model[bad], min(2, model_limit), model_limit)
    targets = rest[n_model[rest] < model_limit][: max(1, round(n / 35)) if n >= 4 else 0]
    return n_model, n_emp, _Special(over[0::2], over[1::2], late, bad, targets)


def _base_rows(unions: pd.DataFrame, n_model: np.ndarray, n_emp: np.ndarray, leader: np.ndarray,
               rnd: Round, pools: dict, known: np.ndarray, rng: np.random.Generator) -> Rows:
    """Clean, eligible nominations: model group first, then employee, ranked 1..k within each group."""
    n = len(unions)
    u = np.concatenate([np.repeat(np.arange(n), n_model), np.repeat(np.arange(n), n_emp)])
    group = np.concatenate([np.zeros(n_model.sum(), int), np.ones(n_emp.sum(), int)])
    m = len(u)
    category = np.where(group == 1, "employee", np.where(rng.random(m) < 0.2, "demonstration", "model_worker")).astype(object)
    sizes = np.concatenate([n_model, n_emp])
    host, brand, sector = _host_units(rng, unions, u)
    emp, demo = category == "employee", category == "demonstration"
    techs = np.empty(m, dtype=object)
    for code, spec in labels.SAMPLE_SECTORS.items():
        rows = np.flatnonzero(sector == code)
        techs[rows] = rng.choice(spec["techs"], len(rows))
    short = np.where(brand == "", labels.SAMPLE_METRO_SHORT, brand)
    by_leader = np.array([(labels.SAMPLE_STUDIO_EMPLOYEE if e else labels.SAMPLE_STUDIO_MODEL).format(leader=name)
                          for name, e in zip(leader, emp)], dtype=object)
    by_tech = np.array([(labels.SAMPLE_STUDIO_TECH_EMPLOYEE if e else labels.SAMPLE_STUDIO_TECH).format(brand=b, tech=t)
                        for b, t, e in zip(short, techs, emp)], dtype=object)
    studio = np.where(rng.random(m) < 0.25, by_tech, by_leader)
    studio = np.where(pd.Series(studio).duplicated(keep="first").to_numpy(), by_leader, studio)
    team = np.where(demo, rng.integers(10, 31, m), np.where(emp, rng.integers(3, 13, m), rng.integers(6, 26, m)))
    batch_month = np.array([_month(d) for d in MODEL_BATCHES.values()])
    named_month = batch_month[rng.integers(0, 6, m)]  # batches 1-6: named 2+ years before the round
    est = np.where(emp, rng.integers(2015 * 12, 2021 * 12 + 6, m), rng.integers(2012 * 12, 2021 * 12 + 6, m))
    site = np.round(np.where(demo, rng.uniform(80, 400, m), np.where(emp, rng.uniform(20, 120, m), rng.uniform(40, 250, m))))
    rows: Rows = {
        "u": u, "group": group, "rank": np.arange(m) - np.repeat(np.cumsum(sizes) - sizes, sizes) + 1,
        "category": category, "leader": leader, "host": host, "studio": studio, "techs": techs,
        "honours": _honour_lists(rng, category, pools, known), "team": team,
        "frontline": np.where(emp, rng.integers(1, team + 1), np.maximum(1, (team * rng.uniform(0.3, 1.0, m)).astype(int))),
        "est": np.where(demo, named_month - rng.integers(12, 60, m), est), "named_month": named_month.astype(float),
        "site": np.where(rng.random(m) < 0.1, site + 0.5, site),
        "funding": np.round(np.where(demo, rng.uniform(10, 80, m), np.where(emp, rng.uniform(2, 20, m), rng.uniform(5, 40, m))) * 2) / 2,
        "benefit": np.round(np.where(demo, rng.uniform(200, 3000, m), np.where(emp, rng.uniform(10, 500, m), rng.uniform(50, 1500, m))), 1),
        "results": np.where(demo, rng.integers(3, 13, m), rng.integers(1, 9, m)),
        "party": np.where(emp, rng.random(m) < 0.85, True), "legal": np.ones(m, bool), "rnd_team": np.zeros(m, bool),
        "direct": np.zeros(m, bool), "video": np.ones(m, bool), "registered": demo.copy(),
        "note": np.where(rng.random(m) < 0.8, "", rng.choice(labels.SAMPLE_ROW_NOTES, m)).astype(object),
        "case": np.full(m, "", dtype=object), "detail": np.full(m, "", dtype=object),
        "expected_quota": np.full(m, "in_quota", dtype=object),
    }
    for field_name in ("recommender_rank", *MISSING_FIELD_RULES):
        rows[f"na_{field_name}"] = _none(m)
    return rows


def _plant_union_cases(rows: Rows, special: _Special, rnd: Round, rng: np.random.Generator) -> None:
    """over_quota (the rows past the limit), late_file (all rows of the union), bad_rank (in place)."""
    u, group, rank = rows["u"], rows["group"], rows["rank"]
    model_limit = rnd.quota_group_of("model_worker").limit
    emp_limit = rnd.quota_group_of("employee").limit
    over = ((np.isin(u, special.over_model) & (group == 0) & (rank > model_limit))
            | (np.isin(u, special.over_employee) & (group == 1) & (rank > emp_limit)))
    _append(rows["case"], np.flatnonzero(over), "over_quota")
    rows["expected_quota"][over] = "over_quota"
    _append(rows["case"], np.flatnonzero(np.isin(u, special.late)), "late_file")
    for i, b in enumerate(special.bad_rank):
        members = np.flatnonzero((u == b) & (group == 0))
        if i % 2 == rng.integers(0, 2):
            rank[members[1]] = rank[members[0]]
            hit, what = members[:2], "bad_rank:repeated"
        else:
            rows["na_recommender_rank"][members[-1]] = True
            hit, what = members[-1:], "bad_rank:missing"
        _append(rows["case"], hit, "bad_rank")
        _append(rows["detail"], hit, what)


def _plant_duplicates(rows: Rows, special: _Special, n_model: np.ndarray, rng: np.random.Generator) -> Rows:
    """Copy a clean 劳模 nomination of one union into another union's list (both rows flagged)."""
    targets = special.duplicate_targets
    sources = np.flatnonzero((rows["category"] == "model_worker") & (rows["case"] == "")
                             & ~np.isin(rows["u"], special.over_model) & ~np.isin(rows["u"], targets))
    k = min(len(sources), len(targets))
    if k == 0:
        return rows
    sources, targets = rng.choice(sources, k, replace=False), targets[:k]
    m = len(rows["u"])
    out = {key: np.concatenate([v, v[sources]]) for key, v in rows.items()}
    out["u"][m:] = targets
    out["rank"][m:] = n_model[targets] + 1
    _append(out["case"], np.concatenate([sources, np.arange(m, m + k)]), "duplicate")
    return out


def _plant_row_cases(rows: Rows, rnd: Round, pools: dict, unknown: np.ndarray, rng: np.random.Generator) -> None:
    """Each row-level case on its share of the rows that have no other case (in place)."""
    category = rows["category"]
    taken = rows["case"] != ""
    last_batch = _month(MODEL_BATCHES[max(MODEL_BATCHES)])
    for code, cats, share in _ROW_CASES:
        eligible = np.isin(category, cats)
        pool = np.flatnonzero(eligible & ~taken)
        k = min(len(pool), max(1, round(share * eligible.sum()))) if len(pool) else 0
        hit = rng.choice(pool, k, replace=False) if k else pool
        taken[hit] = True
        _append(rows["case"], hit, code)
        if code == "no_honour":
            rows["honours"][hit] = _objects([list(rng.choice(pools[c][2], rng.integers(1, 3), replace=False)) for c in category[hit]])
        elif code == "unknown_honour":
            rows["honours"][hit] = _objects([[t] for t in rng.choice(unknown, len(hit))])
        elif code == "small_team":
            rows["team"][hit] = [rnd.conditions[c].min_team - 1 for c in category[hit]]
            rows["frontline"][hit] = np.minimum(rows["frontline"][hit], rows["team"][hit])
        elif code == "no_frontline":
            rows["frontline"][hit] = 0
        elif code == "young":
            rows["est"][hit] = rng.integers(2022 * 12, 2022 * 12 + 7, len(hit))
        elif code in ("never_named", "direct"):
            rows["registered"][hit] = False
            rows["named_month"][hit] = np.nan
            if code == "direct":
                rows["direct"][hit] = True
                rows["note"][hit] = labels.SAMPLE_DIRECT_NOTE
        elif code == "named_recently":
            rows["named_month"][hit] = last_batch
            rows["est"][hit] = np.minimum(rows["est"][hit], last_batch - 24)
        elif code == "no_video":
            rows["video"][hit] = False
        elif code == "not_legal_person":
            rows["legal"][hit] = False
            rows["host"][hit] = rows["host"][hit] + rng.choice(labels.SAMPLE_BRANCHES, len(hit)).astype(object)
        elif code == "rnd_or_team":
            rows["rnd_team"][hit] = True
            rows["note"][hit] = labels.SAMPLE_RND_NOTE
        elif code == "missing_value":
            fields = rng.choice(list(MISSING_FIELD_RULES), len(hit))
            for r, f in zip(hit, fields):
                rows[f"na_{f}"][r] = True
            rows["detail"][hit] = [f"missing_value:{f}" for f in fields]
        elif code in ("form_mismatch", "photos_short"):
            kinds = FORM_MISMATCHES if code == "form_mismatch" else PHOTO_SHORTAGES
            first = int(rng.integers(0, len(kinds)))  # cycle, so a small round shows each variant
            rows["detail"][hit] = [f"{code}:{kinds[(first + i) % len(kinds)]}" for i in range(len(hit))]


def _expected(rows: Rows) -> tuple[np.ndarray, np.ndarray]:
    """The screening rule codes each row should fail, and those it should send to review."""
    m = len(rows["u"])
    fails, reviews = np.full(m, "", dtype=object), np.full(m, "", dtype=object)
    codes = [set(c.split(";")) for c in rows["case"]]
    for code, (rule, result) in CASE_RULES.items():
        _append(fails if result == "fail" else reviews, np.flatnonzero([code in c for c in codes]), rule)
    for field_name, rule in MISSING_FIELD_RULES.items():
        _append(reviews, np.flatnonzero(rows[f"na_{field_name}"]), rule)
    for i, (fail, review) in enumerate(zip(rows["paper_fail"], rows["paper_review"])):
        for codes, extra in ((fails, fail), (reviews, review)):
            for rule in filter(None, extra.split(";")):
                _append(codes, np.array([i]), rule)
    return fails, reviews


def _plant_paper(rows: Rows, rnd: Round, seed: int) -> None:
    """The paper side of each row (copies, bound, sealed, party consent, recorded at all), with the
    paper cases planted on otherwise clean rows, and the screening results they must give (in place)."""
    m = len(rows["u"])
    rng = np.random.default_rng([seed, 5])
    rows["paper_copies"] = np.full(m, rnd.receipts.copies)
    for key in ("paper_bound", "paper_sealed", "party_consent", "paper_recorded"):
        rows[key] = np.ones(m, bool)
    rows["paper_fail"], rows["paper_review"] = np.full(m, "", dtype=object), np.full(m, "", dtype=object)
    need = rnd.receipts
    for code, share in PAPER_CASES:
        pool = np.flatnonzero(rows["case"] == "")
        hit = rng.choice(pool, min(len(pool), max(1, round(share * m))), replace=False) if len(pool) else pool
        _append(rows["case"], hit, code)
        if code == "paper_short":
            first = int(rng.integers(0, len(PAPER_SHORTFALLS)))
            for k, r in enumerate(hit):
                kind = PAPER_SHORTFALLS[(first + k) % len(PAPER_SHORTFALLS)]
                rows["detail"][r] = f"paper_short:{kind}"
                if kind == "copies":
                    rows["paper_copies"][r] = need.copies - 1
                else:
                    rows[PAPER_RULES[kind]][r] = False
                if kind in need.required:
                    _append(rows["paper_fail" if need.shortfall == "fail" else "paper_review"], np.array([r]), PAPER_RULES[kind])
        elif code == "no_consent":
            rows["party_consent"][hit] = False
            if "party_consent" in need.required:
                _append(rows["paper_fail" if need.shortfall == "fail" else "paper_review"], hit, "party_consent")
        else:
            rows["paper_recorded"][hit] = False
            for kind in need.required:
                _append(rows["paper_review"], hit, PAPER_RULES[kind])


def _layout(unions: pd.DataFrame, rows: Rows, late: np.ndarray, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """Per union: summary file, header row, fill line, contact, receipt; per row: its worksheet row."""
    n, u = len(unions), rows["u"]
    m = len(u)
    starts = np.searchsorted(u, np.arange(n))
    pos = np.arange(m) - starts[u]
    has_fill = rng.random(n) < 0.9
    has_rec_col = ~has_fill | (rng.random(n) < 0.8)
    header_row = np.where(has_fill, 3 + rng.choice([0, 0, 0, 1, 1, 2, 3], n), 2 + (rng.random(n) < 0.5))
    ext = np.full(n, ".xlsx", dtype=object)
    ext[rng.choice(n, min(n, max(1, round(0.1 * n))), replace=False)] = ".xlsm"
    fill_day = rng.integers(18, 29, n)
    receipt_day = np.minimum(fill_day + rng.integers(0, 3, n), 28)
    receipt_minute = rng.integers(8 * 60 + 30, 17 * 60 + 10, n)
    in_receipts = (rng.random(n) < 0.85) | ~has_fill
    fill_day[late], receipt_day[late], in_receipts[late] = 28, 31, True
    receipt_minute[late] = rng.integers(9 * 60, 11 * 60, len(late))
    base = np.datetime64("2022-10-01T00:00", "m")
    receipt = (base + ((receipt_day - 1) * 1440 + receipt_minute).astype("timedelta64[m]")).astype("datetime64[ns]")
    fill_date = (base + ((fill_day - 1) * 1440).astype("timedelta64[m]")).astype("datetime64[ns]")
    files = [f"{name}/{labels.SAMPLE_SUMMARY_FILE.format(recommender=name, ext=e)}" for name, e in zip(unions["union"], ext)]
    blank_before = (rng.random(n) < 0.3)[u] & (pos > 0) & (rng.random(m) < 0.4)
    cum = np.cumsum(blank_before)
    blanks = cum - np.concatenate([[0], cum])[starts[u]]
    info = unions.assign(
        has_fill_line=has_fill, has_recommender_col=has_rec_col, header_row=header_row, ext=ext, file=files,
        fill_date=fill_date, in_receipts=in_receipts, received_at=np.where(in_receipts, receipt, fill_date),
        receipt=receipt, contact=_any_names(rng, n), phone=_phones(rng, n), late=np.isin(np.arange(n), late),
        n_rows=np.bincount(u, minlength=n))
    return info, header_row[u] + 1 + pos + blanks


def _truth_frame(rows: Rows, unions: pd.DataFrame, source_row: np.ndarray) -> pd.DataFrame:
    """The rows as the canonical nominations frame plus the ground-truth columns."""
    u, m = rows["u"], len(rows["u"])

    def na(field_name: str) -> np.ndarray:
        return rows[f"na_{field_name}"].copy()

    not_demo = rows["category"] != "demonstration"
    fails, reviews = _expected(rows)
    union = {c: unions[c].to_numpy(dtype=object)[u] for c in ("union", "contact", "phone", "file")}
    truth = pd.DataFrame({
        "nomination_id": [""] * m, "recommender": union["union"], "category": rows["category"],
        "recommender_rank": pd.arrays.IntegerArray(rows["rank"].astype("int64"), na("recommender_rank")),
        "studio": rows["studio"], "host_unit": rows["host"],
        "legal_person": pd.arrays.BooleanArray(rows["legal"].astype(bool), na("legal_person")),
        "union_sound": pd.arrays.BooleanArray(np.ones(m, bool), _none(m)),
        "rnd_or_team": pd.arrays.BooleanArray(rows["rnd_team"].astype(bool), _none(m)),
        "party_building": pd.arrays.BooleanArray(rows["party"].astype(bool), _none(m)),
        "leader": rows["leader"], "leader_honours": pd.Series(list(rows["honours"]), dtype=object),
        "team_size": pd.arrays.IntegerArray(rows["team"].astype("int64"), na("team_size")),
        "frontline": pd.arrays.IntegerArray(rows["frontline"].astype("int64"), _none(m)),
        "established": _month_dates(rows["est"], na("established")),
        "named_on": _month_dates(np.nan_to_num(rows["named_month"]).astype(int), np.isnan(rows["named_month"]) | not_demo),
        "direct": pd.arrays.BooleanArray(rows["direct"].astype(bool), not_demo),
        "site_area": pd.arrays.FloatingArray(rows["site"].astype(float), na("site_area")),
        "funding": pd.arrays.FloatingArray(rows["funding"].astype(float), na("funding")),
        "systems": pd.arrays.BooleanArray(np.ones(m, bool), _none(m)),
        "ledger": pd.arrays.BooleanArray(np.ones(m, bool), _none(m)),
        "results_last_year": pd.arrays.IntegerArray(rows["results"].astype("int64"), na("results_last_year")),
        "benefit": pd.arrays.FloatingArray(rows["benefit"].astype(float), _none(m)),
        "video": pd.arrays.BooleanArray(rows["video"].astype(bool), not_demo),
        "contact": union["contact"], "phone": union["phone"],
        "note": np.where(rows["note"] == "", None, rows["note"]),
        "received_at": unions["received_at"].to_numpy()[u], "source_file": union["file"],
        "source_row": pd.arrays.IntegerArray(source_row.astype("int64"), _none(m)),
        "paper_copies": pd.arrays.IntegerArray(rows["paper_copies"].astype("int64"), ~rows["paper_recorded"]),
        **{k: pd.arrays.BooleanArray(rows[k].astype(bool), ~rows["paper_recorded"])
           for k in ("paper_bound", "paper_sealed", "party_consent")},
        "case": rows["case"], "expected_rules_fail": fails, "expected_rules_review": reviews,
        "expected_quota": rows["expected_quota"], "case_detail": rows["detail"],
    })
    return truth.astype(TRUTH_DTYPES)


def _plan(n_unions: int, seed: int, rnd: Round) -> _Plan:
    """Unions, nominations, planted cases, registry and file layout: everything but the writing."""
    rng = np.random.default_rng(seed)
    honours = rnd.honours()
    unions = _union_table(n_unions, rng)
    n = len(unions)
    n_model, n_emp, special = _union_counts(n, rnd, rng)
    m = int(n_model.sum() + n_emp.sum())
    leaders = _unique_names(rng, m + 3 * n + 40)
    pools = _honour_pools(rnd, honours)
    known = honours["title"].astype(str).to_numpy()
    rows = _base_rows(unions, n_model, n_emp, leaders[:m], rnd, pools, known[honours["level"].to_numpy() >= 1], rng)
    _plant_union_cases(rows, special, rnd, rng)
    rows = _plant_duplicates(rows, special, n_model, rng)
    unknown = np.array([t for t in labels.SAMPLE_UNKNOWN_HONOURS if t not in set(known)], dtype=object)
    _plant_row_cases(rows, rnd, pools, unknown, rng)
    order = np.lexsort((np.arange(len(rows["u"])), rows["rank"], rows["group"], rows["u"]))
    rows = {k: v[order] for k, v in rows.items()}
    unions, source_row = _layout(unions, rows, special.late, rng)
    _plant_paper(rows, rnd, seed)
    truth = _truth_frame(rows, unions, source_row)
    named = _registry(rng, rows, filler_leaders=leaders[m:], unions=unions)
    return _Plan(truth=truth, named=named, unions=unions, techs=rows["techs"])


def _registry(rng: np.random.Generator, r: Rows, *, filler_leaders: np.ndarray, unions: pd.DataFrame) -> pd.DataFrame:
    """Studios named in earlier batches: this round's 示范性 candidates at 劳模 level, the planted
    already-named 劳模 candidates, and other (invented) studios."""
    month_to_batch = {_month(d): (b, d) for b, d in MODEL_BATCHES.items()}
    demo_rows = np.flatnonzero(r["registered"] & (r["category"] == "demonstration"))
    already = np.flatnonzero(np.array([("already_named" in c.split(";")) for c in r["case"]], dtype=bool))
    parts = []
    if len(demo_rows):
        bd = [month_to_batch[int(mm)] for mm in r["named_month"][demo_rows]]
        parts.append(pd.DataFrame({"batch": [b for b, _ in bd], "category": "model_worker",
                                   "studio": r["studio"][demo_rows], "host_unit": r["host"][demo_rows],
                                   "leader": r["leader"][demo_rows], "named_on": [d for _, d in bd]}))
    if len(already):
        b = rng.integers(3, 7, len(already))
        parts.append(pd.DataFrame({"batch": b, "category": "model_worker", "studio": r["studio"][already],
                                   "host_unit": r["host"][already], "leader": r["leader"][already],
                                   "named_on": [MODEL_BATCHES[x] for x in b]}))
    k = len(filler_leaders)
    cat = rng.choice(["model_worker", "demonstration", "employee"], k, p=[0.75, 0.15, 0.1])
    batches = {"model_worker": MODEL_BATCHES, "demonstration": DEMONSTRATION_BATCHES, "employee": EMPLOYEE_BATCHES}
    b = np.array([rng.integers(1, len(batches[c]) + 1) for c in cat])
    host, _, _ = _host_units(rng, unions, rng.integers(0, len(unions), k))
    studio = [(labels.SAMPLE_STUDIO_EMPLOYEE if c == "employee" else labels.SAMPLE_STUDIO_MODEL).format(leader=l)
              for c, l in zip(cat, filler_leaders)]
    parts.append(pd.DataFrame({"batch": b, "category": cat, "studio": studio, "host_unit": host,
                               "leader": filler_leaders, "named_on": [batches[c][x] for c, x in zip(cat, b)]}))
    named = pd.concat(parts, ignore_index=True)
    named = named.sort_values(["named_on", "category", "studio"], kind="stable").reset_index(drop=True)
    named["batch"] = named["batch"].astype("Int64")
    for col in ("category", "studio", "host_unit", "leader"):
        named[col] = named[col].astype("str")
    named["named_on"] = pd.to_datetime(named["named_on"])
    return named[REGISTRY_COLUMNS]


def sample_nominations(n_unions: int = 35, *, seed: int = 2022, rnd: Round | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A fictional round: (truth, named_studios).

    `truth` is the clean nominations frame in the canonical columns and dtypes (nomination_id empty,
    received_at and source_file/source_row as make_sample writes them) plus the ground truth:
    `case` and `case_detail` (planted problems), `expected_rules_fail` / `expected_rules_review`
    (screening rule codes, ';'-joined) and `expected_quota`. `named_studios` is the registry of
    earlier batches that goes with it. Pure apart from reading the round's honours table.
    """
    rnd = rnd or load_round()
    plan = _plan(n_unions, seed, rnd)
    return plan.truth, plan.named


# ---------------------------------------------------------------------------- writing the folder (the edge)
# How each field is written messily: by its type as intake reads it (numbers share one set of styles).
_KINDS: dict[str, str] = {f: "number" if t in ("int", "float") else t for f, t in FIELD_TYPES.items()} | {"recommender_rank": "rank"}
_NUMBER_STYLES = ("plain", "unit", "fullwidth", "text")
_DATE_STYLES = ("datetime", "serial", "dot", "cn", "dash", "slash")
_FORM_FIELDS = ("recommender", "category", "studio", "host_unit", "leader", "leader_honours", "legal_person",
                "union_sound", "rnd_or_team", "party_building", "team_size", "frontline", "established", "named_on",
                "direct", "site_area", "funding", "systems", "ledger", "results_last_year", "benefit", "video",
                "contact", "phone")
_WIDE_FORM_FIELDS = ("studio", "host_unit", "leader_honours", "recommender")
_DEMONSTRATION_ONLY = ("named_on", "direct", "video")


@dataclass(frozen=True)
class _Style:
    """How one union fills its summary sheet in; single cells stray from it now and then."""

    date: str
    number: str
    rank: str
    yes_no: tuple[str, str]
    category: str
    separator: str
    year_prefix: float
    phone_number: bool
    stray: float


def _style(rng: np.random.Generator) -> _Style:
    bools = labels.SAMPLE_BOOL_STYLES
    return _Style(
        date=str(rng.choice(_DATE_STYLES, p=[0.25, 0.1, 0.25, 0.2, 0.1, 0.1])),
        number=str(rng.choice(_NUMBER_STYLES, p=[0.55, 0.25, 0.1, 0.1])),
        rank=str(rng.choice(["plain", "text", "fullwidth"], p=[0.7, 0.2, 0.1])),
        yes_no=bools[int(rng.choice(len(bools), p=[0.55, 0.15, 0.15, 0.15]))],
        category=str(rng.choice(["full", "short"])),
        separator=str(rng.choice(labels.SAMPLE_HONOUR_SEPARATORS)),
        year_prefix=float(rng.choice([0.0, 0.0, 0.4])),
        phone_number=bool(rng.random() < 0.15),
        stray=float(rng.choice([0.0, 0.1, 0.2])),
    )


def _missing(value: Any) -> bool:
    return not isinstance(value, list) and pd.isna(value)


def _summary_cell(field: str, value: Any, style: _Style, rng: np.random.Generator, rnd: Round) -> tuple[Any, str | None]:
    """One summary cell as a person types it: (value, number format or None)."""
    if _missing(value):
        return None, None
    kind = _KINDS[field]
    stray = rng.random() < style.stray
    if kind == "text":
        text = str(value)
        if field == "phone" and style.phone_number and text.isdigit():
            return int(text), "0"
        return (text + " " if field in ("studio", "host_unit") and rng.random() < 0.04 else text), None
    if kind == "category":
        return (rnd.category_label(value) if (style.category == "full") != stray else rnd.categories[value].short), None
    if kind == "bool":
        yes, no = labels.SAMPLE_BOOL_STYLES[int(rng.integers(0, 4))] if stray else style.yes_no
        return (yes if value else no), None
    if kind in ("number", "rank"):
        how = style.rank if kind == "rank" else (str(rng.choice(_NUMBER_STYLES)) if stray else style.number)
        number = float(value)
        text = _num_text(number)
        if how == "plain":
            return (int(number) if number == int(number) else number), None
        if how == "unit":
            return text + labels.SAMPLE_UNITS.get(field, ""), None
        return (_fullwidth(text) if how == "fullwidth" else text), None
    if kind == "date":
        day = pd.Timestamp(value)
        how = str(rng.choice(_DATE_STYLES)) if stray else style.date
        if how == "datetime":
            return dt.datetime(day.year, day.month, day.day), str(rng.choice(labels.SAMPLE_DATE_CELL_FORMATS))
        if how == "serial":
            return (day.date() - dt.date(1899, 12, 30)).days, None
        template = labels.SAMPLE_DATE_FORMATS[("dot", "cn", "dash", "slash").index(how)]
        return template.format(y=day.year, m=day.month), None
    items = [labels.SAMPLE_HONOUR_YEAR.format(year=int(rng.integers(2005, 2022)), title=t)
             if rng.random() < style.year_prefix else t for t in value]
    separator = str(rng.choice(labels.SAMPLE_HONOUR_SEPARATORS)) if stray else style.separator
    return separator.join(items), None


def _header_text(field: str, aliases: list[str], rng: np.random.Generator) -> str:
    """A column header as unions write it: canonical, an alias, spaced, broken, with a unit, other brackets."""
    canon = labels.SUMMARY_FIELDS[field]
    r = rng.random()
    if r < 0.45:
        return canon
    if r < 0.62 and aliases:
        return str(rng.choice(aliases))
    if r < 0.70:
        return " ".join(canon) if len(canon) <= 4 else f" {canon}  "
    if r < 0.80 and len(canon) >= 4:
        cut = canon.find("（") if "（" in canon else len(canon) // 2
        return canon[:cut] + "\n" + canon[cut:]
    if r < 0.90 and field in labels.SAMPLE_HEADER_UNIT_SUFFIX:
        return canon + labels.SAMPLE_HEADER_UNIT_SUFFIX[field]
    return canon.replace("（", "(").replace("）", ")")


def _summary_columns(rows: pd.DataFrame, has_recommender: bool, rnd: Round,
                     rng: np.random.Generator) -> list[tuple[str, str]]:
    """(field or extra-column name, header text) in this union's order."""
    fields = [f for f in labels.SUMMARY_FIELDS if has_recommender or f != "recommender"]
    if not (rows["category"] == "demonstration").any() and rng.random() < 0.5:
        fields = [f for f in fields if f not in _DEMONSTRATION_ONLY]
    if rows["note"].isna().all() and rng.random() < 0.2:
        fields.remove("note")
    if rng.random() < 0.3:
        for _ in range(int(rng.integers(1, 3))):
            i = int(rng.integers(1, len(fields) - 1))
            fields[i], fields[i + 1] = fields[i + 1], fields[i]
    if rng.random() < 0.12:
        fields.remove("category")
        fields.insert(0, "category")
    columns = [(f, _header_text(f, rnd.intake.header_aliases.get(f, []), rng)) for f in fields]
    extra = labels.SAMPLE_EXTRA_COLUMNS
    if rng.random() < 0.5:
        columns.insert(0, ("seq", extra["seq"][0]))
    for code in [c for c in extra if c != "seq" and rng.random() < 0.15][:2]:
        columns.insert(int(rng.integers(1, len(columns))), (code, extra[code][0]))
    return columns


def _extra_value(code: str, seq: int, rng: np.random.Generator) -> Any:
    """A value of a column the template does not have (序号, 单位性质, …)."""
    if code == "seq":
        return seq
    if code == "trade":
        return str(rng.choice([t for spec in labels.SAMPLE_SECTORS.values() for t in spec["trade"]]))
    return str(rng.choice(labels.SAMPLE_EXTRA_COLUMNS[code][1]))


def _merged(ws, row: int, value: str, last_col: int, *, size: int = 11, bold: bool = False, center: bool = False) -> None:
    ws.cell(row, 1, value).font = Font(size=size, bold=bold)
    ws.cell(row, 1).alignment = Alignment(horizontal="center" if center else "left", vertical="center", wrap_text=True)
    if last_col > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)


def _save_workbook(wb: Workbook, path: Path, *, macro: bool = False) -> None:
    """Save with fixed timestamps (same seed, same bytes); .xlsm gets the macro-enabled content type."""
    wb.properties.created = FIXED_STAMP
    wb.properties.modified = FIXED_STAMP
    raw = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if macro and info.filename == "[Content_Types].xml":
                data = data.replace(XLSX.encode(), XLSM.encode())
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_STAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    path.write_bytes(out.getvalue())


def _write_summary(path: Path, union: pd.Series, rows: pd.DataFrame, rnd: Round, rng: np.random.Generator) -> None:
    """附件1 of one union, filled in the union's own way."""
    wb = Workbook()
    ws = wb.active
    ws.title = labels.SUMMARY_SHEET if rng.random() < 0.85 else str(rng.choice(labels.SAMPLE_ALT_SUMMARY_SHEETS))
    columns = _summary_columns(rows, bool(union["has_recommender_col"]), rnd, rng)
    last = len(columns)
    _merged(ws, 1, labels.SUMMARY_TITLE, last, size=16, bold=True, center=True)
    header_row = int(union["header_row"])
    if union["has_fill_line"]:
        day = union["fill_date"]
        date = labels.SAMPLE_DAY_FORMAT.format(y=day.year, m=day.month, d=day.day)
        _merged(ws, 2, labels.FILL_LINE.format(recommender=union["union"], contact=union["contact"],
                                               phone=union["phone"], date=date), last)
    for r in range(3 if union["has_fill_line"] else 2, header_row):
        if rng.random() < 0.5:
            ws.cell(r, 1, str(rng.choice(labels.SAMPLE_PRE_HEADER)))
    for j, (name, text) in enumerate(columns, start=1):
        cell = ws.cell(header_row, j, text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        wide = name in ("studio", "host_unit", "leader_honours", "note")
        ws.column_dimensions[get_column_letter(j)].width = 26 if wide else 12
    style = _style(rng)
    for seq, (_, row) in enumerate(rows.iterrows(), start=1):
        excel_row = int(row["source_row"])
        for j, (name, _) in enumerate(columns, start=1):
            if name in _KINDS:
                value, number_format = _summary_cell(name, row[name], style, rng, rnd)
            else:
                value, number_format = _extra_value(name, seq, rng), None
            if value is not None:
                cell = ws.cell(excel_row, j, value)
                if number_format:
                    cell.number_format = number_format
    if rng.random() < 0.35:
        start = int(rows["source_row"].max()) + int(rng.integers(2, 4))
        for k, line in enumerate(labels.SAMPLE_SUMMARY_NOTES):
            ws.cell(start + k, 1, line)
    if rng.random() < 1 / 6:
        if rng.random() < 0.5:
            wb.create_sheet(labels.SAMPLE_BLANK_SHEET)
        else:
            notes = wb.create_sheet(labels.SAMPLE_NOTES_SHEET, 0 if rng.random() < 0.3 else None)
            for k, line in enumerate(labels.SAMPLE_SUMMARY_NOTES, start=1):
                notes.cell(k, 1, line)
    _save_workbook(wb, path, macro=path.suffix == ".xlsm")


def _form_text(field: str, value: Any, rnd: Round) -> Any:
    """A 推荐表 value: typed more carefully than the summary, still by a person."""
    if _missing(value):
        return ""
    kind = _KINDS[field]
    if kind == "bool":
        return labels.SAMPLE_BOOL_STYLES[0][0 if value else 1]
    if kind == "category":
        return rnd.category_label(value)
    if kind == "date":
        return labels.SAMPLE_DATE_FORMATS[1].format(y=value.year, m=value.month)
    if kind == "list":
        return labels.SAMPLE_HONOUR_SEPARATORS[2].join(value)
    if kind in ("number", "rank"):
        return int(value) if float(value) == int(value) else float(value)
    return str(value)


def _other_name(name: str, rng: np.random.Generator) -> str:
    given = [g for g in dict.fromkeys(labels.SAMPLE_GIVEN) if g != name[-1]]
    return name[:-1] + str(rng.choice(given))


def _achievements(row: pd.Series, n_recent: int, rng: np.random.Generator) -> list[list[Any]]:
    """Rows of the 创新成果 sheet: n_recent recognised in the last year, a few older ones."""
    n_old = int(rng.integers(0, 4))
    recent = [dt.date(2021, 11, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 348, n_recent)]
    old = [dt.date(2019, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 970, n_old)]
    out = []
    for seq, day in enumerate(sorted(recent + old, reverse=True), start=1):
        kind = str(rng.choice(labels.SAMPLE_ACH_KINDS))
        level = next(iter(labels.SAMPLE_ACH_LEVELS)) if kind in labels.SAMPLE_ACH_PATENTS else str(rng.choice(list(labels.SAMPLE_ACH_LEVELS)[1:], p=[0.15, 0.3, 0.2, 0.35]))
        name = labels.SAMPLE_ACH_NAME.format(object=rng.choice(labels.SAMPLE_ACH_OBJECTS), action=rng.choice(labels.SAMPLE_ACH_ACTIONS))
        when: Any = dt.datetime(day.year, day.month, day.day)
        if rng.random() < 0.3:
            when = labels.SAMPLE_DATE_FORMATS[0].format(y=day.year, m=day.month)
        benefit = None if kind in labels.SAMPLE_ACH_NO_BENEFIT else round(float(rng.uniform(1, 200)), 1)
        out.append([seq, name, kind, level, when, labels.SAMPLE_ACH_LEVELS[level].format(host=row["host_unit"]), benefit])
    return out


def _members(leader: str, n: int, frontline: int, rng: np.random.Generator) -> list[list[Any]]:
    """Rows of the 团队成员 sheet: the leader first, `frontline` of them marked front-line."""
    names = [leader] + [str(x) for x in _any_names(rng, max(0, n - 1))]
    front = set(rng.choice(n, min(max(frontline, 0), n), replace=False).tolist()) if n else set()
    born = rng.integers(1965 * 12, 2000 * 12, n)
    if n:
        born[0] = rng.integers(1962 * 12, 1986 * 12)  # leaders are the senior ones
    return [[i + 1, name, str(rng.choice(labels.SAMPLE_GENDERS, p=[0.7, 0.3])), f"{b // 12}.{b % 12 + 1:02d}",
             str(rng.choice(labels.SAMPLE_EDUCATION)), str(rng.choice(labels.SAMPLE_TITLES)),
             str(rng.choice(labels.SAMPLE_POSTS)), labels.SAMPLE_BOOL_STYLES[0][0 if i in front else 1]]
            for i, (name, b) in enumerate(zip(names, born))]


def _detail(row: pd.Series, case: str) -> str | None:
    """The variant of a planted case in this row ('members' for form_mismatch:members), or None."""
    for item in str(row["case_detail"]).split(";"):
        if item.startswith(case + ":"):
            return item.split(":", 1)[1]
    return None


def _narratives(row: pd.Series, leader: str, tech: str, achievements: list[list[Any]], years: int, rnd: Round,
                rng: np.random.Generator) -> dict[str, str]:
    """主要事迹, 主要创新成果 (several paragraphs each), 单位意见 and 推荐单位工会意见 of one studio."""
    established = row["established"]
    facts = dict(
        leader=leader, years=years, tech=tech, projects=int(rng.integers(5, 40)),
        title=str(rng.choice(labels.SAMPLE_TITLES_OF_LEADER)),
        est="" if pd.isna(established) else f"{established.year}年",
        team=_form_text("team_size", row["team_size"], rnd) or "若干",
        frontline=_form_text("frontline", row["frontline"], rnd) or "多数",
        apprentices=int(rng.integers(2, 20)), lessons=int(rng.integers(6, 60)), trainees=int(rng.integers(60, 900)),
        area=_form_text("site_area", row["site_area"], rnd) or "若干",
        results=_form_text("results_last_year", row["results_last_year"], rnd) or "多",
        benefit=_form_text("benefit", row["benefit"], rnd) or "若干",
        first=achievements[0][1] if achievements else labels.SAMPLE_ACH_NAME.format(
            object=labels.SAMPLE_ACH_OBJECTS[0], action=labels.SAMPLE_ACH_ACTIONS[0]))
    day = labels.SAMPLE_DAY_FORMAT.format(y=2022, m=10, d=int(rng.integers(18, 27)))

    def paragraphs(pool: list[list[str]]) -> str:
        return "\n".join(str(rng.choice(variants)).format(**facts) for variants in pool)

    return {"deeds": paragraphs(labels.SAMPLE_DEEDS), "results": paragraphs(labels.SAMPLE_RESULTS),
            "unit_opinion": "\n".join(labels.SAMPLE_UNIT_OPINION).format(date=day),
            "union_opinion": "\n".join(labels.SAMPLE_UNION_OPINION).format(date=day)}


def _write_form(path: Path, row: pd.Series, tech: str, rnd: Round, rng: np.random.Generator,
                text_rng: np.random.Generator) -> tuple[dict[str, str], list[list[Any]]]:
    """附件2/3/4 of one studio: the form, its members and its achievements; returns the narratives
    and the achievements written (the studio's materials PDF repeats them)."""
    mismatch = _detail(row, "form_mismatch")
    category = row["category"]
    leader = _other_name(row["leader"], rng) if mismatch == "leader" else row["leader"]
    wb = Workbook()
    ws = wb.active
    ws.title = labels.FORM_SHEET
    _merged(ws, 1, labels.FORM_TITLE.format(label=rnd.category_label(category)), 4, size=16, bold=True, center=True)
    for col, width in zip("ABCD", (22, 30, 22, 30)):
        ws.column_dimensions[col].width = width
    r, slot = 2, 0
    for field in _FORM_FIELDS:
        if field in _DEMONSTRATION_ONLY and category != "demonstration":
            continue
        value = leader if field == "leader" else _form_text(field, row[field], rnd)
        if field in _WIDE_FORM_FIELDS:
            r += 1 if slot else 0
            ws.cell(r, 1, labels.SUMMARY_FIELDS[field]).font = Font(bold=True)
            ws.cell(r, 2, value)
            ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=4)
            r, slot = r + 1, 0
            continue
        ws.cell(r, 1 + 2 * slot, labels.SUMMARY_FIELDS[field]).font = Font(bold=True)
        ws.cell(r, 2 + 2 * slot, value)
        r, slot = (r + 1, 0) if slot else (r, 1)
    r += 1 if slot else 0

    team = None if pd.isna(row["team_size"]) else int(row["team_size"])
    n_members = team if team is not None else int(rng.integers(5, 12))
    if mismatch == "members":
        n_members = max(1, n_members + int(rng.choice([-2, -1, 1, 2])))
    results = None if pd.isna(row["results_last_year"]) else int(row["results_last_year"])
    n_recent = results if results is not None else int(rng.integers(1, 4))
    if mismatch == "achievements":
        n_recent = max(0, n_recent - int(rng.integers(1, n_recent + 1)))
    achievements = _achievements(row, n_recent, rng)
    established = row["established"]
    years = (2022 - established.year if not pd.isna(established) else 5) + int(rng.integers(3, 15))
    narratives = _narratives(row, leader, tech, achievements, years, rnd, text_rng)
    for key, text in narratives.items():
        ws.cell(r, 1, labels.FORM_NARRATIVES[key]).font = Font(bold=True)
        ws.cell(r, 2, text).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=4)
        ws.row_dimensions[r].height = 15 * (len(text) // 40 + text.count("\n") + 1)
        r += 1

    members = wb.create_sheet(labels.MEMBER_SHEET)
    members.append(list(labels.MEMBER_FIELDS.values()))
    for line in _members(leader, n_members, int(row["frontline"]), rng):
        members.append(line)
    sheet = wb.create_sheet(labels.ACHIEVEMENT_SHEET)
    sheet.append(list(labels.ACHIEVEMENT_FIELDS.values()))
    for line in achievements:
        sheet.append(line)
        if isinstance(line[4], dt.datetime):
            sheet.cell(sheet.max_row, 5).number_format = "yyyy-mm-dd"
    _save_workbook(wb, path)
    return narratives, achievements


# ---------------------------------------------------------------------------- materials PDF
PDF_PAGE = (595, 842)  # A4 in points
PDF_MARGIN = 56


def _pdf_text(x: float, y: float, size: float, text: str) -> str:
    """One line of text in the CJK font (UCS-2 hex, as the UniGB-UCS2-H encoding wants)."""
    return f"BT /F1 {size:g} Tf {x:g} {y:g} Td <{text.encode('utf-16-be').hex().upper()}> Tj ET\n"


def _pdf_wrap(text: str, width: float, size: float) -> list[str]:
    """Lines of at most `width` points, a CJK character one em wide, ASCII half an em."""
    lines, line, used = [], "", 0.0
    for ch in text:
        w = size * (0.5 if ord(ch) < 128 else 1.0)
        if used + w > width:
            lines.append(line)
            line, used = "", 0.0
        line, used = line + ch, used + w
    return lines + [line] if line else lines


def _pdf_document(pages: list[str]) -> bytes:
    """A minimal PDF: the given content streams as A4 pages, text in the standard CJK font STSong-Light
    (not embedded: every PDF reader substitutes it), compressed, with no date, so the same pages give
    the same bytes."""
    import zlib

    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the pages are numbered
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R /DW 1000 /W [1 95 500] >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 "
        b"/Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    kids = []
    for content in pages:
        data = zlib.compress(content.encode("ascii"), 9)
        objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream")
        kids.append(len(objects) + 1)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R >> >> "
                       b"/Contents %d 0 R >>" % (*PDF_PAGE, len(objects)))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _materials_pdf(row: pd.Series, narratives: dict[str, str], achievements: list[list[Any]]) -> bytes:
    """The studio's electronic materials as a small PDF: a cover, the narratives, the achievements
    with a bar chart of their benefit. Invented, and marked so on every page."""
    t, (w, h), m = labels.SAMPLE_PDF, PDF_PAGE, PDF_MARGIN
    cover = "0.12 0.23 0.37 RG 2 w %d %d m %d %d l S\n" % (m, h - 300, w - m, h - 300)
    cover += _pdf_text(m, h - 260, 24, t["title"].format(studio=row["studio"]))
    cover += _pdf_text(m, h - 340, 16, t["subtitle"])
    for k, key in enumerate(("recommender", "host", "leader")):
        value = {"recommender": row["recommender"], "host": row["host_unit"], "leader": row["leader"]}[key]
        cover += _pdf_text(m, h - 400 - 28 * k, 13, t[key].format(**{key: "" if _missing(value) else value}))
    cover += _pdf_text(m, h - 520, 13, t["date"].format(date=labels.SAMPLE_DAY_FORMAT.format(y=2022, m=10, d=20)))
    body, y = "", h - m - 20
    pages_text = []
    for key in ("deeds", "results"):
        if y < 160:
            pages_text.append(body)
            body, y = "", h - m - 20
        body += _pdf_text(m, y, 15, t[key])
        y -= 28
        for para in narratives[key].split("\n"):
            for line in _pdf_wrap("\u3000\u3000" + para, w - 2 * m, 11.5):
                if y < m + 30:
                    pages_text.append(body)
                    body, y = "", h - m - 20
                body += _pdf_text(m, y, 11.5, line)
                y -= 19
            y -= 6
        y -= 14
    pages_text.append(body)
    chart = _pdf_text(m, h - m - 20, 15, t["chart"])
    values = [(a[1], a[6]) for a in achievements if isinstance(a[6], (int, float))][:8]
    top = max([v for _, v in values] + [1.0])
    for k, (name, value) in enumerate(values):
        y0 = h - m - 70 - 44 * k
        bar = (w - 2 * m - 200) * value / top
        chart += _pdf_text(m, y0 + 4, 10, str(name)[:14])
        chart += "0.12 0.37 0.66 rg %g %g %g 18 re f 0 g\n" % (m + 180, y0, max(bar, 1))
        chart += _pdf_text(m + 186 + bar, y0 + 4, 10, f"{value:g}")
    pages = [cover, *pages_text, chart]
    return _pdf_document([p + _pdf_text(m, 30, 9, t["mark"]) + _pdf_text(w - m - 80, 30, 9, t["footer"].format(
        page=i, pages=len(pages))) for i, p in enumerate(pages, start=1)])


def _photo(role: str, rng: np.random.Generator) -> bytes:
    """A tiny invented picture: a coloured block with a simple shape."""
    colour = tuple(int(c) for c in rng.integers(70, 200, 3))
    ink = tuple(int(c) for c in rng.integers(20, 90, 3))
    img = Image.new("RGB", (160, 120), colour)
    draw = ImageDraw.Draw(img)
    if role == "leader":
        draw.ellipse((60, 18, 100, 62), fill=ink)
        draw.rectangle((45, 66, 115, 120), fill=ink)
    elif role == "team":
        for k in range(int(rng.integers(4, 8))):
            x = 12 + k * 20
            draw.ellipse((x, 40, x + 14, 54), fill=ink)
            draw.rectangle((x - 2, 56, x + 16, 95), fill=ink)
    else:
        for _ in range(int(rng.integers(2, 4))):
            x, y = int(rng.integers(5, 110)), int(rng.integers(30, 80))
            draw.rectangle((x, y, x + int(rng.integers(20, 45)), y + int(rng.integers(15, 35))), fill=ink)
        draw.line((0, 100, 160, 100), fill=ink, width=3)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=55)
    return buf.getvalue()


def _write_photos(folder: Path, row: pd.Series, rng: np.random.Generator) -> None:
    """领衔人标准照, 团队合影 and 3-5 内部场景 (fewer where photos_short was planted)."""
    short = _detail(row, "photos_short")
    if short == "none":
        return
    roles = labels.PHOTO_ROLES
    n_scenes = int(rng.integers(1, 3)) if short == "few_scenes" else int(rng.integers(3, 6))
    files = {} if short == "no_leader" else {f"{roles['leader']}.jpg": "leader"}
    if short != "no_team":
        files[f"{roles['team']}.jpg"] = "team"
    files.update({f"{roles['scene']}{k}.jpg": "scene" for k in range(1, n_scenes + 1)})
    target = folder / labels.SAMPLE_PHOTO_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name, role in files.items():
        (target / name).write_bytes(_photo(role, rng))


def _reviewers(truth: pd.DataFrame, rng: np.random.Generator, n: int = 24) -> pd.DataFrame:
    """Invented experts: a few from recommending unions or host units (so conflicts exist), most neutral."""
    taken = set(truth["leader"]) | set(truth["contact"])
    names: list[str] = []
    while len(names) < n:
        names += [x for x in dict.fromkeys(_any_names(rng, n * 2)) if x not in taken and x not in names]
    recommenders = truth["recommender"].drop_duplicates().to_numpy()
    hosts = truth["host_unit"].drop_duplicates().to_numpy()
    units = list(rng.choice(recommenders, min(3, len(recommenders)), replace=False))
    units += list(rng.choice(hosts, min(2, len(hosts)), replace=False))
    neutral = labels.SAMPLE_REVIEWER_UNITS
    units += [neutral[k % len(neutral)] for k in rng.permutation(n * 2)[: n - len(units)]]
    units = [str(u) for u in rng.permutation(np.array(units, dtype=object))]
    return pd.DataFrame({"reviewer_id": [f"R{k:02d}" for k in range(1, n + 1)], "name": names[:n], "unit": units})


def _fields(n: int, rng: np.random.Generator) -> list[str]:
    """Each expert's field (专业领域), every field present, so a draw can be stratified by it."""
    fields = labels.SAMPLE_REVIEWER_FIELDS
    return [fields[k % len(fields)] for k in rng.permutation(n)]


def _truth_csv(truth: pd.DataFrame) -> pd.DataFrame:
    """The truth frame as a CSV shows it: honours joined with '；'."""
    return truth.assign(leader_honours=truth["leader_honours"].map("；".join))


def _receipt_register(plan: _Plan) -> pd.DataFrame:
    """收件登记.csv: each union's summary file and when it came; then, per studio, its paper materials
    (the row's file is the studio's 推荐表) as the office records them, 是/否."""
    receipts = plan.unions[plan.unions["in_receipts"] & (plan.unions["n_rows"] > 0)].sort_values("receipt", kind="stable")
    files = pd.DataFrame({"file": receipts["file"], "received_at": receipts["receipt"].dt.strftime("%Y-%m-%d %H:%M")})
    truth = plan.truth[plan.truth["paper_copies"].notna()]
    yes_no = {True: labels.TEMPLATE_DEFAULT_YES_NO[0], False: labels.TEMPLATE_DEFAULT_YES_NO[1]}
    paper = pd.DataFrame({
        "file": [f"{r}/{labels.SAMPLE_FORM_FILE.format(studio=s)}" for r, s in zip(truth["recommender"], truth["studio"])],
        "received_at": truth["received_at"].dt.strftime("%Y-%m-%d %H:%M"),
        "studio": truth["studio"],
        "paper_copies": truth["paper_copies"].astype("Int64").astype("string"),
        **{k: truth[k].map(yes_no) for k in ("paper_bound", "paper_sealed", "party_consent")},
    })
    return pd.concat([files, paper], ignore_index=True)


def make_sample(out: str | Path, *, seed: int = 2022, unions: int = 35, rnd: Round | None = None,
                forms: bool = True, photos: bool = True) -> Path:
    """Write a fictional round folder as it arrives at the city union; returns the folder.

    out/inbox/<推荐单位>/ holds the union's 推荐汇总表 (.xlsx or .xlsm), one 推荐表 per studio and
    <工作室名称>/照片/; out/inbox/收件登记.csv the receipt times and, per studio, the paper materials;
    out/ the registry of named studios,
    reviewers.csv, ground_truth.csv and a README saying it is all invented. An existing inbox is
    replaced only when the folder holds an earlier sample.
    """
    rnd = rnd or load_round()
    out = Path(out)
    inbox = out / "inbox"
    if inbox.exists():
        readme = out / "README.txt"
        if not readme.exists() or labels.SAMPLE_README.splitlines()[0] not in readme.read_text(encoding="utf-8"):
            raise SampleError(labels.SAMPLE_TARGET_NOT_EMPTY.format(path=out) + f" [{SampleError.code}]")
        shutil.rmtree(inbox)
    inbox.mkdir(parents=True)
    plan = _plan(unions, seed, rnd)
    truth = plan.truth
    for i, union in plan.unions.iterrows():
        rows = truth[truth["recommender"] == union["union"]]
        if rows.empty:
            continue
        rng = np.random.default_rng([seed, 1, i])
        folder = inbox / union["union"]
        folder.mkdir(parents=True, exist_ok=True)
        _write_summary(inbox / union["file"], union, rows, rnd, rng)
        for k, row in rows.iterrows():
            studio_rng = np.random.default_rng([seed, 2, k])
            if forms:
                narratives, achievements = _write_form(folder / labels.SAMPLE_FORM_FILE.format(studio=row["studio"]), row,
                                                       str(plan.techs[k]), rnd, studio_rng,
                                                       np.random.default_rng([seed, 4, k]))
                if photos:  # the studio's electronic materials: a small PDF
                    (folder / row["studio"]).mkdir(parents=True, exist_ok=True)
                    (folder / row["studio"] / labels.SAMPLE_PDF_FILE).write_bytes(
                        _materials_pdf(row, narratives, achievements))
            if photos:
                _write_photos(folder / row["studio"], row, studio_rng)
    _receipt_register(plan).to_csv(inbox / labels.RECEIPTS_FILE, index=False, encoding="utf-8-sig")
    plan.named.assign(named_on=plan.named["named_on"].dt.strftime("%Y-%m-%d")).to_csv(
        out / "named_studios.csv", index=False, encoding="utf-8-sig")
    pool = _reviewers(truth, np.random.default_rng([seed, 3]))
    pool = pool.assign(field=_fields(len(pool), np.random.default_rng([seed, 5])))
    pool.to_csv(out / "reviewers.csv", index=False, encoding="utf-8-sig")
    _truth_csv(truth).to_csv(out / "ground_truth.csv", index=False, encoding="utf-8-sig")
    (out / "README.txt").write_text(labels.SAMPLE_README.format(seed=seed, unions=unions, n=len(truth)), encoding="utf-8")
    return out
