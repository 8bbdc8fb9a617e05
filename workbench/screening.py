"""Screening (资格审查 and 名额): the notice's conditions as rules, and each union's quota.

A rule is data: a code, the notice's own words, the categories it applies to, and a vectorised
check that returns per nomination a result (pass / fail / review) and a readable reason. Missing
or doubtful data gives review, never pass. Thresholds come from the round config.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from workbench import labels
from workbench.config import Conditions, HonourLevels, Round
from workbench.names import host_unit_key, normalise_honour, normalise_series, studio_key, title_level
from workbench.notice import chinese_date

RESULTS = ("pass", "fail", "review")


@dataclass(frozen=True)
class Context:
    """What a rule may look at besides the nominations: the round and its reference tables."""

    rnd: Round
    honours: pd.DataFrame
    named_studios: pd.DataFrame
    site_visits: pd.DataFrame | None = None  # the store's `site_visits()`: the 实地考察 records


Check = Callable[[pd.DataFrame, Context], tuple[pd.Series, pd.Series]]


@dataclass(frozen=True)
class Rule:
    """A notice condition: its code, its check, and which categories it binds (read from the config).

    The label a user reads is rendered from the round's parameters (`rule_label`), so changing
    `min_team` in the TOML changes the verdicts and the words on every sheet together.
    """

    code: str
    check: Check
    applies: Callable[[Conditions], bool] = lambda cond: True


ALL = ("demonstration", "model_worker", "employee")


# ---------------------------------------------------------------------------- helpers for checks
def _verdict(df: pd.DataFrame, ok: pd.Series, unknown: pd.Series, fail_reason: pd.Series | str,
             review_reason: pd.Series | str, pass_reason: str = "") -> tuple[pd.Series, pd.Series]:
    """Combine boolean masks into (result, reason); unknown wins over ok/fail."""
    ok = ok.fillna(False).astype(bool)
    unknown = unknown.fillna(True).astype(bool)
    result = pd.Series(np.where(unknown, "review", np.where(ok, "pass", "fail")), index=df.index)
    fail_reason = fail_reason if isinstance(fail_reason, pd.Series) else pd.Series(fail_reason, index=df.index)
    review_reason = review_reason if isinstance(review_reason, pd.Series) else pd.Series(review_reason, index=df.index)
    reason = pd.Series(np.where(result == "fail", fail_reason, np.where(result == "review", review_reason, pass_reason)),
                       index=df.index, dtype="string")
    return result, reason


def _flag_rule(column: str, want: bool, fail: str, missing: str) -> Check:
    """A yes/no condition read straight from a declared field."""
    def check(df: pd.DataFrame, ctx: Context) -> tuple[pd.Series, pd.Series]:
        value = df[column].astype("boolean")
        return _verdict(df, value == want, value.isna(), fail, missing)
    return check


def _figure(values: pd.Series) -> pd.Series:
    """Thresholds as a person writes them: 3, not 3.0; 1.5 stays 1.5."""
    return values.map(lambda v: "" if pd.isna(v) else f"{v:g}").astype("string")


def _conditions(df: pd.DataFrame, ctx: Context, key: str) -> pd.Series:
    """A per-row threshold from the round config, by the row's category."""
    per_cat = {c: getattr(cond, key) for c, cond in ctx.rnd.conditions.items()}
    return df["category"].map(per_cat)


# ---------------------------------------------------------------------------- checks
def check_on_time(df: pd.DataFrame, ctx: Context) -> tuple[pd.Series, pd.Series]:
    deadline = ctx.rnd.deadline  # receipts are on the round's clock
    received = pd.to_datetime(df["received_at"])
    late = received.dt.strftime("%Y-%m-%d %H:%M").fillna("")
    if not ctx.rnd.round.deadline_confirmed:  # a round written by new-round: the date is a guess until confirmed
        return _verdict(df, received <= deadline, pd.Series(True, index=df.index), "",
                        "截止时间尚待确认（配置 round.deadline_confirmed = false），请确认后再审查是否按时报送")
    return _verdict(df, received <= deadline, received.isna(),
                    "收件时间" + late + "，晚于截止时间" + deadline.strftime("%Y-%m-%d %H:%M"),
                    "收件时间未知，请核实是否按时报送")


