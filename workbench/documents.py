"""Official documents (公文): the 公示 and the 命名通知 as Word files in the GB/T 9704-2012 format.

The wording is a plain-text template an office can edit (the round's `paths.templates` folder, else
the built-in text in `labels.DOCUMENT_TEMPLATES`): one line per part or paragraph, `{名称}` fields
filled from the config and the approved list. The layout is fixed here by the standard: A4, top
margin 37 mm, binding margin 28 mm, a 156 × 225 mm text block, 22 lines of 3号 仿宋_GB2312 a page,
the title in 2号 方正小标宋简体, headings in 黑体 / 楷体_GB2312, page numbers "— 1 —" in 4号 宋体
(odd pages right, even pages left). Every run names its East-Asian font (w:rFonts w:eastAsia):
python-docx's `font.name` sets only the Latin ones. Machines without the 方正 fonts show fallbacks;
the document still names the standard's fonts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from workbench import labels
from workbench.config import Round
from workbench.errors import DocumentError
from workbench.notice import batch_label, chinese_date, chinese_number, round_period

# ---------------------------------------------------------------------------- GB/T 9704-2012
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
TOP, LEFT = Mm(37), Mm(28)  # 天头 and 订口
BLOCK_WIDTH, BLOCK_HEIGHT = Mm(156), Mm(225)  # 版心
FOOTER_DISTANCE = Mm(22)  # the page number sits about 7 mm below the text block
LINE = Pt(28.95)  # fixed line spacing: 22 lines in the 225 mm block
LINE_PITCH = 579  # the document grid: 28.95 pt in twentieths of a point

TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT, PAGE_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
TITLE_SIZE, BODY_SIZE, PAGE_SIZE, TABLE_SIZE, MARK_SIZE = 22, 16, 14, 14, 42  # 2号, 3号, 4号, 4号, 初号
TABLE_LINE = Pt(22)
RED = RGBColor(0xFF, 0x00, 0x00)
TABLE_WIDTHS = (Mm(14), Mm(58), Mm(58), Mm(26))  # 序号, 工作室名称, 所在单位, 领衔人: the 156 mm block
FIXED_STAMP = dt.datetime(2000, 1, 1)
# The 版记's rules span the text block; a hair narrower, or LibreOffice sets a full-width floating table inline.
COLOPHON_WIDTH = Mm(155.8)

KINDS = {"附件号": "attachment_label", "版头": "mark", "发文字号": "number", "标题": "title", "主送": "addressee", "附件": "attachment",
         "署名": "signature", "日期": "date", "附件页": "attachment_page", "抄送": "copy_to", "印发机关": "printer",
         "印发日期": "printed_on"}
COLOPHON = ("copy_to", "printer", "printed_on")  # 版记: gathered and set at the foot of the last page
LIST_FIELD = "名单"
FIELD = re.compile(r"\{([^{}]*)\}")
H1 = re.compile(r"^[一二三四五六七八九十]+、")
H2 = re.compile(r"^（[一二三四五六七八九十]+）")


def _error(key: str, **values: object) -> DocumentError:
    """A template the documents cannot use: Chinese message, English code."""
    return DocumentError(f"{labels.DOCUMENT_MESSAGES[key].format(**values)} [{key}]", key)


# ---------------------------------------------------------------------------- templates
@dataclass(frozen=True)
class Block:
    """One line of a template: its kind (title, para, h1, list, …) and its filled-in text."""

    kind: str
    text: str = ""


def template_text(rnd: Round, which: str) -> tuple[str, str]:
    """(file name, text) of the `which` template: the round's editable file, else the built-in wording."""
    name = f"{labels.DOCUMENT_FILES[which]}.txt"
    folder = rnd.paths.templates
    path = folder / name if folder is not None else None
    if path is not None and path.exists():
        try:
            return str(path), path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise _error("template_unreadable", file=path, why=exc) from None
    return name, labels.DOCUMENT_TEMPLATES[which]


def template_file_text(which: str, fields: list[str]) -> str:
    """The template as written to disk for an office to edit: a help header, then the wording."""
    header = labels.DOCUMENT_TEMPLATE_HELP.format(name=labels.DOCUMENT_FILES[which],
                                                  fields="、".join(f"{{{f}}}" for f in fields))
    return header + labels.DOCUMENT_TEMPLATES[which]


