"""The round config: everything SPEC §3 lists is read; a mistake names its key."""

import re
from pathlib import Path

import pytest

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