def check_team(df: pd.DataFrame, ctx: Context) -> tuple[pd.Series, pd.Series]:
    need = _conditions(df, ctx, "min_team")
    size = df["team_size"].astype("Float64")
    reason = "团队人数" + size.astype("Int64").astype("string").fillna("") + "人，少于" + _figure(need) + "人"
    return _verdict(df, size >= need, size.isna(), reason, "团队人数未填写")


def check_frontline(df: pd.DataFrame, ctx: Context) -> tuple[pd.Series, pd.Series]:
    """一线职工参与. More front-line staff than the team has is a typing mistake in one of the two: for a person."""
    need = _conditions(df, ctx, "min_frontline")
    n, team = df["frontline"].astype("Float64"), df["team_size"].astype("Float64")
    exceeds = (n > team).fillna(False).astype(bool)
    review = pd.Series(np.where(exceeds, "一线职工人数（" + _figure(n) + "人）多于团队人数（" + _figure(team) + "人），请核实",
                                "一线职工人数未填写"), index=df.index)
    return _verdict(df, n >= need, n.isna() | exceeds, "没有一线职工参与", review)


def check_site(df: pd.DataFrame, ctx: Context) -> tuple[pd.Series, pd.Series]:
    area = df["site_area"].astype("Float64")
    return _verdict(df, area > 0, area.isna(), "没有固定场所（面积为0）", "场所面积未填写")


def check_funding(df: pd.DataFrame, ctx: Context) -> tuple[pd.Series, pd.Series]:
    money = df["funding"].astype("Float64")
    return _verdict(df, money > 0, money.isna(), "年度经费为0，无经费保障", "年度经费未填写")


def check_results(df: pd.DataFrame, ctx: Context) -> tuple[pd.Series, pd.Series]:
    need = _conditions(df, ctx, "min_results_per_year")
    n = df["results_last_year"].astype("Float64")
    reason = "近一年认定成果" + n.astype("Int64").astype("string").fillna("") + "项，少于" + _figure(need) + "项"
    return _verdict(df, n >= need, n.isna(), reason, "近一年认定成果数未填写")


def _latest_day(dates: pd.Series, precision: pd.Series) -> pd.Series:
    """The latest day a month- or year-precision date can mean: judged conservatively."""
    dates = pd.to_datetime(dates)
    month_end = dates + pd.offsets.MonthEnd(0)
    year_end = dates + pd.offsets.YearEnd(0)
    return dates.where(precision.fillna("day") == "day", month_end.where(precision == "month", year_end))


def _years_before(dates: pd.Series, years: pd.Series, reference: dt.date) -> pd.Series:
    """True where `dates` lies at least `years` whole years before the reference date.

    A year from 29 Feb ends on 28 Feb (民法典: no corresponding day -> the month's last day).
    """
    ref = pd.Timestamp(reference)
    out = pd.Series(pd.NA, index=dates.index, dtype="boolean")
    known = dates.notna()
    for y in years[known].unique():
        rows = known & (years == y)
        offset = pd.DateOffset(years=int(y)) if float(y).is_integer() else pd.Timedelta(days=365.25 * y)
        out[rows] = (dates[rows] + offset) <= ref
    return out


def _years_known(dates: pd.Series, precision: pd.Series, years: pd.Series, reference: dt.date) -> tuple[pd.Series, pd.Series]:
    """Whether a date known to the day, month or year lies `years` whole years before the reference date:
    surely (even the latest day it can mean does) and maybe (its first day does)."""
    return _years_before(_latest_day(dates, precision), years, reference), _years_before(dates, years, reference)


def _period_text(dates: pd.Series, precision: pd.Series) -> pd.Series:
    """'2021年10月' for a month, '2021年' for a year, '2021年10月28日' for a day."""
    dates = pd.to_datetime(dates)
    day, month, year = (dates.dt.strftime(labels.DATE_AT_PRECISION[p]) for p in ("day", "month", "year"))
    return day.where(precision == "day", month.where(precision == "month", year)).fillna("")