def parse_template(text: str, values: dict[str, str], file: str = "") -> list[Block]:
    """Template lines -> blocks with their fields filled; an unknown field is an error naming it."""
    blocks = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line == f"{{{LIST_FIELD}}}":
            blocks.append(Block("list"))
            continue
        kind, sep, rest = line.partition("：")
        kind = KINDS.get(kind) if sep else None
        body = rest.strip() if kind else line
        filled = FIELD.sub(lambda m: _field(m.group(1), values, file), body)
        if kind is None:
            kind = "h1" if H1.match(filled) else "h2" if H2.match(filled) else "para"
        blocks.append(Block(kind, filled))
    return blocks


def _field(name: str, values: dict[str, str], file: str) -> str:
    if name not in values:
        raise _error("template_field", file=file, name=name, known="、".join(values))
    return values[name]


# ---------------------------------------------------------------------------- the fields
def _join(items: list[str]) -> str:
    return "".join(items) if len(items) <= 1 else "、".join(items[:-1]) + labels.AND + items[-1]


def naming_number(rnd: Round) -> str:
    """发文字号 such as 锡工发〔2023〕1号; the number is left blank until the config gives it."""
    doc = rnd.documents
    year = (doc.naming_date or rnd.round.deadline.date()).year
    number = str(doc.naming_number) if doc.naming_number else labels.DOCUMENT_TEXT["number_blank"]
    return labels.DOCUMENT_TEXT["naming_number"].format(code=doc.issuer_code, year=year, number=number)


def fields(rnd: Round, public: pd.DataFrame, period: tuple[dt.date, dt.date] | None) -> dict[str, str]:
    """Every `{名称}` a template may use, from the config and the approved list (category, studio)."""
    text = labels.DOCUMENT_TEXT
    present = [c for c in rnd.categories if (public["category"] == c).any()]
    named = []
    for cat in present:
        studios = public.loc[public["category"] == cat, "studio"].tolist()
        key = "named_one" if len(studios) == 1 else "named_many"
        named.append(labels.NOTICE_TEXT[key].format(first=studios[0], n=len(studios), what=batch_label(rnd, cat)))
    n = rnd.notice.workdays
    when = text["period"].format(first=chinese_date(period[0]), last=chinese_date(period[1])) if period else text["period_unset"]
    names = _join([batch_label(rnd, c) for c in present])
    return {
        "发文机关": rnd.round.organiser,
        "发文机关标志": rnd.documents.issuer_mark,
        "发文字号": naming_number(rnd),
        "年度": str(rnd.round.year),
        "申报类别": _join([cfg.label for cfg in rnd.categories.values()]),
        "申报批次": _join([batch_label(rnd, c) for c in rnd.categories]),
        "拟命名类别": names,
        "命名类别": names,
        "命名概述": "；".join(named) or labels.NOTICE_TEXT["nobody"],
        "公示时间": when,
        "工作日数": str(n),
        "公示媒体": rnd.notice.media,
        "异议方式": rnd.notice.objection,
        "受理部门": rnd.notice.contact_office,
        "联系电话": rnd.notice.contact_phone,
        "附件名称": "",
        "成文日期": "",
        "抄送机关": rnd.documents.copy_to,
        "印发机关": rnd.documents.printing_office or labels.DOCUMENT_TEXT["office"].format(organiser=rnd.round.organiser),
        "印发日期": "",
    }


def public_fields(rnd: Round, public: pd.DataFrame) -> dict[str, str]:
    """The 公示's fields: its date is the first day of the period (blank until the config gives it)."""
    period = round_period(rnd)
    values = fields(rnd, public, period)
    values["附件名称"] = labels.DOCUMENT_TEXT["public_attachment"].format(names=values["拟命名类别"])
    values["成文日期"] = chinese_date(period[0]) if period else labels.DOCUMENT_TEXT["date_unset"]
    return values


