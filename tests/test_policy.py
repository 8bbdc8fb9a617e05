"""Policy as data: change the round's TOML and the verdicts, the words on every sheet and the flags follow."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

import workbench as wb
from workbench import labels
from workbench.export import screening_workbook
from workbench.intake import finish_nominations
from workbench.screening import rule_categories, rule_label

TEXT = wb.DEFAULT_ROUND.read_text(encoding="utf-8")
REFERENCE = wb.DEFAULT_ROUND.parent.parent / "reference"


def round_with(tmp_path: Path, *edits: tuple[str, str]) -> wb.Round:
    """The 2022 round with `edits` (old, new) made to its TOML text, loaded from a copy in tmp_path."""
    text = TEXT.replace('"../reference/', f'"{REFERENCE.as_posix()}/').replace('"../sample', f'"{tmp_path.as_posix()}')
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "round.toml"
    path.write_text(text, encoding="utf-8")
    return wb.load_round(path)


def nomination(category: str, **changes) -> dict:
    row = dict(recommender="梁溪区总工会", category=category, recommender_rank=1, studio=f"{category}工作室",
               host_unit=f"{category}公司", legal_person=True, union_sound=True, rnd_or_team=False, party_building=True,
               leader="领衔人", leader_honours=["无锡市劳动模范"], team_size=5, frontline=3,
               established=dt.datetime(2018, 3, 1), established_precision="day", direct=False, site_area=100.0,
               funding=10.0, systems=True, ledger=True, results_last_year=2, benefit=50.0, video=False,
               named_on=dt.datetime(2019, 12, 1), received_at=dt.datetime(2022, 10, 27, 10), source_file="f.xlsx",
               source_row=1, paper_copies=2, paper_bound=True, paper_sealed=True, party_consent=True)
    if category == "employee":
        row["leader_honours"] = ["无锡市职工技术创新能手"]
    row.update(changes)
    return row


def screened(rnd: wb.Round, *rows: dict) -> pd.DataFrame:
    return wb.screen(finish_nominations(list(rows)), rnd, named_studios=pd.DataFrame(
        columns=["batch", "category", "studio", "host_unit", "leader", "named_on"]))


def label_of(rnd: wb.Round, code: str) -> str:
    return rule_label(next(r for r in wb.RULES if r.code == code), rnd)


def rules_sheet(rnd: wb.Round, frame: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """The 审查规则 sheet of the 资格审查情况表 as {short header: (the notice's words, categories)}."""
    book = screening_workbook(frame, rnd)
    sheet = book[labels.EXPORT_SHEETS["rules"]]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, r in enumerate(rows) if labels.EXPORT_COLUMNS["rule_text"] in r)
    cols = rows[header]
    at = {name: cols.index(labels.EXPORT_COLUMNS[name]) for name in ("rule_label", "rule_text", "rule_categories")}
    return {r[at["rule_label"]]: (r[at["rule_text"]], r[at["rule_categories"]])
            for r in rows[header + 1:] if r[at["rule_label"]]}


def test_the_default_labels_say_what_the_notice_says():
    rnd = wb.load_round()
    assert label_of(rnd, "team_size") == "团队成员不少于5人（无锡市职工创新工作室：团队成员不少于3人）"
    assert label_of(rnd, "on_time") == "请于2022年10月28日（星期五）17:30前将材料报无锡市总工会"
    assert label_of(rnd, "running") == "已有效运行1年以上"
    assert "满2年以上" in label_of(rnd, "named_years")
    honour = label_of(rnd, "leader_honour")
    assert "市级（含）以上劳动模范" in honour and "省级（含）以上五一劳动奖章获得者" in honour
    assert "职工技术创新能手" in honour  # the employee category's own condition, in brackets


def test_min_team_changes_verdicts_and_the_rules_sheet_together(tmp_path):
    rnd = round_with(tmp_path, ("[conditions.model_worker]\nmin_team = 5", "[conditions.model_worker]\nmin_team = 6"))
    out = screened(rnd, nomination("model_worker", team_size=5))
    assert out.iloc[0]["rule_team_size"] == "fail" and "少于6人" in out.iloc[0]["why_team_size"]
    text, _ = rules_sheet(rnd, out)[labels.RULE_HEADERS["team_size"]]
    assert "无锡市劳模创新工作室：团队成员不少于6人" in text and "不少于5人" in text
    detail = wb.screening_detail(out, rnd)
    assert detail.set_index("rule").loc["team_size", "label"] == text


def test_require_video_false_no_longer_fails_a_studio(tmp_path):
    rnd = round_with(tmp_path, ("require_video = true", "require_video = false"))
    row = screened(rnd, nomination("demonstration", video=False, team_size=8)).iloc[0]
    assert pd.isna(row["rule_video"])
    assert not any("宣传视频" in why for why in row["eligibility_reasons"])
    assert labels.RULE_HEADERS["video"] not in rules_sheet(rnd, screened(rnd, nomination("demonstration")))
    default = screened(wb.load_round().at(tmp_path), nomination("demonstration", video=False, team_size=8)).iloc[0]
    assert default["rule_video"] == "fail"


def test_which_rules_bind_a_category_follows_the_config(tmp_path):
    rnd = round_with(tmp_path, ("[conditions.employee]\nmin_team = 3\nmin_frontline = 1",
                                "[conditions.employee]\nmin_team = 3\nmin_frontline = 0\nrequire_party_building = true"))
    by_code = {r.code: rule_categories(r, rnd) for r in wb.RULES}
    assert "employee" in by_code["party_building"] and "employee" not in by_code["frontline"]
    row = screened(rnd, nomination("employee", team_size=3, party_building=False, frontline=0)).iloc[0]
    assert row["rule_party_building"] == "fail" and pd.isna(row["rule_frontline"])


def test_the_deadline_label_and_verdict_move_with_the_config(tmp_path):
    rnd = round_with(tmp_path, ("deadline = 2022-10-28T17:30:00+08:00", "deadline = 2022-11-04T12:00:00+08:00"))
    assert label_of(rnd, "on_time") == "请于2022年11月4日（星期五）12:00前将材料报无锡市总工会"
    row = screened(rnd, nomination("model_worker", received_at=dt.datetime(2022, 11, 1, 9))).iloc[0]
    assert row["rule_on_time"] == "pass"
    late = screened(wb.load_round().at(tmp_path), nomination("model_worker", received_at=dt.datetime(2022, 11, 1, 9)))
    assert late.iloc[0]["rule_on_time"] == "fail"


def test_running_years_and_results_thresholds_reach_the_words(tmp_path):
    rnd = round_with(tmp_path, ("[conditions.model_worker]\nmin_team = 5", "[conditions.model_worker]\nmin_team = 5\nmin_running_years = 3"),
                     ("require_party_building = true\nmin_running_years = 1", "require_party_building = true"))
    assert "已有效运行1年以上（无锡市劳模创新工作室：已有效运行3年以上）" == label_of(rnd, "running")
    row = screened(rnd, nomination("model_worker", established=dt.datetime(2020, 3, 1), named_on=None)).iloc[0]  # not named before it began
    assert row["rule_running"] == "fail" and "运行不满3年" in row["why_running"]


def scores_for(nid: str, n: int, rnd: wb.Round) -> pd.DataFrame:
    rows = []
    for stage in rnd.stages:
        for r in range(n):
            for c in rnd.criteria("model_worker", stage):
                rows.append(dict(reviewer_id=f"R{r}", nomination_id=nid, stage=stage, criterion=c.code,
                                 points=c.max["model_worker"] * 0.8, status="submitted"))
    return pd.DataFrame(rows)


def test_trim_min_reaches_the_flag_text(tmp_path):
    rnd = round_with(tmp_path, ("trim_min = 5", "trim_min = 7"))
    frame = screened(rnd, nomination("model_worker"))
    ranked = wb.rank(frame, scores_for(frame.iloc[0]["nomination_id"], 6, rnd), rnd)
    flags = ranked.iloc[0]["flags"]
    assert "不足7人" in flags and "不足5人" not in flags
    default = wb.load_round().at(tmp_path)
    assert not re.search("不足\\d人", wb.rank(frame, scores_for(frame.iloc[0]["nomination_id"], 6, default), default).iloc[0]["flags"] or "")


def test_the_interval_level_is_the_configured_one(tmp_path):
    from workbench.meeting import interval_level

    rnd = round_with(tmp_path, ("interval = 0.90", "interval = 0.80"))
    assert interval_level(rnd) == "80%"
    assert labels.MEETING["chart_title"].format(level=interval_level(rnd)).startswith("综合得分与80%")
    assert not any("90%" in text for text in labels.MEETING.values() if isinstance(text, str))
