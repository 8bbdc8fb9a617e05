"""Export: formatted official workbooks, formula text neutralised, the same bytes twice."""

import hashlib
import time

import openpyxl
import pandas as pd

import workbench as wb
from tests.test_ranking import both_stages, scores, screened

RND = wb.load_round()


def ranked_frame() -> pd.DataFrame:
    ids = {"demonstration": ["D1", "D2"], "model_worker": ["M1", "M2", "M3"], "employee": [f"E{i:02d}" for i in range(RND.categories["employee"].slots + 2)]}
    s = screened(ids)
    s.loc[s["nomination_id"] == "E02", "studio"] = "=HYPERLINK(\"http://x\")"
    totals = {}
    for cat, nids in ids.items():
        for i, nid in enumerate(nids):
            totals |= both_stages(nid, [90 - i] * 5, [88 - i] * 5)
    parts = [scores({k: v for k, v in totals.items() if k[0] in nids}, cat) for cat, nids in ids.items()]
    return wb.rank(s, pd.concat(parts, ignore_index=True), RND)


def test_ranking_workbook_is_formatted_as_an_official_table(tmp_path):
    (path,) = wb.export_results(ranked_frame(), RND, tmp_path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [c.short for c in RND.categories.values()]
    ws = book["职工"]
    assert ws["A1"].value == "无锡市职工创新工作室评审结果排名表" and ws["A1"].font.bold
    assert any(str(r).startswith("A1:") for r in ws.merged_cells.ranges)
    header = [c.value for c in ws[3]]
    assert header[:3] == ["排名", "工作室名称", "所在单位"] and "综合得分" in header
    assert all(c.font.bold and c.border.left.style == "thin" for c in ws[3])
    assert ws.freeze_panes == "A4" and ws.print_title_rows.replace("$", "") == "3:3"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws["B4"].font.name == "宋体"
    assert ws.column_dimensions["B"].width >= 10
    values = [c.value for row in ws.iter_rows(min_row=4) for c in row]
    assert "'=HYPERLINK(\"http://x\")" in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    last_proposed = 3 + sum(1 for r in ws.iter_rows(min_row=4, values_only=True) if r[header.index("拟命名")] == "是")
    assert ws.cell(row=last_proposed, column=1).border.bottom.style == "thick"
    assert ws.cell(row=last_proposed + 1, column=1).border.bottom.style == "thin"


def test_reexport_gives_the_same_bytes(tmp_path):
    ranked = ranked_frame()
    (a,) = wb.export_results(ranked, RND, tmp_path / "a")
    time.sleep(2.1)  # zip entries carry a time stamp to 2 s: make sure the clock has moved on
    (b,) = wb.export_results(ranked, RND, tmp_path / "b")
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