def naming_fields(rnd: Round, public: pd.DataFrame) -> dict[str, str]:
    """The 命名通知's fields: dated on the configured naming date."""
    values = fields(rnd, public, round_period(rnd))
    values["附件名称"] = labels.DOCUMENT_TEXT["naming_attachment"].format(names=values["命名类别"])
    day = rnd.documents.naming_date
    values["成文日期"] = chinese_date(day) if day else labels.DOCUMENT_TEXT["date_unset"]
    printed = rnd.documents.printed_on or day
    values["印发日期"] = chinese_date(printed) if printed else labels.DOCUMENT_TEXT["date_unset"]
    return values


# ---------------------------------------------------------------------------- runs and paragraphs
def set_run_font(run, font: str, size: float, bold: bool = False, color: RGBColor | None = None) -> None:
    """Name `font` for every script of the run, East-Asian included, and set its size."""
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    _name_fonts(run._r.get_or_add_rPr(), font)


def _name_fonts(rpr, font: str) -> None:
    """w:rFonts for Latin, East-Asian and complex scripts: python-docx's font.name sets only the first two."""
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font)


def add_paragraph(container: DocxDocument | _Cell, text: str, font: str = BODY_FONT, size: float = BODY_SIZE, *,
                  align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY, indent: float = 2, right: float = 0,
                  bold: bool = False, color: RGBColor | None = None, line: Pt = LINE) -> Paragraph:
    """A paragraph of one run; `indent` and `right` count 3号 characters (首行缩进 two by default)."""
    p = container.add_paragraph()
    pf = p.paragraph_format
    pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, line
    pf.space_before = pf.space_after = Pt(0)
    pf.first_line_indent = Pt(size * indent) if indent else None
    pf.right_indent = Pt(BODY_SIZE * right) if right else None
    pf.alignment = align
    _no_autospace(p._p.get_or_add_pPr())
    if text:
        set_run_font(p.add_run(text), font, size, bold, color)
    return p


def blank(doc: DocxDocument, n: int = 1) -> None:
    for _ in range(n):
        add_paragraph(doc, "")


def _page_break(doc: DocxDocument) -> None:
    p = add_paragraph(doc, "")
    run = p.add_run()
    set_run_font(run, BODY_FONT, BODY_SIZE)
    run.add_break(WD_BREAK.PAGE)


def _red_rule(p: Paragraph) -> None:
    """The red separator line under the 发文字号: a bottom border as wide as the text block."""
    ppr = p._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "11"), ("w:color", "FF0000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    _insert_ordered(ppr, border)


# The order of w:pPr's children (ECMA-376 CT_PPrBase): Word refuses a file that breaks it.
PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
             "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
             "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
             "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
             "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange")


def _no_autospace(ppr) -> None:
    """No extra space between Chinese and digits (2023年1月16日, not 2023 年 1 月 16 日)."""
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), "0")
        _insert_ordered(ppr, el)


def _insert_ordered(ppr, element) -> None:
    """Insert `element` into a w:pPr at its schema position."""
    rank = {qn(f"w:{name}"): i for i, name in enumerate(PPR_ORDER)}
    mine = rank[element.tag]
    for child in ppr:
        if rank.get(child.tag, -1) > mine:
            child.addprevious(element)
            return
    ppr.append(element)


# ---------------------------------------------------------------------------- the page
def _page_number(paragraph: Paragraph) -> None:
    """— PAGE — in 4号 宋体: a PAGE field between two dashes."""
    def run(text: str = ""):
        r = paragraph.add_run(text)
        set_run_font(r, PAGE_FONT, PAGE_SIZE)
        return r

    run("— ")
    for kind in ("begin", None, "separate", "end"):
        r = run()
        if kind is None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = " PAGE "
            r._r.append(instr)
        else:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            r._r.append(fld)
            if kind == "separate":
                r._r.append(_text_element("1"))
    run(" —")


def _text_element(text: str):
    t = OxmlElement("w:t")
    t.text = text
    return t


