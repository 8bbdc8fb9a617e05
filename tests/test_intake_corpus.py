"""A corpus of odd and broken inboxes, as thirty-five unions really send them.

Each case is built here (no binary fixtures) and asserts that every file is read or reported in
Chinese with the right cell, and that nothing ambiguous is guessed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench import labels
from workbench.intake import read_form_file
from workbench.intake.report import write_problems_workbook
from workbench.intake.register import _YEAR_FIRST, BEIJING, receipt_time
from workbench.intake.values import (
    FIELD_TYPES,
    FieldParser,
    ValueProblem,
    _closest,
    _plain_cells,
    category_lookup,
    chinese_numeral,
    normalise_header,
    parse_number,
    vocabulary,
)
from workbench.intake.workbook import shown_precision

RND = wb.load_round()
HEADER = ["推荐类别", "推荐排序", "工作室名称", "所在单位", "领衔人", "领衔人荣誉称号", "团队人数", "一线职工人数",
          "成立时间", "场所面积（平方米）", "年度经费（万元）", "近一年认定创新成果（项）"]
ROW = ["劳模", 1, "张伟劳模创新工作室", "无锡某某机械有限公司", "张伟", "无锡市劳动模范", 6, 2, "2019年5月", 120, 5.5, 2]
NOISE = {"form_missing", "photos_short"}  # these inboxes have no forms or photos


def book(rows: list[list], *, blank_above: int = 0, title: bool = True) -> openpyxl.Workbook:
    """A summary workbook: optional blank rows, a title, the header, the rows."""
    book_ = openpyxl.Workbook()
    ws = book_.active
    ws.title = "推荐汇总表"
    for _ in range(blank_above):
        ws.append([])
    if title:
        ws.append(["劳模、职工创新工作室推荐汇总表"])
        ws.append(["推荐单位（盖章）：梁溪区总工会    填报日期：2022年10月26日"])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    return book_


def save(book_: openpyxl.Workbook, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    book_.save(path)
    return path


def form_file(tmp_path: Path, rows: list[list], merged: tuple[str, ...] = ()) -> Path:
    book_ = openpyxl.Workbook()
    ws = book_.active
    ws.title = labels.FORM_SHEET
    for row in rows:
        ws.append(row)
    for cells in merged:
        ws.merge_cells(cells)
    return save(book_, tmp_path / "U" / "张伟劳模创新工作室推荐表.xlsx")


def read(inbox: Path) -> wb.IntakeResult:
    return wb.read_inbox(inbox, RND, forms=False)


FIELD_OF = dict(zip(HEADER, ["category", "recommender_rank", "studio", "host_unit", "leader", "leader_honours", "team_size",
                             "frontline", "established", "site_area", "funding", "results_last_year"]))


def read_typed(tmp_path: Path, column: str, typed: object) -> tuple[wb.IntakeResult, str, str]:
    """An inbox of ROW with `typed` in `column`, read: (result, its field, the cell it was typed in)."""
    j = HEADER.index(column)
    save(book([[*ROW[:j], typed, *ROW[j + 1:]]]), tmp_path / "U" / "a.xlsx")
    return read(tmp_path), FIELD_OF[column], f"{chr(65 + j)}4"


def problems(result: wb.IntakeResult) -> pd.DataFrame:
    return result.problems[~result.problems["code"].isin(NOISE)]


def only(result: wb.IntakeResult, code: str) -> pd.Series:
    found = result.problems[result.problems["code"] == code]
    assert len(found) == 1, result.problems[["file", "cell", "code", "message"]].to_string()
    return found.iloc[0]


@contextlib.contextmanager
def _hang_guard(seconds: int) -> Iterator[None]:
    """A TimeoutError where a read hangs: not a measure of speed (the read takes milliseconds), a stop."""
    def stop(signum: int, frame: object) -> None:
        raise TimeoutError(f"still reading after {seconds} s")
    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _with_sheet_xml(path: Path, change: Callable[[bytes], bytes], part: str = "xl/worksheets/sheet1.xml") -> None:
    """Rewrite the first sheet's XML (or another part) with `change` (what Excel or a damaged file writes,
    openpyxl cannot)."""
    with zipfile.ZipFile(path) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    parts[part] = change(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)


def _state_inflated_size(path: Path, part: str, size: int) -> None:
    """Make the zip's central directory say `part` inflates to `size` bytes (a damaged or lying archive)."""
    data = bytearray(path.read_bytes())
    entry = data.find(b"PK\x01\x02")
    while data[entry + 46:entry + 46 + int.from_bytes(data[entry + 28:entry + 30], "little")] != part.encode():
        entry = data.find(b"PK\x01\x02", entry + 4)
    data[entry + 24:entry + 28] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))


def _with_cell_xml(path: Path, cell: str, xml: bytes) -> None:
    """Rewrite one inline-string cell of the first sheet as raw cell XML."""
    def change(sheet: bytes) -> bytes:
        start = sheet.index(f'<c r="{cell}"'.encode())
        return sheet[:start] + xml + sheet[sheet.index(b"</c>", start) + 4:]
    _with_sheet_xml(path, change)


def soffice(src: Path, target: str, outdir: Path) -> Path:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{outdir}/profile", "--convert-to", target,
                    "--outdir", str(outdir), str(src)], check=True, capture_output=True, timeout=120)
    return outdir / (src.stem + "." + target.split(":")[0])


# ---------------------------------------------------------------------------- files that were skipped
@pytest.mark.parametrize(("encoding", "delimiter", "first", "row"), [
    ("utf-8-sig", ",", None, 3), ("utf-8", ",", None, 3), ("gbk", ",", None, 3),
    ("utf-8", "\t", "推荐单位（盖章）：梁溪区总工会", 4),  # tabs, under a fill line without any
    ("utf-16", "\t", None, 3),  # Excel's "Unicode text": UTF-16 with its BOM, tab-delimited
    ("utf-8-sig", ";", "sep=;", 3),  # the delimiter declared on a first line Excel does not show
    ("utf-8", ",", "\r", 3)])  # lines ended by a lone CR, as an old Mac wrote them
def test_a_csv_summary_is_read_with_cells(tmp_path, encoding, delimiter, first, row):
    lines = [delimiter.join(HEADER), delimiter.join(map(str, ROW)),
             delimiter.join(["职工", "1", "李娜职工创新工作室", "某医院", "李娜", "", "很多", "1", "2020-03", "80", "3", "1"])]
    (tmp_path / "U").mkdir()
    text = "\r".join(lines) if first == "\r" else "\n".join([first] * (first is not None) + lines)
    (tmp_path / "U" / "汇总表.csv").write_bytes(text.encode(encoding))
    result = read(tmp_path)
    assert sorted(result.nominations["studio"]) == ["张伟劳模创新工作室", "李娜职工创新工作室"]
    bad = only(result, "not_a_number")
    assert (bad["file"], bad["cell"], bad["value"]) == ("U/汇总表.csv", f"G{row}", "很多")


def test_a_declared_delimiter_is_read_whatever_ends_the_lines(tmp_path):
    """Excel's "sep=;" line, in a file whose lines end in a lone CR: the line is dropped, not the file."""
    (tmp_path / "U").mkdir()
    (tmp_path / "U" / "汇总表.csv").write_bytes("\r".join(["sep=;", ";".join(HEADER), ";".join(map(str, ROW))]).encode())
    result = read(tmp_path)
    assert result.nominations["studio"].tolist() == [ROW[2]] and result.nominations.iloc[0]["source_row"] == 2


def test_a_zip_is_reported_with_what_it_holds(tmp_path):
    save(book([ROW]), tmp_path / "U" / "汇总表.xlsx")
    with zipfile.ZipFile(tmp_path / "U" / "材料.zip", "w") as z:
        z.writestr("照片/领衔人标准照.jpg", b"jpg")
        z.writestr("张伟推荐表.xlsx", b"x")
    row = only(read(tmp_path), "archive_not_read")
    assert row["file"] == "U/材料.zip" and "2" in row["message"] and "解压" in row["message"]


def test_a_wps_et_file_is_read_or_reported(tmp_path):
    src = save(book([ROW]), tmp_path / "src" / "汇总表.xlsx")
    xls = soffice(src, "xls", tmp_path / "src")
    (tmp_path / "inbox" / "U").mkdir(parents=True)
    shutil.copy(xls, tmp_path / "inbox" / "U" / "汇总表.et")
    (tmp_path / "inbox" / "V").mkdir()
    (tmp_path / "inbox" / "V" / "汇总表.et").write_bytes(b"\xd0\xcf\x11\xe0 not really")
    result = read(tmp_path / "inbox")
    assert result.nominations["studio"].tolist() == ["张伟劳模创新工作室"]
    bad = result.problems[result.problems["file"] == "V/汇总表.et"]
    assert len(bad) == 1 and bad.iloc[0]["severity"] == "error" and "WPS" in bad.iloc[0]["message"]


def test_a_name_ending_in_a_space_and_a_dot_file_are_read(tmp_path):
    save(book([ROW]), tmp_path / "U" / "汇总表.xlsx ")
    save(book([[*ROW[:2], "李四工作室", "乙厂", "李四", *ROW[5:]]]), tmp_path / "V" / ".汇总表.xlsx")
    (tmp_path / "V" / "._汇总表.xlsx").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    result = read(tmp_path)
    assert sorted(result.nominations["studio"]) == ["张伟劳模创新工作室", "李四工作室"]
    assert only(result, "system_file")["file"] == "V/._汇总表.xlsx"


def test_a_union_that_sent_only_a_lock_file_is_told_so(tmp_path):
    (tmp_path / "U").mkdir()
    (tmp_path / "U" / "~$汇总表.xlsx").write_bytes(b"\x0cWang Xiaoming" + b"\x00" * 100)
    row = only(read(tmp_path), "lock_file_only")
    assert row["severity"] == "error" and row["recommender"] == "U" and "~$汇总表.xlsx" in row["message"]


def test_other_files_are_reported_not_skipped(tmp_path):
    save(book([ROW]), tmp_path / "U" / "汇总表.xlsx")
    (tmp_path / "U" / "说明.txt").write_bytes("说明".encode())
    (tmp_path / "U" / "张伟劳模创新工作室推荐表.docx").write_bytes(b"PK")
    result = read(tmp_path)
    assert only(result, "file_not_read")["file"] == "U/说明.txt"
    assert "Excel格式" in only(result, "document_not_read")["message"]  # a form typed in Word: what to send instead


def test_a_summary_saved_as_a_template_is_read(tmp_path):
    book_ = book([ROW])
    book_.template = True
    save(book_, tmp_path / "U" / "汇总表.xltx")
    result = read(tmp_path)
    assert result.nominations["studio"].tolist() == [ROW[2]] and problems(result).empty


