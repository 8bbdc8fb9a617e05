"""The round config: everything SPEC §3 lists is read; a mistake names its key."""

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import workbench as wb

TEXT = wb.DEFAULT_ROUND.read_text(encoding="utf-8")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "round.toml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "reference").mkdir(exist_ok=True)
    return path


def test_default_round_holds_the_policy():
    rnd = wb.load_round()
    assert rnd.reference_date.isoformat() == "2022-10-28"
    assert rnd.round.deadline.utcoffset().total_seconds() == 8 * 3600
    assert [rnd.categories[c].batch for c in ("demonstration", "model_worker", "employee")] == [5, 8, 2]
    assert rnd.categories["employee"].label == "无锡市职工创新工作室"
    assert {g.code: g.limit for g in rnd.quota_groups} == {"model": 3, "employee": 1}
    assert rnd.conditions["model_worker"].min_team == 5 and rnd.conditions["employee"].min_team == 3
    assert sum(s.weight for s in rnd.stages.values()) == pytest.approx(1)
    for cat in rnd.categories:
        assert sum(c.max[cat] for c in rnd.criteria(cat, "material")) == 100
    assert rnd.honours().shape[0] > 10


def test_paths_resolve_against_the_config_file():
    rnd = wb.load_round()
    assert rnd.paths.honours == (wb.DEFAULT_ROUND.parent.parent / "reference" / "honours.csv").resolve()


def test_at_points_the_round_to_another_folder(tmp_path):
    rnd = wb.load_round().at(tmp_path)
    assert rnd.inbox == tmp_path.resolve() / "inbox"
    assert rnd.paths.named_studios == tmp_path.resolve() / "named_studios.csv"


@pytest.mark.parametrize(
    ("old", "new", "key", "what"),
    [
        ("slots = 20", "slotz = 20", "categories.model_worker.slotz", "未知的配置项"),
        ("slots = 20", 'slots = "twenty"', "categories.model_worker.slots", "twenty"),
        ("min_team = 3", "min_team = -3", "conditions.employee.min_team", "-3"),
        ("weight = 0.4", "weight = 0.5", "stages", "权重之和"),
        ("max = { demonstration = 10, model_worker = 5, employee = 5 }",
         "max = { demonstration = 10, model_worker = 5, employee = 9 }", "rubric", "100"),
        ('tie_break = ["criterion:innovation"', 'tie_break = ["criterion:nonsense"', "ranking.tie_break", "nonsense"),
        ("limit = 3", "", "quota_groups.0.limit", "缺少此项"),
    ],
)
def test_a_mistake_gives_one_message_naming_the_key(tmp_path, old, new, key, what):
    assert old in TEXT
    path = write(tmp_path, TEXT.replace(old, new, 1))
    with pytest.raises(wb.RoundConfigError) as err:
        wb.load_round(path)
    message = str(err.value)
    assert key in message and what in message and "round_config_invalid" in message
    assert "\n" not in message


def test_broken_toml_and_missing_file_are_clear(tmp_path):
    with pytest.raises(wb.RoundConfigError, match="不是有效的 TOML"):
        wb.load_round(write(tmp_path, TEXT + "\n[[[oops"))
    with pytest.raises(wb.RoundConfigError, match="找不到"):
        wb.load_round(tmp_path / "nope.toml")


def test_deadline_needs_a_time_zone(tmp_path):
    path = write(tmp_path, re.sub(r"deadline = .*", "deadline = 2022-10-28T17:30:00", TEXT, count=1))
    with pytest.raises(wb.RoundConfigError, match="round.deadline"):
        wb.load_round(path)


# ---------------------------------------------------------------------------- the next round's config (workbench/next_round.py)
@given(st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2090, 12, 31)), st.integers(1, 5))
def test_moving_a_date_by_years_keeps_month_and_day_and_never_makes_an_impossible_date(day, years):
    from workbench.next_round import move_date

    moved = dt.date.fromisoformat(move_date(day.isoformat(), years))
    assert moved.year == day.year + years and moved.month == day.month
    assert moved.day == day.day or (day.month, day.day, moved.day) == (2, 29, 28)
    assert move_date(f"{day.isoformat()}T17:30:00+08:00", years).endswith("T17:30:00+08:00")


def test_registry_merging_is_idempotent():
    from workbench.registry import merge_named

    rows = pd.DataFrame({"batch": ["9", "9"], "category": ["model_worker"] * 2, "studio": ["甲工作室", "乙工作室"],
                         "host_unit": ["甲公司", "乙公司"], "leader": ["甲", "乙"], "named_on": ["2023-01-16"] * 2}, dtype="string")
    once, added = merge_named(pd.DataFrame(), rows)
    twice, again = merge_named(once, rows)
    assert len(added) == 2 and len(again) == 0 and twice.equals(once)