def setup_page(doc: DocxDocument) -> None:
    """A4, the standard's margins and text block, the line grid, page numbers odd right / even left."""
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.left_margin = TOP, LEFT
    section.right_margin = PAGE_WIDTH - LEFT - BLOCK_WIDTH
    section.bottom_margin = PAGE_HEIGHT - TOP - BLOCK_HEIGHT
    section.footer_distance = FOOTER_DISTANCE
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align, side in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
                                (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.alignment = align
        setattr(p.paragraph_format, f"{side}_indent", Pt(PAGE_SIZE))  # 空一字
        _page_number(p)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_SIZE)
    _no_autospace(normal.element.get_or_add_pPr())
    _name_fonts(normal.element.get_or_add_rPr(), BODY_FONT)


# ---------------------------------------------------------------------------- lists
def _category_heading(doc: DocxDocument, rnd: Round, i: int, category: str, n: int) -> None:
    """一、第八批无锡市劳模创新工作室（20个） in 黑体."""
    text = labels.DOCUMENT_TEXT["category_heading"].format(ordinal=chinese_number(i), what=batch_label(rnd, category), n=n)
    add_paragraph(doc, text, H1_FONT)


def public_table(doc: DocxDocument, rnd: Round, public: pd.DataFrame) -> None:
    """The 公示's list: per category a 黑体 heading and a table (序号, 工作室名称, 所在单位, 领衔人)."""
    text = labels.DOCUMENT_TEXT
    headers = text["table_headers"].split("|")
    present = [c for c in rnd.categories if (public["category"] == c).any()]
    for i, cat in enumerate(present, start=1):
        rows = public[public["category"] == cat]
        _category_heading(doc, rnd, i, cat, len(rows))
        table = doc.add_table(rows=1, cols=len(headers))
        table.style = doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, header in zip(table.rows[0].cells, headers):
            _cell_text(cell, header, H1_FONT)
        for seq, row in enumerate(rows.itertuples(index=False), start=1):
            values = [str(seq), row.studio, row.host_unit, row.leader]
            for cell, value in zip(table.add_row().cells, values):
                _cell_text(cell, "" if pd.isna(value) else str(value), BODY_FONT)
        for k, row in enumerate(table.rows):  # a row never splits across pages; the header repeats on each
            _row_flags(row, header=k == 0)
        table.autofit = False
        for column, width in zip(table.columns, TABLE_WIDTHS):
            column.width = width
        for row in table.rows:
            for cell, width in zip(row.cells, TABLE_WIDTHS):
                cell.width = width
        if i < len(present):
            blank(doc)


def _row_flags(row, header: bool) -> None:
    trpr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader") if header else ("w:cantSplit",):
        trpr.append(OxmlElement(tag))


def _cell_text(cell: _Cell, text: str, font: str) -> None:
    p = cell.paragraphs[0]
    pf = p.paragraph_format
    pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, TABLE_LINE
    pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_run_font(p.add_run(text), font, TABLE_SIZE)


def naming_list(doc: DocxDocument, rnd: Round, public: pd.DataFrame, unions: list[str] | None = None) -> None:
    """The 命名通知's list: by category (黑体), then by recommending union (楷体), numbered per category."""
    text = labels.DOCUMENT_TEXT
    present = [c for c in rnd.categories if (public["category"] == c).any()]
    for i, cat in enumerate(present, start=1):
        rows = public[public["category"] == cat]
        _category_heading(doc, rnd, i, cat, len(rows))
        order = [u for u in (unions or []) if u in set(rows["recommender"])]
        order += sorted(set(rows["recommender"]) - set(order))
        seq = 0
        for j, union in enumerate(order, start=1):
            part = rows[rows["recommender"] == union]
            add_paragraph(doc, text["union_heading"].format(ordinal=chinese_number(j), union=union, n=len(part)), H2_FONT)
            for row in part.itertuples(index=False):
                seq += 1
                add_paragraph(doc, text["list_item"].format(seq=seq, studio=row.studio, host_unit=row.host_unit))


