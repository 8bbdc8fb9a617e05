"""Cross-checks across what one union sent: forms against the summary, duplicates, the union's
own ordering, and the photos the notice asks for. Each disagreement is a problem row.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

from workbench import labels
from workbench.config import Round
from workbench.intake.files import PHOTO_SUFFIXES, InboxFile, display_name
from workbench.intake.forms import Form
from workbench.intake.problems import Problem
from workbench.intake.values import normalise_text
from workbench.names import host_unit_keys, other_union, studio_keys

PHOTO_NEEDS = {"leader": (1, 1), "team": (1, 1), "scene": (3, 5)}  # the notice: 1 张, 1 张, 3-5 张


def _key(*parts: object) -> str:
    return "|".join(normalise_text(p if isinstance(p, str) else "") for p in parts)


def _where(row: pd.Series) -> tuple[str, str, str]:
    """(file, sheet, row) of a nomination, for a problem row."""
    file, sheet, line = (row.get(c) for c in ("source_file", "source_sheet", "source_row"))
    return ("" if pd.isna(file) else str(file), "" if pd.isna(sheet) else str(sheet),
            "" if pd.isna(line) else f"第{line}行")


# ---------------------------------------------------------------------------- forms
def match_forms(nominations: pd.DataFrame, forms: list[Form]) -> dict[str, Form]:
    """nomination_id -> its 推荐表, matched by union folder and studio name, else by leader, else (a form
    whose 工作室名称 was not read) by its file's name, as the notice asks forms to be named (…工作室推荐表)."""
    if not forms:
        return {}
    by_studio = {_key(f.file.split("/")[0], f.fields.get("studio")): f for f in forms if f.fields.get("studio")}
    by_leader = {_key(f.file.split("/")[0], f.fields.get("leader")): f for f in forms if f.fields.get("leader")}
    by_file = {_key(f.file.split("/")[0], _named_studio(f.file)): f for f in forms if not f.fields.get("studio")}
    matched = {}
    for row in nominations.itertuples():
        folder = str(row.source_file).split("/")[0]
        form = by_studio.get(_key(folder, row.studio)) or by_leader.get(_key(folder, row.leader)) or \
            by_file.get(_key(folder, studio_keys([row.studio])[0] if isinstance(row.studio, str) else ""))
        if form is not None:
            matched[row.nomination_id] = form
    return matched


def _named_studio(file: str) -> str:
    """The studio a form's file name names, as `studio_keys` compares it: 张伟劳模创新工作室推荐表.xlsx -> 张伟."""
    stem = os.path.splitext(os.path.basename(file))[0]
    return studio_keys([stem.split(labels.FORM_SHEET)[0]])[0]


def results_within_year(achievements: list[dict], reference: dt.date) -> int:
    start = pd.Timestamp(reference) - pd.DateOffset(years=1)
    return sum(1 for a in achievements if a.get("recognised_on") and start < pd.Timestamp(a["recognised_on"]) <= pd.Timestamp(reference))