def test_control_characters_in_names_and_cells_never_break_the_problem_list(tmp_path):
    """A control character in a folder's or file's name, or escaped in a cell (_x0001_, as Excel writes it),
    is shown as � in a name and dropped from a value: the union's quota is not split, the list is written."""
    b = book([ROW, [*ROW[:7], "x_x0002_"]])
    b.active["A2"] = "推荐单位（盖章）：梁溪_x0001_区总工会    填报日期：2022年10月26日"
    save(b, tmp_path / "梁溪区总工会\x02" / "a\x01.xlsx")
    (tmp_path / "梁溪区总工会\x02" / "b\x03.xlsx").write_bytes(b"junk")
    result = read(tmp_path)
    assert set(result.nominations["recommender"]) == {"梁溪区总工会"}
    assert only(result, "not_a_workbook")["file"] == "梁溪区总工会\ufffd/b\ufffd.xlsx"
    path = write_problems_workbook(result.problems, tmp_path / "问题清单.xlsx")
    texts = [c for ws in openpyxl.load_workbook(path) for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("b\ufffd.xlsx" in t for t in texts) and not any(ch in t for t in texts for ch in "\x01\x02\x03")


def test_a_gbk_encoded_file_name_is_read_and_reported_in_chinese(tmp_path):
    folder = tmp_path / "inbox" / "江阴市总工会"
    folder.mkdir(parents=True)
    raw = os.fsencode(folder) + b"/" + "汇总表".encode("gbk") + b".xlsx"
    bad = os.fsencode(folder) + b"/" + "推荐汇总表（坏）".encode("gbk") + b".xlsx"
    buffer = io.BytesIO()
    book([ROW]).save(buffer)
    with open(raw, "wb") as f:
        f.write(buffer.getvalue())
    with open(bad, "wb") as f:
        f.write(b"not a workbook")
    result = read(tmp_path / "inbox")
    assert result.nominations["source_file"].tolist() == ["江阴市总工会/汇总表.xlsx"]
    assert only(result, "not_a_workbook")["file"] == "江阴市总工会/推荐汇总表（坏）.xlsx"
    out = write_problems_workbook(result.problems, tmp_path / "问题清单.xlsx")
    texts = [c.value for ws in openpyxl.load_workbook(out) for row in ws.iter_rows() for c in row]
    assert "推荐汇总表（坏）.xlsx" in texts


def test_symlinks_leading_outside_the_inbox_are_refused(tmp_path):
    outside = save(book([[*ROW[:2], "外部工作室", *ROW[3:]]]), tmp_path / "secret" / "x.xlsx")
    inbox = tmp_path / "inbox"
    save(book([ROW]), inbox / "U" / "汇总表.xlsx")
    (inbox / "U" / "链接.xlsx").symlink_to(outside)
    (inbox / "V").symlink_to(outside.parent, target_is_directory=True)
    result = read(inbox)
    assert result.nominations["studio"].tolist() == ["张伟劳模创新工作室"]
    refused = result.problems[result.problems["code"] == "symlink_outside"]
    assert sorted(refused["file"]) == ["U/链接.xlsx", "V"]
    assert not refused["message"].str.contains(str(tmp_path)).any()


# ---------------------------------------------------------------------------- what is inside a workbook
@pytest.mark.parametrize("blank", [3, 20])
def test_cell_references_are_right_with_blank_rows_above_the_table(tmp_path, blank):
    """However many blank rows stand above it (a sheet begun lower down), the table is found and its cells named."""
    save(book([[*ROW[:6], "很多人", *ROW[7:]]], blank_above=blank), tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    assert only(result, "not_a_number")["cell"] == f"G{blank + 4}"
    assert result.nominations["source_row"].tolist() == [blank + 4]


def test_a_header_below_fifteen_lines_of_text_is_not_looked_for(tmp_path):
    """The header is looked for in the first 15 lines that are not blank; below that, the sheet is said to have none."""
    book_ = book([ROW])
    book_.active.insert_rows(1, 14)
    for r in range(1, 15):
        book_.active.cell(row=r, column=1, value=f"填表说明第{r}条")
    result = read(save(book_, tmp_path / "U" / "a.xlsx").parents[1])
    assert result.nominations.empty and "前15行（不计空行）" in only(result, "no_header")["message"]


def test_a_two_level_merged_header_keeps_every_field(tmp_path):
    b = openpyxl.Workbook()
    ws = b.active
    ws.append(["推荐单位（盖章）：梁溪区总工会"])
    top = ["推荐类别", "推荐排序", "工作室名称", "所在单位", "领衔人", "领衔人荣誉称号", "团队情况", None,
           "成立时间", "保障情况", None, "近一年认定创新成果（项）"]
    ws.append(top)
    ws.append([None] * 6 + ["团队人数", "一线职工", None, "面积", "经费", None])
    for col in (1, 2, 3, 4, 5, 6, 9, 12):
        ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    ws.merge_cells("G2:H2")
    ws.merge_cells("J2:K2")
    ws.append(ROW)
    save(b, tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    nom = result.nominations.iloc[0]
    assert (nom["team_size"], nom["frontline"], nom["site_area"], nom["funding"]) == (6, 2, 120, 5.5)
    assert nom["studio"] == "张伟劳模创新工作室" and nom["source_row"] == 4
    assert problems(result).empty, problems(result).to_string()


def test_a_category_merged_over_three_rows_applies_to_each(tmp_path):
    rows = [ROW, [None, 2, "乙工作室", "乙厂", "乙", *ROW[5:]], [None, 3, "丙工作室", "丙厂", "丙", *ROW[5:]]]
    b = book(rows)
    b.active.merge_cells("A4:A6")
    save(b, tmp_path / "U" / "a.xlsx")
    assert read(tmp_path).nominations["category"].tolist() == ["model_worker"] * 3


def test_ranges_merged_over_each_other_fill_each_cell_once(tmp_path):
    """Excel never writes merged ranges that overlap; a file can hold 300,000 of them over 5,000 rows (in
    1.5 MB), and filling each on its own took over a minute. The category is still filled down."""
    rows = [ROW, [None, 2, "乙工作室", "乙厂", "乙", *ROW[5:]], [None, 3, "丙工作室", "丙厂", "丙", *ROW[5:]]]
    b = book(rows)
    b.active.cell(row=5000, column=3, value="以下空白")
    path = save(b, tmp_path / "U" / "a.xlsx")
    rng = random.Random(0)  # varied ranges: a file of one range repeated would be refused as a bomb
    ranges = b"".join(b'<mergeCell ref="A%d:A%d"/>' % (4 + rng.randrange(2), rng.randrange(4000, 5000))
                      for _ in range(300_000))
    _with_sheet_xml(path, lambda sheet: sheet.replace(b"</sheetData>", b"</sheetData><mergeCells>" + ranges + b"</mergeCells>"))
    with _hang_guard(60):
        result = read(tmp_path)
    assert result.nominations["studio"].tolist() == ["张伟劳模创新工作室", "乙工作室", "丙工作室"]
    assert result.nominations["category"].tolist() == ["model_worker"] * 3


def test_a_formula_saved_by_libreoffice_is_read_from_its_cached_value(tmp_path):
    src = save(book([[*ROW[:6], "=3+4", *ROW[7:]]]), tmp_path / "src" / "a.xlsx")
    out = soffice(src, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    (tmp_path / "inbox" / "U").mkdir(parents=True)
    shutil.copy(out, tmp_path / "inbox" / "U" / "a.xlsx")
    result = read(tmp_path / "inbox")
    assert result.nominations["team_size"].tolist() == [7]
    assert only(result, "formula_cell")["cell"] == "G4"


@pytest.mark.parametrize(("column", "typed"), [("团队人数", "1e5"), ("团队人数", "12 3"), ("团队人数", "3-5人"),
                                               ("团队人数", "1,2"), ("年度经费（万元）", "50000元"),
                                               ("场所面积（平方米）", "约120"), ("团队人数", "6人以上")])
def test_ambiguous_numbers_are_problems_not_guesses(tmp_path, column, typed):
    result, field, cell = read_typed(tmp_path, column, typed)
    assert pd.isna(result.nominations.iloc[0][field])
    found = problems(result)
    assert len(found) == 1 and found.iloc[0]["cell"] == cell


@pytest.mark.parametrize(("column", "code"), [("团队人数", "not_a_number"), ("成立时间", "not_a_date")])
def test_a_true_or_false_cell_is_said_as_excel_shows_it(tmp_path, column, code):
    result, _, cell = read_typed(tmp_path, column, True)
    row = only(result, code)
    assert (row["cell"], row["value"]) == (cell, "TRUE") and "“TRUE”" in row["message"]


def test_a_number_excel_turned_into_a_date_is_said_as_the_cell_shows_it(tmp_path):
    """6-8 typed into a number column becomes June 8th in Excel: a problem that says so, not "2022-06-08 00:00:00"."""
    summary = book([[*ROW[:3], dt.datetime(2022, 6, 8), *ROW[4:]]])
    summary.active["G4"], summary.active["G4"].number_format = dt.datetime(2022, 6, 8), 'm"月"d"日"'
    save(summary, tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    row = only(result, "not_a_number")
    assert row["cell"] == "G4" and "6月8日" in row["message"] and "6-8" in row["message"]
    assert pd.isna(result.nominations.iloc[0]["team_size"]) and result.nominations.iloc[0]["host_unit"] == "2022-06-08"


@pytest.mark.parametrize(("typed", "field", "value"), [("1,200", "site_area", 1200), ("5.5万", "funding", 5.5),
                                                       ("120㎡", "site_area", 120), ("６人", "team_size", 6),
                                                       ("￥5.5万", "funding", 5.5), ("5.5（万元）", "funding", 5.5),
                                                       ("6人。", "team_size", 6), ("6（人）", "team_size", 6)])
def test_plain_numbers_with_their_own_unit_are_still_read(tmp_path, typed, field, value):
    j = {"site_area": 9, "funding": 10, "team_size": 6}[field]
    save(book([[*ROW[:j], typed, *ROW[j + 1:]]]), tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    assert result.nominations.iloc[0][field] == value and problems(result).empty


@pytest.mark.parametrize(("typed", "day", "precision"), [(20190501, dt.datetime(2019, 5, 1), "day"),
                                                         (201905, dt.datetime(2019, 5, 1), "month"),
                                                         ("20190501", dt.datetime(2019, 5, 1), "day")])
def test_dates_typed_as_numbers_are_read(tmp_path, typed, day, precision):
    save(book([[*ROW[:8], typed, *ROW[9:]]]), tmp_path / "U" / "a.xlsx")
    nom = read(tmp_path).nominations.iloc[0]
    assert nom["established"] == pd.Timestamp(day) and nom["established_precision"] == precision

@pytest.mark.parametrize(("typed", "verdict"), [(2019.1, "pass"), (2021.1, "review")])
def test_a_month_excel_cannot_tell_from_october_is_read_to_the_year(tmp_path, typed, verdict):
    """Excel keeps a typed 2021.10 as the number 2021.1: January or October. Only the year is read, with a
    warning, and screening treats it as any date known to the year (2021 straddles the one-year line)."""
    save(book([[*ROW[:8], typed, *ROW[9:]], [*ROW[:2], "李强工作室", ROW[3], "李强", *ROW[5:8], 2019.11, *ROW[9:]]]),
         tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    row = only(result, "ambiguous_month")
    assert (row["cell"], row["severity"]) == ("I4", "warning") and f"{int(typed)}.10" in row["message"]
    first, second = result.nominations.iloc[0], result.nominations.iloc[1]
    assert (first["established"], first["established_precision"]) == (pd.Timestamp(int(typed), 1, 1), "year")
    assert (second["established"], second["established_precision"]) == (pd.Timestamp(2019, 11, 1), "month")
    assert wb.screen(result.nominations, RND).iloc[0]["rule_running"] == verdict


@pytest.mark.parametrize(("number_format", "typed", "read_as"), [
    ('yyyy"年"m"月"', dt.datetime(2021, 10, 1), (pd.Timestamp(2021, 10, 1), "month")),  # 2021年10月 typed in Excel
    ('[$-804]yyyy"年"m"月";@', dt.datetime(2021, 10, 1), (pd.Timestamp(2021, 10, 1), "month")),
    ("yyyy.mm", dt.datetime(2021, 10, 1), (pd.Timestamp(2021, 10, 1), "month")),
    ("mmm-yy", dt.datetime(2021, 10, 1), (pd.Timestamp(2021, 10, 1), "month")),
    ('yyyy"年"', dt.datetime(2021, 1, 1), (pd.Timestamp(2021, 1, 1), "year")),
    ('yyyy"年"m"月"', dt.datetime(2021, 10, 15), (pd.Timestamp(2021, 10, 15), "day")),  # a day typed, hidden by the format
    ('yyyy"年"m"月"d"日"', dt.datetime(2021, 10, 1), (pd.Timestamp(2021, 10, 1), "day")),
    ("yyyy-mm-dd", dt.datetime(2021, 10, 1), (pd.Timestamp(2021, 10, 1), "day"))])
def test_a_date_cell_showing_only_its_month_is_read_to_the_month(tmp_path, number_format, typed, read_as):
    """Excel keeps 2021年10月 typed into a cell as the date 2021-10-01 shown as yyyy"年"m"月": the union wrote a
    month, and a month that straddles the one-year line (the deadline is 2022-10-28) is for a person to check."""
    summary = book([ROW])
    summary.active["I4"], summary.active["I4"].number_format = typed, number_format
    save(summary, tmp_path / "U" / "a.xlsx")
    nominations = read(tmp_path).nominations
    assert (nominations.iloc[0]["established"], nominations.iloc[0]["established_precision"]) == read_as
    verdict = wb.screen(nominations, RND).iloc[0]["rule_running"]
    assert verdict == ("pass" if read_as[1] == "day" else "review")  # October 2021, or 2021: a year before 2022-10-28 or not


def test_a_date_in_chinese_excel_s_own_month_format_is_read_to_the_month(tmp_path):
    """Chinese Excel writes no format code for yyyy"年"m"月": the cell's style names the built-in format 57. A form's
    成立时间 is read as the summary's is."""
    path = form_file(tmp_path, [["工作室名称", "张伟劳模创新工作室"], ["成立时间", dt.datetime(2021, 10, 1)]])
    book_ = openpyxl.load_workbook(path)
    book_.active["B2"].number_format = "yyyy-mm-dd"
    book_.save(path)
    _with_sheet_xml(path, lambda styles: re.sub(rb'numFmtId="(16[4-9])"(?=[^>]*xfId)', b'numFmtId="57"', styles), "xl/styles.xml")
    form = read_form_file(path, RND)
    assert (form.fields["established"], form.fields["established_precision"]) == (dt.datetime(2021, 10, 1), "month")


def test_thousands_of_month_styles_and_a_text_of_style_marks_are_read_in_time(tmp_path):
    """50,000 styles showing months, and a cell whose text is s="…" 200,000 times: each looked at once."""
    summary = book([ROW])
    summary.active["I4"], summary.active["I4"].number_format = dt.datetime(2021, 10, 1), 'yyyy"年"m"月"'
    path = save(summary, tmp_path / "U" / "a.xlsx")
    rng = random.Random(0)
    marks = "".join(f' s="{rng.randrange(50_000)}"' for _ in range(200_000)).encode()
    _with_cell_xml(path, "C4", '<c r="C4" t="inlineStr"><is><t>张伟劳模创新工作室'.encode() + marks + b"</t></is></c>")
    styles = "".join(f'<xf numFmtId="57" fontId="{k % 7}" xfId="{k % 3}"/>' for k in range(50_000)).encode()
    _with_sheet_xml(path, lambda xml: xml.replace(b"</cellXfs>", styles + b"</cellXfs>"), "xl/styles.xml")
    with _hang_guard(60):
        result = read(tmp_path)
    assert "decompression_bomb" not in set(result.problems["code"])
    assert result.nominations.iloc[0][["established", "established_precision"]].tolist() == [pd.Timestamp(2021, 10, 1), "month"]


def test_month_formats_are_told_from_day_time_and_number_formats():
    assert [shown_precision(code) for code in ('yyyy"年"m"月"', "e年m月", "[DBNum1][$-804]yyyy年m月", "mm/yyyy", "yyyy")] == \
        ["month", "month", "month", "month", "year"]
    assert {shown_precision(code) for code in ("General", "yyyy-mm-dd", "[$-F800]dddd, mmmm dd, yyyy", "yyyy/m/d h:mm", "mmm",
                                               "0.00E+00", "@", 'm"月"d"日"', "aaaa")} == {None}
    with _hang_guard(60):  # an unclosed [ over and over was scanned to the end from each one
        assert shown_precision("[" * 300_000 + "yyyy") is None


def test_a_form_keeps_a_date_read_to_the_year_as_one(tmp_path):
    read_form = read_form_file(form_file(tmp_path, [["工作室名称", "张伟劳模创新工作室"], ["成立时间", 2021.1]]), RND)
    assert read_form.fields["established"] == dt.datetime(2021, 1, 1) and read_form.fields["established_precision"] == "year"
    assert [p.code for p in read_form.problems if p.code == "ambiguous_month"] == ["ambiguous_month"]


def test_a_form_label_and_its_value_in_one_cell_are_read(tmp_path):
    path = form_file(tmp_path, [["推荐单位（盖章）：梁溪区总工会    填报日期：2022年10月26日"],
                                ["工作室名称：张伟劳模创新工作室", None, "团队人数: 6人"], ["成立时间：2019.5"]])
    form = read_form_file(path, RND)
    assert (form.fields["recommender"], form.fields["studio"], form.fields["team_size"]) == ("梁溪区总工会", "张伟劳模创新工作室", 6)
    assert form.fields["established"] == dt.datetime(2019, 5, 1) and form.cells["team_size"] == "C2"


def test_a_form_label_in_another_scale_is_said_and_its_number_not_read(tmp_path):
    form = read_form_file(form_file(tmp_path, [["年度经费（元）", 50000], ["场所面积（亩）", 2], ["团队人数（人）", 6]]), RND)
    assert form.fields["funding"] is None and form.fields["site_area"] is None and form.fields["team_size"] == 6
    said = [(p.cell, p.code) for p in form.problems if p.code == "header_unit_mismatch"]
    assert said == [("B1", "header_unit_mismatch"), ("B2", "header_unit_mismatch")]


def test_a_form_value_further_right_than_its_label_s_neighbour_is_read(tmp_path):
    """A label merged over two columns (or typed into the wrong cell) leaves its value further right."""
    path = form_file(tmp_path, [["工作室名称", None, None, "张伟劳模创新工作室"], ["成立时间", None, "一线职工人数", 3],
                                ["团队人数", None, 8]], merged=("A1:C1",))
    form = read_form_file(path, RND)
    assert (form.fields["studio"], form.cells["studio"]) == ("张伟劳模创新工作室", "D1")
    assert form.fields["established"] is None and form.fields["frontline"] == 3 and form.fields["team_size"] == 8


@pytest.mark.parametrize(("second", "said"), [("李强劳模创新工作室", True), ("张伟 劳模创新工作室", False)])
def test_a_second_studio_s_form_in_the_same_workbook_is_said_not_read(tmp_path, second, said):
    """推荐表 and 推荐表 (2) in one file, for two studios: the file is the first's form; the second is not
    mixed into it (its 团队人数 would have been taken for the first's), and the union is told to send it apart.
    A second sheet for the same studio (a continuation) adds what the first lacks."""
    path = form_file(tmp_path, [["工作室名称", "张伟劳模创新工作室"], ["团队人数", 6]])
    book_ = openpyxl.load_workbook(path)
    other = book_.create_sheet("推荐表 (2)")
    for row in (["工作室名称", second], ["团队人数", 9], ["一线职工人数", 4]):
        other.append(row)
    book_.save(path)
    form = read_form_file(path, RND)
    assert form.fields["studio"] == "张伟劳模创新工作室" and form.fields["team_size"] == 6
    assert form.fields.get("frontline") == (None if said else 4)
    found = [(p.sheet, p.cell, p.code) for p in form.problems if p.code == "form_other_studio"]
    assert found == ([("推荐表 (2)", "B1", "form_other_studio")] if said else [])


def test_a_form_without_its_studio_s_name_is_matched_by_its_file_s_name(tmp_path):
    save(book([ROW]), tmp_path / "U" / "a.xlsx")
    form_file(tmp_path, [["所在单位", ROW[3]], ["团队人数", 6]])  # named 张伟劳模创新工作室推荐表.xlsx, as the notice asks
    result = wb.read_inbox(tmp_path, RND)
    codes = set(result.problems["code"])
    assert "form_missing" not in codes and "form_without_summary" not in codes
    assert "张伟劳模创新工作室" in only(result, "form_studio_missing")["message"]
    assert "form_results_differs" not in codes  # its 创新成果 table is missing (said): nothing to count


@pytest.mark.parametrize("typed", [50000, "50000", "￥50000"])
def test_funding_typed_in_yuan_into_the_wan_yuan_column_is_not_read(tmp_path, typed):
    save(book([[*ROW[:10], typed, *ROW[11:]]]), tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    said = only(result, "implausible_number")
    assert said["cell"] == "K4" and "是否按元填写" in said["message"] and pd.isna(result.nominations.iloc[0]["funding"])


def test_an_implausible_number_is_shown_as_it_was_typed(tmp_path):
    save(book([[*ROW[:11], 20190501]]), tmp_path / "U" / "a.xlsx")  # a date typed into 近一年认定创新成果
    row = only(read(tmp_path), "implausible_number")
    assert row["cell"] == "L4" and "20190501" in row["message"] and "e+" not in row["message"]



SECOND = ["劳模", 2, "李强劳模创新工作室", "无锡某某电子有限公司", "李强", "无锡市劳动模范", 8, 3, "2018年3月", 90, 4, 1]


@pytest.mark.parametrize("closing", [
    [["合计", None, None, None, None, None, 14, 5, None, 210, 9.5, 3]],  # a totals row, 合计 in the first column
    [[None, None, "合 计：2个", None, None, None, 14, 5]],  # …or in the studio column
    [["——以下空白——"]], [[None, None, "（以下空白）"]],
    [["填表人：王芳", None, None, "联系电话：0510-82700000", None, "审核人：李明"]],  # the sign-off, in cells of its own
    [["填表人：", "王芳", "联系人电话：", "13800000000"], [None, None, None, None, None, None, None, None, "（盖章）"]],
])
def test_lines_closing_the_table_are_not_nominations(tmp_path, closing):
    save(book([ROW, SECOND, [], *closing]), tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    assert result.nominations["studio"].tolist() == [ROW[2], SECOND[2]] and problems(result).empty


def test_a_sign_off_below_the_table_gives_the_fill_date_and_union(tmp_path):
    save(book([ROW, [], ["推荐单位（盖章）：新吴区总工会", None, None, None, None, None, "填报日期：2022年10月20日"]], title=False),
         tmp_path / "U" / "a.xlsx")
    nom = read(tmp_path).nominations.iloc[0]
    assert (nom["recommender"], nom["received_at"]) == ("新吴区总工会", pd.Timestamp(2022, 10, 20))


def test_a_row_naming_a_studio_is_read_whatever_its_first_cell_says(tmp_path):
    """Only a line naming no studio closes the table: 合计 or 填表人 before a studio's name is a mistake to see."""
    save(book([ROW, ["合计", None, "王五劳模创新工作室", "某公司", "王五"], ["联系人：赵六", None, "赵六劳模创新工作室"]]),
         tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    assert result.nominations["studio"].tolist() == [ROW[2], "王五劳模创新工作室", "赵六劳模创新工作室"]
    assert {"unknown_category", "missing_value"} <= set(problems(result)["code"])


def test_a_dash_or_slash_is_a_cell_left_blank(tmp_path):
    save(book([[*ROW[:3], "/", "——", *ROW[5:]], ["—", "—", "—", "—", "—"]]), tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    nom = result.nominations.iloc[0]
    assert len(result.nominations) == 1 and pd.isna(nom["host_unit"]) and pd.isna(nom["leader"])
    found = problems(result)[["cell", "code"]].values.tolist()
    assert found == [["D4", "missing_value"], ["E4", "missing_value"], ["5", "unrecognised_row"]]


@pytest.mark.parametrize("typed", ["/", "—", "无"])
def test_a_date_left_empty_on_purpose_is_blank_and_no_problem(tmp_path, typed):
    save(book([[*ROW[:8], typed, *ROW[9:]]]), tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    assert pd.isna(result.nominations.iloc[0]["established"]) and problems(result).empty
    assert wb.screen(result.nominations, RND).iloc[0]["rule_running"] == "review"  # 成立时间未填写: for a person


def test_same_as_above_takes_the_row_above(tmp_path):
    rows = [ROW, ["同上", 2, "李强劳模创新工作室", "同上", "李强", "〃", 8, 3, "同上", 90, 4, 1],
            ["〃", 3, "王五劳模创新工作室", " 同上 ", "王五", None, 8, 3, "2018年", 90, 4, 1]]
    save(book(rows), tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    second, third = result.nominations.iloc[1], result.nominations.iloc[2]
    assert second["category"] == third["category"] == "model_worker" and second["host_unit"] == third["host_unit"] == ROW[3]
    assert list(second["leader_honours"]) == ["无锡市劳动模范"] and len(third["leader_honours"]) == 0
    assert (second["established"], second["established_precision"]) == (pd.Timestamp(2019, 5, 1), "month")
    found = problems(result).set_index("cell")
    assert found.index.tolist() == ["A5", "D5", "F5", "I5", "A6", "D6"] and set(found["code"]) == {"same_as_above"}
    assert "第4行" in found.loc["A5", "message"] and "第5行" in found.loc["D6", "message"]
    assert set(found["severity"]) == {"warning"}


def test_same_as_above_in_a_form_has_nothing_above_to_take(tmp_path):
    form = read_form_file(form_file(tmp_path, [["工作室名称", "张伟劳模创新工作室"], ["所在单位", "同上"]]), RND)
    assert form.fields["host_unit"] is None
    assert [(p.cell, p.code) for p in form.problems if p.field == "host_unit"] == [("B2", "same_as_above_blank")]


def test_same_as_above_with_nothing_above_is_an_error(tmp_path):
    save(book([[*ROW[:3], "同上", *ROW[4:]], [*SECOND[:5], "同上", *SECOND[6:]]]), tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    row = only(result, "same_as_above_blank")
    assert (row["cell"], row["severity"]) == ("D4", "error") and pd.isna(result.nominations.iloc[0]["host_unit"])
    assert result.nominations.iloc[1]["leader_honours"] == ["无锡市劳动模范"]


def test_a_row_after_a_note_line_is_not_dropped(tmp_path):
    rows = [ROW, ["注：排序按推荐优先顺序填写"], [None, None, "李四工作室"]]
    save(book(rows), tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    assert result.nominations["studio"].tolist() == ["张伟劳模创新工作室", "李四工作室"]


def test_a_hidden_column_is_read_and_said(tmp_path):
    b = book([ROW])
    b.active.column_dimensions["K"].hidden = True  # 年度经费, hidden before printing
    b.active.column_dimensions.group("F", "G", hidden=True)
    save(b, tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    said = problems(result)
    assert list(zip(said["cell"], said["code"], said["severity"])) == [(c, "hidden_column", "warning") for c in ("F3", "G3", "K3")]
    assert result.nominations.iloc[0]["funding"] == ROW[10]  # read: what the file holds is the union's word


def test_columns_hidden_over_and_over_are_each_said_once(tmp_path):
    """200,000 <col> tags each hiding most of A:XFD (a 1 MB file) took minutes when each hid its columns
    one by one; every read column is still said once."""
    path = save(book([ROW]), tmp_path / "U" / "a.xlsx")
    rng = random.Random(0)
    tags = b"".join(b'<col min="%d" max="%d" hidden="1"/>' % (rng.randrange(1, 3), rng.randrange(15000, 16384))
                    for _ in range(200_000))
    _with_sheet_xml(path, lambda sheet: re.sub(rb"<cols>.*?</cols>", b"", sheet, flags=re.S).replace(
        b"<sheetData", b"<cols>" + tags + b"</cols><sheetData", 1))
    with _hang_guard(60):
        result = read(tmp_path)
    said = problems(result)
    assert said["code"].eq("hidden_column").all() and sorted(said["cell"]) == sorted(f"{chr(65 + j)}3" for j in range(len(ROW)))


def test_a_hidden_sheet_is_reported(tmp_path):
    b = book([ROW])
    hidden = b.create_sheet("旧表")
    hidden.append(HEADER)
    hidden.append([*ROW[:2], "旧工作室", *ROW[3:]])
    hidden.sheet_state = "hidden"
    save(b, tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    row = only(result, "hidden_sheet")
    assert row["sheet"] == "旧表" and "隐藏" in row["message"]
    assert result.nominations["studio"].tolist() == ["张伟劳模创新工作室"]


def test_an_old_xls_renamed_xlsx_is_called_that(tmp_path):
    src = save(book([ROW]), tmp_path / "src" / "a.xlsx")
    xls = soffice(src, "xls", tmp_path / "src")
    (tmp_path / "inbox" / "U").mkdir(parents=True)
    shutil.copy(xls, tmp_path / "inbox" / "U" / "汇总表.xlsx")
    result = read(tmp_path / "inbox")
    assert "password_protected" not in set(result.problems["code"])
    assert only(result, "xls_renamed")["severity"] == "warning"
    assert result.nominations["studio"].tolist() == ["张伟劳模创新工作室"]


@pytest.mark.parametrize("content", [b"PK\x03\x04" + b"\x00" * 200, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600])
def test_messages_never_name_python_exceptions(tmp_path, content):
    (tmp_path / "U").mkdir()
    (tmp_path / "U" / "a.xlsx").write_bytes(content)
    (tmp_path / "U" / "b.xls").write_bytes(content)
    messages = " ".join(read(tmp_path).problems["message"])
    assert messages and "Error" not in messages and "Exception" not in messages


def test_a_zip_claiming_a_version_no_reader_knows_is_a_corrupt_file(tmp_path):
    """zipfile refuses such a directory with NotImplementedError (found by flipping bytes of a summary)."""
    buffer = io.BytesIO()
    book([ROW]).save(buffer)
    data = bytearray(buffer.getvalue())
    at = data.find(b"PK\x01\x02")
    data[at + 6:at + 8] = (150).to_bytes(2, "little")  # version needed to extract: 15.0
    end = data.rfind(b"PK\x05\x06")
    data[end + 8:end + 10] = (1).to_bytes(2, "little")  # entries on this disk: not all, so zipfile reads the directory
    (tmp_path / "U").mkdir()
    (tmp_path / "U" / "a.xlsx").write_bytes(bytes(data))
    assert only(read(tmp_path), "corrupt_file")["severity"] == "error"


def test_a_damaged_xls_asking_for_terabytes_is_refused_and_intake_goes_on(tmp_path):
    """An .xls whose DIMENSIONS record is damaged (first row after the last) made calamine ask for 2 TB and
    Rust abort the whole process: the file is now read in a child process, which alone dies."""
    src = save(book([ROW]), tmp_path / "src" / "a.xlsx")
    data = bytearray(soffice(src, "xls", tmp_path / "src").read_bytes())
    at = data.find(b"\x00\x02\x0e\x00")  # DIMENSIONS: id 0x0200, 14 bytes: first row, last row + 1, columns
    assert at > 0 and int.from_bytes(data[at + 8:at + 12], "little") > 0
    data[at + 4:at + 8] = (0xFFFFFF).to_bytes(4, "little")
    (tmp_path / "inbox" / "U").mkdir(parents=True)
    (tmp_path / "inbox" / "U" / "坏.xls").write_bytes(bytes(data))
    save(book([SECOND]), tmp_path / "inbox" / "U" / "汇总表.xlsx")
    result = read(tmp_path / "inbox")
    assert only(result, "unreadable_file")["file"] == "U/坏.xls" and result.nominations["studio"].tolist() == [SECOND[2]]


def test_shared_strings_claiming_more_texts_than_they_hold_are_refused(tmp_path):
    """uniqueCount="4000000000" made calamine set aside 96 GB, and Rust abort the process."""
    src = soffice(save(book([ROW]), tmp_path / "src" / "a.xlsx"), "ods", tmp_path / "src")
    saved = soffice(src, "xlsx", tmp_path / "lo")  # LibreOffice keeps its texts in a shared-strings table
    with zipfile.ZipFile(saved) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    strings = parts["xl/sharedStrings.xml"]
    assert b"uniqueCount=" in strings
    parts["xl/sharedStrings.xml"] = re.sub(rb'uniqueCount="[0-9]+"', b'uniqueCount="4000000000"', strings)
    (tmp_path / "inbox" / "U").mkdir(parents=True)
    with zipfile.ZipFile(tmp_path / "inbox" / "U" / "a.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    assert only(read(tmp_path / "inbox"), "corrupt_file")["severity"] == "error"


def _summary_bytes() -> bytes:
    buffer = io.BytesIO()
    book([ROW, SECOND]).save(buffer)
    return buffer.getvalue()


SUMMARY_BYTES = _summary_bytes()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(SUMMARY_BYTES) - 1), st.integers(0, 255)), min_size=1, max_size=12))
def test_a_damaged_summary_is_read_or_refused_never_a_crash(tmp_path_factory, flips):
    """Bytes flipped anywhere in a summary (its zip directory, headers, compressed XML): the inbox is read,
    the file read in part or refused with a reason."""
    data = bytearray(SUMMARY_BYTES)
    for at, value in flips:
        data[at] = value
    inbox = tmp_path_factory.mktemp("damaged")
    (inbox / "U").mkdir()
    (inbox / "U" / "a.xlsx").write_bytes(bytes(data))
    result = read(inbox)
    assert len(result.nominations) or len(result.problems)


def test_a_workbook_whose_sheets_its_damaged_directory_hides_is_refused_not_passed_over(tmp_path):
    """Found by the test above: a flipped byte in the directory's entry for xl/workbook.xml leaves calamine no
    sheet to list, and the file was neither read nor said."""
    at = SUMMARY_BYTES.rindex(b"xl/workbook.xml")  # its central directory entry
    (tmp_path / "inbox" / "U").mkdir(parents=True)
    (tmp_path / "inbox" / "U" / "a.xlsx").write_bytes(SUMMARY_BYTES[:at + 5] + b"\x00" + SUMMARY_BYTES[at + 6:])
    result = read(tmp_path / "inbox")
    assert result.nominations.empty
    assert (only(result, "no_worksheet")["file"], only(result, "no_worksheet")["severity"]) == ("U/a.xlsx", "error")


CSV_BYTES = ("推荐单位（盖章）：梁溪区总工会\n" + ",".join(HEADER) + "\n" + ",".join(map(str, ROW)) + "\n").encode("utf-8")
REGISTER_BYTES = "file,received_at,studio,paper_copies\nU/a.csv,2022-10-26 15:30,,2\n".encode("utf-8")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(CSV_BYTES) - 1), st.sampled_from(b',"\n\r\t;=\x00\xff\xe4')), max_size=10),
       st.lists(st.tuples(st.integers(0, len(REGISTER_BYTES) - 1), st.sampled_from(b',"\n\r\x00\xff')), max_size=10))
def test_a_damaged_csv_or_register_is_read_or_refused_never_a_crash(tmp_path_factory, csv_flips, register_flips):
    inbox = tmp_path_factory.mktemp("damaged")
    (inbox / "U").mkdir()
    for name, data, flips in (("U/a.csv", CSV_BYTES, csv_flips), (labels.RECEIPTS_FILE, REGISTER_BYTES, register_flips)):
        data = bytearray(data)
        for at, value in flips:
            data[at] = value
        (inbox / name).write_bytes(bytes(data))
    result = read(inbox)
    assert len(result.nominations) or len(result.problems)


def test_text_starting_with_equals_is_never_a_live_formula(tmp_path):
    (tmp_path / "=HYPERLINK(\"x\",\"点我\")").mkdir()
    (tmp_path / "=HYPERLINK(\"x\",\"点我\")" / "a.xlsx").write_bytes(b"junk")
    result = read(tmp_path)
    out = write_problems_workbook(result.problems, tmp_path / "问题清单.xlsx")
    with zipfile.ZipFile(out) as z:
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    values = [c.value for ws in openpyxl.load_workbook(out) for row in ws.iter_rows() for c in row]
    assert any(isinstance(v, str) and v.lstrip("'").startswith("=HYPERLINK") for v in values)


def test_an_error_value_is_text_in_the_problems_workbook_not_an_error_cell(tmp_path):
    path = save(book([[*ROW[:6], "PLACEHOLDER", *ROW[7:]]]), tmp_path / "inbox" / "U" / "a.xlsx")
    _with_cell_xml(path, "G4", b'<c r="G4" t="e"><v>#N/A</v></c>')
    out = write_problems_workbook(read(tmp_path / "inbox").problems, tmp_path / "问题清单.xlsx")
    cells = [c for ws in openpyxl.load_workbook(out) for row in ws.iter_rows() for c in row if c.value == "#N/A"]
    assert cells and all(c.data_type == "s" for c in cells)


def test_problems_of_no_union_s_files_have_one_name_in_the_summary_and_on_their_sheet(tmp_path):
    save(book([ROW]), tmp_path / "inbox" / "梁溪区总工会" / "汇总表.xlsx")
    (tmp_path / "inbox" / "收件登记.csv").write_text("file,received_at\n梁溪区总工会/汇总表.xlsx,10/19/2022\n", encoding="utf-8-sig")
    out = write_problems_workbook(read(tmp_path / "inbox").problems, tmp_path / "问题清单.xlsx")
    book_ = openpyxl.load_workbook(out)
    names = [row[0] for row in book_["汇总"].iter_rows(values_only=True) if row[0] and row[0] != "推荐单位"]
    assert "未归属单位" in names and "未归属单位" in book_.sheetnames  # the register's problem: not a blank row
    assert set(names) - {labels.PROBLEMS_TITLE, labels.PROBLEMS_NOTE} == set(book_.sheetnames) - {"汇总"}


def test_a_workbook_whose_zip_understates_a_sheet_is_refused_and_the_rest_read(tmp_path):
    path = save(book([ROW]), tmp_path / "inbox" / "U" / "汇总表.xlsx")
    save(book([[*ROW[:2], "李娜劳模创新工作室", "无锡另一机械有限公司", "李娜", *ROW[5:]]]), tmp_path / "inbox" / "V" / "汇总表.xlsx")
    _state_inflated_size(path, "xl/worksheets/sheet1.xml", 100)
    result = read(tmp_path / "inbox")
    assert only(result, "corrupt_file")["file"] == "U/汇总表.xlsx"
    assert result.nominations["studio"].tolist() == ["李娜劳模创新工作室"]


def test_a_workbook_whose_zip_misstates_its_styles_is_still_read(tmp_path):
    """calamine reads such a file: intake does too (its dates then read to the day, as calamine gives them)."""
    summary = book([ROW])
    summary.active["I4"], summary.active["I4"].number_format = dt.datetime(2021, 10, 1), 'yyyy"年"m"月"'
    path = save(summary, tmp_path / "U" / "汇总表.xlsx")
    with zipfile.ZipFile(path) as archive:
        size = archive.getinfo("xl/styles.xml").file_size
    _state_inflated_size(path, "xl/styles.xml", size + 7)  # more than it holds: calamine reads on to its end
    result = read(tmp_path)
    assert "corrupt_file" not in set(result.problems["code"]) and result.nominations["established"].tolist() == [pd.Timestamp(2021, 10, 1)]


@pytest.mark.parametrize("cells", [b'<c r="A1" t="e">' * 40_000, b'<c r="A1" t="e"><v>' * 40_000 + b"<f>"])
def test_a_sheet_of_cells_left_open_is_refused_not_searched_for_ever(tmp_path, cells):
    """Each cell's formula or error value is looked for within the cell: with 40,000 cells never closed
    (600 KB, a few KB packed) each search ran on to the end of the sheet, minutes in all."""
    path = save(book([ROW]), tmp_path / "inbox" / "U" / "汇总表.xlsx")
    save(book([[*ROW[:2], "李娜劳模创新工作室", "无锡另一机械有限公司", "李娜", *ROW[5:]]]), tmp_path / "inbox" / "V" / "汇总表.xlsx")
    _with_sheet_xml(path, lambda _: b'<worksheet><sheetData><row r="1">' + cells + b"</row></sheetData></worksheet>")
    with _hang_guard(60):
        result = read(tmp_path / "inbox")
    assert result.nominations["studio"].tolist() == ["李娜劳模创新工作室"]
    assert result.problems.loc[result.problems["file"] == "U/汇总表.xlsx", "severity"].eq("error").any()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_pipe_named_like_a_workbook_does_not_hold_intake(tmp_path):
    import threading

    save(book([ROW]), tmp_path / "inbox" / "U" / "汇总表.xlsx")
    (tmp_path / "inbox" / "V").mkdir()
    os.mkfifo(tmp_path / "inbox" / "V" / "汇总表.xlsx")
    os.mkfifo(tmp_path / "inbox" / "V" / "张伟劳模创新工作室推荐表.xlsx")
    done: list[wb.IntakeResult] = []
    reader = threading.Thread(target=lambda: done.append(read(tmp_path / "inbox")), daemon=True)
    reader.start()
    reader.join(60)
    assert done, "intake waited on a named pipe"
    assert only(done[0], "empty_file")["file"] == "V/汇总表.xlsx"
    assert len(done[0].nominations) == 1


# ---------------------------------------------------------------------------- names and aliases
def test_invisible_characters_do_not_defeat_duplicate_detection(tmp_path):
    save(book([ROW]), tmp_path / "U" / "a.xlsx")
    save(book([[*ROW[:2], "张伟\u200b劳模创新工作室", "无锡某某机械\ufeff有限公司", *ROW[4:]]]), tmp_path / "V" / "b.xlsx")
    save(book([[*ROW[:2], "无锡市张伟劳模创新工作室", "某某机械股份有限公司", "张 伟", *ROW[5:]]]), tmp_path / "W" / "c.xlsx")
    result = read(tmp_path)
    assert len(result.problems[result.problems["code"] == "duplicate_studio"]) == 3
    assert "\u200b" not in "".join(result.nominations["studio"])


def test_categories_and_headers_as_unions_write_them(tmp_path):
    header = ["推荐类别", "推荐排序", "工作室名称", "所 在 单 位", "领衔人", "团队\u200b人数", "成立时间", "微信号"]
    rows = [["市劳模创新工作室", 1, "甲工作室", "甲厂", "甲", 6, "2019-05", "x"],
            ["无锡市职工创新工作室", 1, "乙工作室", "乙厂", "乙", 3, "2019-05", "y"],
            ["无锡市示范性劳模创新工作室", 2, "丙工作室", "丙厂", "丙", 8, "2019-05", "z"]]
    b = openpyxl.Workbook()
    b.active.append(header)
    for r in rows:
        b.active.append(r)
    save(b, tmp_path / "U" / "a.xlsx")
    b2 = openpyxl.Workbook()
    b2.active.append(["推荐类别", "推荐排序", "工作室名称", "所在单位名称", "领衔人", "团队总人数"])
    b2.active.append(["劳模", 1, "丁工作室", "丁厂", "丁", 5])
    b2.active.append(["职工创新", 1, "戊工作室", "戊厂", "戊", 4])
    b2.active.append(["劳模创新", 2, "己工作室", "己厂", "己", 4])
    save(b2, tmp_path / "V" / "b.xlsx")
    result = read(tmp_path)
    noms = result.nominations.set_index("studio")
    assert noms["category"].to_dict() == {"甲工作室": "model_worker", "乙工作室": "employee",
                                          "丙工作室": "demonstration", "丁工作室": "model_worker",
                                          "戊工作室": "employee", "己工作室": "model_worker"}
    assert not result.problems["code"].isin(["category_guessed", "unknown_category"]).any()
    assert noms.loc["甲工作室", "team_size"] == 6 and noms.loc["丁工作室", "host_unit"] == "丁厂"
    assert noms.loc["丁工作室", "team_size"] == 5
    guessed = only(result, "header_guessed")
    assert guessed["cell"] == "F1" and "团队总人数" in guessed["message"] and "团队人数" in guessed["message"]
    unknown = only(result, "unknown_column")
    assert (unknown["file"], unknown["cell"], unknown["value"]) == ("U/a.xlsx", "H1", "微信号")


@pytest.mark.parametrize(("typed", "code"), [
    ("江苏省劳模创新工作室", "category_other_level"), ("省劳模创新工作室", "category_other_level"),
    ("惠山区劳模创新工作室", "category_other_level"), ("江阴市职工创新工作室", "category_other_level"),
    ("全国示范性劳模和工匠人才创新工作室", "category_other_level"),
    ("市级劳模创新工作室", None), ("无锡劳模创新工作室", "category_guessed")])  # the city's own level: read (or guessed, and said)
def test_a_category_naming_another_level_is_never_read_as_the_city_s(tmp_path, typed, code):
    save(book([[typed, *ROW[1:]]]), tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    assert list(problems(result)["code"]) == ([code] if code else [])
    category = result.nominations.iloc[0]["category"]
    assert (pd.isna(category) if code == "category_other_level" else category == "model_worker")


@pytest.mark.parametrize(("typed", "category"), [("劳模创新工作室（示范性）", "demonstration"), ("劳模创新工作室(示范)", "demonstration"),
                                              ("创新工作室（职工）", "employee")])
def test_a_category_s_qualifier_in_brackets_after_it_decides_the_guess(tmp_path, typed, category):
    """劳模创新工作室（示范性） is the 示范性 one, not the nearest spelling without it; read so, and said."""
    save(book([[typed, *ROW[1:]]]), tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    assert result.nominations.iloc[0]["category"] == category
    assert (only(result, "category_guessed")["cell"], len(problems(result))) == ("A4", 1)


def test_a_row_below_the_table_s_end_line_is_read_and_said(tmp_path):
    """以下空白, then another studio: read (nothing a union wrote is dropped), and said, since the union said the table ended."""
    save(book([ROW, ["以下空白"], ["职工", 1, "王芳职工创新工作室", "无锡某某化工有限公司", "王芳", "", 5, 2, "2019年5月", 80, 3, 1]]),
         tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    assert list(result.nominations["studio"]) == ["张伟劳模创新工作室", "王芳职工创新工作室"]
    said = only(result, "row_after_end")
    assert (said["cell"], said["severity"]) == ("6", "warning") and "以下空白" in said["message"]
    assert said["value"].startswith("职工 1 王芳职工创新工作室") and len(problems(result)) == 1


@pytest.mark.parametrize(("first", "second"), [("一、劳模创新工作室", "二、职工创新工作室"),
                                             ("（一）劳模创新工作室（2个）", "（二）职工创新工作室（1个）"),
                                             ("第一类：劳模创新工作室", "第二类：职工创新工作室"), ("劳模创新工作室", "职工创新工作室：")])
@pytest.mark.parametrize("category_column", [True, False])
def test_section_lines_give_the_category_of_the_rows_below_them(tmp_path, first, second, category_column):
    """一、劳模创新工作室 over its studios, 二、职工创新工作室 over the others: the rows take their section's
    category, each section line is said once, and none is a nomination or an unrecognised row."""
    keep = [j for j in range(len(HEADER)) if category_column or j != 0]
    book_ = openpyxl.Workbook()
    ws = book_.active
    ws.append(["推荐单位（盖章）：梁溪区总工会    填报日期：2022年10月26日"])
    ws.append([HEADER[j] for j in keep])
    ws.append([first])
    for k, name in enumerate(["张伟", "李强"], start=1):
        ws.append([([None, k] + [f"{name}劳模创新工作室", f"无锡{name}机械有限公司", name] + ROW[5:])[j] for j in keep])
    ws.append([second])
    ws.append([([None, 1] + ["王芳职工创新工作室", "无锡某某化工有限公司", "王芳"] + ROW[5:])[j] for j in keep])
    result = read(save(book_, tmp_path / "inbox" / "梁溪区总工会" / "汇总表.xlsx").parents[1])
    assert list(result.nominations["category"]) == ["model_worker", "model_worker", "employee"]
    got = problems(result)
    assert list(zip(got["cell"], got["code"], got["severity"])) == [("A3", "category_from_section", "warning"),
                                                                 ("A6", "category_from_section", "warning")]


def test_a_row_s_own_category_wins_over_its_section_and_an_unused_section_line_is_still_said(tmp_path):
    book_ = book([["劳模创新工作室"], [*ROW], ["职工", *ROW[1:2], "李强职工创新工作室", ROW[3], "李强", *ROW[5:]]])
    result = read(save(book_, tmp_path / "inbox" / "梁溪区总工会" / "汇总表.xlsx").parents[1])
    assert list(result.nominations["category"]) == ["model_worker", "employee"]
    assert list(zip(problems(result)["cell"], problems(result)["code"])) == [("4", "unrecognised_row")]


@pytest.mark.parametrize("title", [True, False])
def test_a_control_character_in_a_folder_s_name_splits_no_union(tmp_path, title):
    """梁溪区<BEL>总工会: its paths show �, its union is 梁溪区总工会 (named in the summary or not), and every
    problem met in the folder, the photos' too, goes on that union's page."""
    save(book([[*ROW[:6], "很多人", *ROW[7:]]], title=title), tmp_path / "inbox" / "梁溪区\x07总工会" / "汇总表.xlsx")
    result = wb.read_inbox(tmp_path / "inbox", RND)
    assert list(result.nominations["recommender"]) == ["梁溪区总工会"]
    assert set(result.problems["recommender"]) == {"梁溪区总工会"} and "photos_short" in set(result.problems["code"])
    assert "梁溪区\ufffd总工会/汇总表.xlsx" in set(result.problems["file"])


@pytest.mark.parametrize(("folder", "union"), [
    ("01-梁溪区总工会", "梁溪区总工会"), ("梁溪区总工会（10月26日报送）", "梁溪区总工会"), ("梁溪区总工会报送材料", "梁溪区总工会"),
    ("【梁溪区总工会】推荐材料", "梁溪区总工会"), ("2022年梁溪区总工会", "梁溪区总工会"), ("U", "U")])  # a folder not named in Chinese stays as it is
def test_a_summary_naming_no_union_counts_for_the_union_its_folder_is_named_for(tmp_path, folder, union):
    save(book([ROW], title=False), tmp_path / folder / "a.xlsx")
    (tmp_path / folder / "b.xlsx").write_bytes(b"not a workbook")
    result = read(tmp_path)
    assert result.nominations.iloc[0]["recommender"] == union
    said = only(result, "missing_column")
    assert (said["severity"], said["field"]) == ("warning", "recommender") and f"“{union}”" in said["message"]
    assert set(result.problems["recommender"]) == {union}  # the whole folder's problem list goes to that union


# ---------------------------------------------------------------------------- properties

digits = st.integers(0, 99999).map(str)


@settings(max_examples=200, deadline=None)
@given(digits | st.just("0"), digits | st.just("123"), st.sampled_from([" ", "\u3000", "-", "~", "至", ",", "e", "E"]), st.sampled_from(["", "人", "万元"]))
def test_two_numbers_in_one_cell_are_never_read_as_one(a, b, between, unit):
    text = f"{a}{between}{b}{unit}"
    if between == "," and len(b) == 3 and len(a) <= 3 and a[0] != "0":
        return  # '1,200' is a thousands separator: one number
    with pytest.raises(ValueProblem):
        parse_number(text, ("人", "万元"))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**7), st.sampled_from(["", "人", "名"]), st.booleans())
def test_a_number_with_its_own_unit_is_read_exactly(n, unit, wide):
    text = f"{n:,}" if n >= 1000 and wide else str(n)
    if wide:
        text = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert parse_number(text + unit, ("人", "名")) == n


def test_a_two_level_header_without_merged_cells_keeps_every_field(tmp_path):
    b = openpyxl.Workbook()
    ws = b.active
    ws.append(["推荐单位（盖章）：梁溪区总工会"])
    ws.append(["推荐类别", "推荐排序", "工作室名称", "所在单位", "领衔人", "领衔人荣誉称号", "团队情况", None,
               "成立时间", "保障情况", None, "近一年认定创新成果（项）", "微信号"])
    ws.append([None] * 6 + ["团队人数", "一线职工", None, "面积", "经费", None, None])
    ws.append([*ROW, "abc"])
    save(b, tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    nom = result.nominations.iloc[0]
    assert (nom["team_size"], nom["frontline"], nom["site_area"], nom["funding"]) == (6, 2, 120, 5.5)
    assert nom["source_row"] == 4
    assert problems(result)[["cell", "code"]].values.tolist() == [["M2", "unknown_column"]]


CELL = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 2000).map(float),
                 st.text(alphabet=st.sampled_from(" \u3000\u200b\u034f\xa0\t\n张三劳模工作室0123456789.,人万元aB/—-同上〃"), max_size=12),
                 st.text(max_size=12))


@settings(max_examples=400, deadline=None)
@given(st.sampled_from([n for n, kind in FIELD_TYPES.items() if kind in ("text", "int", "float")]), st.lists(CELL, max_size=6))
@example("studio", [" 张三 ", "\u3000劳模\u3000", "a\u034fb", "", "1.0", " / ", "——", "同上", "〃 ", "/张三"])
@example("team_size", [3.0, 3.5, -1.0, float("nan"), 1001.0, 0.0])
@example("funding", [0.0, 5.5, 100_000.0, 100_001.0, float("inf")])
def test_cells_read_at_once_are_read_as_parsing_them_one_by_one_would(name, cells):
    """Plain text and plain numbers of a column are read without the parser: to the same value."""
    one_by_one = FieldParser(RND, category_lookup(RND))
    for cell, at_once in zip(cells, _plain_cells(name, cells)):
        if at_once is not None:
            assert at_once == one_by_one.cell(name, cell)


DATE_SEP = st.sampled_from(["-", "/", ".", "年", " - "])
TIME = st.tuples(st.integers(0, 30), st.integers(0, 70), st.none() | st.integers(0, 70), st.sampled_from([" ", "T"]))


@settings(max_examples=400, deadline=None)
@given(st.integers(1990, 2030), st.integers(0, 14), st.integers(0, 33), DATE_SEP, DATE_SEP, st.booleans(),
       st.none() | TIME, st.sampled_from(["", " ", "  ", "Z", "+08:00", ".5"]))
def test_a_receipt_time_is_read_as_pandas_reads_its_year_first_iso_form(year, month, day, sep1, sep2, ri, clock, tail):
    """The usual spellings are read without pandas: to the same time (or the same refusal)."""
    written = f"{year}{sep1}{month}{sep2}{day}{'日' if ri else ''}"
    if clock:
        hour, minute, second, joint = clock
        written += f"{joint}{hour}:{minute:02d}" + (f":{second}" if second is not None else "")
    written += tail
    iso = _YEAR_FIRST.sub(r"\1-\2-\3", written).strip()
    expected = pd.to_datetime(iso, format="ISO8601", errors="coerce") if iso else pd.NaT
    if expected is not pd.NaT and expected.tzinfo is not None:
        expected = expected.tz_convert(BEIJING).tz_localize(None)
    got = receipt_time(written)
    assert (got is None) if expected is pd.NaT else got == expected.to_pydatetime()


def test_a_summary_with_only_its_header_is_reported(tmp_path):
    save(book([]), tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    row = only(result, "empty_table")
    assert result.nominations.empty and row["severity"] == "warning" and row["cell"] == "3" and row["sheet"] == "推荐汇总表"


def test_data_in_columns_without_a_header_is_reported_once(tmp_path):
    save(book([ROW, [*ROW[:2], "李四工作室", "乙厂", "李四", *ROW[5:], "", "多余", 3]]), tmp_path / "U" / "a.xlsx")
    row = only(read(tmp_path), "unlabelled_column")
    assert (row["cell"], row["value"], row["severity"]) == ("N5", "多余", "warning")
    assert "多余" in row["message"] and "另有 1 列" in row["message"]


def test_a_column_headed_by_text_intake_ignores_is_not_called_unlabelled(tmp_path):
    b = openpyxl.Workbook()
    b.active.append(["序号", *HEADER])
    b.active.append([1, *ROW])
    save(b, tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    assert result.nominations["studio"].tolist() == ["张伟劳模创新工作室"]
    assert not result.problems["code"].isin(["unlabelled_column", "unknown_column"]).any()


def test_a_header_repeated_below_the_table_is_not_a_nomination(tmp_path):
    alias = ["推荐类型", "排序", "创新工作室名称", "所在单位名称", "领衔人姓名", *HEADER[5:]]  # the second table's own wording
    save(book([ROW, alias, [*ROW[:2], "李四工作室", "乙厂", "李四", *ROW[5:]]]), tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    assert result.nominations["studio"].tolist() == ["张伟劳模创新工作室", "李四工作室"]
    row = only(result, "repeated_header")
    assert (row["cell"], row["severity"]) == ("5", "warning")
    assert not result.problems["code"].isin(["unknown_category", "not_a_number", "not_a_date"]).any()


def test_a_name_typed_over_two_lines_of_its_cell_is_one_line(tmp_path):
    rows = [[*ROW[:2], "张伟劳模\n创新工作室", "无锡某某机械\r\n有限公司", "Li\nNa", *ROW[5:]]]
    save(book(rows), tmp_path / "U" / "a.xlsx")
    nom = read(tmp_path).nominations.iloc[0]
    assert (nom["studio"], nom["host_unit"], nom["leader"]) == ("张伟劳模创新工作室", "无锡某某机械有限公司", "Li Na")


@pytest.mark.parametrize(("rank", "size", "read_as"), [("第1", "五人", (1, 5)), ("第一", "十二", (1, 12)), ("第2名", "两人", (2, 2)),
                                                       ("一", "二十三", (1, 23)), ("（2）", "6", (2, 6)), ("(一)", "6", (1, 6))])
def test_places_and_counts_in_chinese_numerals_are_read(tmp_path, rank, size, read_as):
    save(book([[ROW[0], rank, *ROW[2:6], size, *ROW[7:]]]), tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    nom = result.nominations.iloc[0]
    assert (nom["recommender_rank"], nom["team_size"]) == read_as
    assert not result.problems["code"].isin(["not_a_number", "rank_missing"]).any()


@pytest.mark.parametrize(("size", "code"), [("十几人", "approximate_number"), ("一二", "not_a_number"),
                                          ("五项", "not_a_number"), ("第五", "not_a_number")])
def test_counts_in_chinese_numerals_that_mean_no_one_number_are_problems(tmp_path, size, code):
    save(book([[*ROW[:6], size, *ROW[7:]]]), tmp_path / "U" / "a.xlsx")
    row = only(read(tmp_path), code)
    assert (row["cell"], row["value"]) == ("G4", size)


def _numeral(n: int) -> str:
    """n (0-999) as Chinese numerals are usually written: the reference for chinese_numeral."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    text = digits[hundreds] + "百" if hundreds else ""
    if tens:
        text += ("" if tens == 1 and not hundreds else digits[tens]) + "十"
    elif hundreds and units:
        text += "零"
    return text + (digits[units] if units else "")


@given(st.integers(0, 999))
def test_chinese_numerals_are_read_as_the_numbers_they_write(n):
    assert chinese_numeral(_numeral(n)) == n
    assert chinese_numeral(_numeral(n).replace("二", "两", 1)) == n  # 两 is 二 too


# ---------------------------------------------------------------------------- values as unions write them
@pytest.mark.parametrize(("typed", "day", "precision"), [
    ("2019年5月份", dt.datetime(2019, 5, 1), "month"), ("2019年5月8号", dt.datetime(2019, 5, 8), "day"),
    ("2019—05", dt.datetime(2019, 5, 1), "month"), ("2019–5–8", dt.datetime(2019, 5, 8), "day"),
    ("2019-5-18 00:00:00", dt.datetime(2019, 5, 18), "day"), ("2019/05/11 9:30", dt.datetime(2019, 5, 11), "day"),
    ("二〇一九年五月", dt.datetime(2019, 5, 1), "month"), ("二○一九年十二月", dt.datetime(2019, 12, 1), "month"),
    ("二〇一九年五月二十一日", dt.datetime(2019, 5, 21), "day")])
def test_dates_as_officers_write_them_are_read(tmp_path, typed, day, precision):
    save(book([[*ROW[:8], typed, *ROW[9:]]]), tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    nom = result.nominations.iloc[0]
    assert (nom["established"], nom["established_precision"]) == (pd.Timestamp(day), precision)
    assert problems(result).empty


@pytest.mark.parametrize("typed", ["2019年上半年", "2019-5 10:00", "二〇一九年十三月", "二〇一九年五月一二日", "5/8/2019"])
def test_dates_that_name_no_one_day_or_month_are_problems(tmp_path, typed):
    save(book([[*ROW[:8], typed, *ROW[9:]]]), tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    assert pd.isna(result.nominations.iloc[0]["established"])
    assert (only(result, "not_a_date")["cell"], only(result, "not_a_date")["value"]) == ("I4", typed)


@pytest.mark.parametrize(("column", "typed", "code"), [
    ("团队人数", "约20人", "approximate_number"), ("团队人数", "20余人", "approximate_number"),
    ("团队人数", "18人左右", "approximate_number"), ("团队人数", "≥18", "approximate_number"),
    ("团队人数", "很多人", "not_a_number"), ("团队人数", "18+2", "not_a_number"),
    ("年度经费（万元）", "0.12亿元", "unit_mismatch"), ("年度经费（万元）", "5千元", "unit_mismatch")])
def test_approximations_and_other_scales_are_named_for_what_they_are(tmp_path, column, typed, code):
    result, _, cell = read_typed(tmp_path, column, typed)
    row = only(result, code)
    assert row["cell"] == cell and row["value"] == typed
    assert len(problems(result)) == 1


@pytest.mark.parametrize(("column", "typed", "value"), [
    ("团队人数", "共6人", 6), ("团队人数", "伍", 5), ("年度经费（万元）", "每年5万元", 5.0), ("年度经费（万元）", "年均5万元", 5.0),
    ("年度经费（万元）", "伍万元", 5.0), ("年度经费（万元）", "伍拾万元整", 50.0), ("年度经费（万元）", "合计5.5万元", 5.5),
    ("场所面积（平方米）", "一百二十平方米", 120.0),
    ("近一年认定创新成果（项）", "12件", 12), ("近一年认定创新成果（项）", "共十二项", 12)])
def test_totals_and_numbers_written_in_words_are_read(tmp_path, column, typed, value):
    """共6人 is 6, 伍万元 (大写) is 5万元, a yearly amount may say 每年 before it as well as /年 after it."""
    result, field, _ = read_typed(tmp_path, column, typed)
    assert result.nominations.iloc[0][field] == value and problems(result).empty


@pytest.mark.parametrize(("column", "typed", "value", "note"), [
    ("团队人数", "6人（含领衔人）", 6, "含领衔人"), ("团队人数", "6人(其中一线5人)。", 6, "其中一线5人"),
    ("年度经费（万元）", "10万元（含设备）", 10.0, "含设备"), ("场所面积（平方米）", "120（含车间）", 120.0, "含车间"),
    ("成立时间", "2019年5月（挂牌）", pd.Timestamp(2019, 5, 1), "挂牌")])
def test_a_value_with_a_note_in_brackets_is_read_and_the_note_said(tmp_path, column, typed, value, note):
    result, field, cell = read_typed(tmp_path, column, typed)
    assert result.nominations.iloc[0][field] == value
    row = only(result, "value_annotated")
    assert (row["cell"], row["severity"], row["value"]) == (cell, "warning", typed) and note in row["message"]
    assert len(problems(result)) == 1


@pytest.mark.parametrize(("column", "typed", "code"), [
    ("团队人数", "6人（约）", "not_a_number"), ("团队人数", "6（8人）", "not_a_number"), ("团队人数", "约6人（含领衔人）", "approximate_number"),
    ("团队人数", "（含领衔人）", "not_a_number"), ("年度经费（万元）", "50000（含设备）", "implausible_number"),
    ("成立时间", "2019年5月（约）", "not_a_date"), ("成立时间", "2019年5月（2020年挂牌）", "not_a_date")])
def test_a_note_that_makes_the_value_uncertain_leaves_it_unread(tmp_path, column, typed, code):
    """A note saying the value is approximate, or naming another number, is not set aside: which is meant is not known."""
    result, field, cell = read_typed(tmp_path, column, typed)
    assert pd.isna(result.nominations.iloc[0][field])
    assert (only(result, code)["cell"], only(result, code)["severity"]) == (cell, "error")


@pytest.mark.parametrize(("typed", "day"), [("2019年5月。", dt.datetime(2019, 5, 1)), ("2019.5.", dt.datetime(2019, 5, 1))])
def test_a_date_ending_as_a_sentence_ends_is_read(tmp_path, typed, day):
    save(book([[*ROW[:8], typed, *ROW[9:]]]), tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    assert result.nominations.iloc[0]["established"] == pd.Timestamp(day) and problems(result).empty


@pytest.mark.parametrize(("column", "typed", "value"), [("团队人数", "18位", 18), ("年度经费（万元）", "5万元/年", 5.0)])
def test_a_count_of_people_in_位_and_funding_per_year_are_read(tmp_path, column, typed, value):
    result, field, _ = read_typed(tmp_path, column, typed)
    assert result.nominations.iloc[0][field] == value
    assert problems(result).empty


def test_yes_no_columns_read_the_answers_their_headers_ask_for(tmp_path):
    header = [*HEADER, "党建引领（党支部/党小组/党员先锋岗）", "制度是否健全", "所在单位是否具有法人资格"]
    answers = [("党支部", "完善", "☑", (True, True, True)), ("党员先锋岗、党小组", "不完善", "不是", (True, False, False)),
               ("无党支部", "详实", "√", (False, True, True)), ("有（党小组）", "√", "×", (True, True, False))]
    b = openpyxl.Workbook()
    b.active.append(header)
    for k, (party, systems, legal, _) in enumerate(answers):
        b.active.append([*ROW[:2], f"{k}号工作室", f"{k}号厂", f"领衔人{k}", *ROW[5:], party, systems, legal])
    save(b, tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    read_as = result.nominations.set_index("studio")[["party_building", "systems", "legal_person"]]
    assert [tuple(read_as.loc[f"{k}号工作室"]) for k in range(len(answers))] == [a[3] for a in answers]
    assert problems(result)["code"].isin(["not_yes_no"]).sum() == 0


def test_a_yes_word_of_one_column_is_not_yes_in_another(tmp_path):
    b = openpyxl.Workbook()
    b.active.append([*HEADER, "所在单位是否具有法人资格"])
    b.active.append([*ROW, "党支部"])
    save(b, tmp_path / "U" / "a.xlsx")
    row = only(read(tmp_path), "not_yes_no")
    assert (row["cell"], row["value"]) == ("M2", "党支部")


@pytest.mark.parametrize(("typed", "items"), [
    ("①江苏省劳动模范②无锡工匠", ["江苏省劳动模范", "无锡工匠"]), ("1.江苏省劳动模范 2.无锡工匠", ["江苏省劳动模范", "无锡工匠"]),
    ("1、江苏省劳动模范；2、无锡工匠", ["江苏省劳动模范", "无锡工匠"]), ("(1)江苏省劳动模范(2)无锡工匠", ["江苏省劳动模范", "无锡工匠"]),
    ("江苏省劳动模范（2015）", ["江苏省劳动模范（2015）"]), ("无", []), ("暂无", [])])
def test_honours_numbered_as_a_list_are_its_items_and_none_is_none(tmp_path, typed, items):
    save(book([[*ROW[:5], typed, *ROW[6:]]]), tmp_path / "U" / "a.xlsx")
    assert read(tmp_path).nominations.iloc[0]["leader_honours"] == items


@pytest.mark.parametrize("xml", [b'<c r="G4" t="e"><v>#N/A</v></c>', b'<c r="G4" s="0" t="e"><f>1/0</f><v>#DIV/0!</v></c>'])
def test_an_error_value_is_reported_not_read_as_blank(tmp_path, xml):
    path = save(book([[*ROW[:6], "PLACEHOLDER", *ROW[7:]]]), tmp_path / "U" / "a.xlsx")
    _with_cell_xml(path, "G4", xml)
    result = read(tmp_path)
    assert pd.isna(result.nominations.iloc[0]["team_size"])
    row = only(result, "error_value")
    value = "#N/A" if b"#N/A" in xml else "#DIV/0!"
    assert (row["cell"], row["value"], row["severity"]) == ("G4", value, "error") and value in row["message"]
    assert len(problems(result)) == 1  # not also called a formula without a value


def test_tables_on_sheets_named_for_a_category_are_read_as_it(tmp_path):
    header = [h for h in HEADER if h != "推荐类别"]
    b = openpyxl.Workbook()
    b.active.title = "劳模创新工作室"
    b.active.append(header)
    b.active.append(["1", "甲工作室", *ROW[3:]])
    other = b.create_sheet("Sheet2")
    other.append(["2022年无锡市职工创新工作室推荐汇总表"])
    other.append(header)
    other.append(["1", "乙工作室", *ROW[3:]])
    both = b.create_sheet("Sheet3")
    both.append(["劳模、职工创新工作室推荐汇总表"])
    both.append(header)
    both.append(["1", "丙工作室", *ROW[3:]])
    save(b, tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    category = result.nominations.set_index("studio")["category"]
    assert (category["甲工作室"], category["乙工作室"]) == ("model_worker", "employee") and pd.isna(category["丙工作室"])
    said = result.problems[result.problems["code"] == "category_from_sheet"].set_index("sheet")
    assert said.loc["劳模创新工作室", "cell"] == "A1" and "工作表名" in said.loc["劳模创新工作室", "message"]
    assert said.loc["Sheet2", "cell"] == "A2" and "标题" in said.loc["Sheet2", "message"]
    missing = result.problems[(result.problems["code"] == "missing_column") & (result.problems["severity"] == "error")]
    assert missing["sheet"].tolist() == ["Sheet3"]


def test_an_error_value_typed_as_text_is_reported_not_read_as_a_name(tmp_path):
    lines = [",".join(HEADER), ",".join(["劳模", "1", "#N/A", "某厂", "张伟", "", "6", "2", "2019年5月", "120", "5", "2"])]
    (tmp_path / "U").mkdir()
    (tmp_path / "U" / "a.csv").write_text("\n".join(lines), encoding="utf-8")
    result = read(tmp_path)
    assert pd.isna(result.nominations.iloc[0]["studio"])
    row = only(result, "error_value")
    assert (row["cell"], row["value"]) == ("C2", "#N/A")


@pytest.mark.parametrize("libreoffice", [False, True])
def test_a_hidden_row_is_read_and_said_to_be_hidden(tmp_path, libreoffice):
    b = book([ROW, [ROW[0], 2, "李娜劳模创新工作室", "某医院", "李娜", *ROW[5:]]])
    b.active.row_dimensions[5].hidden = True
    path = save(b, tmp_path / "U" / "a.xlsx")
    if libreoffice:
        path = soffice(path, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
        (tmp_path / "U" / "a.xlsx").unlink()
        shutil.move(path, tmp_path / "U" / "a.xlsx")
        shutil.rmtree(tmp_path / "lo")
    result = read(tmp_path)
    assert len(result.nominations) == 2
    row = only(result, "hidden_row")
    assert (row["cell"], row["value"], row["severity"]) == ("5", "李娜劳模创新工作室", "warning")


@pytest.mark.parametrize(("header", "value", "field", "first"), [("团队 人数", 8, "team_size", "G"),
                                                                ("工作室名称", "张伟工作室", "studio", "C")])
def test_a_column_named_twice_is_said_to_be_repeated_not_unknown(tmp_path, header, value, field, first):
    b = openpyxl.Workbook()
    b.active.append([*HEADER, header])  # 工作室名称 twice is no second table: nothing right of it is lost
    b.active.append([*ROW, value])
    save(b, tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    assert result.nominations.iloc[0]["team_size"] == 6 and result.nominations.iloc[0]["results_last_year"] == 2
    row = only(result, "repeated_column")
    assert (row["cell"], row["field"]) == ("M1", field) and f"{first} 列" in row["message"]
    assert not result.problems["code"].isin(["unknown_column", "header_guessed"]).any()


def test_a_corrected_summary_sent_beside_the_first_is_an_error_on_both(tmp_path):
    second = [ROW[0], 2, "李娜劳模创新工作室", "某医院", "李娜", *ROW[5:]]
    save(book([ROW, second]), tmp_path / "U" / "汇总表.xlsx")
    save(book([ROW, [*second[:6], 9, *second[7:]]]), tmp_path / "U" / "汇总表（修改版）.xlsx")  # 团队人数 corrected
    save(book([["职工", 1, "王强职工创新工作室", "某厂", "王强", *ROW[5:]]]), tmp_path / "U" / "职工汇总表.xlsx")  # another half
    result = read(tmp_path)
    found = result.problems[result.problems["code"] == "summary_resubmitted"]
    assert sorted(found["file"]) == ["U/汇总表.xlsx", "U/汇总表（修改版）.xlsx"]
    assert (found["severity"] == "error").all()
    assert "“汇总表（修改版）.xlsx”有 2 个" in found.set_index("file").loc["U/汇总表.xlsx", "message"]


@pytest.mark.parametrize("copy_name", ["汇总表 - 副本.xlsx", "汇总表(1).xlsx", "汇总表.XLSX.xlsx"])
def test_a_file_sent_twice_byte_for_byte_is_read_once_and_the_copy_said(tmp_path, copy_name):
    original = save(book([ROW]), tmp_path / "U" / "汇总表.xlsx")
    shutil.copy(original, tmp_path / "U" / copy_name)
    (tmp_path / "V").mkdir()
    shutil.copy(original, tmp_path / "V" / "汇总表.xlsx")
    result = read(tmp_path)
    assert sorted(result.nominations["source_file"]) == ["U/汇总表.xlsx", "V/汇总表.xlsx"]  # another union's folder: read
    copy = only(result, "file_copy")
    assert (copy["file"], copy["severity"]) == (f"U/{copy_name}", "warning") and "“汇总表.xlsx”" in copy["message"]
    assert not result.problems["code"].isin(["summary_resubmitted", "duplicate_nomination"]).any()
    assert list(result.files["file"]) == sorted(["U/汇总表.xlsx", f"U/{copy_name}", "V/汇总表.xlsx"])  # listed all the same


def test_a_studio_named_twice_in_one_folder_has_its_photos_said_once(tmp_path):
    save(book([ROW]), tmp_path / "U" / "汇总表.xlsx")
    save(book([[ROW[0], 2, *ROW[2:6], 7, *ROW[7:]]]), tmp_path / "U" / "补报汇总表.xlsx")  # the studio again, as a second half
    result = read(tmp_path)
    assert len(result.nominations) == 2 and len(result.materials) == 2  # each row keeps its counts
    assert only(result, "photos_short")["file"] == "U/张伟劳模创新工作室"


def test_a_register_row_of_trailing_commas_is_read_as_its_columns(tmp_path):
    """Blank cells past the register's header (a row ending in two million commas) add nothing: the row
    is read (they were turned into two million columns, 740 MB for a 2 MB file, before)."""
    save(book([ROW]), tmp_path / "U" / "a.xlsx")
    (tmp_path / labels.RECEIPTS_FILE).write_text("file,received_at\nU/a.xlsx,2022-10-19" + "," * 2_000_000 + "\n", encoding="utf-8")
    result = read(tmp_path)
    assert result.nominations["received_at"].tolist() == [pd.Timestamp(2022, 10, 19)]
    assert not result.problems["code"].isin(["bad_receipts", "not_registered"]).any()


def test_a_register_past_the_size_limit_is_refused_not_read(tmp_path):
    save(book([ROW]), tmp_path / "U" / "a.xlsx")
    (tmp_path / labels.RECEIPTS_FILE).write_bytes(b"file,received_at\n" + b"U/a.xlsx,2022-10-19\n" * 1_700_000)  # 34 MB
    result = read(tmp_path)
    assert only(result, "bad_receipts")["severity"] == "error" and len(result.nominations) == 1


def test_a_csv_line_wider_than_any_sheet_is_refused_and_the_rest_read(tmp_path):
    header, row = ",".join(HEADER), ",".join(map(str, ROW))
    (tmp_path / "U").mkdir()
    (tmp_path / "U" / "汇总表.csv").write_text(f"{header}\n{row}\n" + "," * 2_000_000 + "x\n", encoding="utf-8")
    save(book([[*ROW[:2], "李娜劳模创新工作室", "无锡另一机械有限公司", "李娜", *ROW[5:]]]), tmp_path / "V" / "汇总表.xlsx")
    result = read(tmp_path)
    refused = only(result, "csv_too_wide")
    assert (refused["file"], refused["severity"]) == ("U/汇总表.csv", "error") and "第3行有 2000001 列" in refused["message"]
    assert result.nominations["studio"].tolist() == ["李娜劳模创新工作室"]


READ_IN_A_CHILD = """
import sys, workbench as wb
result = wb.read_inbox(sys.argv[1], wb.load_round(), forms=False)
print(len(result.nominations), *sorted(set(result.problems["code"])))
"""


@pytest.mark.parametrize("stray", ["XFD1048576", "XFD5000", "AAA30000"])
def test_a_stray_cell_far_away_is_reported_not_a_crash(tmp_path, stray):
    b = book([ROW])
    b.active[stray] = "x"
    save(b, tmp_path / "U" / "a.xlsx")
    save(book([[ROW[0], 1, "李娜劳模创新工作室", "某医院", "李娜", *ROW[5:]]]), tmp_path / "V" / "b.xlsx")

    def four_gigabytes() -> None:  # calamine would ask for up to 512 GB and abort the process: fail fast instead
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    child = subprocess.run([sys.executable, "-c", READ_IN_A_CHILD, str(tmp_path)], capture_output=True, text=True,
                           timeout=300, preexec_fn=four_gigabytes)
    assert child.returncode == 0, child.stderr[-2000:]
    nominations, *codes = child.stdout.split()
    assert nominations == "1" and "sheet_too_large" in codes  # the other union's file is read


def test_a_sheet_reaching_a_far_column_in_a_few_rows_is_still_read(tmp_path):
    b = book([ROW])
    b.active["XFD4"] = "x"
    save(b, tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    assert len(result.nominations) == 1 and only(result, "unlabelled_column")["cell"] == "XFD4"


def test_two_tables_side_by_side_are_both_read_with_their_own_cells(tmp_path):
    book_ = book([ROW])
    sheet = book_.active
    right = len(HEADER) + 2  # one blank column between them, as unions leave it
    employee = ["职工", 1, "王五职工创新工作室", "无锡某某电子有限公司", "王五", "无锡市职工技术创新能手", "很多", 3, "2019年5月", 60, 2, 1]
    for k, (head, value) in enumerate(zip(HEADER, employee)):
        sheet.cell(row=3, column=right + k, value=head)
        sheet.cell(row=4, column=right + k, value=value)
    result = read(save(book_, tmp_path / "inbox" / "梁溪区总工会" / "汇总表.xlsx").parents[1])
    assert result.nominations["studio"].tolist() == ["张伟劳模创新工作室", "王五职工创新工作室"]
    assert result.nominations["recommender"].tolist() == ["梁溪区总工会"] * 2  # the fill line above both
    assert list(zip(problems(result)["cell"], problems(result)["code"])) == [("T4", "not_a_number")]  # 很多 (人)


def test_a_second_table_below_with_its_columns_in_another_order_is_read_by_its_own_header(tmp_path):
    book_ = book([ROW])
    sheet = book_.active
    sheet.append([])
    sheet.append(["二、职工创新工作室"])
    sheet.append(["推荐排序", "推荐类别", "工作室名称", "领衔人", "所在单位", "团队人数"])  # 领衔人 before 所在单位 now
    sheet.append([1, "职工", "王五职工创新工作室", "王五", "无锡某某电子有限公司", "很多"])
    result = read(save(book_, tmp_path / "inbox" / "梁溪区总工会" / "汇总表.xlsx").parents[1])
    noms = result.nominations
    assert noms["studio"].tolist() == ["张伟劳模创新工作室", "王五职工创新工作室"]  # the header is no nomination
    assert (noms.loc[1, "leader"], noms.loc[1, "host_unit"], noms.loc[1, "category"]) == ("王五", "无锡某某电子有限公司", "employee")
    assert list(zip(problems(result)["cell"], problems(result)["code"])) == [("F8", "not_a_number")]


def test_a_studio_and_its_unit_written_in_each_other_s_column_are_said_not_swapped(tmp_path):
    row = ROW[:2] + ["无锡某某机械有限公司", "张伟劳模创新工作室"] + ROW[4:]
    result = read(save(book([row, ROW[:2] + ["李四工作室", "李四公司", "李四"] + ROW[5:]]),
                       tmp_path / "inbox" / "梁溪区总工会" / "汇总表.xlsx").parents[1])
    found = only(result, "studio_unit_swapped")
    assert (found["cell"], found["severity"]) == ("D4", "error") and "疑似填反" in found["message"]
    assert result.nominations.loc[0, "studio"] == "无锡某某机械有限公司"  # kept as typed


@pytest.mark.parametrize(("frontline", "named_on", "established", "found"), [
    (7, None, "2019年5月", {"H4": "frontline_exceeds_team"}),  # a team of 6
    (6, "2018年3月", "2019年5月", {"M4": "named_before_established"}),
    (2, "2019年5月", "2019年5月20日", {}),  # May 2019 may be the 20th or later: not before
    (2, "2019年", "2019年5月", {}),
    (2, "2019年5月19日", "2019年5月20日", {"M4": "named_before_established"}),
])
def test_two_cells_that_cannot_both_be_right_are_said_at_the_second(tmp_path, frontline, named_on, established, found):
    row = ROW[:7] + [frontline, established] + ROW[9:] + [named_on]
    book_ = book([row])
    book_.active.cell(row=3, column=len(HEADER) + 1, value="命名时间")
    result = read(save(book_, tmp_path / "inbox" / "梁溪区总工会" / "汇总表.xlsx").parents[1])
    got = problems(result)
    got = got[got["code"].isin(["frontline_exceeds_team", "named_before_established"])]
    assert dict(zip(got["cell"], got["code"])) == found
    assert result.nominations.loc[0, "frontline"] == frontline  # neither cell is read otherwise: which is wrong is the union's to say
    if found:
        assert got.iloc[0]["severity"] == "error" and "至少一项填错" in got.iloc[0]["message"]


def test_a_whole_number_in_a_problem_is_shown_as_it_was_typed(tmp_path):
    result = read(save(book([ROW[:6] + [6000] + ROW[7:]]), tmp_path / "inbox" / "梁溪区总工会" / "汇总表.xlsx").parents[1])
    assert only(result, "implausible_number")["value"] == "6000"  # not the 6000.0 the workbook stores


@pytest.mark.parametrize(("header", "column", "unit"), [
    ("年度经费（元）", 10, "元"), ("年度经费/千元", 10, "千元"), ("年度经费（单位：元）", 10, "元"), ("场所面积（亩）", 9, "亩")])
def test_a_header_in_another_scale_is_reported_and_its_numbers_not_read(tmp_path, header, column, unit):
    book_ = book([ROW[:10] + [50000] + ROW[11:]])  # 50000 元, or 5.5 (万元 as the template asks)? not known
    book_.active.cell(row=3, column=column + 1, value=header)
    result = read(save(book_, tmp_path / "inbox" / "梁溪区总工会" / "汇总表.xlsx").parents[1])
    found = only(result, "header_unit_mismatch")
    assert (found["cell"], found["severity"]) == (f"{'JK'[column - 9]}3", "error") and f"单位是{unit}" in found["message"]
    field = {9: "site_area", 10: "funding"}[column]
    assert result.nominations[field].isna().all()
    assert "header_guessed" not in set(result.problems["code"]) and "unlabelled_column" not in set(result.problems["code"])


@pytest.mark.parametrize("header", ["年度经费（万元）", "年度经费(万元/年)", "年度经费"])
def test_a_header_in_the_field_s_own_scale_is_read(tmp_path, header):
    book_ = book([ROW])
    book_.active.cell(row=3, column=11, value=header)
    result = read(save(book_, tmp_path / "inbox" / "梁溪区总工会" / "汇总表.xlsx").parents[1])
    assert result.nominations.loc[0, "funding"] == 5.5 and problems(result).empty


@pytest.mark.parametrize(("typed", "code", "severity"), [
    ("张伟、李强", "several_leaders", "error"), ("张伟,李强", "several_leaders", "error"),
    ("张伟（全国劳模）", "leader_annotated", "warning"), ("张伟(高级技师)", "leader_annotated", "warning"),
    ("张伟等", "several_leaders", "error"), ("张伟等3人", "several_leaders", "error"),
    ("张伟 李强", "leader_spaced", "warning"), ("张伟　李强", "leader_spaced", "warning"),
    ("张伟 13812345678", "leader_with_number", "warning"), ("张伟（电话：0510-82738722）", "leader_with_number", "warning"),
    ("张伟13812345678", "leader_with_number", "warning"),
    ("张 伟", None, None), ("欧阳 娜娜", None, None), ("王等", None, None),
    ("买买提·艾力", None, None), ("欧阳娜娜", None, None)])
def test_a_leader_cell_holding_more_than_one_name_is_reported(tmp_path, typed, code, severity):
    result = read(save(book([ROW[:4] + [typed] + ROW[5:]]), tmp_path / "inbox" / "梁溪区总工会" / "汇总表.xlsx").parents[1])
    assert result.nominations.loc[0, "leader"] == typed  # kept as typed: which name is meant is the union's to say
    got = problems(result)
    assert list(zip(got["cell"], got["code"], got["severity"])) == ([("E4", code, severity)] if code else [])


def test_the_number_after_a_leader_s_name_is_named_in_the_message(tmp_path):
    result, _, cell = read_typed(tmp_path, "领衔人", "张伟 手机：138 1234 5678")
    found = only(result, "leader_with_number")
    assert (found["cell"], found["value"]) == (cell, "张伟 手机：138 1234 5678") and "“138 1234 5678”" in found["message"]


@pytest.mark.parametrize("typed", ["张" + " " * 6000 + "x", "张" + "1 " * 3000 + "x", "（" * 6000, "张伟" + "0" * 6000 + "）",
                                   " " * 3000 + "1" + " " * 3000 + "x", "1," * 3000 + "万元", "2019年" + "5" * 6000,
                                   "张" + "\n" * 6000 + "x", "张" + "\u3000" * 6000 + "国", "、" * 6000 + "1"])
def test_a_long_cell_of_repeated_marks_is_read_in_every_column(tmp_path, typed):
    """Patterns that backtrack take minutes (a search for a number after a name took five on a cell of
    6000 spaces): every column is given such a cell and the inbox is read (the guard stops a hang)."""
    for column in HEADER:
        with _hang_guard(60):
            result, field, cell = read_typed(tmp_path / column, column, typed)
        assert len(result.nominations) == 1, column


@pytest.mark.parametrize("written", [" " * 6000 + "x", "2022年10月19日" + " " * 6000 + "时", "下午" + " " * 6000 + "3" + " " * 6000])
def test_a_receipt_time_of_long_white_space_is_said_not_searched_for_ever(tmp_path, written):
    """The register's time patterns hold several runs of white space in a row: on 3,000 spaces they took
    a minute (each run tried against every split of the spaces). Typed runs are one space now."""
    save(book([ROW]), tmp_path / "inbox" / "梁溪区总工会" / "汇总表.xlsx")
    (tmp_path / "inbox" / "收件登记.csv").write_text(f"file,received_at\n梁溪区总工会/汇总表.xlsx,{written}\n", encoding="utf-8")
    with _hang_guard(60):
        result = read(tmp_path / "inbox")
    assert only(result, "bad_receipt_time")["cell"] == "第2行"


def test_two_names_on_two_lines_of_the_leader_cell_are_not_run_together(tmp_path):
    """Alt+Enter between two names is two people: kept apart by a space and said (a studio's name over two
    lines is one name, and is joined)."""
    result = read(save(book([ROW[:4] + ["张伟\n李强"] + ROW[5:]]), tmp_path / "inbox" / "梁溪区总工会" / "汇总表.xlsx").parents[1])
    assert result.nominations.loc[0, "leader"] == "张伟 李强"
    assert (only(result, "leader_spaced")["cell"], only(result, "leader_spaced")["severity"]) == ("E4", "warning")


@pytest.mark.parametrize(("typed", "value", "code"), [("否。", False, None), ("是（分公司）", True, "value_annotated"),
                                                      ("有（3项）", True, "value_annotated"),
                                                      ("是（约）", None, "not_yes_no")])
def test_a_yes_or_no_with_a_full_stop_or_a_note_is_read_as_the_others(tmp_path, typed, value, code):
    book_ = book([ROW])
    book_.active.cell(row=3, column=13, value="所在单位是否具有法人资格")
    book_.active.cell(row=4, column=13, value=typed)
    result = read(save(book_, tmp_path / "inbox" / "梁溪区总工会" / "汇总表.xlsx").parents[1])
    got = result.nominations.loc[0, "legal_person"]
    assert (pd.isna(got) if value is None else got == value)
    assert list(zip(problems(result)["cell"], problems(result)["code"])) == ([("M4", code)] if code else [])


@pytest.mark.parametrize(("folder", "written", "said"), [
    ("梁溪区总工会", "滨湖区总工会", True), ("梁溪区总工会", "无锡市梁溪区总工会", False), ("梁溪区总工会", "梁溪区", False),
    ("梁溪", "梁溪区总工会", False), ("07", "滨湖区总工会", False)])  # a folder not named in Chinese names no union
def test_a_summary_naming_another_union_than_its_folder_is_said_and_goes_back_to_the_sender(tmp_path, folder, written, said):
    book_ = book([ROW])
    book_.active.cell(row=2, column=1, value=f"推荐单位（盖章）：{written}    填报日期：2022年10月26日")
    result = read(save(book_, tmp_path / "inbox" / folder / "汇总表.xlsx").parents[1])
    assert result.nominations.loc[0, "recommender"] == written  # the file's word: the quota it counts against
    found = result.problems[result.problems["code"] == "recommender_not_folder"]
    assert len(found) == said
    if said:
        assert "滨湖区总工会" in found.iloc[0]["message"] and "梁溪区总工会" in found.iloc[0]["message"]
        assert set(problems(result)["recommender"]) == {"梁溪区总工会"}  # the problem list goes to the union that sent it


def _closest_by_comparing_all(text: str) -> str | None:
    """What guess_header would say comparing the text with every known header (no text left out)."""
    import difflib
    key, vocab = normalise_header(text), vocabulary(RND)
    if len(key) < 2:
        return None
    scored = [(difflib.SequenceMatcher(None, key, h).ratio(), name) for h, name in vocab.headers.items()]
    top = max(scored)[0]
    best = {name for ratio, name in scored if ratio == top}
    return best.pop() if top >= vocab.similarity and len(best) == 1 else None


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(vocabulary(RND).headers)), st.text(alphabet="工作室名称领衔人团队数经费年度（）() 一线职工", max_size=6),
       st.integers(0, 3))
@example("工作室名称", "", 0)
def test_a_header_is_guessed_as_if_compared_with_every_known_header(header, noise, cut):
    text, vocab = header[cut:] + noise, vocabulary(RND)
    assert _closest(normalise_header(text), tuple(vocab.headers.items()), vocab.similarity) == _closest_by_comparing_all(text)


@pytest.mark.parametrize(("header", "field", "said"), [
    ("工作室名称（必填）", "studio", None), ("所在单位（全称）", "host_unit", None), ("依托单位", "host_unit", None),
    ("工作室领衔人", "leader", None), ("其中：一线职工（人）", "frontline", None), ("命名日期", "named_on", None),
    ("工作场所面积（㎡）", "site_area", None), ("经费投入（万元）", "funding", None),
    ("团队人数（不含领衔人）", "team_size", "header_guessed"),  # what the brackets say may change the count: for a person
    ("一线职工占比", None, "unknown_column"), ("一线职工比例（%）", None, "unknown_column")])  # a share is no count
def test_headers_as_unions_annotate_them(tmp_path, header, field, said):
    column = {"studio": 2, "host_unit": 3, "leader": 4, "team_size": 6, "frontline": 7, "named_on": 8, "site_area": 9,
              "funding": 10}.get(field, 7)
    book_ = book([ROW])
    book_.active.cell(row=3, column=column + 1, value=header)
    save(book_, tmp_path / "U" / "a.xlsx")
    result = read(tmp_path)
    assert list(problems(result)["code"]) == ([said] if said else [])
    if field:
        assert result.nominations.loc[0, field] == (pd.Timestamp(2019, 5, 1) if field == "named_on" else ROW[column])
    else:
        assert pd.isna(result.nominations.loc[0, "frontline"])


def test_a_header_cell_holding_a_pasted_paragraph_is_not_compared_with_every_header(tmp_path, monkeypatch):
    import difflib
    compared = []
    real = difflib.SequenceMatcher
    monkeypatch.setattr(difflib, "SequenceMatcher", lambda *a, **k: compared.append(len(a[1])) or real(*a, **k))
    book_ = book([ROW])
    book_.active.cell(row=3, column=len(HEADER) + 1, value="说明" * 15_000)  # a paragraph where a header goes
    result = read(save(book_, tmp_path / "inbox" / "梁溪区总工会" / "汇总表.xlsx").parents[1])
    assert only(result, "unknown_column")["cell"] == "M3" and len(result.nominations) == 1
    assert compared == [] or max(compared) < 1000  # it cannot be 80% like a header of a few characters