# ---------------------------------------------------------------------------- the document
def build(blocks: list[Block], rnd: Round, public: pd.DataFrame, which: str, incomplete: str | None = None,
          unions: list[str] | None = None) -> DocxDocument:
    """Lay the blocks out as a GB/T 9704 document; `incomplete` is stated under the title and the list."""
    doc = Document()
    setup_page(doc)
    date_text = next((b.text for b in blocks if b.kind == "date"), "")
    for block in blocks:
        if block.kind not in COLOPHON:
            _place(doc, block, rnd, public, which, date_text, incomplete, unions)
    colophon = {b.kind: b.text for b in blocks if b.kind in COLOPHON}
    if colophon.get("printer") or colophon.get("printed_on"):
        _colophon(doc, colophon)
    props = doc.core_properties
    props.author = props.last_modified_by = labels.EXPORT_TEXT["creator"]
    props.title = next((b.text for b in blocks if b.kind == "title"), "")
    props.created = props.modified = FIXED_STAMP
    props.revision = 1
    return doc


def _place(doc: DocxDocument, block: Block, rnd: Round, public: pd.DataFrame, which: str, date_text: str,
           incomplete: str | None, unions: list[str] | None) -> None:
    kind, text = block.kind, block.text
    if kind == "mark":
        if text:
            add_paragraph(doc, text, TITLE_FONT, MARK_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=0, color=RED,
                          line=Pt(MARK_SIZE * 1.4))
            blank(doc, 2)
    elif kind == "attachment_label":
        add_paragraph(doc, text, H1_FONT, indent=0, align=WD_ALIGN_PARAGRAPH.LEFT)
        blank(doc)
    elif kind == "number":
        _red_rule(add_paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.CENTER, indent=0))
        blank(doc, 2)
    elif kind == "title":
        add_paragraph(doc, text, TITLE_FONT, TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=0)
        if incomplete:
            add_paragraph(doc, incomplete, H1_FONT, bold=True)
        blank(doc)
    elif kind == "addressee":
        add_paragraph(doc, text, indent=0)
    elif kind == "attachment":
        blank(doc)
        mark = f"{labels.DOCUMENT_TEXT['attachment_mark']}："
        p = add_paragraph(doc, mark + text, indent=0)
        # 左空二字编排“附件：”; a long name wraps under its own first character (hanging indent)
        p.paragraph_format.left_indent = Pt(BODY_SIZE * (2 + len(mark)))
        p.paragraph_format.first_line_indent = Pt(-BODY_SIZE * len(mark))
    elif kind == "signature":
        blank(doc, 2)
        # centred over the date, which stands four characters from the right (加盖印章的公文)
        shift = max(0.0, (_width(date_text) - _width(text)) / 2)
        add_paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=0, right=4 + shift)
    elif kind == "date":
        add_paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=0, right=4)
    elif kind == "attachment_page":
        _page_break(doc)
        add_paragraph(doc, labels.DOCUMENT_TEXT["attachment_mark"], H1_FONT, indent=0, align=WD_ALIGN_PARAGRAPH.LEFT)
        blank(doc)
        add_paragraph(doc, text, TITLE_FONT, TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=0)
        blank(doc)
    elif kind == "list":
        if incomplete:
            add_paragraph(doc, incomplete, H1_FONT, bold=True)
        (public_table if which == "public" else naming_list)(doc, rnd, public, *([unions] if which == "naming" else []))
    elif kind == "h1":
        add_paragraph(doc, text, H1_FONT)
    elif kind == "h2":
        add_paragraph(doc, text, H2_FONT)
    else:
        add_paragraph(doc, text)


