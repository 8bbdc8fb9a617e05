"""Review core: the reviewers file, conflicts of interest, assignment and simulated scores."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.config import DEFAULT_ROUND, load_round
from workbench.review import AssignmentError, ReviewerFileError, assign, conflicts, read_reviewers, simulate_scores
from workbench.store import open_store

RND = load_round(DEFAULT_ROUND)
CATEGORIES = list(RND.categories)


def with_review(rnd, **changes):
    """The round with other review settings (min_reviewers, max_per_reviewer …)."""
    return rnd.model_copy(update={"review": rnd.review.model_copy(update=changes)})


def nominations(n: int, *, host_units=None, recommenders=None, categories=None) -> pd.DataFrame:
    return pd.DataFrame({
        "nomination_id": [f"N{i:03d}" for i in range(n)],
        "category": categories or [CATEGORIES[i % len(CATEGORIES)] for i in range(n)],
        "studio": [f"工作室{i}" for i in range(n)],
        "host_unit": host_units or [f"公司{i}" for i in range(n)],
        "recommender": recommenders or [f"区总工会{i % 3}" for i in range(n)],
    })


def reviewers(n: int, units=None) -> pd.DataFrame:
    return pd.DataFrame({"reviewer_id": [f"R{i:02d}" for i in range(n)], "name": [f"评委{i}" for i in range(n)],
                         "unit": units or [f"大学{i}" for i in range(n)]})


def pairs(df: pd.DataFrame) -> set[tuple[str, str]]:
    return set(df[["nomination_id", "reviewer_id"]].itertuples(index=False, name=None))


def check_plan(plan: pd.DataFrame, noms: pd.DataFrame, revs: pd.DataFrame, rnd) -> None:
    """What every plan must satisfy: no conflict, enough reviewers, nobody over the cap."""
    assert not pairs(plan) & pairs(conflicts(noms, revs))
    per_candidate = plan.groupby(["nomination_id", "stage"]).size()
    assert len(per_candidate) == len(noms) * len(rnd.stages)
    assert (per_candidate == rnd.review.min_reviewers).all()
    assert not plan.duplicated().any()
    assert (plan.groupby(["reviewer_id", "stage"]).size() <= rnd.review.max_per_reviewer).all()


# ---------------------------------------------------------------------------- reviewers file
def test_read_reviewers_accepts_chinese_headers_and_gbk(tmp_path):
    path = tmp_path / "reviewers.csv"
    pd.DataFrame({" 评委编号 ": ["R1", "R2", ""], "姓 名": ["张三", "李四", ""], "工作单位": ["江南大学 ", "无锡市总工会", ""],
                  "备注": ["", "", ""]}).to_csv(path, index=False, encoding="gb18030")
    got = read_reviewers(path)
    assert list(got.columns) == ["reviewer_id", "name", "unit"]
    assert got.values.tolist() == [["R1", "张三", "江南大学"], ["R2", "李四", "无锡市总工会"]]


def test_read_reviewers_reads_excel_with_panels(tmp_path):
    path = tmp_path / "reviewers.xlsx"
    reviewers(2).assign(panel=["职工", ""]).to_excel(path, index=False)
    got = read_reviewers(path)
    assert list(got.columns) == ["reviewer_id", "name", "unit", "panel"]
    assert got["panel"].tolist() == ["职工", ""]


@pytest.mark.parametrize("content, code, named", [
    ("reviewer_id,name\nR1,张三\n", "reviewer_columns_missing", "工作单位"),
    ("reviewer_id,name,unit\nR1,张三,甲\nR2,李四,乙\nR1,王五,丙\n", "reviewer_duplicate_id", "R1"),
    ("reviewer_id,name,unit\nR1,张三,甲\n,李四,乙\n", "reviewer_id_blank", "3"),
])
def test_read_reviewers_explains_a_bad_file(tmp_path, content, code, named):
    path = tmp_path / "reviewers.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ReviewerFileError) as err:
        read_reviewers(path)
    assert err.value.code == code and named in str(err.value) and f"[{code}]" in str(err.value)


def test_read_reviewers_missing_file(tmp_path):
    with pytest.raises(ReviewerFileError) as err:
        read_reviewers(tmp_path / "nope.csv")
    assert err.value.code == "reviewer_file_missing"


# ---------------------------------------------------------------------------- conflicts
def test_conflicts_match_units_after_normalising():
    noms = nominations(3, host_units=["乙 公司", "ＡＢＣ科技", "丁公司"], recommenders=["甲区总工会", "甲区总工会", "丙集团工会"])
    revs = reviewers(4, units=["乙公司", "abc科技", "丙集团", "无关单位"])
    found = conflicts(noms, revs)
    assert list(found.columns) == ["nomination_id", "reviewer_id", "reason"]
    assert pairs(found) == {("N000", "R00"), ("N001", "R01"), ("N002", "R02")}
    assert found.set_index("nomination_id").loc["N000", "reason"] == "评委所在单位即工作室所在单位"
    assert found.set_index("nomination_id").loc["N002", "reason"] == "评委所在单位即推荐单位"


def test_invisible_characters_do_not_hide_a_conflict():
    """A reviewer from 江阴市总工会 must not review what 江阴市\u200b总工会 (zero-width space) recommends."""
    noms = nominations(6, recommenders=["江阴市\u200b总工会", "江阴市总工会\ufeff", "江阴市\u00ad总工会",
                                        "宜兴市总工会", "宜兴市总工会", "宜兴市总工会"],
                       host_units=["某厂", "某厂（集团）", "某厂", "某厂【集团】", "乙厂", "丙厂"])
    revs = reviewers(8, units=["江阴市总工会", "某厂\u2060(集团)"] + [f"大学{i}" for i in range(6)])
    found = conflicts(noms, revs)
    assert {("N000", "R00"), ("N001", "R00"), ("N002", "R00"), ("N001", "R01"), ("N003", "R01")} <= pairs(found)
    rnd = with_review(RND, min_reviewers=3, max_per_reviewer=6)
    plan = assign(noms, revs, rnd)
    assert not pairs(plan) & pairs(found)
    assert not any(r == "R00" and n in {"N000", "N001", "N002"} for n, r in pairs(plan))


def test_conflicts_include_declared_pairs_and_ignore_blank_units():
    noms = nominations(2, host_units=["", "乙公司"])
    revs = reviewers(2, units=["", "大学"])
    declared = pd.DataFrame({"nomination_id": ["N001"], "reviewer_id": ["R01"], "reason": ["曾任该工作室顾问"]})
    found = conflicts(noms, revs, declared)
    assert pairs(found) == {("N001", "R01")}
    assert "曾任该工作室顾问" in found["reason"].iloc[0]


# ---------------------------------------------------------------------------- assignment
def test_assign_meets_the_rules_and_balances_the_load():
    noms = nominations(30)
    revs = reviewers(12, units=[f"公司{i}" for i in range(6)] + [f"大学{i}" for i in range(6)])
    rnd = with_review(RND, min_reviewers=5, max_per_reviewer=15)
    plan = assign(noms, revs, rnd)
    assert list(plan.columns) == ["nomination_id", "reviewer_id", "stage"]
    check_plan(plan, noms, revs, rnd)
    load = plan.groupby(["stage", "reviewer_id"]).size()
    assert (load.groupby("stage").max() - load.groupby("stage").min() <= 1).all()


def test_assign_takes_only_eligible_nominations_within_quota():
    noms = nominations(4).assign(eligibility=["eligible", "ineligible", "eligible", "review"],
                                 quota_status=["in_quota", "in_quota", "over_quota", "in_quota"])
    plan = assign(noms, reviewers(6), with_review(RND, min_reviewers=3))
    assert set(plan["nomination_id"]) == {"N000"}


def test_assign_respects_panels():
    noms = nominations(6)
    revs = reviewers(6).assign(panel=["职工", "职工", "employee", "", "", ""])
    plan = assign(noms, revs, with_review(RND, min_reviewers=3))
    employee = set(noms.loc[noms["category"] == "employee", "nomination_id"])
    assert set(plan.loc[plan["reviewer_id"].isin(["R00", "R01", "R02"]), "nomination_id"]) <= employee


def test_an_infeasible_assignment_names_the_candidate():
    noms = nominations(3, host_units=["公司0", "公司1", "甲公司"])
    revs = reviewers(4, units=["甲公司", "甲公司", "大学", "学院"])
    with pytest.raises(AssignmentError) as err:
        assign(noms, revs, with_review(RND, min_reviewers=3))
    assert err.value.code == "assignment_infeasible"
    assert "N002" in str(err.value) and "工作室2" in str(err.value)
    assert "N000" not in str(err.value)


def test_the_cap_can_make_it_infeasible():
    with pytest.raises(AssignmentError) as err:
        assign(nominations(5), reviewers(3), with_review(RND, min_reviewers=3, max_per_reviewer=4))
    assert "N00" in str(err.value)


units = st.sampled_from(["甲公司", "乙公司", "丙大学", "丁学院", "甲区总工会", " 甲 公司 "])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    n_noms=st.integers(1, 10),
    n_revs=st.integers(1, 8),
    need=st.integers(1, 3),
    cap=st.integers(1, 8),
)
def test_assign_never_conflicts_and_ignores_row_order(data, n_noms, n_revs, need, cap):
    noms = nominations(n_noms, host_units=data.draw(st.lists(units, min_size=n_noms, max_size=n_noms)),
                       recommenders=data.draw(st.lists(units, min_size=n_noms, max_size=n_noms)),
                       categories=data.draw(st.lists(st.sampled_from(CATEGORIES), min_size=n_noms, max_size=n_noms)))
    revs = reviewers(n_revs, units=data.draw(st.lists(units, min_size=n_revs, max_size=n_revs)))
    rnd = with_review(RND, min_reviewers=need, max_per_reviewer=cap)
    shuffled_noms = noms.sample(frac=1, random_state=data.draw(st.integers(0, 99)))
    shuffled_revs = revs.sample(frac=1, random_state=data.draw(st.integers(0, 99)))
    try:
        plan = assign(noms, revs, rnd)
    except AssignmentError as err:
        with pytest.raises(AssignmentError) as again:
            assign(shuffled_noms, shuffled_revs, rnd)
        assert str(again.value) == str(err)
        return
    check_plan(plan, noms, revs, rnd)
    pd.testing.assert_frame_equal(assign(shuffled_noms, shuffled_revs, rnd), plan)


# ---------------------------------------------------------------------------- simulated scores
@pytest.fixture(scope="module")
def plan_and_noms():
    noms = nominations(24)
    revs = reviewers(8)
    return assign(noms, revs, RND.model_copy(update={"review": RND.review.model_copy(update={"min_reviewers": 5})})), noms


def test_simulated_scores_are_deterministic_by_seed(plan_and_noms):
    plan, noms = plan_and_noms
    first = simulate_scores(plan, noms, RND, seed=7)
    pd.testing.assert_frame_equal(first, simulate_scores(plan.iloc[::-1], noms.iloc[::-1], RND, seed=7))
    assert not first["points"].equals(simulate_scores(plan, noms, RND, seed=8)["points"])


def test_simulated_scores_follow_the_rubric(plan_and_noms):
    plan, noms = plan_and_noms
    scores = simulate_scores(plan, noms, RND)
    category = noms.set_index("nomination_id")["category"]
    top = [next(c.max[category[n]] for c in RND.rubric if c.code == k) for n, k in zip(scores["nomination_id"], scores["criterion"])]
    assert ((scores["points"] >= 0) & (scores["points"] <= top)).all()
    assert ((scores["points"] / RND.review.score_step) % 1 == 0).all()
    assert set(scores["status"]) == {"submitted"}
    per_sheet = scores.groupby(["nomination_id", "reviewer_id", "stage"]).size()
    assert len(per_sheet) == len(plan)
    assert scores.groupby(["nomination_id", "stage"])["points"].sum().nunique() > 1  # candidates differ


def test_simulated_scores_pass_the_store(plan_and_noms, tmp_path):
    plan, noms = plan_and_noms
    rnd = RND.at(tmp_path)
    with open_store(rnd, f"sqlite:///{tmp_path / 'sim.sqlite'}") as store:
        store.add_reviewers(reviewers(8))
        store.save_nominations(noms)
        store.save_assignments(plan)
        for reviewer_id in sorted(plan["reviewer_id"].unique()):  # no pledge, no scoring
            store.record_pledge(reviewer_id, method="paper", actor="王秘书")
        assert store.save_scores_frame(simulate_scores(plan, noms, rnd)) == len(plan)
        assert len(store.scores()) == len(simulate_scores(plan, noms, rnd))