def _precision(df: pd.DataFrame, column: str) -> pd.Series:
    """How far each date of `column` was written ('day', 'month', 'year'); 'day' where not said."""
    return df.get(f"{column}_precision", pd.Series("day", index=df.index)).astype("string").fillna("day")


def check_running(df: pd.DataFrame, ctx: Context) -> tuple[pd.Series, pd.Series]:
    """运行1年以上. A date given only to the month (or year) passes when even its last day is a year
    before the reference date, fails when even its first day is not, and otherwise is for a person;
    so does one later than the declared naming date (the studio was named before it was established)."""
    need = _conditions(df, ctx, "min_running_years")
    precision = _precision(df, "established")
    earliest = pd.to_datetime(df["established"])
    named, named_precision = pd.to_datetime(df["named_on"]), _precision(df, "named_on")
    after_named = (_latest_day(named, named_precision) < earliest).fillna(False).astype(bool)
    surely, maybe = _years_known(earliest, precision, need, ctx.rnd.reference_date)
    shown = _period_text(earliest, precision)
    reference = f"{ctx.rnd.reference_date:%Y年%m月%d日}"
    fail_reason = "成立于" + shown + "，至" + reference + "运行不满" + _figure(need) + "年"
    straddles = (maybe.fillna(False) & ~surely.fillna(False)).astype(bool)
    review_reason = pd.Series(np.where(straddles, "成立时间只填到" + pd.Series(np.where(precision == "year", "年", "月"), index=df.index)
                                       + "（" + shown + "），至" + reference + "是否满" + _figure(need)
                                       + "年取决于具体日期，请核实", "成立时间未填写或无法识别"), index=df.index)
    review_reason = review_reason.where(~after_named, "成立时间（" + shown + "）晚于申报的命名时间（"
                                        + _period_text(named, named_precision) + "），至少一项填错，请核实")
    return _verdict(df, surely, surely.isna() | straddles | after_named, fail_reason, review_reason)


def registry_match(df: pd.DataFrame, registry: pd.DataFrame, category: str) -> pd.Series:
    """The registry's naming date for each nomination's studio at `category` level (NaT if none).

    Tolerant of the small differences between how a studio was named then and is written now:
    matched on the studio name with its usual affixes stripped, or on host unit plus leader
    (studios get renamed, their leader and unit rarely both change), or on a near-identical name
    within the same host unit.
    """
    reg = registry[registry["category"] == category]
    if reg.empty or df.empty:
        return pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    dates = pd.to_datetime(reg["named_on"]).astype("datetime64[ns]").to_numpy()
    by_name = dict(zip(studio_key(reg["studio"]), dates))
    by_unit_leader = dict(zip(host_unit_key(reg["host_unit"]) + "|" + normalise_series(reg["leader"]), dates))
    by_unit: dict[str, list[tuple[str, object]]] = {}
    for unit, name, date in zip(host_unit_key(reg["host_unit"]), normalise_series(reg["studio"]), dates):
        by_unit.setdefault(unit, []).append((name, date))
    names, units, leaders = studio_key(df["studio"]), host_unit_key(df["host_unit"]), normalise_series(df["leader"])
    found = []
    for name, full, unit, leader in zip(names, normalise_series(df["studio"]), units, leaders):
        date = by_name.get(name) if name else None
        if date is None and leader:
            date = by_unit_leader.get(f"{unit}|{leader}")
        if date is None and full:  # a typo in the name, same unit: compare whole names, affixes included
            close = [d for other, d in by_unit.get(unit, []) if difflib.SequenceMatcher(None, full, other).ratio() >= 0.85]
            date = close[0] if close else None
        found.append(date if date is not None else pd.NaT)
    return pd.Series(pd.to_datetime(found), index=df.index, dtype="datetime64[ns]")


