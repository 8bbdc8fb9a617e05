"""The round configuration: everything that is policy, read from a TOML file and validated.

`load_round(path)` returns a `Round`. A wrong key, type or value raises `RoundConfigError` with one
message naming the key and what is wrong, so an analyst editing the file can fix it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tomllib
import zoneinfo
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from workbench.labels import SUMMARY_FIELDS
from workbench.locations import DEFAULT_ROUND, REPO  # noqa: F401 - part of this module's interface

if TYPE_CHECKING:  # pandas is imported where a table is read, so loading a round stays light
    import pandas as pd


CATEGORY_CODES = ("demonstration", "model_worker", "employee")
HONOUR_KINDS = ("labor_model", "may_day", "skill_leader", "innovation_expert", "craftsman", "other")


class RoundConfigError(ValueError):
    """The round config is wrong; the message names the key (code: round_config_invalid)."""

    code = "round_config_invalid"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RoundInfo(_Strict):
    name: str
    organiser: str
    year: int = Field(ge=2000, le=2100)
    deadline: dt.datetime
    # False in a round written by `workbench new-round`: the date was moved a year and awaits the notice.
    deadline_confirmed: bool = True
    reference_date: dt.date | None = None
    time_zone: str = "Asia/Shanghai"  # the round's clock: every time shown or stored, whatever the server's

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            zoneinfo.ZoneInfo(v)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"未知的时区 {v!r}（例如 Asia/Shanghai）") from None
        return v

    @field_validator("deadline")
    @classmethod
    def _aware(cls, v: dt.datetime) -> dt.datetime:
        if v.tzinfo is None:
            raise ValueError("截止时间须带时区，例如 2022-10-28T17:30:00+08:00")
        return v


class Paths(_Strict):
    workdir: Path
    honours: Path
    named_studios: Path
    workdays: Path | None = None  # override table of working days (notice.py); None: data/reference/workdays.csv
    templates: Path | None = None  # the office-editable texts of the 公示 and 命名通知; None: built-in wording


class Category(_Strict):
    label: str
    short: str
    batch: int = Field(ge=1)
    slots: int = Field(ge=0)
    subsidy: float = Field(ge=0)
    subsidy_is_sample: bool = False


class HonourNeed(_Strict):
    kind: Literal[HONOUR_KINDS]  # type: ignore[valid-type]
    min_level: int = Field(ge=0, le=4)


class Conditions(_Strict):
    min_team: int = Field(ge=1)
    min_frontline: int = Field(default=0, ge=0)
    min_running_years: float = Field(ge=0)
    min_results_per_year: int = Field(ge=0)
    min_named_years: float | None = Field(default=None, ge=0)
    require_video: bool = False
    require_party_building: bool = False
    leader_honours: list[HonourNeed]


class QuotaGroup(_Strict):
    code: str
    label: str
    categories: list[Literal[CATEGORY_CODES]]  # type: ignore[valid-type]
    limit: int = Field(ge=0)


class Review(_Strict):
    min_reviewers: int = Field(ge=1)
    max_per_reviewer: int = Field(ge=1)
    score_step: float = Field(gt=0)
    comment_below: float
    comment_above: float


class Stage(_Strict):
    label: str
    weight: float = Field(ge=0, le=1)
    on_site_only: bool = False  # score only the criteria judged on site (basis contains "site")


BASES = ("material", "site")  # 材料 (the dossier) and 实地 (the visit)


class Criterion(_Strict):
    code: str
    label: str
    max: dict[Literal[CATEGORY_CODES], float]  # type: ignore[valid-type]
    stages: list[str] | None = None  # None: every stage
    description: str = ""  # 评分细则: what earns the points, shown beside the input
    basis: list[Literal[BASES]] = list(BASES)  # type: ignore[valid-type]  # judged from 材料 and/or 实地


class SiteCondition(_Strict):
    """One condition of the notice an on-site inspection (实地考察) confirms or not."""

    code: str
    label: str


class Panel(_Strict):
    """The expert panel (专家评审): the draw from the pool, the pledge, the site-visit checklist."""

    # Experts drawn per category (an odd number, five or more, is usual) and reserves per category.
    size: dict[Literal[CATEGORY_CODES], int] = {c: 5 for c in CATEGORY_CODES}  # type: ignore[valid-type]
    reserves: int = Field(default=2, ge=0)
    # An expert conflicted with more than this many of a category's candidates is not drawn for it.
    max_conflicts: int = Field(default=2, ge=0)
    # One expert sits on one category's panel only (drawn categories in the config's order).
    exclusive: bool = True
    # No pledge (保密承诺 and 回避声明), no scoring: enforced by the store.
    pledge_required: bool = True
    pledge_text: list[str] = []
    site_conditions: list[SiteCondition] = []

    @field_validator("size")
    @classmethod
    def _positive(cls, v: dict[str, int]) -> dict[str, int]:
        for cat, n in v.items():
            if n < 1:
                raise ValueError(f"{cat}: 每个类别至少抽取 1 名专家")
        return v


class Ranking(_Strict):
    aggregation: Literal["olympic", "mean", "median"]
    trim_min: int = Field(ge=3)
    precision: int = Field(ge=0, le=4)
    tie_break: list[str]

    @field_validator("tie_break")
    @classmethod
    def _known_keys(cls, v: list[str]) -> list[str]:
        for key in v:
            kind = key.split(":", 1)[0]
            if kind not in {"criterion", "stage", "untrimmed_mean", "median"}:
                raise ValueError(f"未知的并列处理规则 {key!r}（可用 criterion:代码、stage:代码、untrimmed_mean、median）")
        return v


class Diagnostics(_Strict):
    """Thresholds of the ranking diagnostics (workbench/diagnostics.py); defaults follow ranking.md."""

    seed: int = 2022
    resamples: int = Field(default=2000, ge=1)
    resampling: Literal["reviewers", "residual"] = "reviewers"
    interval: float = Field(default=0.90, gt=0, lt=1)
    borderline_low: float = Field(default=0.10, ge=0, le=1)
    borderline_high: float = Field(default=0.90, ge=0, le=1)
    shadow_methods: list[Literal["mean", "median", "adjusted", "z"]] = ["mean", "median", "adjusted"]
    ridge: float = Field(default=3.0, ge=0)
    min_z_scores: int = Field(default=8, ge=2)
    outlier_points: float = Field(default=15.0, ge=0)
    outlier_sd: float = Field(default=2.5, gt=0)
    offset_points: float = Field(default=5.0, ge=0)
    offset_se: float = Field(default=2.0, ge=0)
    agreement_min: float = Field(default=0.3, ge=-1, le=1)
    min_candidates: int = Field(default=5, ge=3)
    range_ratio_min: float = Field(default=0.5, ge=0)
    noisy_mean_square: float = Field(default=1.5, gt=0)
    reliability_min: float = Field(default=0.5, ge=0, le=1)
    reliability_target: float = Field(default=0.7, gt=0, lt=1)

    @model_validator(mode="after")
    def _band(self) -> "Diagnostics":
        if self.borderline_low >= self.borderline_high:
            raise ValueError("borderline_low 须小于 borderline_high")
        return self


class Notice(_Strict):
    workdays: int = Field(ge=5)
    start: dt.date | None = None  # first day of the public notice; None: left blank on the notice
    media: str
    contact_office: str
    contact_phone: str
    objection: str


class Serving(_Strict):
    """How the pages are served to a room of reviewers (`workbench serve`) and how the store waits.

    Every page load takes a kernel; `pool` kernels per page are started and run ahead of time
    (Voila preheat) so the first viewers need not wait, at most `max_kernels` viewer kernels live
    at once (more viewers see a "busy, try again" page), and a kernel whose page was closed or
    never connected is shut down after `cull_idle_seconds`. Wrong access codes lock a code id
    after `login_failures_per_code` and a client after `login_failures_per_client`, both counted
    over `login_window_minutes` in the store (so across pages, kernels and servers).
    """

    pool: dict[str, int] = Field(default_factory=lambda: {"scoring": 4, "meeting": 1, "progress": 1})
    pool_refill_seconds: float = Field(default=30, ge=0)  # a used pooled kernel is replaced after this (not mid-wave)
    max_kernels: int = Field(default=40, ge=1)
    cull_idle_seconds: int = Field(default=300, ge=30)
    cull_interval_seconds: int = Field(default=30, ge=5)
    allowed_hosts: list[str] = []  # names or addresses reviewers type, besides the bound address and loopback
    login_failures_per_code: int = Field(default=5, ge=1)
    login_failures_per_client: int = Field(default=20, ge=1)
    login_window_minutes: float = Field(default=15, gt=0)
    lock_wait_seconds: float = Field(default=10, gt=0)  # longest wait for the store's write lock


class Documents(_Strict):
    """The official documents (公文, GB/T 9704-2012): issuer mark, document number, naming date."""

    issuer_mark: str = ""  # 发文机关标志 of the 命名通知, e.g. 无锡市总工会文件; empty: none
    issuer_code: str = ""  # 机关代字 of the 发文字号, e.g. 锡工发
    naming_number: int | None = Field(default=None, ge=1)  # 发文顺序号; None: left blank to fill in
    naming_date: dt.date | None = None  # 成文日期 of the 命名通知, and the naming date in the registry
    copy_to: str = ""  # 抄送机关 of the 命名通知's 版记; empty: no 抄送 line
    printing_office: str = ""  # 印发机关 of the 版记; empty: the organiser's 办公室
    printed_on: dt.date | None = None  # 印发日期; None: the naming date


class Receipts(_Strict):
    """The paper side of the submission (通知 三、四): what the receipt register must show per nomination.

    `required` names the checks screened (copies, bound, sealed, party_consent); a recorded
    shortfall gives `shortfall` (fail 不符合, or review 待核实 when it may be made good).
    """

    copies: int = Field(default=2, ge=1)
    required: list[Literal["copies", "bound", "sealed", "party_consent"]] = []
    shortfall: Literal["fail", "review"] = "fail"


class HonourLevels(_Strict):
    """An honour title not in honours.csv is read as an officer reads it: the awarding body's
    administrative level from the start of the title (惠山区劳动模范: a 区 title, level 1), the kind
    from the rest when the table knows that title at another level."""

    prefixes: dict[str, int] = {}  # title prefix -> level (全国 4, 江苏省 3, 无锡市 2)
    county_suffixes: list[str] = []  # a place name ending so is a 区/县 (level 1): 惠山区, 某某县
    county_cities: list[str] = []  # county-level cities (level 1): 江阴市, 宜兴市

    @field_validator("prefixes")
    @classmethod
    def _levels(cls, v: dict[str, int]) -> dict[str, int]:
        bad = {k: lv for k, lv in v.items() if not 0 <= lv <= 4}
        if bad:
            raise ValueError(f"级别须为 0–4：{bad}")
        return v


class Intake(_Strict):
    """How intake recognises what unions write: header and category aliases, matched after
    `names.normalise`; a header or category that is none of them but at least `similarity` alike
    (difflib ratio) to one is read as that one and reported; `ignored_headers` are expected columns
    that hold nothing intake reads (序号); `yes_words` are a yes/no column's own answers that mean yes
    (the template asks 党建引领 as 党支部/党小组/党员先锋岗, and unions answer with one of them)."""

    header_aliases: dict[str, list[str]] = {}
    category_aliases: dict[Literal[CATEGORY_CODES], list[str]] = {}  # type: ignore[valid-type]
    ignored_headers: list[str] = []
    yes_words: dict[str, list[str]] = {}  # a yes/no column's own answers meaning yes (党建引领: 党支部, 党小组 …)
    similarity: float = Field(default=0.8, gt=0.5, le=1)

    @field_validator("header_aliases", "yes_words")
    @classmethod
    def _known_fields(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(v) - set(SUMMARY_FIELDS))
        if unknown:
            raise ValueError(f"未知的字段 {unknown}（可用：{'、'.join(SUMMARY_FIELDS)}）")
        return v


class Round(_Strict):
    """One round of nominations: the parsed config plus where it came from."""

    round: RoundInfo
    paths: Paths
    categories: dict[Literal[CATEGORY_CODES], Category]  # type: ignore[valid-type]
    conditions: dict[Literal[CATEGORY_CODES], Conditions]  # type: ignore[valid-type]
    quota_groups: list[QuotaGroup]
    review: Review
    stages: dict[str, Stage]
    rubric: list[Criterion]
    ranking: Ranking
    notice: Notice
    diagnostics: Diagnostics = Diagnostics()
    panel: Panel = Panel()
    documents: Documents = Documents()
    receipts: Receipts = Receipts()


    intake: Intake = Intake()
    honour_levels: HonourLevels = HonourLevels()
    serving: Serving = Serving()
    source: Path | None = None
    source_sha256: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> "Round":
        missing = set(CATEGORY_CODES) - set(self.categories)
        if missing:
            raise ValueError(f"categories: 缺少类别 {sorted(missing)}")
        if set(self.conditions) != set(self.categories):
            raise ValueError("conditions: 须为每个类别给出申报条件")
        grouped = [c for g in self.quota_groups for c in g.categories]
        if sorted(grouped) != sorted(set(grouped)) or set(grouped) != set(self.categories):
            raise ValueError("quota_groups: 每个类别须恰好属于一个名额组")
        weights = sum(s.weight for s in self.stages.values())
        if abs(weights - 1) > 1e-9:
            raise ValueError(f"stages: 各阶段权重之和须为 1（现为 {weights:g}）")
        for c in self.rubric:
            if set(c.max) != set(self.categories):
                raise ValueError(f"rubric.{c.code}.max: 须为每个类别给出满分")
            for s in c.stages or []:
                if s not in self.stages:
                    raise ValueError(f"rubric.{c.code}.stages: 未知阶段 {s!r}")
        for cat in self.categories:
            for stage in self.stages:
                total = sum(c.max[cat] for c in self.criteria(cat, stage))
                if abs(total - 100) > 1e-9:
                    raise ValueError(f"rubric: {cat} 在 {stage} 阶段的满分合计须为 100（现为 {total:g}）")
        codes = {c.code for c in self.rubric}
        for key in self.ranking.tie_break:
            kind, _, arg = key.partition(":")
            if kind == "criterion" and arg not in codes:
                raise ValueError(f"ranking.tie_break: 未知评分项 {arg!r}")
            if kind == "stage" and arg not in self.stages:
                raise ValueError(f"ranking.tie_break: 未知阶段 {arg!r}")
        return self

    # ------------------------------------------------------------------ derived facts
    @property
    def reference_date(self) -> dt.date:
        """The date at which running and naming years are measured."""
        return self.round.reference_date or self.deadline.date()

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        """The round's time zone (config `round.time_zone`)."""
        return zoneinfo.ZoneInfo(self.round.time_zone)

    @property
    def deadline(self) -> dt.datetime:
        """The deadline on the round's clock, naive (how receipts are written and the notice reads)."""
        return self.round.deadline.astimezone(self.tz).replace(tzinfo=None)

    def now(self) -> dt.datetime:
        """Now on the round's clock, naive: the convention of every time the workbench shows or stores."""
        return dt.datetime.now(self.tz).replace(tzinfo=None)

    @property
    def workdir(self) -> Path:
        return self.paths.workdir

    @property
    def inbox(self) -> Path:
        return self.paths.workdir / "inbox"

    def criteria(self, category: str, stage: str) -> list[Criterion]:
        """The rubric criteria scored for `category` at `stage` (only the on-site ones where the
        stage says `on_site_only`)."""
        site_only = stage in self.stages and self.stages[stage].on_site_only
        return [c for c in self.rubric if (c.stages is None or stage in c.stages)
                and (not site_only or "site" in c.basis)]

    def quota_group_of(self, category: str) -> QuotaGroup:
        return next(g for g in self.quota_groups if category in g.categories)

    def category_label(self, category: str) -> str:
        return self.categories[category].label

    def honours(self) -> pd.DataFrame:
        """The honours table: title, kind, level (reference data, read from the round's path)."""
        import pandas as pd

        return pd.read_csv(self.paths.honours, dtype={"title": "string", "kind": "string"})

    def named_studios(self) -> pd.DataFrame:
        """Studios named in earlier batches; empty when the registry file does not exist yet."""
        import pandas as pd

        path = self.paths.named_studios
        cols = ["batch", "category", "studio", "host_unit", "leader", "named_on"]
        if not path.exists():
            return pd.DataFrame(columns=cols)
        df = pd.read_csv(path, dtype="string")
        df["named_on"] = pd.to_datetime(df["named_on"], errors="coerce")
        return df

    def at(self, workdir: Path | str) -> "Round":
        """The same policy, pointed at another working folder (a sample round, a test's tmp dir).

        The named-studios registry follows the workdir when it lived in the old one.
        """
        workdir = Path(workdir).resolve()
        named = self.paths.named_studios
        if named.parent == self.paths.workdir:
            named = workdir / named.name
        return self.model_copy(update={"paths": self.paths.model_copy(update={"workdir": workdir, "named_studios": named})})


