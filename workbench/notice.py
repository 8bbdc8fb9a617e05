"""The public notice (公示): its period in Chinese working days, and the words of dates and batches.

A working day is Monday to Friday, minus statutory holidays, plus the 调休 make-up weekend days
(those count). The State Council publishes each year's schedule late in the year before, so the
calendar is data: `chinesecalendar` knows the years it ships, and an override table
(data/reference/workdays.csv: date, kind = workday | holiday, note) corrects it or supplies a
year it lacks. A year neither knows is an error, never a guess.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar
import pandas as pd
from chinese_calendar import constants as calendar_data

from workbench import labels
from workbench.config import REPO, Round

WORKDAYS_TABLE = REPO / "data" / "reference" / "workdays.csv"
KINDS = ("workday", "holiday")
# Safety net: a period of a few working days never needs more calendar days than this.
MAX_SPAN_DAYS = 366


class CalendarError(ValueError):
    """The working-day calendar cannot answer; the message is Chinese, `code` is English."""

    def __init__(self, key: str, **fields: object):
        self.code = key
        super().__init__(f"{labels.CALENDAR_MESSAGES[key].format(**fields)} [{key}]")


# ---------------------------------------------------------------------------- the calendar
def read_workday_overrides(path: str | Path | None = None) -> pd.DataFrame:
    """The override table: date (datetime64), kind (workday / holiday), note; checked row by row."""
    path = Path(path) if path is not None else WORKDAYS_TABLE
    try:
        raw = pd.read_csv(path, dtype="string", keep_default_na=False, encoding="utf-8-sig")
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CalendarError("table_unreadable", table=path, why=exc) from None
    missing = {"date", "kind"} - set(raw.columns)
    if missing:
        raise CalendarError("table_columns", table=path, missing="、".join(sorted(missing)))
    dates = pd.to_datetime(raw["date"].str.strip(), format="%Y-%m-%d", errors="coerce")
    kinds = raw["kind"].str.strip().str.lower()
    bad = dates.isna() | ~kinds.isin(KINDS)
    if bad.any():
        row = int(bad.idxmax())
        raise CalendarError("table_row", table=path, row=row + 2, date=raw.at[row, "date"], kind=raw.at[row, "kind"])
    note = raw["note"] if "note" in raw.columns else pd.Series("", index=raw.index, dtype="string")
    return pd.DataFrame({"date": dates, "kind": kinds.astype("string"), "note": note})


def library_years() -> tuple[int, int]:
    """The first and last year chinesecalendar has schedules for."""
    years = [d.year for d in calendar_data.holidays]
    return min(years), max(years)


def _table_lookup(overrides: pd.DataFrame) -> tuple[dict[dt.date, bool], set[int]]:
    days = {d.date(): kind == "workday" for d, kind in zip(overrides["date"], overrides["kind"])}
    return days, {d.year for d in days}


def _is_workday(day: dt.date, days: dict[dt.date, bool], table_years: set[int], table: object) -> bool:
    if day in days:
        return days[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year in table_years:
            return day.weekday() < 5
        first, last = library_years()
        raise CalendarError("unknown_year", year=day.year, first=first, last=last, table=table) from None


def is_workday(day: dt.date, overrides: pd.DataFrame | None = None) -> bool:
    """Whether `day` is a Chinese working day (调休 make-up days are)."""
    table = read_workday_overrides() if overrides is None else overrides
    days, years = _table_lookup(table)
    return _is_workday(_as_date(day), days, years, _table_name(overrides))


def _as_date(value: object) -> dt.date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CalendarError("bad_start", value=value)


def _table_name(overrides: pd.DataFrame | None) -> str:
    return str(WORKDAYS_TABLE.relative_to(REPO)) if overrides is None else labels.CALENDAR_GIVEN_TABLE


def notice_period(start: dt.date | str, workdays: int = 5, *,
                  overrides: pd.DataFrame | None = None) -> tuple[dt.date, dt.date]:
    """First and last day of a notice lasting `workdays` Chinese working days.

    The start day counts as day 1; a start on a non-working day rolls forward to the next working
    day. `overrides` is the override table (default: data/reference/workdays.csv).
    """
    if isinstance(workdays, bool) or not isinstance(workdays, int) or workdays < 1:
        raise CalendarError("bad_workdays", value=workdays)
    day = _as_date(start)
    table = read_workday_overrides() if overrides is None else overrides
    days, years = _table_lookup(table)
    name = _table_name(overrides)
    counted: list[dt.date] = []
    for _ in range(MAX_SPAN_DAYS):
        if _is_workday(day, days, years, name):
            counted.append(day)
            if len(counted) == workdays:
                return counted[0], counted[-1]
        day += dt.timedelta(days=1)
    raise CalendarError("no_workdays", start=start, days=MAX_SPAN_DAYS)


def count_workdays(first: dt.date, last: dt.date, overrides: pd.DataFrame | None = None) -> int:
    """Working days from `first` to `last`, both included (to check a stated period)."""
    table = read_workday_overrides() if overrides is None else overrides
    days, years = _table_lookup(table)
    first, last = _as_date(first), _as_date(last)
    span = (last - first).days + 1
    return sum(_is_workday(first + dt.timedelta(days=i), days, years, _table_name(overrides)) for i in range(max(span, 0)))


def round_period(rnd: Round) -> tuple[dt.date, dt.date] | None:
    """The round's notice period from its config (notice.start, notice.workdays); None when unset."""
    if rnd.notice.start is None:
        return None
    table = read_workday_overrides(rnd.paths.workdays) if rnd.paths.workdays else None
    return notice_period(rnd.notice.start, rnd.notice.workdays, overrides=table)


# ---------------------------------------------------------------------------- wording
def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals, as in 第五批, 第十二批."""
    digits = labels.CN_DIGITS
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return digits[ones]
    return ("" if tens == 1 else digits[tens]) + digits[10] + (digits[ones] if ones else "")


def chinese_date(day: dt.date, weekday: bool = False) -> str:
    """2022年12月29日, optionally followed by （星期四）."""
    text = labels.DATE_CN.format(y=day.year, m=day.month, d=day.day)
    return text + labels.WEEKDAY_CN.format(labels.WEEKDAYS[day.weekday()]) if weekday else text


def batch_label(rnd: Round, category: str) -> str:
    """第八批无锡市劳模创新工作室."""
    cfg = rnd.categories[category]
    return labels.BATCH_LABEL.format(batch=chinese_number(cfg.batch), label=cfg.label)