def check_named_years(df: pd.DataFrame, ctx: Context) -> tuple[pd.Series, pd.Series]:
    """命名满2年: the registry's date wins over the declared one, and only the registry confirms;
    a declared date the registry cannot confirm, one given to the month that straddles the
    threshold, and 直接推荐 go to a person."""
    need = _conditions(df, ctx, "min_named_years").fillna(0)
    registered = registry_match(df, ctx.named_studios, "model_worker")
    declared = pd.to_datetime(df["named_on"])
    precision = _precision(df, "named_on").where(registered.isna(), "day")
    named = registered.fillna(declared)
    surely, maybe = (known.fillna(False).astype(bool)
                     for known in _years_known(named, precision, need, ctx.rnd.reference_date))
    confirmed = registered.notna()
    direct = df["direct"].astype("boolean").fillna(False).astype(bool)
    reference = f"{ctx.rnd.reference_date:%Y年%m月%d日}"
    shown = _period_text(named, precision)
    too_recent = "命名为市劳模创新工作室于" + shown + "，至" + reference + "不满" + _figure(need) + "年"
    mismatch = confirmed & declared.notna() & (registered.dt.to_period("M") != declared.dt.to_period("M"))
    conditions = [surely & confirmed, direct, surely, maybe, named.notna()]
    result = np.select(conditions, ["pass", "review", "review", "review", "fail"], "fail")
    reason = np.select(conditions, [
        pd.Series(np.where(mismatch, "申报的命名时间与登记不一致，以登记为准", ""), index=df.index),
        pd.Series("特别优秀直接推荐（未满命名年限），须由审核人员写明理由后认定", index=df.index),
        "申报的命名时间（" + shown + "）在已命名工作室名录中查不到，须核实后认定",
        "命名时间只填到月（" + shown + "），至" + reference + "是否满" + _figure(need) + "年取决于具体日期，请核实",
        too_recent,
    ], "未查到命名为市劳模创新工作室的记录，且未申明特别优秀直接推荐")
    return pd.Series(result, index=df.index), pd.Series(reason, index=df.index, dtype="string")


def check_not_already_named(df: pd.DataFrame, ctx: Context) -> tuple[pd.Series, pd.Series]:
    result = pd.Series("pass", index=df.index)
    reason = pd.Series("", index=df.index, dtype="string")
    for category in ctx.rnd.categories:
        rows = df["category"] == category
        named = registry_match(df[rows], ctx.named_studios, category)
        hit = named.notna()
        result[hit[hit].index] = "fail"
        reason[hit[hit].index] = "已于" + named[hit].dt.strftime("%Y年%m月") + "被命名为" + ctx.rnd.category_label(category)
    return result, reason


def check_duplicate(df: pd.DataFrame, ctx: Context) -> tuple[pd.Series, pd.Series]:
    key = studio_key(df["studio"]) + "|" + host_unit_key(df["host_unit"])
    counts = key.map(key.value_counts())
    others = df.groupby(key)["recommender"].transform(lambda s: "、".join(sorted(set(s.dropna()))))
    dup = counts > 1
    return _verdict(df, ~dup, dup, "", "同一工作室被重复推荐（" + others.astype("string") + "），须核实后保留一条")


# ---------------------------------------------------------------------------- honours
def classify_honours(titles: pd.Series, honours: pd.DataFrame, levels: HonourLevels | None = None) -> pd.Series:
    """Each row's list of titles -> list of (title, kind, level); kind None for unknown titles.

    A title the table does not hold is read by its awarding body's level and the kind of the same
    title at another level (惠山区劳动模范: labor_model at 1), when `levels` says how.
    """
    table = {normalise_honour(t): (k, int(lv)) for t, k, lv in zip(honours["title"], honours["kind"], honours["level"])}
    for t, k, lv in zip(honours["title"], honours["kind"], honours["level"]):
        table.setdefault(t, (k, int(lv)))
    kinds: dict[str, set[str]] = {}
    for title, (kind, _) in table.items():
        split = title_level(title, levels) if levels else None
        if split:
            kinds.setdefault(split[1], set()).add(kind)

    def lookup(title: str) -> tuple[str | None, int | None]:
        key = normalise_honour(title)
        if key in table:
            return table[key]
        split = title_level(key, levels) if levels else None
        found = kinds.get(split[1], set()) if split else set()
        return (found.pop(), split[0]) if len(found) == 1 else (None, None)

    return titles.map(lambda items: [(title, *lookup(title)) for title in items or []])