def cross_check_forms(nominations: pd.DataFrame, forms: dict[str, Form], all_forms: list[Form], rnd: Round) -> list[Problem]:
    """The form against its summary row: leader, team size, front-line staff, recent results."""
    problems: list[Problem] = []
    for _, row in nominations.iterrows():
        form = forms.get(row["nomination_id"])
        if form is None:
            problems.append(Problem(*_where(row), "studio", str(row["studio"]), "warning", "form_missing",
                                    f"未收到“{row['studio']}”的推荐表"))
            continue

        def disagree(field: str, code: str, message: str, sheet: str = labels.FORM_SHEET, cell: str | None = None,
                     value: str = "") -> None:
            cell = form.cells.get(field, "") if cell is None else cell  # the form's own cell, on its 推荐表 sheet
            problems.append(Problem(form.file, labels.FORM_SHEET if cell else sheet, cell, field, value, "warning", code, message))

        if not form.fields.get("studio"):
            disagree("studio", "form_studio_missing", labels.INTAKE_MESSAGES["form_studio_missing"].format(studio=row["studio"]))
        if form.fields.get("leader") and _key(form.fields["leader"]) != _key(row["leader"]):
            disagree("leader", "form_leader_differs", f"推荐表领衔人“{form.fields['leader']}”与汇总表“{row['leader']}”不一致")
        said = [(form.fields.get("category"), form.cells.get("category", "")), form.titled or (None, "")]
        for category, cell in said:  # its 推荐类别 cell, and the template its title names
            if category and pd.notna(row["category"]) and category != row["category"]:
                label = rnd.category_label(category)
                disagree("category", "form_category_differs", labels.INTAKE_MESSAGES["form_category_differs"].format(
                    form=label, summary=rnd.category_label(row["category"])), cell=cell, value=label)
        n_members = len(form.members)
        if pd.notna(row["team_size"]) and n_members and n_members != row["team_size"]:
            disagree("team_size", "form_team_differs",
                     f"汇总表团队人数{row['team_size']}人，团队成员名单{n_members}人", labels.MEMBER_SHEET)
        frontline = sum(1 for m in form.members if m.get("frontline") is True)
        if pd.notna(row["frontline"]) and n_members and frontline != row["frontline"]:
            disagree("frontline", "form_frontline_differs",
                     f"汇总表一线职工{row['frontline']}人，团队成员名单中一线职工{frontline}人", labels.MEMBER_SHEET)
        recent = results_within_year(form.achievements, rnd.reference_date)
        if labels.ACHIEVEMENT_SHEET in form.tables and pd.notna(row["results_last_year"]) and recent < row["results_last_year"]:
            disagree("results_last_year", "form_results_differs",
                     f"汇总表近一年认定成果{row['results_last_year']}项，创新成果表中近一年认定的只有{recent}项",
                     labels.ACHIEVEMENT_SHEET)
    used = {id(f) for f in forms.values()}
    for form in all_forms:
        if id(form) not in used:
            problems.append(Problem(form.file, labels.FORM_SHEET, form.cells.get("studio", ""), "studio",
                                    str(form.fields.get("studio") or ""), "warning", "form_without_summary",
                                    "此推荐表在汇总表中没有对应的推荐对象"))
    return problems


def with_narratives(nominations: pd.DataFrame, forms: dict[str, Form]) -> pd.DataFrame:
    """The nominations with their form's narratives (主要事迹, 主要创新成果, 单位意见, 推荐单位工会意见)."""
    out = nominations.copy()
    for key, column in labels.NARRATIVE_COLUMNS.items():
        out[column] = pd.array([forms[n].fields.get(key) if n in forms else None for n in out["nomination_id"]],
                               dtype="string")
    return out


def narrative_problems(forms: dict[str, Form]) -> list[Problem]:
    """A narrative the form lacks, or leaves empty: reviewers would score without reading it."""
    problems: list[Problem] = []
    for form in sorted({id(f): f for f in forms.values()}.values(), key=lambda f: f.file):
        for key, label in labels.FORM_NARRATIVES.items():
            text = form.fields.get(key)
            if isinstance(text, str) and text.strip():
                continue
            code = "narrative_empty" if key in form.cells else "narrative_missing"
            problems.append(Problem(form.file, labels.FORM_SHEET, form.cells.get(key, ""),
                                    labels.NARRATIVE_COLUMNS[key], "", "warning", code,
                                    labels.INTAKE_MESSAGES[code].format(label=label)))
    return problems


# ---------------------------------------------------------------------------- duplicates and order
def _key_parts(nominations: pd.DataFrame, columns: set[str]) -> dict[str, list[str]]:
    """Each column's tolerant key ("无锡市…劳模创新工作室" and "…有限公司" dropped, as the registry
    matches), computed once however many keys use it."""
    keyed = {"studio": studio_keys, "host_unit": host_unit_keys}
    return {c: keyed.get(c, _normalised)(nominations[c].tolist()) for c in sorted(columns)}


