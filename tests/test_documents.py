"""Official documents: 公示.docx and 命名通知.docx in the GB/T 9704-2012 format, from editable templates."""

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import docx
import pypdfium2
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

import workbench as wb
from workbench import documents, labels
from workbench.documents import DocumentError
from workbench.export import export_all
from workbench.notice import chinese_date, round_period

RND = wb.load_round()
FILES = {k: f"{v}.docx" for k, v in labels.DOCUMENT_FILES.items()}


@pytest.fixture(scope="module")
def named(tmp_path_factory):
    """An 8-union round whose meeting approved every proposed candidate: the public documents go out."""
    folder = tmp_path_factory.mktemp("documents") / "round"
    rnd = RND.at(folder)
    store = wb.build_demo(rnd, seed=5, unions=8)
    snap = wb.load_state(rnd, store, diagnostics=False)
    for nid in snap.ranked.loc[snap.ranked["proposed"], "nomination_id"]:
        store.record_decision(nid, "approve", "", snap.snapshot_id, "主席办公会")
    paths = {p.name: p for p in export_all(snap, folder / "out", store=store)}
    public = wb.public_list(store.decisions(), snap.ranked, snap.screened, rnd)
    return {"rnd": rnd, "paths": paths, "public": public, "snap": snap, "store": store}


def runs(document):
    """Every run with text, in the body, the tables and the footers."""
    parts = list(document.paragraphs)
    parts += [p for t in document.tables for row in t.rows for cell in row.cells for p in cell.paragraphs]
    for section in document.sections:
        parts += section.footer.paragraphs + section.even_page_footer.paragraphs
    return [(p, r) for p in parts for r in p.runs if r.text.strip()]


def east_asian(run) -> str | None:
    rpr = run._r.rPr
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def text_of(document) -> str:
    body = [p.text for p in document.paragraphs]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(body + cells)


@pytest.mark.parametrize("which", ["public", "naming"])
def test_the_page_is_a4_with_the_standards_margins_and_text_block(named, which):
    document = docx.Document(named["paths"][FILES[which]])
    section = document.sections[0]

    def mm(length) -> float:
        return round(length / Mm(1), 1)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.left_margin)) == (37, 28)
    assert mm(section.page_width - section.left_margin - section.right_margin) == 156
    assert mm(section.page_height - section.top_margin - section.bottom_margin) == 225
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"  # 22 lines of 28.95 pt in the 225 mm block


@pytest.mark.parametrize("which", ["public", "naming"])
def test_every_run_names_its_east_asian_font_and_the_fonts_are_the_standards(named, which):
    document = docx.Document(named["paths"][FILES[which]])
    found = runs(document)
    assert found
    missing = [r.text for _, r in found if not east_asian(r)]
    assert not missing, missing[:5]
    fonts = {east_asian(r) for _, r in found}
    assert {"方正小标宋简体", "仿宋_GB2312", "黑体", "宋体"} <= fonts
    assert fonts <= {"方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"}
    if which == "naming":
        assert "楷体_GB2312" in fonts  # the recommending unions, second-level headings


@pytest.mark.parametrize("which", ["public", "naming"])
def test_title_in_2hao_body_in_3hao_with_fixed_lines(named, which):
    document = docx.Document(named["paths"][FILES[which]])
    title = next(p for p in document.paragraphs if p.text.startswith("关于"))
    assert all(r.font.size == Pt(22) and east_asian(r) == "方正小标宋简体" for r in title.runs)
    body = [p for p in document.paragraphs if p.runs and east_asian(p.runs[0]) == "仿宋_GB2312"]
    assert len(body) >= 4
    for p in body:
        assert all(r.font.size == Pt(16) for r in p.runs), p.text
        assert p.paragraph_format.line_spacing == Pt(28.95), p.text
        assert p.paragraph_format.line_spacing_rule == docx.enum.text.WD_LINE_SPACING.EXACTLY


@pytest.mark.parametrize("which", ["public", "naming"])
def test_page_numbers_are_a_page_field_between_dashes_odd_right_even_left(named, which):
    document = docx.Document(named["paths"][FILES[which]])
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, align in ((section.footer, "RIGHT"), (section.even_page_footer, "LEFT")):
        p = footer.paragraphs[0]
        xml = p._p.xml
        assert "PAGE" in "".join(t.text or "" for t in p._p.iter(qn("w:instrText")))
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert p.alignment.name == align
        assert all(r.font.size == Pt(14) and east_asian(r) == "宋体" for r in p.runs if r.text.strip())


def test_the_public_notice_states_period_objection_contact_and_lists_every_approved_studio(named):
    rnd, public = named["rnd"], named["public"]
    text = text_of(docx.Document(named["paths"][FILES["public"]]))
    first, last = round_period(rnd)
    assert f"{chinese_date(first)}至{chinese_date(last)}（{rnd.notice.workdays}个工作日）" in text
    assert rnd.notice.objection in text and rnd.notice.contact_phone in text and rnd.notice.contact_office in text
    assert chinese_date(first) in text  # 成文日期 in Arabic numerals
    for row in public.itertuples():
        assert row.studio in text and row.host_unit in text
    assert labels.DOCUMENT_TEXT["incomplete"].split("。")[0] not in text  # complete: no statement