def check_leader_honour(df: pd.DataFrame, ctx: Context) -> tuple[pd.Series, pd.Series]:
    classified = classify_honours(df["leader_honours"], ctx.honours, ctx.rnd.honour_levels)
    result, reason = [], []
    for cat, items in zip(df["category"], classified):
        needs = ctx.rnd.conditions[cat].leader_honours if cat in ctx.rnd.conditions else []
        meets = any(kind == n.kind and level >= n.min_level for _, kind, level in items if kind for n in needs)
        unknown = [t for t, kind, _ in items if kind is None]
        if meets:
            result.append("pass"); reason.append("")
        elif unknown:
            result.append("review"); reason.append("荣誉称号无法认定：" + "、".join(unknown) + "，请核实级别")
        elif not items:
            result.append("review"); reason.append("领衔人荣誉称号未填写")
        else:
            result.append("fail"); reason.append("领衔人荣誉（" + "、".join(t for t, _, _ in items) + "）不符合领衔人条件")
    return pd.Series(result, index=df.index), pd.Series(reason, index=df.index, dtype="string")


def check_site_visit(df: pd.DataFrame, ctx: Context) -> tuple[pd.Series, pd.Series]:
    """The conditions an on-site inspection checked: fail when one was not confirmed, review when one
    was not checked; NA (not yet visited) without a record. The reason is the record itself."""
    from workbench.visits import visit_verdicts

    found = visit_verdicts(ctx.site_visits, ctx.rnd)
    result = df["nomination_id"].map(found["result"]).astype("string")
    reason = df["nomination_id"].map(found["reason"]).astype("string")
    return result, reason


# ---------------------------------------------------------------------------- the paper side (收件登记)
def _paper_rule(code: str, column: str, shortfall: str, missing: str) -> Check:
    """A paper requirement from the receipt register; the config says whether it is required
    (receipts.required) and what a recorded shortfall gives (receipts.shortfall)."""
    def check(df: pd.DataFrame, ctx: Context) -> tuple[pd.Series, pd.Series]:
        need = ctx.rnd.receipts
        if code not in need.required:
            return pd.Series("pass", index=df.index), pd.Series("本轮不要求", index=df.index, dtype="string")
        value = df[column] if column in df.columns else pd.Series(pd.NA, index=df.index)
        if column == "paper_copies":
            n = value.astype("Float64")
            ok, unknown = n >= need.copies, n.isna()
            why = "纸质材料" + n.astype("Int64").astype("string").fillna("") + f"份，通知要求一式{labels.CN_COUNT.get(need.copies, need.copies)}份"
        else:
            flag = value.astype("boolean")
            ok, unknown, why = flag == True, flag.isna(), shortfall  # noqa: E712 (nullable boolean)
        result, reason = _verdict(df, ok, unknown, why, missing)
        return result.replace("fail", need.shortfall), reason
    return check