def _colophon(doc: DocxDocument, parts: dict[str, str]) -> None:
    """版记 at the foot of the last page: 抄送 (when given), then 印发机关 left and 印发日期 right, in 4号 仿宋,
    one character in from each side, between thick rules with a thin one between the lines.

    A floating table placed so that its last rule is the bottom of the text block keeps it at the foot
    however long the list runs (an absolute offset: LibreOffice ignores w:tblpYSpec="bottom")."""
    lines = []
    if parts.get("copy_to"):
        lines.append(labels.DOCUMENT_TEXT["copy_to"].format(names=parts["copy_to"]))
    lines.append(f"{parts.get('printer', '')}\t{labels.DOCUMENT_TEXT['printed'].format(date=parts.get('printed_on', ''))}")
    table = doc.add_table(rows=len(lines), cols=1)
    table.autofit = False
    tblpr = table._tbl.tblPr
    place = OxmlElement("w:tblpPr")
    top = Emu(BLOCK_HEIGHT - LINE * len(lines))
    for key, value in (("w:vertAnchor", "margin"), ("w:horzAnchor", "margin"), ("w:tblpX", str(Emu((BLOCK_WIDTH - COLOPHON_WIDTH) // 2).twips)),
                       ("w:tblpY", str(top.twips))):
        place.set(qn(key), value)
    tblpr.insert(0, place)
    overlap = OxmlElement("w:tblOverlap")
    overlap.set(qn("w:val"), "never")
    place.addnext(overlap)
    borders = OxmlElement("w:tblBorders")
    for edge, size in (("top", 8), ("left", 0), ("bottom", 8), ("right", 0), ("insideH", 4), ("insideV", 0)):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single" if size else "nil")
        if size:  # eighths of a point: 8 is 1 pt ≈ 0.35 mm (the thick rules), 4 the thin one
            for key, value in (("w:sz", str(size)), ("w:space", "0"), ("w:color", "000000")):
                el.set(qn(key), value)
        borders.append(el)
    tblpr.find(qn("w:tblLayout")).addprevious(borders)  # CT_TblPr's order: borders before layout and look
    for row, text in zip(table.rows, lines):
        row.height, row.height_rule = LINE, WD_ROW_HEIGHT_RULE.EXACTLY
        cell = row.cells[0]
        cell.width = COLOPHON_WIDTH
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        p = cell.paragraphs[0]
        pf = p.paragraph_format
        pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, TABLE_LINE
        pf.left_indent = pf.right_indent = Pt(PAGE_SIZE)
        pf.tab_stops.add_tab_stop(COLOPHON_WIDTH - Pt(2 * PAGE_SIZE), WD_TAB_ALIGNMENT.RIGHT)
        _no_autospace(p._p.get_or_add_pPr())
        set_run_font(p.add_run(text), BODY_FONT, PAGE_SIZE)
    # a floating table is anchored to the paragraph after it: the body must not end with the table
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _width(text: str) -> float:
    """Width in 3号 characters: CJK one, digits and Latin half."""
    return sum(1 if ord(ch) > 0x2E80 else 0.5 for ch in text)


def public_document(rnd: Round, public: pd.DataFrame, incomplete: str | None = None) -> DocxDocument:
    """公示.docx: the notice text from the template, the list of approved nominations attached."""
    file, text = template_text(rnd, "public")
    return build(parse_template(text, public_fields(rnd, public), file), rnd, public, "public", incomplete)


def naming_document(rnd: Round, public: pd.DataFrame, incomplete: str | None = None,
                    unions: list[str] | None = None) -> DocxDocument:
    """命名通知.docx: 版头 with the 发文字号, the text from the template, the named studios by category and union."""
    file, text = template_text(rnd, "naming")
    return build(parse_template(text, naming_fields(rnd, public), file), rnd, public, "naming", incomplete, unions)


def notice_parts(rnd: Round, public: pd.DataFrame) -> dict[str, object]:
    """The 公示's words from its template, for the Excel notice sheet: title, paragraphs, attachment, signature, date."""
    file, text = template_text(rnd, "public")
    blocks = parse_template(text, public_fields(rnd, public), file)
    first = {b.kind: b.text for b in reversed(blocks)}
    return {"title": first.get("title", ""), "paragraphs": [b.text for b in blocks if b.kind in ("para", "h1", "h2")],
            "attachment": f"{labels.DOCUMENT_TEXT['attachment_mark']}：{first.get('attachment', '')}",
            "signature": first.get("signature", ""), "date": first.get("date", "")}


def outline_document(rnd: Round) -> DocxDocument:
    """附件5 推荐材料参考提纲: sent out with the blank forms, in the same official format."""
    file, text = template_text(rnd, "outline")
    empty = pd.DataFrame({"category": [], "studio": []})
    return build(parse_template(text, fields(rnd, empty, None), file), rnd, empty, "outline")


def template_fields(rnd: Round) -> list[str]:
    """The names a template may use (for the help header of the written templates)."""
    return [*fields(rnd, pd.DataFrame({"category": [], "studio": []}), None), LIST_FIELD]