def _where(loc: tuple) -> str:
    return ".".join(str(p) for p in loc if not str(p).startswith("function-")) or "(根)"


def _explain(err: ValidationError, source: Path) -> RoundConfigError:
    # A misspelt key also shows up as a missing one: name the misspelling, it is the cause.
    e = sorted(err.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
    key = _where(e["loc"])
    kind = e["type"]
    if kind == "extra_forbidden":
        what = "未知的配置项（拼写错误？）"
    elif kind == "missing":
        what = "缺少此项"
    else:
        what = e["msg"].removeprefix("Value error, ")
        if "input" in e and not isinstance(e["input"], dict):
            what += f"（当前值：{e['input']!r}）"
    return RoundConfigError(f"评审轮次配置 {source.name} 有误：{key}：{what} [{RoundConfigError.code}]")


def load_round(path: str | Path = DEFAULT_ROUND) -> Round:
    """Read and validate a round config; relative paths are resolved against the file's folder."""
    source = Path(path).resolve()
    try:
        raw_bytes = source.read_bytes()
    except OSError as exc:
        raise RoundConfigError(f"找不到评审轮次配置文件 {source}：{exc.strerror} [{RoundConfigError.code}]") from None
    try:
        raw = tomllib.loads(raw_bytes.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RoundConfigError(f"评审轮次配置 {source.name} 不是有效的 TOML：{exc} [{RoundConfigError.code}]") from None
    paths = raw.get("paths")
    if isinstance(paths, dict):
        raw["paths"] = {k: (source.parent / v).resolve() if isinstance(v, str) else v for k, v in paths.items()}
    try:
        return Round.model_validate({**raw, "source": source, "source_sha256": hashlib.sha256(raw_bytes).hexdigest()})
    except ValidationError as err:
        raise _explain(err, source) from None


def round_from_env() -> Round:
    """The round a served notebook works on: WORKBENCH_ROUND (config) and WORKBENCH_WORKDIR."""
    rnd = load_round(os.environ.get("WORKBENCH_ROUND") or DEFAULT_ROUND)
    workdir = os.environ.get("WORKBENCH_WORKDIR")
    return rnd.at(workdir) if workdir else rnd