def _normalised(values: list) -> list[str]:
    return [normalise_text(v) for v in values]


def _keys(parts: dict[str, list[str]], columns: tuple[str, ...]) -> list[str | None]:
    """The columns' keys joined; None where the first part is blank."""
    return ["|".join(p) if p[0] != "" else None for p in zip(*(parts[c] for c in columns))]


def _records(nominations: pd.DataFrame, columns: list[str]) -> list[dict]:
    """Rows as plain dicts (NA -> None) with where they came from: quicker than pandas row by row."""
    cols = list(dict.fromkeys([*columns, "source_file", "source_sheet", "source_row"]))
    values = [[None if v is pd.NA or (v.__class__ is float and math.isnan(v)) else v for v in nominations[c].tolist()]
              for c in cols]
    return [dict(zip(cols, row)) for row in zip(*values)]


def _place(row: dict) -> tuple[str, str, str]:
    """(file, sheet, row) of a nomination record, for a problem row."""
    line = "" if row["source_row"] is None else f"第{row['source_row']}行"
    return row["source_file"] or "", row["source_sheet"] or "", line


def duplicate_problems(nominations: pd.DataFrame) -> list[Problem]:
    """The same studio (name and host unit) twice, or the same leader in two nominations."""
    problems: list[Problem] = []
    parts = _key_parts(nominations, {"studio", "leader", "host_unit"})
    repeated = []
    for key_cols, code, what in ((("studio", "host_unit"), "duplicate_studio", "同一工作室"),
                                 (("leader", "host_unit"), "duplicate_leader", "同一领衔人")):
        groups: dict[str, list[int]] = {}
        for i, key in enumerate(_keys(parts, key_cols)):
            if key is not None:
                groups.setdefault(key, []).append(i)
        repeated.append((key_cols, code, what, [groups[k] for k in sorted(groups) if len(groups[k]) > 1]))
    involved = sorted({i for *_, found in repeated for members in found for i in members})
    rows = dict(zip(involved, _records(nominations.take(involved), ["recommender", "studio", "leader"])))
    for key_cols, code, what, found in repeated:
        for members in found:
            for i in members:
                row = rows[i]
                where = "、".join(f"{rows[o]['recommender']}（{rows[o]['studio']}）" for o in members if o != i)
                problems.append(Problem(*_place(row), key_cols[0], str(row[key_cols[0]]), "warning", code,
                                        f"{what}被重复推荐，另见：{where}"))
    return problems


def resubmitted_problems(nominations: pd.DataFrame) -> list[Problem]:
    """Two summary files of one union naming the same studios: a corrected copy sent beside the first
    (汇总表（修改版）.xlsx). Which one stands is the union's to say: each file gets an error naming the other.
    Two files naming different studios (one per category) are two halves of one summary, and fine."""
    files: dict[tuple[str, str], set[str]] = {}  # (folder, studio key) -> the files naming it
    for file, key in zip(nominations["source_file"].fillna("").tolist(), studio_keys(nominations["studio"].tolist())):
        if "/" in file and key:
            files.setdefault((file.split("/")[0], key), set()).add(file)
    shared: dict[str, dict[str, int]] = {}  # file -> the other file -> studios both name
    for names in files.values():
        for file in names:
            for other in names - {file}:
                shared.setdefault(file, {}).setdefault(other, 0)
                shared[file][other] += 1
    message = labels.INTAKE_MESSAGES["summary_resubmitted"]
    return [Problem(file, "", "", "", "", "error", "summary_resubmitted", message.format(other=other.split("/", 1)[1], n=n))
            for file, others in sorted(shared.items()) for other, n in sorted(others.items())]


