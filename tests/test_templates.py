"""Blank templates (附件1–5): laid out as sent out, steering input, and read back exactly as filled in."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

import workbench as wb
from workbench import labels
from workbench.export import display_width
from workbench.intake import parse_bool, read_form_file
from workbench.templates import write_templates

RND = wb.load_round()
UNION = "梁溪区总工会"
FILL_DATE = dt.datetime(2022, 10, 25)
FORM_FILES = {code: labels.TEMPLATE_FORM_FILE.format(n=n, label=cfg.label)
              for n, (code, cfg) in enumerate(RND.categories.items(), start=2)}

# Three nominations as a union types them into the template, and what each cell means.
# field -> (what is typed, the typed value intake should return)
FILLED: list[dict[str, tuple[object, object]]] = [
    {
        "recommender": (UNION, UNION), "category": ("示范性", "demonstration"), "recommender_rank": (1, 1),
        "studio": ("张伟劳模创新工作室", "张伟劳模创新工作室"), "host_unit": ("无锡华晟精密机械有限公司", "无锡华晟精密机械有限公司"),
        "legal_person": ("是", True), "union_sound": ("是", True), "rnd_or_team": ("否", False),
        "party_building": ("是", True), "leader": ("张伟", "张伟"),
        "leader_honours": ("无锡市劳动模范；江苏省五一劳动奖章", ["无锡市劳动模范", "江苏省五一劳动奖章"]),
        "team_size": (5, 5), "frontline": (4, 4),
        "established": ("2016年3月", pd.Timestamp(2016, 3, 1)), "named_on": (dt.datetime(2018, 6, 20), pd.Timestamp(2018, 6, 20)),
        "direct": ("否", False), "site_area": (150.5, 150.5), "funding": (20, 20.0),
        "systems": ("是", True), "ledger": ("是", True), "results_last_year": (2, 2), "benefit": (356.8, 356.8),
        "video": ("有", True), "contact": ("王小明", "王小明"), "phone": ("0510-82730000", "0510-82730000"),
        "note": ("材料另附", "材料另附"),
    },
    {
        "recommender": (UNION, UNION), "category": ("劳模", "model_worker"), "recommender_rank": (2, 2),
        "studio": ("恒泰焊接工艺创新工作室", "恒泰焊接工艺创新工作室"), "host_unit": ("无锡恒泰特种钢材有限公司", "无锡恒泰特种钢材有限公司"),
        "legal_person": ("是", True), "union_sound": ("是", True), "rnd_or_team": ("否", False),
        "party_building": ("否", False), "leader": ("李娜", "李娜"), "leader_honours": ("无锡市劳动模范", ["无锡市劳动模范"]),
        "team_size": (6, 6), "frontline": (4, 4),
        "established": ("2020年11月", pd.Timestamp(2020, 11, 1)), "named_on": (None, None),
        "direct": (None, None), "site_area": (80, 80.0), "funding": (5.5, 5.5),
        "systems": ("是", True), "ledger": ("否", False), "results_last_year": (1, 1), "benefit": (None, None),
        "video": (None, None), "contact": ("王小明", "王小明"), "phone": ("13800000000", "13800000000"),
        "note": (None, None),
    },
    {
        "recommender": (UNION, UNION), "category": ("职工", "employee"), "recommender_rank": (1, 1),
        "studio": ("陈杰职工创新工作室", "陈杰职工创新工作室"), "host_unit": ("无锡锡能环保设备有限公司", "无锡锡能环保设备有限公司"),
        "legal_person": ("是", True), "union_sound": ("是", True), "rnd_or_team": ("否", False),
        "party_building": ("是", True), "leader": ("陈杰", "陈杰"), "leader_honours": ("无锡市职业技能带头人", ["无锡市职业技能带头人"]),
        "team_size": (4, 4), "frontline": (3, 3),
        "established": (dt.datetime(2021, 5, 1), pd.Timestamp(2021, 5, 1)), "named_on": (None, None),
        "direct": (None, None), "site_area": (45, 45.0), "funding": (2, 2.0),
        "systems": ("是", True), "ledger": ("是", True), "results_last_year": (2, 2), "benefit": (12.3, 12.3),
        "video": (None, None), "contact": ("赵敏", "赵敏"), "phone": ("0510-85120000", "0510-85120000"),
        "note": (None, None),
    },
]


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    paths = write_templates(tmp_path_factory.mktemp("templates"), RND)
    return {p.name: p for p in paths}


def summary_sheet(templates: dict[str, Path]):
    return openpyxl.load_workbook(templates[labels.TEMPLATE_SUMMARY_FILE])[labels.SUMMARY_SHEET]


def header_row(ws, first: str) -> int:
    """The row whose first cell is the header `first` (searched, not assumed)."""
    return next(c.row for c in ws["A"] if c.value == first)


def validations_at(ws, coordinate: str) -> list:
    return [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]


def choices(dv) -> list[str]:
    return dv.formula1.strip('"').split(",")


def plain(value: object) -> object:
    """A frame cell as a comparable python value (missing -> None)."""
    if isinstance(value, list):
        return value
    if value is None or pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") and not isinstance(value, pd.Timestamp) else value


# ---------------------------------------------------------------------------- files and layout
def test_the_five_attachments_are_written_with_their_sheets(templates):
    assert set(templates) == {labels.TEMPLATE_SUMMARY_FILE, *FORM_FILES.values(), labels.TEMPLATE_OUTLINE_FILE}
    assert openpyxl.load_workbook(templates[labels.TEMPLATE_SUMMARY_FILE]).sheetnames == [labels.SUMMARY_SHEET]
    for name in FORM_FILES.values():
        assert openpyxl.load_workbook(templates[name]).sheetnames == [labels.FORM_SHEET, labels.MEMBER_SHEET,
                                                                     labels.ACHIEVEMENT_SHEET]


def test_summary_has_title_fill_line_and_exactly_the_canonical_header(templates):
    ws = summary_sheet(templates)
    h = header_row(ws, labels.SUMMARY_FIELDS["recommender"])
    assert [c.value for c in ws[h]] == list(labels.SUMMARY_FIELDS.values())
    assert ws["A1"].value == labels.SUMMARY_TITLE and ws["A1"].font.name == "黑体"
    assert f"A1:{openpyxl.utils.get_column_letter(len(labels.SUMMARY_FIELDS))}1" in {str(r) for r in ws.merged_cells.ranges}
    line = " ".join(str(c.value) for row in ws.iter_rows(min_row=2, max_row=h - 1) for c in row if c.value)
    for key in ("推荐单位", "填表人", "联系电话", "填报日期"):
        assert key in line
    notes = [r for r in range(h + 1, ws.max_row + 1) if str(ws.cell(r, 1).value or "").startswith("填表说明")]
    assert notes and all(ws.cell(r, 1).value is None for r in range(h + 1, notes[0]))  # blank rows, then notes
    assert ws.cell(h, 1).font.name == "宋体" and ws.cell(h, 1).font.bold and ws.cell(h + 1, 1).font.name == "宋体"
    assert ws.cell(h + 1, 4).border.left.style == "thin" and ws.cell(notes[0] - 2, 4).border.bottom.style == "thin"


def test_summary_columns_are_wide_enough_for_their_headers(templates):
    ws = summary_sheet(templates)
    h = header_row(ws, labels.SUMMARY_FIELDS["recommender"])
    height = ws.row_dimensions[h].height
    for cell in ws[h]:
        width = ws.column_dimensions[cell.column_letter].width
        size = cell.font.sz
        per_line = math.floor((7 * width - 2) / (size * 4 / 3))  # CJK characters a line of this width holds
        assert per_line >= 2, cell.value
        lines = math.ceil(display_width(cell.value) / 2 / per_line)
        assert lines * size * 1.2 <= height, cell.value
        assert cell.alignment.wrap_text


def test_summary_dropdowns_and_hints_steer_what_is_typed(templates):
    ws = summary_sheet(templates)
    h = header_row(ws, labels.SUMMARY_FIELDS["recommender"])
    for cell in ws[h]:
        field = next(f for f, text in labels.SUMMARY_FIELDS.items() if text == cell.value)
        for row in (h + 1, h + 5):
            found = validations_at(ws, f"{cell.column_letter}{row}")
            assert len(found) == 1, cell.value
            dv = found[0]
            assert dv.showInputMessage and dv.promptTitle and dv.prompt, cell.value
            assert len(dv.promptTitle) <= 32 and len(dv.prompt) <= 255  # Excel's limits, else it "repairs" the file
            if field == "category":
                assert dv.type == "list" and choices(dv) == [c.short for c in RND.categories.values()]
            elif field in {"legal_person", "union_sound", "rnd_or_team", "party_building", "direct", "systems", "ledger", "video"}:
                assert dv.type == "list" and [parse_bool(x) for x in choices(dv)] == [True, False], cell.value
            elif field == "recommender_rank":
                assert (dv.type, dv.operator, dv.formula1) == ("whole", "between", "1") and int(dv.formula2) >= 4
            elif field in {"team_size", "frontline", "results_last_year"}:
                assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0"), cell.value
            elif field in {"site_area", "funding", "benefit"}:
                assert (dv.type, dv.operator, dv.formula1) == ("decimal", "greaterThanOrEqual", "0"), cell.value
            elif field in {"established", "named_on"}:
                assert "年" in dv.prompt and "月" in dv.prompt
            if dv.type:
                assert dv.showErrorMessage and dv.error


def test_summary_header_is_protected_and_data_cells_are_open(templates):
    ws = summary_sheet(templates)
    h = header_row(ws, labels.SUMMARY_FIELDS["recommender"])
    assert ws.protection.sheet and not ws.protection.password
    assert all(c.protection.locked for c in ws[h]) and ws["A1"].protection.locked
    assert not any(c.protection.locked for c in ws[h + 1]) and not ws["A2"].protection.locked  # rows, fill line
    assert ws.freeze_panes == f"A{h + 1}"


def test_templates_print_on_a4_with_the_header_repeated(templates):
    ws = summary_sheet(templates)
    h = header_row(ws, labels.SUMMARY_FIELDS["recommender"])
    assert str(ws.page_setup.paperSize) == str(ws.PAPERSIZE_A4) and ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows.replace("$", "") == f"{h}:{h}"
    for name in FORM_FILES.values():
        book = openpyxl.load_workbook(templates[name])
        for sheet in book.worksheets:
            assert str(sheet.page_setup.paperSize) == str(sheet.PAPERSIZE_A4) and sheet.page_setup.fitToWidth == 1
        assert book[labels.MEMBER_SHEET].print_title_rows.replace("$", "") == "2:2"


def test_templates_are_the_same_bytes_each_time(templates, tmp_path):
    again = {p.name: p for p in write_templates(tmp_path, RND)}
    for name, path in templates.items():
        assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(again[name].read_bytes()).digest(), name


def test_attachment_5_is_the_outline_in_the_official_format(templates):
    """附件5 推荐材料参考提纲: every condition the screening checks has a place in the materials."""
    document = docx.Document(templates[labels.TEMPLATE_OUTLINE_FILE])
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    assert paragraphs[0].text == "附件5" and paragraphs[1].text == "劳模、职工创新工作室推荐材料参考提纲"
    assert paragraphs[1].runs[0].font.size == Pt(22)
    headings = [p.text for p in paragraphs if p.runs and p.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"]
    assert len(headings) >= 8 and headings[1].startswith("一、")
    text = "\n".join(p.text for p in paragraphs)
    for words in ("一式两份", "装订成册", "党政组织同意", "宣传视频", "领衔人标准照", "盖章", "法人资格", "党支部"):
        assert words in text, words
    section = document.sections[0]
    assert round(section.top_margin / Mm(1)) == 37 and round(section.left_margin / Mm(1)) == 28


# ---------------------------------------------------------------------------- 推荐表
def form_cells(ws) -> dict[str, str]:
    """Label text -> the coordinate of the value cell to its right."""
    return {c.value: ws.cell(c.row, c.column + 1).coordinate for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.fill.fgColor.rgb == ws["A2"].fill.fgColor.rgb and c.column < ws.max_column}


@pytest.mark.parametrize("category", list(RND.categories))
def test_forms_have_labels_with_value_cells_and_dropdowns(templates, category):
    book = openpyxl.load_workbook(templates[FORM_FILES[category]])
    ws = book[labels.FORM_SHEET]
    assert ws["A1"].value == labels.FORM_TITLE.format(label=RND.category_label(category))
    cells = form_cells(ws)
    only_demo = {"named_on", "direct", "video"}
    expected = {labels.SUMMARY_FIELDS[f] for f in labels.SUMMARY_FIELDS
                if f not in ("recommender_rank", "note") and (category == "demonstration" or f not in only_demo)}
    assert set(cells) == expected | set(labels.FORM_NARRATIVES.values())
    assert ws[cells[labels.SUMMARY_FIELDS["category"]]].value == RND.category_label(category)
    for field in ("legal_person", "union_sound", "rnd_or_team", "party_building", "systems", "ledger", *(
            ("direct", "video") if category == "demonstration" else ())):
        (dv,) = validations_at(ws, cells[labels.SUMMARY_FIELDS[field]])
        assert dv.type == "list" and [parse_bool(x) for x in choices(dv)] == [True, False]
    assert ws.protection.sheet and not ws.protection.password
    assert ws["A2"].protection.locked and not ws[cells[labels.SUMMARY_FIELDS["studio"]]].protection.locked
    assert ws.page_setup.orientation == "portrait"

    members = book[labels.MEMBER_SHEET]
    assert [c.value for c in members[2]] == list(labels.MEMBER_FIELDS.values())
    front = openpyxl.utils.get_column_letter(list(labels.MEMBER_FIELDS).index("frontline") + 1)
    (dv,) = validations_at(members, f"{front}3")
    assert dv.type == "list" and [parse_bool(x) for x in choices(dv)] == [True, False]
    assert sum(1 for r in range(3, members.max_row + 1) if members.cell(r, 2).border.left.style == "thin") >= 20
    achievements = book[labels.ACHIEVEMENT_SHEET]
    assert [c.value for c in achievements[2]] == list(labels.ACHIEVEMENT_FIELDS.values())
    assert sum(1 for r in range(3, achievements.max_row + 1) if achievements.cell(r, 2).border.left.style == "thin") >= 15
    for sheet in (members, achievements):
        assert all(c.protection.locked for c in sheet[2]) and not sheet["B3"].protection.locked


# ---------------------------------------------------------------------------- filled in by program, read back
def fill_summary(template: Path, target: Path) -> dict[int, dict[str, object]]:
    """Type FILLED into the template's blank rows; returns Excel row -> expected typed values."""
    book = openpyxl.load_workbook(template)
    ws = book[labels.SUMMARY_SHEET]
    h = header_row(ws, labels.SUMMARY_FIELDS["recommender"])
    column = {labels_field: i + 1 for i, labels_field in enumerate(labels.SUMMARY_FIELDS)}
    ws["A2"] = labels.FILL_LINE.format(recommender=UNION, contact="王小明", phone="0510-82730000", date="2022年10月25日")
    expected = {}
    for k, record in enumerate(FILLED):
        row = h + 1 + k * 2  # a blank row between the entries, as people leave them
        for field, (typed, _) in record.items():
            ws.cell(row, column[field], typed)
        expected[row] = {field: meant for field, (_, meant) in record.items()}
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return expected