# ---------------------------------------------------------------------------- the rule table
RULES: tuple[Rule, ...] = (
    Rule("legal_person", _flag_rule("legal_person", True, "所在单位不具有法人资格", "未填写是否具有法人资格")),
    Rule("union_sound", _flag_rule("union_sound", True, "所在单位工会组织不健全", "未填写工会组织是否健全")),
    Rule("not_rnd_or_team",
         _flag_rule("rnd_or_team", False, "属原有建制的专门研发机构或班组", "未填写是否为原有建制研发机构或班组")),
    Rule("on_time", check_on_time),
    Rule("not_already_named", check_not_already_named),
    Rule("no_duplicate", check_duplicate),
    Rule("party_building",
         _flag_rule("party_building", True, "未设劳模党支部、党小组或党员先锋岗", "未填写党建引领情况"),
         lambda cond: cond.require_party_building),
    Rule("leader_honour", check_leader_honour, lambda cond: bool(cond.leader_honours)),
    Rule("team_size", check_team),
    Rule("frontline", check_frontline, lambda cond: cond.min_frontline > 0),
    Rule("site", check_site),
    Rule("systems", _flag_rule("systems", True, "运行制度不健全", "未填写制度是否健全")),
    Rule("funding", check_funding),
    Rule("running", check_running, lambda cond: cond.min_running_years > 0),
    Rule("ledger", _flag_rule("ledger", True, "台账不详实", "未填写台账情况")),
    Rule("results", check_results, lambda cond: cond.min_results_per_year > 0),
    Rule("named_years", check_named_years, lambda cond: cond.min_named_years is not None),
    Rule("video", _flag_rule("video", True, "没有宣传视频", "未填写有无宣传视频"), lambda cond: cond.require_video),
    Rule("site_visit", check_site_visit),
    Rule("paper_copies", _paper_rule("copies", "paper_copies", "", "收件登记中未记录纸质材料份数")),
    Rule("paper_bound", _paper_rule("bound", "paper_bound", "材料未装订成册", "收件登记中未记录材料是否装订成册")),
    Rule("paper_sealed", _paper_rule("sealed", "paper_sealed", "推荐材料未盖章", "收件登记中未记录推荐材料是否盖章")),
    Rule("party_consent", _paper_rule("party_consent", "party_consent", "没有单位党政组织同意推荐的意见",
                                      "收件登记中未记录单位党政组织同意推荐的证明")),
)


def rule_categories(rule: Rule, rnd: Round) -> tuple[str, ...]:
    """The categories whose conditions in the round config make `rule` apply."""
    return tuple(cat for cat, cond in rnd.conditions.items() if rule.applies(cond))


def _honour_words(needs: list, rnd: Round) -> str:
    """'市级（含）以上劳动模范或省级（含）以上五一劳动奖章获得者' from the config's kinds and levels."""
    words = labels.RULE_LABEL_PARTS
    return words["or"].join(words["honour"].format(level=words["levels"].get(n.min_level, str(n.min_level)),
                                                   kind=words["kinds"].get(n.kind, n.kind)) for n in needs)


def _rule_params(code: str, cat: str, rnd: Round) -> dict[str, object]:
    """The parameters a rule's label names, for one category."""
    cond = rnd.conditions[cat]
    deadline = rnd.deadline
    return {
        "min_team": cond.min_team, "min_frontline": cond.min_frontline,
        "min_running_years": f"{cond.min_running_years:g}", "min_results_per_year": cond.min_results_per_year,
        "min_named_years": f"{cond.min_named_years or 0:g}", "named_label": rnd.category_label("model_worker"),
        "deadline": chinese_date(deadline.date(), weekday=True), "time": f"{deadline:%H:%M}",
        "organiser": rnd.round.organiser,
        "honours": _honour_words(cond.leader_honours, rnd) if code == "leader_honour" else "",
        "category": rnd.category_label(cat),
        "site_conditions": "、".join(c.label for c in rnd.panel.site_conditions),
        "copies": labels.CN_COUNT.get(rnd.receipts.copies, rnd.receipts.copies),
    }


def rule_label(rule: Rule, rnd: Round) -> str:
    """The condition as the notice words it, with this round's figures.

    Where the categories differ, the most common wording leads and the others follow in brackets:
    '团队成员不少于5人（无锡市职工创新工作室不少于3人）'.
    """
    template = labels.RULE_LABELS[rule.code]
    cats = rule_categories(rule, rnd) or tuple(rnd.conditions)
    texts = {cat: template.format(**_rule_params(rule.code, cat, rnd)) for cat in cats}
    ordered = list(dict.fromkeys(texts.values()))
    main = max(ordered, key=lambda text: sum(v == text for v in texts.values()))
    others = [labels.RULE_LABEL_PARTS["exception"].format(category=rnd.category_label(cat), text=text)
              for cat, text in texts.items() if text != main]
    return main + (labels.RULE_LABEL_PARTS["brackets"].format(text="；".join(others)) if others else "")