def recommender_problems(nominations: pd.DataFrame) -> list[Problem]:
    """A summary in one union's folder naming another union as 推荐单位 (another's file used as a
    template, or a file put in the wrong folder): once per file and union named. The file's word is
    kept, so the studio counts against the quota of the union it names, and a person confirms."""
    named: dict[tuple[str, str], None] = {}
    for file, recommender in zip(nominations["source_file"].tolist(), nominations["recommender"].tolist()):
        if file.__class__ is str and "/" in file and recommender.__class__ is str:
            named[(file, recommender)] = None
    message = labels.INTAKE_MESSAGES["recommender_not_folder"]
    return [Problem(file, "", "", "recommender", recommender, "warning", "recommender_not_folder",
                    message.format(recommender=recommender, folder=file.split("/")[0]))
            for file, recommender in named if other_union(recommender, file.split("/")[0])]


def rank_problems(nominations: pd.DataFrame, rnd: Round) -> list[Problem]:
    """推荐排序 missing, repeated, or not 1..n within a union's quota group."""
    group_of = {c: g.code for g in rnd.quota_groups for c in g.categories}
    label_of = {g.code: g.label for g in rnd.quota_groups}
    problems: list[Problem] = []
    ranked: dict[tuple[str, str], list[dict]] = {}
    for row in _records(nominations, ["recommender", "category", "recommender_rank", "studio"]):
        group = group_of.get(row["category"])
        if group is None:
            continue
        if row["recommender_rank"] is None:
            problems.append(Problem(*_place(row), "recommender_rank", "", "error", "rank_missing",
                                    f"“{row['studio']}”未填写推荐排序（{label_of[group]}）"))
        elif row["recommender"] is not None:
            ranked.setdefault((row["recommender"], group), []).append(row)
    for (_, group), rows in sorted(ranked.items()):
        ranks = sorted(int(r["recommender_rank"]) for r in rows)
        present = "、".join(map(str, ranks))
        file, sheet, _ = _place(rows[0])
        if len(set(ranks)) < len(ranks):
            problems.append(Problem(file, sheet, "", "recommender_rank", present, "error", "rank_repeated",
                                    f"{label_of[group]}的推荐排序有重复：{present}"))
        elif ranks[0] != 1 or ranks[-1] != len(ranks):
            problems.append(Problem(file, sheet, "", "recommender_rank", present, "error", "rank_not_sequential",
                                    f"{label_of[group]}的推荐排序应从1开始连续编号：{present}"))
    return problems


# ---------------------------------------------------------------------------- photos
def photo_role(name: str) -> str | None:
    """The role of a photo, read from its file name."""
    if "领衔" in name or "标准照" in name:
        return "leader"
    if "团队" in name or "合影" in name:
        return "team"
    if "场景" in name or "工作照" in name or "内部" in name:
        return "scene"
    return None


def studio_folders(inbox: Path) -> dict[tuple[str, str], Path]:
    """(union folder, normalised studio name) -> that studio's folder, found by listing the inbox.
    Names as intake shows them (`display_name`: a GBK-encoded name as its author wrote it).

    Paths are never built from cell text: a studio typed as "/" or "../x" must not lead outside.
    """
    folders = {}
    for union in _subfolders(inbox):
        for studio in _subfolders(union.path):
            folders[(display_name(union.name), normalise_text(display_name(studio.name)))] = Path(studio.path)
    return folders


def _subfolders(path: str | Path) -> list[os.DirEntry]:
    with os.scandir(path) as entries:
        return [entry for entry in entries if entry.is_dir()]