def test_the_naming_notice_has_its_number_date_and_lists_by_category_and_union(named):
    rnd, public = named["rnd"], named["public"]
    document = docx.Document(named["paths"][FILES["naming"]])
    text = text_of(document)
    year = rnd.documents.naming_date.year
    assert f"{rnd.documents.issuer_code}〔{year}〕{rnd.documents.naming_number}号" in text
    assert rnd.documents.issuer_mark in text
    assert chinese_date(rnd.documents.naming_date) in text and "2023年1月16日" in text
    headings = {p.text: p for p in document.paragraphs}
    for cat, part in public.groupby("category"):
        label = wb.load_round().categories[cat].label
        heading = next(t for t in headings if t.endswith(f"{label}（{len(part)}个）") and "、第" in t)
        assert east_asian(headings[heading].runs[0]) == "黑体"
        for union, rows in part.groupby("recommender"):
            assert any(t.endswith(f"{union}（{len(rows)}个）") and t.startswith("（") for t in headings), union
    for row in public.itertuples():
        assert f"{row.studio}（{row.host_unit}）" in text
    mark = next(p for p in document.paragraphs if p.text == rnd.documents.issuer_mark)
    assert mark.runs[0].font.color.rgb == docx.shared.RGBColor(0xFF, 0, 0)


def test_an_edited_template_changes_the_document_and_an_unknown_field_is_refused(named, tmp_path):
    rnd, public = named["rnd"], named["public"]
    folder = tmp_path / "templates"
    folder.mkdir()
    edited = labels.DOCUMENT_TEMPLATES["public"].replace("现予以公示（名单附后）。", "现予以公示，欢迎社会监督（{联系电话}）。")
    (folder / "公示.txt").write_text("# 办公室改过的说明\n" + edited, encoding="utf-8")
    mine = rnd.model_copy(update={"paths": rnd.paths.model_copy(update={"templates": folder})})
    text = text_of(documents.public_document(mine, public))
    assert f"欢迎社会监督（{rnd.notice.contact_phone}）" in text and "办公室改过的说明" not in text
    (folder / "公示.txt").write_text(edited.replace("{公示媒体}", "{公示网站}"), encoding="utf-8")
    with pytest.raises(DocumentError) as err:
        documents.public_document(mine, public)
    assert err.value.code == "template_field" and "公示网站" in str(err.value) and "公示媒体" in str(err.value)


def test_the_shipped_templates_are_the_built_in_wording(tmp_path):
    """data/rounds/templates is what `workbench templates` writes: an office starts from the same text."""
    from workbench.templates import write_document_templates

    written = write_document_templates(tmp_path, RND)
    assert len(written) == len(labels.DOCUMENT_FILES)
    for path in written:
        assert path.read_text(encoding="utf-8") == (RND.paths.templates / path.name).read_text(encoding="utf-8")
    (tmp_path / "公示.txt").write_text("标题：改过", encoding="utf-8")
    assert write_document_templates(tmp_path, RND) == []  # an office's edit is never overwritten
    assert (tmp_path / "公示.txt").read_text(encoding="utf-8") == "标题：改过"


def test_an_incomplete_export_says_so_in_both_documents(named, tmp_path):
    snap, store = named["snap"], named["store"]
    withdrawn = snap.ranked.loc[snap.ranked["proposed"], "nomination_id"].iloc[-1]
    decisions = store.decisions()
    decisions.loc[decisions["nomination_id"] == withdrawn, "decision"] = "defer"
    wb.export_results(snap.ranked, named["rnd"], tmp_path, screened=snap.screened, decisions=decisions,
                      allow_incomplete=True, reason="一个工作室待复核")
    for which in ("public", "naming"):
        text = text_of(docx.Document(tmp_path / FILES[which]))
        assert "名单不完整" in text and "一个工作室待复核" in text and "待定1个" in text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_the_naming_notice_ends_with_its_colophon_and_the_public_notice_has_none(named, tmp_path):
    """版记: 抄送 and 印发机关 / 印发日期 from the config, between rules, placed at the foot of the text block."""
    rnd = named["rnd"]
    document = docx.Document(named["paths"][FILES["naming"]])
    table = document.tables[-1]
    cells = [row.cells[0].text for row in table.rows]
    assert cells == [f"抄送：{rnd.documents.copy_to}", f"{rnd.round.organiser}办公室\t2023年1月16日印发"]
    place = table._tbl.tblPr.find(qn("w:tblpPr"))
    assert place is not None and place.get(qn("w:vertAnchor")) == "margin"
    bottom = int(place.get(qn("w:tblpY"))) + sum(int(r._tr.trPr.find(qn("w:trHeight")).get(qn("w:val"))) for r in table.rows)
    assert abs(bottom - Mm(225).twips) <= 2  # its last rule is the bottom of the 版心
    sizes = {e.tag.split("}")[1]: e.get(qn("w:sz")) for e in table._tbl.tblPr.find(qn("w:tblBorders"))}
    assert sizes["top"] == sizes["bottom"] == "8" and sizes["insideH"] == "4"  # thick, thin between
    assert "印发" not in text_of(docx.Document(named["paths"][FILES["public"]]))

    quiet = rnd.model_copy(update={"documents": rnd.documents.model_copy(
        update={"copy_to": "", "printing_office": "某某办公室", "printed_on": dt.date(2023, 1, 20)})})
    again = documents.naming_document(quiet, named["public"])
    assert [r.cells[0].text for r in again.tables[-1].rows] == ["某某办公室\t2023年1月20日印发"]


def test_both_documents_render_in_libreoffice_with_page_numbers(named, tmp_path):
    sources = [named["paths"][FILES[k]] for k in ("public", "naming")]
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, sources)],
                   check=True, capture_output=True, timeout=240)
    for source in sources:
        pdf = pypdfium2.PdfDocument(tmp_path / f"{Path(source).stem}.pdf")
        assert len(pdf) >= 2
        for i in range(len(pdf)):
            page = pdf[i]
            width, height = page.get_size()
            assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
            assert f"— {i + 1} —" in page.get_textpage().get_text_range()