def test_a_filled_summary_template_reads_back_exactly(templates, tmp_path):
    inbox = tmp_path / "inbox"
    expected = fill_summary(templates[labels.TEMPLATE_SUMMARY_FILE], inbox / UNION / labels.TEMPLATE_SUMMARY_FILE)
    result = wb.read_inbox(inbox, RND, forms=False)
    noms = result.nominations.sort_values("source_row")
    assert noms["source_row"].tolist() == list(expected)
    for (_, row), (excel_row, meant) in zip(noms.iterrows(), expected.items()):
        for field, value in meant.items():
            assert plain(row[field]) == value, (excel_row, field, row[field])
    assert (noms["received_at"] == FILL_DATE).all()
    assert (noms["source_file"] == f"{UNION}/{labels.TEMPLATE_SUMMARY_FILE}").all()
    assert noms["nomination_id"].is_unique
    assert not (result.problems["code"] != "photos_short").any(), result.problems.to_string()


MEMBERS = [
    ["张伟", "男", "1978年4月", "本科", "高级技师", "车间主任", "是"],
    ["周敏", "女", "1990年9月", "大专", "技师", "操作工", "是"],
    ["吴浩", "男", dt.datetime(1985, 1, 1), "硕士研究生", "工程师", "工艺员", "否"],
    ["郑丽", "女", "1992.03", "本科", "助理工程师", "质检员", "是"],
    ["孙强", "男", "1988-11", "中专", "高级工", "设备维修工", "是"],
]
BORN = [pd.Timestamp(1978, 4, 1), pd.Timestamp(1990, 9, 1), pd.Timestamp(1985, 1, 1), pd.Timestamp(1992, 3, 1),
        pd.Timestamp(1988, 11, 1)]