def studio_photos(inbox: Path, nominations: pd.DataFrame) -> dict[str, list[Path]]:
    """nomination_id -> its photos in <inbox>/<union folder>/<studio>/, the leader's portrait first,
    then the team, then the scenes. Folders are found by listing the inbox, never by building a path
    from cell text, so a studio typed as "/" or "../x" finds nothing rather than something outside.
    The dossier's view; intake counts from its inbox listing (`listed_photos`). Both skip `._`
    AppleDouble files and links leading outside; a file link inside the inbox is shown by neither
    here, and counted there as the listing reads it."""
    folders = studio_folders(inbox) if inbox.is_dir() else {}
    order = {role: i for i, role in enumerate(PHOTO_NEEDS)}
    photos: dict[str, list[Path]] = {}
    for nid, source, studio in zip(*(nominations[c].tolist() for c in ("nomination_id", "source_file", "studio"))):
        found: list[Path] = []
        if isinstance(source, str) and isinstance(studio, str) and folders:
            folder = folders.get((source.split("/")[0], normalise_text(studio)))
            found = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()  # links: see files.list_inbox
                     and p.suffix.lower() in PHOTO_SUFFIXES and not p.name.startswith("._")] if folder else []
        photos[nid] = sorted(found, key=lambda p: (order.get(photo_role(_stem(display_name(p.name))) or "", len(order)), p.name))
    return photos


@lru_cache(maxsize=256)
def _photos_short(counts: tuple[int, ...]) -> str:
    """What the photos of each role lack ("" when the notice's counts are met), by role counts."""
    return "；".join(f"{labels.PHOTO_ROLES[r]}{n}张（应{lo}{'' if lo == hi else f'–{hi}'}张）"
                    for (r, (lo, hi)), n in zip(PHOTO_NEEDS.items(), counts) if not lo <= n <= hi)


def listed_photos(listed: list[InboxFile]) -> dict[tuple[str, str], list[str]]:
    """(union folder, normalised studio folder) -> the shown names of the photos anywhere under
    <inbox>/<union>/<studio>/, from the inbox listing: the same files intake reads or reports, so a
    link leading outside (reported there) and a `._` AppleDouble file (a system file) are not photos."""
    photos: dict[tuple[str, str], list[str]] = {}
    for f in listed:
        parts = f.rel.split("/")
        if f.kind == "photo" and len(parts) > 2:
            photos.setdefault((parts[0], normalise_text(parts[1])), []).append(parts[-1])
    return photos


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name


def materials(photos: dict[tuple[str, str], list[str]], nominations: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Photo counts by role per nomination (photos as `listed_photos` found them), and a problem
    where the notice's count is not met: once per studio folder, though two rows name the studio."""
    rows, problems = [], []
    said: set[tuple[str, str]] = set()
    none = (0,) * len(PHOTO_NEEDS)
    named = nominations[nominations["studio"].notna()]  # no name: already reported as missing_value
    for nid, source, studio in zip(*(named[c].tolist() for c in ("nomination_id", "source_file", "studio"))):
        folder = (str(source).split("/")[0], normalise_text(studio))
        names = photos.get(folder, []) if isinstance(source, str) else []
        counts = _role_counts(names) if names else none
        rows.append((nid, *counts, len(names) - sum(counts)))
        short = _photos_short(counts)
        if short and folder not in said:
            said.add(folder)
            problems.append(Problem(f"{folder[0]}/{studio}", "", "", "photos",
                                    short, "warning", "photos_short", f"“{studio}”的电子照片不符合要求：" + short))
    return (pd.DataFrame(dict(zip(MATERIAL_COLUMNS, map(list, zip(*rows))))) if rows
            else pd.DataFrame(columns=MATERIAL_COLUMNS)), problems


def _role_counts(names: list[str]) -> tuple[int, ...]:
    """How many of the photos are of each role (PHOTO_NEEDS order), read from their names."""
    counts = dict.fromkeys(PHOTO_NEEDS, 0)
    for name in names:
        role = photo_role(_stem(name))
        if role:
            counts[role] += 1
    return tuple(counts.values())


MATERIAL_COLUMNS = ["nomination_id", "leader_photos", "team_photos", "scene_photos", "other_photos"]