# ---------------------------------------------------------------------------- screen
def apply_rules(df: pd.DataFrame, ctx: Context, rules: tuple[Rule, ...] = RULES) -> pd.DataFrame:
    """Add rule_<code> (pass/fail/review, NA where the rule does not apply) and why_<code>."""
    out = df.copy()
    for rule in rules:
        applies = df["category"].isin(rule_categories(rule, ctx.rnd))
        result = pd.Series(pd.NA, index=df.index, dtype="string")
        reason = pd.Series(pd.NA, index=df.index, dtype="string")
        if applies.any():
            res, why = rule.check(df[applies], ctx)
            result[applies] = res.astype("string")
            reason[applies] = why.astype("string")
        out[f"rule_{rule.code}"] = result
        out[f"why_{rule.code}"] = reason
    return out


def overall(df: pd.DataFrame, rules: tuple[Rule, ...] = RULES) -> pd.DataFrame:
    """eligibility (eligible / ineligible / review) and the readable reasons behind it."""
    results = df[[f"rule_{r.code}" for r in rules]]
    any_fail = (results == "fail").any(axis=1)
    any_review = (results == "review").any(axis=1)
    unknown_category = ~df["category"].isin(ALL)
    eligibility = np.where(any_fail, "ineligible", np.where(any_review | unknown_category, "review", "eligible"))
    reasons: list[list[str]] = [["推荐类别未填写或无法识别"] if u else [] for u in unknown_category]
    for rule in rules:
        result = df[f"rule_{rule.code}"].fillna("").to_numpy()
        why = df[f"why_{rule.code}"].fillna("").to_numpy()
        for i in np.flatnonzero(np.isin(result, ["fail", "review"])):
            reasons[i].append(f"{labels.RULE_RESULT_WORD[result[i]]}：{why[i]}")
    return df.assign(eligibility=pd.array(eligibility, dtype="string"), eligibility_reasons=reasons)