ACHIEVEMENTS = [
    ["大型轴类零件加工效率提升", "技术攻关", "市级", "2022年3月", "无锡市总工会", 120.5],
    ["高压管道焊缝在线检测技术", "实用新型专利", "国家级", dt.datetime(2022, 7, 15), "国家知识产权局", None],
    ["设备润滑系统节能改造", "合理化建议", "企业级", "2020年6月", "无锡华晟精密机械有限公司", 8],
]
NARRATIVES = {"deeds": "张伟同志扎根一线二十年，带领团队开展技术攻关。", "results": "近一年取得认定创新成果3项。",
              "unit_opinion": "同意推荐。（盖章）2022年10月20日", "union_opinion": "经审核，同意推荐。（盖章）2022年10月21日"}


def fill_form(template: Path, target: Path, record: dict[str, tuple[object, object]]) -> None:
    """Type a nomination into the 推荐表 template: each value into the cell right of its label."""
    book = openpyxl.load_workbook(template)
    ws = book[labels.FORM_SHEET]
    cells = form_cells(ws)
    for field, (typed, _) in record.items():
        label = labels.SUMMARY_FIELDS[field]
        if label in cells and field != "category" and typed is not None:
            ws[cells[label]] = typed
    for key, text in NARRATIVES.items():
        ws[cells[labels.FORM_NARRATIVES[key]]] = text
    for sheet, rows in ((labels.MEMBER_SHEET, MEMBERS), (labels.ACHIEVEMENT_SHEET, ACHIEVEMENTS)):
        for k, values in enumerate(rows):
            for j, value in enumerate(values, start=2):  # column A holds the printed 序号
                book[sheet].cell(3 + k, j, value)
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)


