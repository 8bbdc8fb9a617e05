"""Intake: the messy ways unions fill Excel in are read right; problems are rows, never crashes."""

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workbench as wb

RND = wb.load_round()


def write_summary(path: Path, rows: list[list], *, header: list[str], title_rows: int = 2,
                  fill_line: str | None = "推荐单位（盖章）：梁溪区总工会        填表人：王小明    填报日期：2022年10月26日",
                  note: bool = True, suffix_sheet: bool = False) -> Path:
    wb_ = openpyxl.Workbook()
    ws = wb_.active
    ws.title = "推荐汇总表"
    ws.append(["劳模、职工创新工作室推荐汇总表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    for _ in range(title_rows - 1):
        ws.append([fill_line] if fill_line else [])
    ws.append(header)
    for row in rows:
        ws.append(row)
    if note:
        ws.append([])
        ws.append(["填表说明：1.推荐类别填写示范性、劳模或职工。"])
        ws.append(["2.日期填写到月。"])
    if suffix_sheet:
        wb_.create_sheet("Sheet2")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb_.save(path)
    return path


HEADER = [" 推荐\n类别 ", "推荐排序", "工作室名称", "所在单位", "领衔人", "领衔人荣誉称号", "团队人数（人）",
          "成立时间", "场所面积(平方米)", "年度经费（万元）", "所在单位是否具有法人资格", "近一年认定创新成果（项）"]


def test_messy_cells_are_read_as_meant(tmp_path):
    inbox = tmp_path / "inbox"
    write_summary(inbox / "梁溪区总工会" / "汇总表.xlsx", header=HEADER, title_rows=3, rows=[
        ["劳模", 1, "张伟劳模创新工作室", "无锡某某机械有限公司", "张伟", "2019年无锡市劳动模范；江苏省五一劳动奖章",
         "6人", "2019.05", "120平方米", "5.5万元", "是", "２"],
        [],
        ["无锡市职工创新工作室", "１", "李娜职工创新工作室", "无锡某某医院", "李娜", "无锡市职业技能带头人",
         " 4 ", dt.datetime(2020, 3, 1), 80, 3, "√", 1],
        ["示范性", 2, "王芳劳模创新工作室", "无锡某某电子有限公司", "王芳", "全国劳模\n省五一劳动奖章",
         "１２", 43000, "90", "8", "Y", 3],
    ])
    result = wb.read_inbox(inbox, RND)
    noms = result.nominations.set_index("studio")
    assert len(noms) == 3
    a = noms.loc["张伟劳模创新工作室"]
    assert a["category"] == "model_worker" and a["recommender"] == "梁溪区总工会"
    assert a["team_size"] == 6 and a["site_area"] == 120 and a["funding"] == 5.5 and a["results_last_year"] == 2
    assert a["established"] == pd.Timestamp(2019, 5, 1) and a["established_precision"] == "month"
    assert a["leader_honours"] == ["2019年无锡市劳动模范", "江苏省五一劳动奖章"]
    assert bool(a["legal_person"]) is True
    assert a["received_at"] == pd.Timestamp(2022, 10, 26)
    b = noms.loc["李娜职工创新工作室"]
    assert b["category"] == "employee" and b["recommender_rank"] == 1 and b["team_size"] == 4
    c = noms.loc["王芳劳模创新工作室"]
    assert c["category"] == "demonstration" and c["team_size"] == 12
    assert c["established"] == pd.Timestamp(2017, 9, 22)  # an Excel serial number
    assert c["leader_honours"] == ["全国劳模", "省五一劳动奖章"]
    assert set(result.problems["code"]) == {"form_missing", "photos_short"}  # this inbox has no forms or photos
    assert noms["source_row"].tolist() == [5, 7, 8]


def test_typed_columns_have_nullable_dtypes(tmp_path):
    write_summary(tmp_path / "U" / "a.xlsx", header=HEADER, rows=[["劳模", 1, "甲", "乙", "丙", "", "", "", "", "", "", ""]])
    noms = wb.read_inbox(tmp_path, RND).nominations
    assert str(noms["team_size"].dtype) == "Int64" and str(noms["funding"].dtype) == "Float64"
    assert str(noms["legal_person"].dtype) == "boolean" and noms["team_size"].isna().all()


def test_bad_values_become_problem_rows_with_cells_and_the_rest_is_read(tmp_path):
    write_summary(tmp_path / "U" / "a.xlsx", header=HEADER, rows=[
        ["劳模", 1, "甲工作室", "乙公司", "丙", "", "很多人", "去年", "", "", "也许", ""],
        ["劳模", 2, "丁工作室", "戊公司", "己", "", "7", "2020-01", "", "", "否", ""],
    ])
    result = wb.read_inbox(tmp_path, RND)
    assert len(result.nominations) == 2
    problems = result.problems[~result.problems["code"].isin(["form_missing", "photos_short"])].set_index("cell")
    assert problems.loc["G4", "code"] == "not_a_number" and problems.loc["G4", "value"] == "很多人"
    assert problems.loc["H4", "code"] == "not_a_date"
    assert problems.loc["K4", "code"] == "not_yes_no"
    assert (problems["severity"] == "error").all()
    assert result.problems["message"].str.contains("团队人数").any()


@pytest.mark.parametrize(("content", "code"), [(b"this is not a workbook", "not_a_workbook"),
                                               (b"PK\x03\x04broken zip", "corrupt_file"), (b"", "empty_file")])
def test_an_unreadable_file_is_one_error_row(tmp_path, content, code):
    (tmp_path / "U").mkdir()
    (tmp_path / "U" / "bad.xlsx").write_bytes(content)
    write_summary(tmp_path / "V" / "good.xlsx", header=HEADER, rows=[["职工", 1, "甲", "乙", "丙", "", 3, "", "", "", "", ""]])
    result = wb.read_inbox(tmp_path, RND)
    assert len(result.nominations) == 1
    bad = result.problems[result.problems["file"] == "U/bad.xlsx"]
    assert len(bad) == 1 and bad.iloc[0]["code"] == code and bad.iloc[0]["severity"] == "error"


def test_no_header_and_missing_columns_are_reported(tmp_path):
    write_summary(tmp_path / "U" / "a.xlsx", header=["甲", "乙", "丙", "丁"], rows=[[1, 2, 3, 4]])
    write_summary(tmp_path / "V" / "b.xlsx", header=["推荐类别", "推荐排序", "工作室名称", "团队人数"],
                  rows=[["劳模", 1, "甲", 5]])
    problems = wb.read_inbox(tmp_path, RND).problems
    assert set(problems.loc[problems["file"] == "U/a.xlsx", "code"]) == {"no_header"}
    missing = problems.loc[(problems["file"] == "V/b.xlsx") & (problems["code"] == "missing_column")]
    assert set(missing["field"]) == {"host_unit", "leader"}


def test_recommender_comes_from_the_column_the_line_or_the_folder(tmp_path):
    header = ["推荐单位"] + HEADER
    write_summary(tmp_path / "A" / "a.xlsx", header=header, rows=[["滨湖区总工会", "劳模", 1, "甲", "乙", "丙"]])
    write_summary(tmp_path / "B" / "b.xlsx", header=HEADER, rows=[["劳模", 1, "丁", "戊", "己"]])
    write_summary(tmp_path / "新吴区总工会" / "c.xlsx", header=HEADER, fill_line=None, rows=[["劳模", 1, "庚", "辛", "壬"]])
    noms = wb.read_inbox(tmp_path, RND).nominations.set_index("studio")
    assert noms.loc["甲", "recommender"] == "滨湖区总工会"
    assert noms.loc["丁", "recommender"] == "梁溪区总工会"
    assert noms.loc["庚", "recommender"] == "新吴区总工会"


def test_receipts_file_wins_over_the_fill_date(tmp_path):
    write_summary(tmp_path / "U" / "a.xlsx", header=HEADER, rows=[["劳模", 1, "甲", "乙", "丙"]])
    (tmp_path / "收件登记.csv").write_text("file,received_at\nU/a.xlsx,2022-10-28 18:05\n", encoding="utf-8-sig")
    noms = wb.read_inbox(tmp_path, RND).nominations
    assert noms.loc[0, "received_at"] == pd.Timestamp(2022, 10, 28, 18, 5)


def test_each_receipt_time_is_read_on_its_own_year_first_and_a_month_first_one_is_reported(tmp_path):
    """A date after a date and time is still a date (pandas guesses one format from the first value),
    office spellings are read, and 10/19/2022 (month or day first?) is reported, not guessed."""
    written = {"A": "2022-10-18 15:07", "B": "2022-10-19", "C": "2022/10/20 9:05", "D": "2022年10月21日",
               "E": "2022.10.22", "G": "2022年10月23日下午3:30", "H": "2022年10月24日15时5分", "I": "2022/10/25 12:10 AM",
               "F": "10/19/2022"}
    for folder in written:
        write_summary(tmp_path / folder / "a.xlsx", header=HEADER, rows=[["劳模", 1, f"甲{folder}", "乙", "丙"]])
    (tmp_path / "收件登记.csv").write_text(
        "file,received_at\n" + "".join(f"{k}/a.xlsx,{v}\n" for k, v in written.items()), encoding="utf-8-sig")
    result = wb.read_inbox(tmp_path, RND)
    times = result.nominations.set_index("studio")["received_at"]
    assert [times[f"甲{k}"] for k in "ABCDEGHI"] == [pd.Timestamp(2022, 10, 18, 15, 7), pd.Timestamp(2022, 10, 19),
                                                    pd.Timestamp(2022, 10, 20, 9, 5), pd.Timestamp(2022, 10, 21),
                                                    pd.Timestamp(2022, 10, 22), pd.Timestamp(2022, 10, 23, 15, 30),
                                                    pd.Timestamp(2022, 10, 24, 15, 5), pd.Timestamp(2022, 10, 25, 0, 10)]
    bad = result.problems[result.problems["code"] == "bad_receipt_time"]
    assert bad[["cell", "value"]].values.tolist() == [["第10行", "10/19/2022"]]


def test_the_register_is_read_once_and_a_blank_cell_is_blank_while_the_text_na_is_text(tmp_path):
    for folder in ("U", "V", "NA"):
        write_summary(tmp_path / folder / "a.xlsx", header=HEADER, rows=[["劳模", 1, f"甲{folder}", "乙", "丙"]])
    (tmp_path / "收件登记.csv").write_text(
        "file,received_at,studio,装订成册\n"
        "NA/a.xlsx,2022-10-28 18:05,,NA\n"  # a union folder named NA; the text NA is no yes/no
        "U/a.xlsx,,,是\n"  # no time written: reported with the blank it holds, the paper row still read
        "V/a.xlsx,NA,,否\n", encoding="utf-8-sig")  # the text NA: a time that cannot be read, shown as written
    result = wb.read_inbox(tmp_path, RND)
    bad = result.problems[result.problems["file"] == "收件登记.csv"]
    assert bad[["cell", "code", "value"]].values.tolist() == [
        ["第3行", "bad_receipt_time", ""], ["第4行", "bad_receipt_time", "NA"], ["第2行", "bad_paper_record", "NA"]]
    noms = result.nominations.set_index("studio")
    assert noms.loc["甲NA", "received_at"] == pd.Timestamp(2022, 10, 28, 18, 5)
    assert (noms.loc["甲U", "paper_bound"], noms.loc["甲V", "paper_bound"]) == (True, False)
    assert noms.loc["甲NA", "paper_bound"] is pd.NA


def test_a_summary_the_register_does_not_name_and_a_receipt_for_no_file_are_said(tmp_path):
    for folder in ("U", "V", "W"):
        write_summary(tmp_path / folder / "a.xlsx", header=HEADER, rows=[["劳模", 1, f"甲{folder}", "乙", "丙"]])
    (tmp_path / "收件登记.csv").write_text(
        "file,received_at,studio,装订成册\n"
        "U/a.xlsx,2022-10-27 10:00,,\n"
        "V/a.xlsx,,,\n"  # named, its time not readable: that is said, not that it is missing
        "X/汇总表.xlsx,2022-10-27 11:00,,\n"  # a receipt for a file the inbox does not hold
        "U/甲U推荐表.xlsx,2022-10-27 10:00,甲U,是\n", encoding="utf-8-sig")  # a paper row: its 推荐表 is form_missing's
    result = wb.read_inbox(tmp_path, RND)
    said = result.problems[result.problems["code"].isin(["not_registered", "receipt_without_file", "bad_receipt_time"])]
    assert said[["file", "cell", "code"]].values.tolist() == [
        ["收件登记.csv", "第3行", "bad_receipt_time"], ["W/a.xlsx", "", "not_registered"],
        ["收件登记.csv", "第4行", "receipt_without_file"]]
    assert result.nominations.set_index("studio").loc["甲W", "received_at"] == pd.Timestamp(2022, 10, 26)  # its 填报日期


def test_nomination_ids_do_not_depend_on_reading_order(tmp_path):
    rows = [["劳模", i, f"工作室{i}", f"单位{i}", f"人{i}"] for i in range(1, 4)]
    write_summary(tmp_path / "a" / "x.xlsx", header=HEADER, rows=rows)
    first = wb.read_inbox(tmp_path, RND).nominations.set_index("studio")["nomination_id"]
    (tmp_path / "a" / "x.xlsx").rename(tmp_path / "a" / "zz.xlsx")
    write_summary(tmp_path / "0" / "y.xlsx", header=HEADER, rows=[["职工", 1, "别的", "单位", "人"]])
    second = wb.read_inbox(tmp_path, RND).nominations.set_index("studio")["nomination_id"]
    assert first.to_dict() == second.drop("别的").to_dict()
    assert second.is_unique


# ---------------------------------------------------------------------------- bad input (issue 3 §4)
def good_file(tmp_path: Path) -> Path:
    return write_summary(tmp_path / "好" / "good.xlsx", header=HEADER, rows=[["职工", 1, "好工作室", "好单位", "好人", "", 3]])


def codes_for(result, file: str) -> set[str]:
    return set(result.problems.loc[result.problems["file"] == file, "code"])


def test_password_protected_workbook(tmp_path):
    pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_summary(tmp_path / "plain.xlsx", header=HEADER, rows=[["劳模", 1, "甲", "乙", "丙"]])
    (tmp_path / "inbox" / "U").mkdir(parents=True)
    with plain.open("rb") as src, (tmp_path / "inbox" / "U" / "locked.xlsx").open("wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    good_file(tmp_path / "inbox")
    result = wb.read_inbox(tmp_path / "inbox", RND)
    assert codes_for(result, "U/locked.xlsx") == {"password_protected"}
    assert len(result.nominations) == 1


def test_empty_workbook_and_empty_sheet(tmp_path):
    book = openpyxl.Workbook()
    (tmp_path / "U").mkdir()
    book.save(tmp_path / "U" / "empty.xlsx")
    good_file(tmp_path)
    result = wb.read_inbox(tmp_path, RND)
    assert codes_for(result, "U/empty.xlsx") == {"empty_workbook"}
    assert len(result.nominations) == 1


def test_absurd_negative_and_future_values_are_errors_read_as_missing(tmp_path):
    write_summary(tmp_path / "U" / "a.xlsx", header=HEADER, rows=[
        ["劳模", 1, "甲", "乙", "丙", "", 5000, "2030年1月", -20, "", "是", 1]])
    result = wb.read_inbox(tmp_path, RND)
    row = result.nominations.iloc[0]
    assert pd.isna(row["team_size"]) and pd.isna(row["established"]) and pd.isna(row["site_area"])
    by_cell = result.problems.set_index("cell")["code"]
    assert by_cell["G4"] == "implausible_number" and by_cell["H4"] == "future_date" and by_cell["I4"] == "negative_number"


def test_formula_cells_are_flagged_and_one_without_a_value_is_an_error(tmp_path):
    path = write_summary(tmp_path / "U" / "a.xlsx", header=HEADER, rows=[["劳模", 1, "甲", "乙", "丙", "", "=3+3"]])
    result = wb.read_inbox(tmp_path, RND)
    problem = result.problems.set_index("cell").loc["G4"]
    assert problem["code"] == "formula_no_value" and problem["severity"] == "error"
    assert path.exists() and len(result.nominations) == 1


def test_hundreds_of_thousands_of_junk_rows_are_cut_short(tmp_path):
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("推荐汇总表")
    ws.append(HEADER)
    ws.append(["劳模", 1, "甲工作室", "乙公司", "丙"])
    for i in range(200_000):
        ws.append([f"junk{i}", i])
    (tmp_path / "U").mkdir()
    book.save(tmp_path / "U" / "junk.xlsx")
    result = wb.read_inbox(tmp_path, RND)
    codes = result.problems["code"].value_counts()
    assert len(result.nominations) == 1
    assert codes["too_many_rows"] == 1 and codes["many_unrecognised_rows"] == 1
    assert codes["unrecognised_row"] <= 20


def test_a_decompression_bomb_is_refused_before_inflating(tmp_path):
    import zipfile

    (tmp_path / "U").mkdir()
    with zipfile.ZipFile(tmp_path / "U" / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (300 * 1024 * 1024))
    assert (tmp_path / "U" / "bomb.xlsx").stat().st_size < 2 * 1024 * 1024
    good_file(tmp_path)
    result = wb.read_inbox(tmp_path, RND)
    assert codes_for(result, "U/bomb.xlsx") == {"decompression_bomb"}
    assert len(result.nominations) == 1



@pytest.mark.parametrize("change", [-1, 1], ids=["understated", "overstated"])
def test_a_sheet_whose_stated_size_is_wrong_is_refused(tmp_path, change):
    """The zip directory's size of a sheet is what the inflater is held to: one byte off either way is a corrupt file."""
    import struct

    path = good_file(tmp_path)
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")  # the first central directory entry
    while not data[entry + 46:].startswith(b"xl/worksheets/sheet1.xml"):
        entry = data.index(b"PK\x01\x02", entry + 4)
    size = struct.unpack_from("<L", data, entry + 24)[0]
    struct.pack_into("<L", data, entry + 24, size + change)
    (tmp_path / "U").mkdir()
    (tmp_path / "U" / "汇总表.xlsx").write_bytes(bytes(data))
    result = wb.read_inbox(tmp_path, RND)
    assert codes_for(result, "U/汇总表.xlsx") == {"corrupt_file"}
    assert len(result.nominations) == 1

# ---------------------------------------------------------------------------- the sample round
def test_the_sample_round_is_read_exactly(small_round):
    truth = pd.read_csv(small_round.workdir / "ground_truth.csv", dtype="string", encoding="utf-8-sig")
    result = wb.read_inbox(small_round.inbox, small_round)
    noms = result.nominations
    assert len(noms) == len(truth)
    both = noms.merge(truth.assign(source_row=truth["source_row"].astype("Int64")), on=["source_file", "source_row"],
                      suffixes=("", "_truth"))
    assert len(both) == len(truth)
    for field in ("studio", "host_unit", "leader", "recommender", "category"):
        assert (both[field] == both[f"{field}_truth"]).all(), field
    assert (both["team_size"].astype("string") == both["team_size_truth"]).all()
    assert not result.problems["code"].isin(["not_a_number", "not_a_date", "not_yes_no", "unknown_category"]).any()
    assert result.members["nomination_id"].nunique() >= len(noms) - 2
    assert set(result.materials.columns) >= {"nomination_id", "leader_photos", "team_photos", "scene_photos"}


def test_planted_form_and_photo_problems_are_found(demo_round):
    truth = pd.read_csv(demo_round.workdir / "ground_truth.csv", dtype="string", encoding="utf-8-sig").fillna("")
    problems = wb.read_inbox(demo_round.inbox, demo_round).problems
    for case, codes in [("form_mismatch", {"form_team_differs", "form_leader_differs", "form_results_differs"}),
                        ("photos_short", {"photos_short"}), ("duplicate", {"duplicate_studio"}), ("bad_rank", {"rank_repeated", "rank_missing"})]:
        planted = truth[truth["case"].str.contains(case)]
        assert len(planted) > 0, case
        found = problems[problems["code"].isin(codes)]
        for studio in planted["studio"]:
            assert found["message"].str.contains(studio, regex=False).any() or found["value"].str.contains(studio, regex=False).any() \
                or found["file"].str.contains(studio, regex=False).any(), (case, studio)


# ---------------------------------------------------------------------------- property
garbage = st.one_of(st.none(), st.text(alphabet="甲乙丙丁人年月是否√×0123456789.-/ abc", max_size=8),
                    st.integers(-10_000, 100_000), st.floats(allow_nan=False, allow_infinity=False, width=32),
                    st.booleans(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(garbage, min_size=len(HEADER), max_size=len(HEADER)), min_size=1, max_size=8))
def test_garbage_never_raises_and_every_row_is_a_nomination_or_a_problem(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("garbage")
    write_summary(folder / "U" / "g.xlsx", header=HEADER, rows=rows, note=False)
    result = wb.read_inbox(folder, RND)
    first_data_row = 4  # title, fill line, header
    read = set(result.nominations["source_row"].dropna().astype(int))
    flagged = {int(m) for m in result.problems["cell"].str.extract(r"(\d+)$")[0].dropna()}
    for offset, row in enumerate(rows):
        if any(c not in (None, "") for c in row):
            assert first_data_row + offset in read | flagged, row


def test_a_studio_name_that_looks_like_a_path_never_leads_outside_the_inbox(tmp_path):
    write_summary(tmp_path / "U" / "a.xlsx", header=HEADER, rows=[["劳模", 1, "/root", "乙", "丙"], ["劳模", 2, "../../etc", "丁", "戊"]])
    result = wb.read_inbox(tmp_path, RND)
    assert len(result.nominations) == 2
    photos = result.problems[result.problems["code"] == "photos_short"]
    assert len(photos) == 2 and photos["file"].str.startswith("U/").all()


def test_a_missing_inbox_is_a_clear_error(tmp_path):
    with pytest.raises(wb.WorkbenchError) as err:
        wb.read_inbox(tmp_path / "nowhere", RND)
    assert err.value.code == "inbox_missing" and "收件目录不存在" in str(err.value)


# ---------------------------------------------------------------------------- the form's narratives
def one_union_with_forms(small_round, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A copy of one union of the small round that sent forms: (inbox, its folder in the round, its first form)."""
    import shutil

    union = next(p for p in sorted(small_round.inbox.iterdir()) if p.is_dir() and len(list(p.glob("*推荐表.xlsx"))) >= 1)
    inbox = tmp_path / "inbox"
    shutil.copytree(union, inbox / union.name)
    return inbox, union, sorted((inbox / union.name).glob("*推荐表.xlsx"))[0]


def test_the_forms_narratives_are_kept_and_a_missing_or_empty_one_is_a_problem(small_round, tmp_path):
    inbox, union, form = one_union_with_forms(small_round, tmp_path)
    book = openpyxl.load_workbook(form)
    sheet = book["推荐表"]
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == "主要事迹":
                sheet.cell(cell.row, cell.column + 1).value = "   "  # the label is there, the text is not
            elif cell.value == "单位意见":
                cell.value = None  # the whole item is gone
    book.save(form)
    result = wb.read_inbox(inbox, small_round)
    noms = result.nominations
    studio = form.name.removesuffix("推荐表.xlsx")
    mine = noms[noms["studio"] == studio].iloc[0]
    assert pd.isna(mine["main_deeds"]) and pd.isna(mine["unit_opinion"])
    assert "\n" in mine["main_results"] and mine["union_opinion"]  # the others are kept, paragraphs and all
    others = noms[noms["studio"] != studio]
    assert others["main_deeds"].notna().all() and (others["main_deeds"].str.len() > 100).all()
    problems = result.problems[result.problems["file"].str.endswith(form.name)]
    got = dict(zip(problems["field"], problems["code"]))
    assert got.get("main_deeds") == "narrative_empty" and got.get("unit_opinion") == "narrative_missing"
    empty = problems[problems["field"] == "main_deeds"].iloc[0]
    assert empty["cell"] and "主要事迹" in empty["message"] and empty["severity"] == "warning"
    assert set(labels_of(noms)) >= {"main_deeds", "main_results", "unit_opinion", "union_opinion"}


@pytest.mark.parametrize("title", ["{label}推荐表", "附件3：{label}推荐表", "2022年度{label}推荐表（附件3）"])
def test_a_form_of_another_category_s_template_is_said(small_round, tmp_path, title):
    inbox, union, form = one_union_with_forms(small_round, tmp_path)
    before = wb.read_inbox(inbox, small_round)
    studio = form.name.removesuffix("推荐表.xlsx")
    category = before.nominations.set_index("studio").loc[studio, "category"]
    other = next(code for code in small_round.categories if code != category)
    book = openpyxl.load_workbook(form)
    sheet = book["推荐表"]
    sheet["A1"] = title.format(label=small_round.category_label(other))  # 附件3 used for a 附件2 nomination
    label = next(cell for row in sheet.iter_rows() for cell in row if cell.value == "推荐类别")
    sheet.cell(label.row, label.column + 1).value = small_round.categories[other].short  # and its 推荐类别 filled so
    book.save(form)
    after = wb.read_inbox(inbox, small_round)
    said = after.problems[after.problems["code"] == "form_category_differs"]
    assert sorted(said["cell"]) == sorted(["A1", sheet.cell(label.row, label.column + 1).coordinate])
    assert small_round.category_label(other) in said.iloc[0]["message"]
    assert "form_category_differs" not in set(before.problems["code"])
    assert after.nominations.set_index("studio").loc[studio, "category"] == category  # the summary's word stands


def _rename_members(book: openpyxl.Workbook) -> None:
    book["团队成员"].title = "成员名单"


def _repeat_a_member(book: openpyxl.Workbook) -> None:
    sheet = book["团队成员"]
    sheet.append([cell.value for cell in sheet[3]])  # the second member pasted again at the end


def _child_member_and_future_result(book: openpyxl.Workbook) -> None:
    book["团队成员"]["D3"] = "2015.05"
    book["创新成果"]["E2"] = "2023.05"


def _delete_achievements(book: openpyxl.Workbook) -> None:
    del book["创新成果"]


@pytest.mark.parametrize(("change", "found"), [
    (_rename_members, set()),  # read by its header: nothing lost, nothing to say
    (_repeat_a_member, {("团队成员", "duplicate_member"), ("推荐表", "form_team_differs")}),
    (_child_member_and_future_result, {("团队成员", "implausible_birth"), ("创新成果", "future_date")}),
    (_delete_achievements, {("", "table_missing")}),
])
def test_a_form_s_tables_are_read_by_content_and_checked_row_by_row(small_round, tmp_path, change, found):
    inbox, union, form = one_union_with_forms(small_round, tmp_path)
    book = openpyxl.load_workbook(form)
    members = book["团队成员"].max_row - 1
    change(book)
    book.save(form)
    result = wb.read_inbox(inbox, small_round)
    mine = result.problems[result.problems["file"].str.endswith(form.name)]
    # a future result is not one of the year's, and the member pasted twice may be front-line: both are said elsewhere
    got = set(zip(mine["sheet"], mine["code"])) - {("推荐表", "form_results_differs"), ("推荐表", "form_frontline_differs")}
    assert got == found, mine[["sheet", "cell", "code", "message"]].to_string()
    studio = form.name.removesuffix("推荐表.xlsx")
    nid = result.nominations.set_index("studio").loc[studio, "nomination_id"]
    assert (result.members["nomination_id"] == nid).sum() == members + (change is _repeat_a_member)
    if change is _repeat_a_member:
        assert mine[mine["code"] == "duplicate_member"].iloc[0]["cell"] == f"B{members + 2}"


def labels_of(noms: pd.DataFrame) -> list[str]:
    return [c for c in noms.columns if noms[c].dtype == "string"]


def test_photos_are_counted_from_the_inbox_listing_so_links_out_and_appledouble_files_are_not_photos(tmp_path):
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    write_summary(inbox / "U" / "a.xlsx", header=HEADER, rows=[["劳模", 1, "甲工作室", "乙", "丙"]])
    photos = inbox / "U" / "甲工作室" / "照片"
    photos.mkdir(parents=True)
    for name in ("领衔人标准照.jpg", "团队合影.JPG", "工作场景1.png", "工作场景2.jpg", "工作场景3.jpg"):
        (photos / name).write_bytes(b"\xff\xd8")
    (photos / "._工作场景4.jpg").write_bytes(b"\x00\x05\x16\x07")  # a Mac's AppleDouble shadow: not a photo
    outside.mkdir()
    for name in ("工作场景5.jpg", "工作场景6.jpg"):
        (outside / name).write_bytes(b"\xff\xd8")
    (photos / "工作场景5.jpg").symlink_to(outside / "工作场景5.jpg")
    (inbox / "U" / "甲工作室" / "更多照片").symlink_to(outside, target_is_directory=True)
    result = wb.read_inbox(inbox, RND)
    counts = result.materials.iloc[0]
    assert (counts["leader_photos"], counts["team_photos"], counts["scene_photos"], counts["other_photos"]) == (1, 1, 3, 0)
    problems = result.problems.set_index("file")
    assert problems.loc["U/甲工作室/照片/._工作场景4.jpg", "code"] == "system_file"
    assert problems.loc["U/甲工作室/照片/工作场景5.jpg", "code"] == "symlink_outside"
    assert problems.loc["U/甲工作室/更多照片", "code"] == "symlink_outside"
    assert "photos_short" not in set(result.problems["code"])


def test_an_error_value_in_a_form_is_reported_at_its_cell(small_round, tmp_path):
    import zipfile

    inbox, union, form = one_union_with_forms(small_round, tmp_path)
    book = openpyxl.load_workbook(form)
    found = {}
    for title, label in (("推荐表", "领衔人"), ("团队成员", "性别")):
        sheet = book[title]
        cell = next(c for row in sheet.iter_rows() for c in row if c.value == label)
        target = sheet.cell(cell.row + (title == "团队成员"), cell.column + (title == "推荐表"))
        target.value = "ERRCELL"
        found[title] = (book.sheetnames.index(title) + 1, target.coordinate)
    book.save(form)
    with zipfile.ZipFile(form) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    for index, ref in found.values():  # openpyxl cannot write an error value: put Excel's XML in its place
        name = f"xl/worksheets/sheet{index}.xml"
        xml = parts[name]
        start = xml.index(f'<c r="{ref}"'.encode())
        parts[name] = xml[:start] + f'<c r="{ref}" t="e"><v>#N/A</v></c>'.encode() + xml[xml.index(b"</c>", start) + 4:]
    with zipfile.ZipFile(form, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    result = wb.read_inbox(inbox, small_round)
    said = result.problems[result.problems["code"] == "error_value"].set_index("sheet")
    assert said.loc["推荐表", "cell"] == found["推荐表"][1] and said.loc["推荐表", "field"] == "leader"
    assert said.loc["团队成员", "cell"] == found["团队成员"][1] and "#N/A" in said.loc["团队成员", "message"]


@pytest.mark.parametrize("forms", [True, False])
def test_a_form_named_otherwise_is_read_by_what_it_holds(small_round, tmp_path, forms):
    inbox, union, form = one_union_with_forms(small_round, tmp_path)
    renamed = form.with_name(form.name.replace("推荐表", "申报表"))
    form.rename(renamed)
    result = wb.read_inbox(inbox, small_round, forms=forms)
    codes = result.problems.groupby("file")["code"].apply(set)
    rel = f"{union.name}/{renamed.name}"
    assert "no_header" not in codes.get(rel, set()) and rel in set(result.files["file"])
    if forms:
        assert codes[rel] == {"form_by_content"}
        mine = result.nominations[result.nominations["studio"] == form.name.removesuffix("推荐表.xlsx")].iloc[0]
        assert isinstance(mine["main_deeds"], str) and len(mine["main_deeds"]) > 50
        assert not result.problems["code"].eq("form_missing").any()