def apply_quota(df: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """quota_group, quota_status, quota_reason: each union's own 推荐排序 decides who is inside."""
    group_of = {c: g.code for g in rnd.quota_groups for c in g.categories}
    limit_of = {g.code: g.limit for g in rnd.quota_groups}
    label_of = {g.code: g.label for g in rnd.quota_groups}
    out = df.assign(quota_group=df["category"].map(group_of).astype("string"))
    order = out.assign(_rank=out["recommender_rank"].astype("Float64").fillna(np.inf), _pos=np.arange(len(out)))
    order = order.sort_values(["recommender", "quota_group", "_rank", "source_file", "source_row", "nomination_id"], kind="stable")
    position = order.groupby(["recommender", "quota_group"], dropna=False).cumcount() + 1
    position = position.reindex(out.index)
    limit = out["quota_group"].map(limit_of)
    inside = (position <= limit) | out["quota_group"].isna()
    out["quota_status"] = pd.array(np.where(inside, "in_quota", "over_quota"), dtype="string")
    reason = ("推荐排序第" + position.astype("string") + "位，超出" + out["quota_group"].map(label_of).fillna("")
              + "每单位" + limit.astype("Int64").astype("string") + "家的推荐名额")
    out["quota_reason"] = reason.where(~inside, "").astype("string")
    return out


def _note(verdict: str, old: str, new: str, reason: str, actor: str, at: object, words: dict[str, str]) -> str:
    when = f"，{pd.Timestamp(at):%Y-%m-%d %H:%M}" if at is not None and pd.notna(at) else ""
    return f"{verdict}：{words.get(old, old)}→{words.get(new, new)}（理由：{reason}；{actor}{when}）"


def apply_overrides(screened: pd.DataFrame, overrides: pd.DataFrame | None, rnd: Round,
                    rules: tuple[Rule, ...] = RULES) -> pd.DataFrame:
    """An analyst's overrides (with reasons) win; the rules' own verdicts stay beside them.

    Adds eligibility_rule and quota_status_rule (what the rules said), overridden (bool) and
    override_notes (who changed what, when and why). Rule overrides are applied first and the
    overall verdict recomputed, then overrides of the overall verdict and of the quota.
    """
    out = screened.assign(eligibility_rule=screened["eligibility"], quota_status_rule=screened["quota_status"],
                          overridden=False, override_notes=[[] for _ in range(len(screened))])
    if overrides is None or overrides.empty or out.empty:
        return out
    position = {nid: i for i, nid in enumerate(out["nomination_id"])}
    ovr = overrides[overrides["nomination_id"].isin(position)]
    rule_codes = {f"rule_{r.code}": r for r in rules}
    words = {**labels.RULE_RESULT_WORD, **labels.ELIGIBILITY, **labels.QUOTA_STATUS}
    for phase in ("rule", "eligibility", "quota_status"):
        part = ovr[ovr["verdict"].isin(rule_codes)] if phase == "rule" else ovr[ovr["verdict"] == phase]
        for row in part.itertuples(index=False):
            i = position[row.nomination_id]
            column = row.verdict
            old = out.iloc[i][column]
            label = rule_label(rule_codes[column], rnd) if phase == "rule" else labels.OVERRIDE_VERDICTS[column]
            out.iat[i, out.columns.get_loc(column)] = row.value
            out.iat[i, out.columns.get_loc("overridden")] = True
            out.iloc[i]["override_notes"].append(_note(label, "" if pd.isna(old) else old, row.value, row.reason,
                                                       row.actor, getattr(row, "at", None), words))
            if phase == "rule":
                why = f"why_{column.removeprefix('rule_')}"
                out.iat[i, out.columns.get_loc(why)] = f"人工认定：{row.reason}"
            if phase == "quota_status":
                out.iat[i, out.columns.get_loc("quota_reason")] = f"人工调整：{row.reason}"
        if phase == "rule" and len(part):
            recomputed = overall(out.drop(columns=["eligibility", "eligibility_reasons"]), rules)
            out["eligibility"], out["eligibility_reasons"] = recomputed["eligibility"], recomputed["eligibility_reasons"]
    return out


def screen(nominations: pd.DataFrame, rnd: Round, *, named_studios: pd.DataFrame | None = None,
           honours: pd.DataFrame | None = None, overrides: pd.DataFrame | None = None,
           site_visits: pd.DataFrame | None = None) -> pd.DataFrame:
    """Add rule verdicts, the overall eligibility and the quota status to the nominations.

    `overrides` (the store's `overrides()`: nomination_id, verdict, value, reason, actor, at) are
    applied last; see `apply_overrides`. `site_visits` (the store's `site_visits()`) feeds the
    site_visit rule; a nomination not visited yet has no verdict on it.
    """
    ctx = Context(rnd=rnd,
                  honours=rnd.honours() if honours is None else honours,
                  named_studios=rnd.named_studios() if named_studios is None else named_studios,
                  site_visits=site_visits)
    return (nominations.pipe(apply_rules, ctx).pipe(overall).pipe(apply_quota, rnd)
            .pipe(apply_overrides, overrides, rnd))


def screening_detail(screened: pd.DataFrame, rnd: Round, rules: tuple[Rule, ...] = RULES) -> pd.DataFrame:
    """One row per nomination and applicable rule: code, label (with this round's figures), result, reason."""
    parts = []
    for rule in rules:
        col = f"rule_{rule.code}"
        part = screened.loc[screened[col].notna(), ["nomination_id", "recommender", "studio", col, f"why_{rule.code}"]]
        parts.append(part.rename(columns={col: "result", f"why_{rule.code}": "reason"}).assign(rule=rule.code, label=rule_label(rule, rnd)))
    return pd.concat(parts, ignore_index=True)[["nomination_id", "recommender", "studio", "rule", "label", "result", "reason"]]


def under_review(screened: pd.DataFrame) -> pd.Series:
    """The candidates who go to the reviewers: eligible and inside their union's quota."""
    return (screened["eligibility"] == "eligible") & (screened["quota_status"] == "in_quota")