def test_a_filled_form_template_reads_back_exactly(templates, tmp_path):
    record = FILLED[0]  # 5 members, 4 of them front-line, 2 results in the year before the deadline
    path = tmp_path / "inbox" / UNION / f"{record['studio'][0]}推荐表.xlsx"
    fill_form(templates[FORM_FILES["demonstration"]], path, record)
    form = read_form_file(path, RND)
    assert form.problems == []
    for field, (_, meant) in record.items():
        if field in ("recommender_rank", "note"):
            assert field not in form.fields
            continue
        assert plain(form.fields[field]) == meant, field
    assert {k: form.fields[k] for k in NARRATIVES} == NARRATIVES
    member_keys = [k for k in labels.MEMBER_FIELDS if k != "seq"]
    got = [{k: m[k] for k in member_keys} for m in form.members]
    want = [dict(zip(member_keys, values)) for values in MEMBERS]
    assert [m["seq"] for m in form.members] == list(range(1, len(MEMBERS) + 1))
    assert [m["frontline"] for m in got] == [parse_bool(m["frontline"]) for m in want]
    assert [pd.Timestamp(m["born"]) for m in got] == BORN
    for k in ("name", "gender", "education", "title", "post"):
        assert [m[k] for m in got] == [m[k] for m in want], k
    ach_keys = [k for k in labels.ACHIEVEMENT_FIELDS if k != "seq"]
    got = [{k: a[k] for k in ach_keys} for a in form.achievements]
    assert [a["seq"] for a in form.achievements] == [1, 2, 3]
    assert [pd.Timestamp(a["recognised_on"]) for a in got] == [pd.Timestamp(2022, 3, 1), pd.Timestamp(2022, 7, 15),
                                                                pd.Timestamp(2020, 6, 1)]
    assert [a["benefit"] for a in got] == [120.5, None, 8.0]
    for k in ("name", "kind", "level", "recognised_by"):
        assert [a[k] for a in got] == [values[ach_keys.index(k)] for values in ACHIEVEMENTS], k


def test_filled_templates_together_give_no_problem_but_photos(templates, tmp_path):
    """A union that fills every template as asked gets no problem back (photos are not part of this)."""
    inbox = tmp_path / "inbox"
    fill_summary(templates[labels.TEMPLATE_SUMMARY_FILE], inbox / UNION / f"{UNION}推荐汇总表.xlsx")
    record = FILLED[0]
    fill_form(templates[FORM_FILES["demonstration"]], inbox / UNION / f"{record['studio'][0]}推荐表.xlsx", record)
    result = wb.read_inbox(inbox, RND)
    assert len(result.members) == len(MEMBERS) and len(result.achievements) == len(ACHIEVEMENTS)
    studio = result.nominations.set_index("nomination_id")["studio"]
    assert set(studio[result.members["nomination_id"]]) == {record["studio"][0]}
    other = result.problems[~result.problems["code"].isin(["photos_short", "form_missing"])]
    assert other.empty, other.to_string()
    missing = result.problems[result.problems["code"] == "form_missing"]
    assert sorted(missing["value"]) == sorted(r["studio"][0] for r in FILLED[1:])
