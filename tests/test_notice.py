"""The public-notice period in Chinese working days: official 2022 and 2023 schedules, overrides, errors."""

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench.notice import (
    CalendarError,
    count_workdays,
    is_workday,
    library_years,
    notice_period,
    read_workday_overrides,
    round_period,
)

D = dt.date
NO_OVERRIDES = pd.DataFrame({"date": pd.to_datetime(pd.Series([], dtype="str")), "kind": pd.Series([], dtype="string")})

# Periods of 5 working days, start day counted, worked out by hand from the State Council notices
# 国办发明电〔2021〕11号 (2022) and 国办发明电〔2022〕16号 (2023); the make-up weekend days count.
OFFICIAL = [
    (D(2022, 9, 30), D(2022, 9, 30), D(2022, 10, 11)),   # 国庆: Sat 10/8 and Sun 10/9 are working days
    (D(2022, 10, 28), D(2022, 10, 28), D(2022, 11, 3)),  # an ordinary week
    (D(2022, 12, 26), D(2022, 12, 26), D(2022, 12, 30)),  # Monday start: the start day is day 1
    (D(2022, 12, 29), D(2022, 12, 29), D(2023, 1, 5)),   # across 元旦 2022-12-31 to 2023-01-02
    (D(2022, 1, 27), D(2022, 1, 27), D(2022, 2, 7)),     # 2022 春节: Sat 1/29 and Sun 1/30 are working days
    (D(2023, 1, 18), D(2023, 1, 18), D(2023, 1, 29)),    # 2023 春节: ends on the make-up Sunday 1/29
    (D(2023, 1, 28), D(2023, 1, 28), D(2023, 2, 1)),     # starts on the make-up Saturday, which counts
    (D(2023, 9, 27), D(2023, 9, 27), D(2023, 10, 9)),    # 中秋国庆: Sat 10/7 and Sun 10/8 are working days
    (D(2022, 10, 1), D(2022, 10, 8), D(2022, 10, 12)),   # a holiday start rolls forward to the make-up Saturday
    (D(2022, 11, 5), D(2022, 11, 7), D(2022, 11, 11)),   # an ordinary Saturday start rolls forward to Monday
    (D(2023, 1, 21), D(2023, 1, 28), D(2023, 2, 1)),     # a start inside 春节 rolls to the make-up Saturday
]


@pytest.mark.parametrize("source", ["shipped table", "chinesecalendar only"])
@pytest.mark.parametrize(("start", "first", "last"), OFFICIAL, ids=[str(s) for s, _, _ in OFFICIAL])
def test_official_2022_and_2023_schedules(start, first, last, source):
    overrides = None if source == "shipped table" else NO_OVERRIDES
    assert notice_period(start, 5, overrides=overrides) == (first, last)


def test_the_spring_festival_make_up_weekend_counts_as_working_days():
    first, last = notice_period(D(2023, 1, 18))
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    counted = [d for d in days if is_workday(d)]
    assert counted == [D(2023, 1, 18), D(2023, 1, 19), D(2023, 1, 20), D(2023, 1, 28), D(2023, 1, 29)]
    assert {d.weekday() for d in counted[-2:]} == {5, 6}


def test_a_longer_period_and_a_text_date():
    assert notice_period("2022-12-29", 7) == (D(2022, 12, 29), D(2023, 1, 9))


def test_the_override_table_beats_the_library():
    overrides = pd.DataFrame({"date": pd.to_datetime(["2022-12-30"]), "kind": ["holiday"]})
    assert notice_period(D(2022, 12, 26), 5, overrides=overrides) == (D(2022, 12, 26), D(2023, 1, 3))


def test_the_override_table_supplies_a_year_the_library_lacks():
    year = library_years()[1] + 5
    monday = next(D(year, 1, d) for d in range(1, 8) if D(year, 1, d).weekday() == 0)
    overrides = pd.DataFrame({"date": pd.to_datetime([monday + dt.timedelta(days=1), monday + dt.timedelta(days=5)]),
                              "kind": ["holiday", "workday"]})
    # Mon counted, Tue a holiday, Wed Thu Fri counted, Sat a make-up day: the fifth
    assert notice_period(monday, 5, overrides=overrides) == (monday, monday + dt.timedelta(days=5))


def test_a_year_neither_knows_is_a_clear_error():
    year = library_years()[1] + 5
    with pytest.raises(CalendarError) as err:
        notice_period(D(year, 3, 2), 5, overrides=NO_OVERRIDES)
    assert err.value.code == "unknown_year" and f"{year}年" in str(err.value) and "[unknown_year]" in str(err.value)


def test_a_period_running_into_an_unknown_year_is_an_error():
    last_year = library_years()[1]
    with pytest.raises(CalendarError, match="unknown_year"):
        notice_period(D(last_year, 12, 28), 5, overrides=NO_OVERRIDES)


def test_bad_inputs_give_chinese_messages_with_codes(tmp_path):
    bad = tmp_path / "workdays.csv"
    bad.write_text("date,kind\n2022-01-01,holiday\n2022-13-01,holiday\n", encoding="utf-8")
    with pytest.raises(CalendarError) as err:
        read_workday_overrides(bad)
    assert err.value.code == "table_row" and "第 3 行" in str(err.value)
    bad.write_text("date,kind\n2022-01-04,day off\n", encoding="utf-8")
    with pytest.raises(CalendarError, match="table_row"):
        read_workday_overrides(bad)
    with pytest.raises(CalendarError, match="bad_workdays"):
        notice_period(D(2022, 12, 1), 0)
    with pytest.raises(CalendarError, match="bad_start"):
        notice_period("下周一", 5)


def test_the_shipped_table_loads_and_agrees_with_the_library():
    table = read_workday_overrides()
    assert set(table["kind"]) == {"workday", "holiday"}
    for day, kind in zip(table["date"].dt.date, table["kind"]):
        assert is_workday(day, NO_OVERRIDES) == (kind == "workday"), day


@settings(max_examples=60, deadline=None)
@given(start=st.dates(min_value=D(2022, 1, 1), max_value=D(2025, 12, 1)), n=st.integers(min_value=1, max_value=10))
def test_the_period_holds_exactly_n_working_days_from_the_first_working_day(start, n):
    first, last = notice_period(start, n)
    assert start <= first <= last and is_workday(first) and is_workday(last)
    assert count_workdays(start, last) == n
    assert count_workdays(start, first) == 1


def test_the_round_config_gives_the_notice_period():
    rnd = wb.load_round()
    assert rnd.notice.workdays >= 5
    first, last = round_period(rnd)
    assert first >= rnd.notice.start and count_workdays(first, last) == rnd.notice.workdays
    assert round_period(rnd.model_copy(update={"notice": rnd.notice.model_copy(update={"start": None})})) is None
