"""The candidate dossier (申报材料): what the people who decide read about one candidate.

One module for the scoring app's card, the meeting's card and the printable file
(`workbench dossier ID --out FILE.pdf|FILE.html`): the facts, the screening verdicts and overrides,
the form's narratives (主要事迹, 主要创新成果, 单位意见, 推荐单位工会意见), 团队成员, 创新成果, the
photos with captions (each opens large on a click, with CSS only) and the studio's own electronic
materials: every PDF in the studio's inbox folder, shown page by page as images rendered here with
pypdfium2 (no PDF.js, no CDN, nothing fetched).

Pure helpers turn rows and small frames into escaped HTML strings. The I/O edges are
`load_dossiers` (reads and screens the inbox), `photo_uris`, `material_files` and `pdf_page` (reads
files found by *listing* the inbox, never by building a path from cell text; pages are rendered
with limits on file size, page count and pixels, and cached on disk), `MaterialsViewer` (a thin
widget: one page at a time) and `write_dossier` (the printable file, PDF through headless Chromium
or LibreOffice, whichever is installed).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import io
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench import labels
from workbench.config import Round
from workbench.intake.checks import studio_folders, studio_photos
from workbench.intake.files import display_name
from workbench.intake.values import normalise_text
from workbench.state import scrub

log = logging.getLogger(__name__)

FACTS = ("recommender", "category", "host_unit", "leader", "leader_honours", "team_size", "frontline",
         "established", "named_on", "site_area", "funding", "results_last_year", "benefit", "legal_person",
         "union_sound", "party_building", "systems", "ledger", "video", "direct")  # never contact/phone/note
MEMBER_SHOWN = ("seq", "name", "gender", "born", "education", "title", "post", "frontline")
ACHIEVEMENT_SHOWN = ("seq", "name", "kind", "level", "recognised_on", "recognised_by", "benefit")
PHOTO_LIMIT = 7  # 1 leader + 1 team + up to 5 scenes, as the notice asks
PHOTO_BOX = (1280, 960)  # photos are shrunk to fit this box before they are embedded (shown small, opened large)
PDF_MAX_BYTES = 40 * 1024 * 1024  # a bigger file is named, not rendered
PDF_MAX_FILES = 5  # PDFs per studio
PDF_MAX_PAGES = 30  # pages shown per PDF (the rest are named)
PAGE_WIDTH_PX = 1000  # a page is rendered this wide ...
PAGE_MAX_PX = 1600  # ... and never taller than this (an absurd page size cannot eat memory)
_PDFIUM = threading.Lock()  # pdfium is not thread-safe


# ---------------------------------------------------------------------------- the data
@dataclass(frozen=True)
class Dossiers:
    """What the dossiers show, read once from the inbox: the screened nominations (indexed by
    nomination_id, narratives included), their 团队成员 and 创新成果, and where the inbox is."""

    facts: pd.DataFrame
    members: pd.DataFrame
    achievements: pd.DataFrame
    inbox: Path

    @classmethod
    def empty(cls, inbox: Path | None = None) -> Dossiers:
        return cls(pd.DataFrame(columns=["nomination_id"]), pd.DataFrame(columns=["nomination_id"]),
                   pd.DataFrame(columns=["nomination_id"]), inbox or Path("."))

    def row(self, nomination_id: str) -> pd.Series | None:
        if nomination_id not in self.facts.index:
            return None
        return self.facts.loc[nomination_id]

    def members_of(self, nomination_id: str) -> pd.DataFrame:
        return _of(self.members, nomination_id)

    def achievements_of(self, nomination_id: str) -> pd.DataFrame:
        return _of(self.achievements, nomination_id)


def _of(frame: pd.DataFrame, nomination_id: str) -> pd.DataFrame:
    if frame is None or "nomination_id" not in frame:
        return pd.DataFrame()
    return frame[frame["nomination_id"] == nomination_id]


def dossiers_from(screened: pd.DataFrame, members: pd.DataFrame | None, achievements: pd.DataFrame | None,
                  inbox: Path) -> Dossiers:
    """`Dossiers` from a screened frame and intake's tables."""
    facts = screened.drop_duplicates("nomination_id")
    if "source_file" not in facts:
        facts = facts.assign(source_file=pd.NA)
    facts = facts.set_index("nomination_id", drop=False)
    none = pd.DataFrame(columns=["nomination_id"])
    return Dossiers(facts, none if members is None else members, none if achievements is None else achievements,
                    Path(inbox))


def load_dossiers(rnd: Round, store=None) -> Dossiers:
    """Everything the dossiers show, from the one round state (`wb.load_state`: every override applied)."""
    from workbench.state import load_state

    if not rnd.inbox.exists():
        return Dossiers.empty(rnd.inbox)
    state = load_state(rnd, store)
    return dossiers_from(state.screened, state.members, state.achievements, rnd.inbox)


# ---------------------------------------------------------------------------- small formatters
def esc(value: object) -> str:
    """HTML-escape any value; missing values become the dash."""
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return labels.DOSSIER["no_value"]
    return html.escape(str(value), quote=True)


def plain(value: object) -> str:
    """A value as plain text ("" when missing)."""
    return "" if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)) else str(value)


def fact_text(field: str, value: object, rnd: Round) -> str:
    """A fact as a card shows it: yes/no in words, dates to the month, lists joined, units added."""
    d = labels.DOSSIER
    if isinstance(value, (list, tuple)):
        return "；".join(str(v) for v in value) or d["no_value"]
    if value is None or pd.isna(value):
        return d["no_value"]
    if field == "category":
        return rnd.categories[value].short if value in rnd.categories else str(value)
    if isinstance(value, (bool, np.bool_)):
        return d["yes"] if bool(value) else d["no"]
    if isinstance(value, (pd.Timestamp, dt.date)):
        return f"{value.year}年{value.month}月"
    unit = labels.CARD_FACT_UNITS.get(field, "")
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.10g}{unit}"
    return f"{value}{unit}"


# ---------------------------------------------------------------------------- the parts
def facts_html(row: pd.Series, rnd: Round) -> str:
    """Whitelisted facts of one nomination (never contact, phone or free notes), two pairs a line."""
    pairs = []
    for field in FACTS:
        if field not in row.index:
            continue
        value = row[field]
        if field in ("named_on", "direct") and (value is None or pd.isna(value) or value is False):
            continue  # only 示范性 nominations have these
        pairs.append((labels.CARD_FACT_LABELS.get(field, labels.SUMMARY_FIELDS[field]), fact_text(field, value, rnd)))
    lines = ["<tr>" + "".join(f"<th>{esc(k)}</th><td>{esc(v)}</td>" for k, v in pairs[i:i + 2]) + "</tr>"
             for i in range(0, len(pairs), 2)]
    return f'<table class="wb-facts">{"".join(lines)}</table>' if lines else ""


def verdicts_html(row: pd.Series, *, note: bool = False) -> str:
    """Eligibility and quota verdicts, every rule that did not pass, and any override with its reason
    (with `note`, the summary's 备注 too: reviewers read it, the projector does not show it)."""
    d = labels.DOSSIER
    items = []
    if "eligibility" in row.index:
        items.append(f"<li><b>{esc(labels.COLUMNS['eligibility'])}</b>：{esc(labels.ELIGIBILITY.get(row['eligibility'], row['eligibility']))}</li>")
    if "quota_status" in row.index:
        reason = plain(row.get("quota_reason"))
        items.append(f"<li><b>{esc(labels.COLUMNS['quota_status'])}</b>：{esc(labels.QUOTA_STATUS.get(row['quota_status'], row['quota_status']))}"
                     f"{'（' + esc(reason) + '）' if reason else ''}</li>")
    rules = [c[len("rule_"):] for c in row.index if c.startswith("rule_") and pd.notna(row[c])]
    failing = [c for c in rules if row[f"rule_{c}"] != "pass"]
    for code in failing:
        word = labels.RULE_RESULT_WORD.get(row[f"rule_{code}"], row[f"rule_{code}"])
        why = plain(row.get(f"why_{code}"))
        items.append(f'<li class="wb-bad"><b>{esc(labels.RULE_HEADERS.get(code, code))}</b>：{esc(word)}'
                     f'{"（" + esc(why) + "）" if why else ""}</li>')
    if not rules:  # a frame without rule columns: the readable reasons intake and screening gave
        reasons = row.get("eligibility_reasons")
        for reason in reasons if isinstance(reasons, (list, tuple)) else []:
            if str(reason).strip():
                items.append(f"<li>{esc(reason)}</li>")
    if rules and not failing:
        items.append(f"<li>{esc(d['rules_ok'].format(n=len(rules)))}</li>")
    notes = row.get("override_notes")
    for override in notes if isinstance(notes, (list, tuple)) else []:  # written by screen(): who, when, why
        items.append(f'<li class="wb-override">{esc(d["override"].format(note=scrub(str(override), {})))}</li>')
    remark = plain(row.get("note")).strip() if note else ""
    if remark:
        items.append(f"<li><b>{esc(labels.SUMMARY_FIELDS['note'])}</b>：{esc(scrub(remark, {}))}</li>")
    return f"<ul class='wb-verdicts'>{''.join(items)}</ul>"


def narratives_html(row: pd.Series) -> str:
    """The form's four narratives, paragraph by paragraph (phone-like numbers masked)."""
    d = labels.DOSSIER
    parts = []
    for key, column in labels.NARRATIVE_COLUMNS.items():
        body = plain(row.get(column)).strip()
        paragraphs = [p.strip() for p in body.splitlines() if p.strip()]
        inner = ("".join(f"<p>{esc(scrub(p, {}))}</p>" for p in paragraphs) if paragraphs
                 else f'<p class="wb-missing">{esc(d["narrative_missing"])}</p>')
        parts.append(f'<section class="wb-narrative"><h4>{esc(labels.FORM_NARRATIVES[key])}</h4>{inner}</section>')
    return "".join(parts)


def table_html(frame: pd.DataFrame, columns: Iterable[str], heads: dict[str, str], rnd: Round | None = None,
               empty: str = "") -> str:
    """A small table of `columns` (those present) with escaped cells; `empty` when it has no rows."""
    if frame is None or frame.empty:
        return f'<p class="wb-note">{esc(empty)}</p>' if empty else ""
    cols = [c for c in columns if c in frame.columns]
    head = "".join(f"<th>{esc(heads.get(c, c))}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{esc(_cell(c, r[c], rnd))}</td>" for c in cols) + "</tr>"
                   for _, r in frame.iterrows())
    return f'<table class="wb-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cell(column: str, value: object, rnd: Round | None) -> str:
    d = labels.DOSSIER
    if isinstance(value, (bool, np.bool_)):
        return d["yes"] if value else d["no"]
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return ""
    if isinstance(value, (pd.Timestamp, dt.datetime)) and column == "born":
        return f"{value.year}.{value.month:02d}"
    if isinstance(value, (pd.Timestamp, dt.date)):
        return f"{value.year}-{value.month:02d}-{value.day:02d}" if column == "recognised_on" else f"{value.year}.{value.month:02d}"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.10g}"
    return str(value)


def members_html(members: pd.DataFrame) -> str:
    return table_html(members, MEMBER_SHOWN, labels.MEMBER_FIELDS, empty=labels.DOSSIER["no_members"])


def achievements_html(achievements: pd.DataFrame) -> str:
    return table_html(achievements, ACHIEVEMENT_SHOWN, labels.ACHIEVEMENT_FIELDS,
                      empty=labels.DOSSIER["no_achievements"])


def _zoom_id(prefix: str, k: int) -> str:
    return "wbz-" + hashlib.sha1(f"{prefix}|{k}".encode()).hexdigest()[:10]


def zoomable_html(items: list[tuple[str, str]], prefix: str, *, kind: str = "photo") -> str:
    """Figures (caption, data: URI) shown small; a click opens one large over the page and another
    click closes it. CSS only (a hidden checkbox per figure), so it works in a widget, in Voila and
    in the saved HTML file alike."""
    figures = []
    for k, (caption, uri) in enumerate(items):
        zid = _zoom_id(prefix, k)
        figures.append(f'<figure class="wb-fig"><input type="checkbox" id="{zid}" class="wb-zoom-toggle">'
                       f'<label for="{zid}" class="wb-zoom" title="{esc(labels.DOSSIER["zoom_hint"])}">'
                       f'<img src="{esc(uri)}" alt="{esc(caption)}"><span class="wb-cap">{esc(caption)}</span></label>'
                       f'</figure>')
    return f'<div class="wb-figs wb-{kind}s">{"".join(figures)}</div>'


def photos_html(photos: list[tuple[str, str]], prefix: str = "") -> str:
    if not photos:
        return f'<p class="wb-note">{esc(labels.DOSSIER["no_photos"])}</p>'
    return zoomable_html(photos, "photo|" + prefix)


@dataclass(frozen=True)
class Material:
    """One PDF of a studio: its name, how many pages it has, the pages rendered (caption, data: URI)
    and, when it could not be shown (in full), why."""

    name: str
    pages: int = 0
    rendered: tuple[tuple[str, str], ...] = ()
    problem: str = ""


def materials_html(materials: list[Material], prefix: str = "") -> str:
    """Every PDF with its rendered pages (each opens large on a click) and what could not be shown."""
    d = labels.DOSSIER
    if not materials:
        return f'<p class="wb-note">{esc(d["no_materials"])}</p>'
    parts = []
    for i, m in enumerate(materials):
        head = d["material_head"].format(name=m.name, pages=m.pages) if m.pages else m.name
        parts.append(f'<div class="wb-material"><div class="wb-material-name">{esc(head)}</div>')
        if m.rendered:
            parts.append(zoomable_html(list(m.rendered), f"pdf|{prefix}|{i}", kind="page"))
        if m.problem:
            parts.append(f'<p class="wb-note wb-bad">{esc(m.problem)}</p>')
        parts.append("</div>")
    return "".join(parts)


def dossier_html(row: pd.Series, rnd: Round, *, members: pd.DataFrame | None = None,
                 achievements: pd.DataFrame | None = None, photos: list[tuple[str, str]] | None = None,
                 materials: list[Material] | str | None = None, title: bool = True, facts: bool = True,
                 note: bool = False) -> str:
    """The dossier of one candidate as one escaped HTML block (class wb-dossier): facts, screening,
    narratives, team, achievements, photos and materials. `materials` may be ready HTML (a viewer
    widget shows them instead: pass ""); None leaves the section out."""
    d = labels.DOSSIER
    nid = plain(row.get("nomination_id"))
    parts = ['<div class="wb-dossier">']
    if title:
        parts.append(f'<h2 class="wb-studio">{esc(row.get("studio"))}</h2>')
    if facts:
        parts.append(f'<h3>{esc(d["facts"])}</h3>{facts_html(row, rnd)}')
        parts.append(f'<h3>{esc(d["screening"])}</h3>{verdicts_html(row, note=note)}')
    parts.append(f'<h3>{esc(d["narratives"])}</h3>{narratives_html(row)}')
    if members is not None:
        parts.append(f'<h3>{esc(d["members"].format(n=len(members)))}</h3>{members_html(members)}')
    if achievements is not None:
        parts.append(f'<h3>{esc(d["achievements"].format(n=len(achievements)))}</h3>{achievements_html(achievements)}')
    if photos is not None:
        parts.append(f'<h3>{esc(d["photos"])}</h3>{photos_html(photos, nid)}')
    if isinstance(materials, list):
        parts.append(f'<h3>{esc(d["materials"])}</h3>{materials_html(materials, nid)}')
    elif materials:
        parts.append(materials)
    parts.append("</div>")
    return "".join(parts)


# Scoped CSS of the dossier (class wb-dossier) and of the zoomable figures; the apps add it once.
STYLE = """
<style>
.wb-dossier { line-height: 1.6; }
.wb-dossier h2.wb-studio { font-size: 1.5em; margin: 0 0 6px 0; }
.wb-dossier h3 { font-size: 1.12em; margin: 16px 0 6px 0; color: #1f3a5f; border-bottom: 2px solid #dfe3e8; }
.wb-dossier h4 { font-size: 1em; margin: 10px 0 2px 0; color: #1f3a5f; }
.wb-dossier .wb-narrative p { margin: 2px 0 6px 0; text-indent: 2em; }
.wb-dossier .wb-missing, .wb-dossier .wb-bad { color: #b71c1c; }
.wb-dossier .wb-missing { text-indent: 0 !important; font-weight: 600; }
.wb-dossier .wb-override { color: #6a1b9a; }
.wb-dossier .wb-note { color: #4a5563; }
.wb-dossier ul.wb-verdicts { margin: 4px 0; padding-left: 1.2em; }
.wb-dossier table.wb-facts { border-collapse: collapse; width: 100%; }
.wb-dossier table.wb-facts th { text-align: left; color: #4a5563; font-weight: 400; padding: 2px 10px 2px 0;
  white-space: nowrap; vertical-align: top; }
.wb-dossier table.wb-facts td { padding: 2px 16px 2px 0; font-weight: 500; vertical-align: top; }
.wb-dossier table.wb-table { border-collapse: collapse; width: 100%; font-size: 0.94em; }
.wb-dossier table.wb-table th { background: #eef2f7; text-align: left; font-weight: 600; }
.wb-dossier table.wb-table th, .wb-dossier table.wb-table td { border: 1px solid #d5dbe3; padding: 3px 6px; }
.wb-figs { display: flex; flex-wrap: wrap; gap: 10px; margin: 6px 0; }
.wb-fig { margin: 0; }
.wb-zoom-toggle { display: none; }
.wb-zoom { cursor: zoom-in; display: flex; flex-direction: column; align-items: center; color: #4a5563;
  font-size: 0.9em; }
.wb-zoom img { height: 120px; max-width: 220px; object-fit: cover; border-radius: 4px; border: 1px solid #c9d3df; }
.wb-pages .wb-zoom img { height: 200px; max-width: 160px; object-fit: contain; background: #fff; }
.wb-materials .wb-zoom img { height: auto; width: 100%; max-width: 900px; max-height: none; }
.wb-zoom-toggle:checked + .wb-zoom { position: fixed; left: 0; top: 0; right: 0; bottom: 0; z-index: 10000;
  background: rgba(20, 24, 30, 0.88); justify-content: center; cursor: zoom-out; color: #fff; font-size: 20px; }
.wb-zoom-toggle:checked + .wb-zoom img { height: 86vh; width: auto; max-width: 94vw; max-height: 86vh;
  object-fit: contain; border: 0; background: #fff; }
.wb-material { margin: 4px 0 10px 0; }
.wb-material-name { font-weight: 600; }
</style>
"""


# ---------------------------------------------------------------------------- files (I/O edges)
def photo_uris(inbox: Path, row: pd.Series, limit: int = PHOTO_LIMIT, box: tuple[int, int] = PHOTO_BOX
               ) -> list[tuple[str, str]]:
    """(caption, data: URI) per photo of a studio, shrunk to `box` and re-encoded as JPEG: the page
    never requests a file, and a broken image is skipped (logged)."""
    from PIL import Image, ImageOps

    out = []
    nomination = row.to_frame().T.reindex(columns=["nomination_id", "source_file", "studio"])
    for path in studio_photos(Path(inbox), nomination).get(row.get("nomination_id"), [])[:limit]:
        try:
            with Image.open(path) as im:
                if im.width * im.height > 80_000_000:
                    raise ValueError("too many pixels")
                side = max(box)
                im.draft("RGB", (side, side))  # a JPEG is decoded at the smallest scale still >= the box (4-8x less work)
                im = ImageOps.exif_transpose(im).convert("RGB")
                im.thumbnail(box)
                buf = io.BytesIO()
                im.save(buf, format="JPEG", quality=82)
        except Exception:  # noqa: BLE001 - an unreadable photo is left out, never a traceback
            log.warning("dossier: photo %s could not be read", path)
            continue
        out.append((Path(display_name(path.name)).stem, "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")))
    return out


def material_files(inbox: Path, row: pd.Series) -> list[Path]:
    """The PDFs in the studio's own inbox folder, found by listing the inbox (a studio typed as "/"
    or "../x" finds nothing); a link that leads outside the inbox is ignored."""
    inbox = Path(inbox)
    source, studio = row.get("source_file"), row.get("studio")
    if not inbox.is_dir() or not isinstance(source, str) or not isinstance(studio, str):
        return []
    folder = studio_folders(inbox).get((source.split("/")[0], normalise_text(studio)))
    if folder is None:
        return []
    root = inbox.resolve()
    found = []
    for p in sorted(folder.rglob("*")):
        if p.suffix.lower() == ".pdf" and p.is_file() and p.resolve().is_relative_to(root):
            found.append(p)
    return found[:PDF_MAX_FILES]


def _cache_dir() -> Path | None:
    """Rendered pages are kept in WORKBENCH_CACHE (default: the user's cache folder), shared by the
    reviewers' kernels; None when it cannot be written."""
    root = Path(os.environ.get("WORKBENCH_CACHE") or Path(tempfile.gettempdir()) / "workbench-cache") / "pages"
    try:
        root.mkdir(parents=True, exist_ok=True)
        return root
    except OSError:
        return None


def _page_key(path: Path, page: int, width: int) -> str:
    st = path.stat()
    return hashlib.sha256(f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{page}|{width}".encode()).hexdigest()[:32]


def pdf_page_count(path: Path) -> int:
    """How many pages a PDF has; raises `MaterialError` (a reason in Chinese) when it cannot be shown."""
    with _open_pdf(path) as pdf:
        return len(pdf)


class MaterialError(ValueError):
    """A PDF that cannot be shown; the message says why, in Chinese."""


class _open_pdf:
    """A pdfium document under the lock, closed on exit; too big, encrypted or corrupt -> MaterialError."""

    def __init__(self, path: Path):
        self.path, self.pdf = path, None

    def __enter__(self):
        import pypdfium2 as pdfium

        d = labels.DOSSIER
        size = self.path.stat().st_size
        if size > PDF_MAX_BYTES:
            raise MaterialError(d["pdf_too_big"].format(mb=size / 1024 / 1024, max=PDF_MAX_BYTES // 1024 // 1024))
        _PDFIUM.acquire()
        try:
            self.pdf = pdfium.PdfDocument(str(self.path))
        except pdfium.PdfiumError as exc:
            _PDFIUM.release()
            code = getattr(exc, "err_code", None)
            log.warning("dossier: %s cannot be opened (%s)", self.path, exc)
            raise MaterialError(d["pdf_encrypted"] if code == 4 else d["pdf_unreadable"]) from None
        except Exception:
            _PDFIUM.release()
            raise
        return self.pdf

    def __exit__(self, *exc):
        try:
            if self.pdf is not None:
                self.pdf.close()
        finally:
            _PDFIUM.release()
        return False


def pdf_page(path: Path, page: int, width: int = PAGE_WIDTH_PX) -> bytes:
    """Page `page` (0-based) of a PDF as a JPEG `width` pixels wide (never taller than PAGE_MAX_PX),
    from the cache when it is there. Raises MaterialError when the file cannot be shown."""
    path = Path(path)
    cache = _cache_dir()
    key = _page_key(path, page, width)
    if cache is not None and (cache / f"{key}.jpg").is_file():
        return (cache / f"{key}.jpg").read_bytes()
    with _open_pdf(path) as pdf:
        if not 0 <= page < len(pdf):
            raise MaterialError(labels.DOSSIER["pdf_no_page"].format(page=page + 1))
        p = pdf[page]
        try:
            w, h = p.get_size()
            if w <= 0 or h <= 0:
                raise MaterialError(labels.DOSSIER["pdf_unreadable"])
            scale = min(width / w, PAGE_MAX_PX / h, 4.0)
            image = p.render(scale=scale, may_draw_forms=False).to_pil().convert("RGB")
        except MaterialError:
            raise
        except Exception as exc:  # noqa: BLE001 - a page pdfium cannot draw is named, never a traceback
            log.warning("dossier: page %d of %s cannot be rendered (%s)", page + 1, path, exc)
            raise MaterialError(labels.DOSSIER["pdf_unreadable"]) from None
        finally:
            p.close()
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=78)
    data = buf.getvalue()
    if cache is not None:
        tmp = cache / f".{key}.{os.getpid()}.tmp"
        try:
            tmp.write_bytes(data)
            os.replace(tmp, cache / f"{key}.jpg")
        except OSError:
            tmp.unlink(missing_ok=True)
    return data


def jpeg_uri(data: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")


def read_material(path: Path, *, max_pages: int = PDF_MAX_PAGES, width: int = PAGE_WIDTH_PX) -> Material:
    """One PDF rendered page by page (at most `max_pages`); what cannot be shown is said, not raised."""
    d = labels.DOSSIER
    try:
        n = pdf_page_count(path)
        pages = tuple((d["page"].format(page=k + 1, pages=n), jpeg_uri(pdf_page(path, k, width)))
                      for k in range(min(n, max_pages)))
    except MaterialError as exc:
        return Material(path.name, problem=str(exc))
    problem = d["pdf_more_pages"].format(shown=max_pages, pages=n) if n > max_pages else ""
    return Material(path.name, n, pages, problem)


# ---------------------------------------------------------------------------- the materials viewer (widget)
class MaterialsViewer:
    """A thin widget: the studio's PDFs, one page at a time (◀ 上一页 · 第k/n页 · 下一页 ▶); the page
    is rendered when it is asked for (and cached), so a long PDF costs nothing until it is read."""

    def __init__(self, page_width: int = PAGE_WIDTH_PX):
        import ipywidgets as widgets

        d = labels.DOSSIER
        self.page_width = page_width
        self.files: list[Path] = []
        self.counts: dict[int, int | str] = {}
        self.doc = widgets.Dropdown(options=[], layout=widgets.Layout(width="auto", max_width="100%"))
        self.prev_button = widgets.Button(description=d["prev_page"], layout=widgets.Layout(width="auto"))
        self.next_button = widgets.Button(description=d["next_page"], layout=widgets.Layout(width="auto"))
        self.where = widgets.HTML()
        self.page = widgets.HTML()
        self.index = 0
        self.prev_button.on_click(lambda _: self.step(-1))
        self.next_button.on_click(lambda _: self.step(1))
        self.doc.observe(lambda ch: self.show(0) if ch["new"] is not None else None, names="value")
        bar = widgets.HBox([self.doc, self.prev_button, self.where, self.next_button],
                           layout=widgets.Layout(flex_flow="row wrap", align_items="center", grid_gap="8px"))
        self.title = widgets.HTML(f'<div class="wb-dossier"><h3>{esc(d["materials"])}</h3></div>')
        self.widget = widgets.VBox([self.title, bar, self.page])
        self.widget.add_class("wb-materials")

    def load(self, files: list[Path]) -> None:
        """Show these PDFs (first page of the first); none -> a note."""
        d = labels.DOSSIER
        self.files, self.counts = list(files), {}
        self.doc.unobserve_all("value")
        self.doc.options = [(p.name, i) for i, p in enumerate(self.files)]
        self.doc.value = 0 if self.files else None
        self.doc.observe(lambda ch: self.show(0) if ch["new"] is not None else None, names="value")
        self.doc.layout.display = None if len(self.files) > 1 else "none"
        if not self.files:
            self.prev_button.layout.display = self.next_button.layout.display = "none"
            self.where.value = ""
            self.page.value = f'<p class="wb-note">{esc(d["no_materials"])}</p>'
            return
        self.show(0)

    def _count(self, doc: int) -> int | str:
        if doc not in self.counts:
            try:
                self.counts[doc] = pdf_page_count(self.files[doc])
            except MaterialError as exc:
                self.counts[doc] = str(exc)
        return self.counts[doc]

    def step(self, delta: int) -> None:
        self.show(self.index + delta)

    def show(self, index: object) -> None:
        """Page `index` of the chosen PDF (clamped; a value a browser made up cannot go outside)."""
        d = labels.DOSSIER
        doc = self.doc.value
        if not isinstance(doc, int) or not 0 <= doc < len(self.files):
            return
        n = self._count(doc)
        if isinstance(n, str):
            self.prev_button.layout.display = self.next_button.layout.display = "none"
            self.where.value = f"<b>{esc(self.files[doc].name)}</b>"
            self.page.value = f'<p class="wb-note wb-bad">{esc(n)}</p>'
            return
        last = min(n, PDF_MAX_PAGES) - 1
        self.index = min(max(int(index) if isinstance(index, int) else 0, 0), max(last, 0))
        self.prev_button.layout.display = self.next_button.layout.display = None
        self.prev_button.disabled, self.next_button.disabled = self.index <= 0, self.index >= last
        self.where.value = esc(d["page"].format(page=self.index + 1, pages=n))
        try:
            uri = jpeg_uri(pdf_page(self.files[doc], self.index, self.page_width))
        except MaterialError as exc:
            self.page.value = f'<p class="wb-note wb-bad">{esc(exc)}</p>'
            return
        more = (f'<p class="wb-note">{esc(d["pdf_more_pages"].format(shown=last + 1, pages=n))}</p>'
                if self.index == last and n > last + 1 else "")
        caption = f"{self.files[doc].name} · {d['page'].format(page=self.index + 1, pages=n)}"
        self.page.value = (f'<div class="wb-dossier">{zoomable_html([(caption, uri)], f"viewer|{self.files[doc]}|{self.index}", kind="page")}'
                           f"{more}</div>")


# ---------------------------------------------------------------------------- the printable file
def dossier_document(row: pd.Series, rnd: Round, dossiers: Dossiers, *, max_pages: int = PDF_MAX_PAGES) -> str:
    """The whole dossier of one candidate as a standalone HTML page (A4, printable, nothing fetched)."""
    d = labels.DOSSIER
    nid = plain(row.get("nomination_id"))
    body = dossier_html(row, rnd, members=dossiers.members_of(nid), achievements=dossiers.achievements_of(nid),
                        photos=photo_uris(dossiers.inbox, row),
                        materials=[read_material(p, max_pages=max_pages) for p in material_files(dossiers.inbox, row)])
    category = rnd.categories[row["category"]].label if row.get("category") in rnd.categories else ""
    head = d["print_head"].format(round=rnd.round.name, category=category, nomination_id=nid)
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{esc(row.get("studio"))}</title>'
            f"{STYLE.replace('</style>', PRINT_CSS + '</style>')}</head><body>"
            f'<div class="wb-print-head">{esc(head)}</div>{body}</body></html>')


PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif;
  font-size: 11pt; color: #1b1f24; margin: 0; }
.wb-print-head { color: #4a5563; font-size: 9pt; border-bottom: 1px solid #c9d3df; margin-bottom: 8px; }
h3 { break-after: avoid; }
table, figure, .wb-narrative p { break-inside: avoid; }
.wb-zoom { cursor: default; }
.wb-zoom img { height: 150px; max-width: 240px; }
.wb-pages { display: block; }
.wb-pages .wb-fig { break-before: page; text-align: center; }
.wb-pages .wb-zoom img { height: auto; width: auto; max-width: 100%; max-height: 235mm; object-fit: contain;
  border: 1px solid #c9d3df; }
"""


def find_nomination(dossiers: Dossiers, key: str) -> pd.Series:
    """A nomination by id (or by its exact studio name); raises DossierNotFound."""
    from workbench.errors import DossierNotFound

    if key in dossiers.facts.index:
        return dossiers.facts.loc[key]
    by_name = dossiers.facts[dossiers.facts["studio"].astype("string") == key] if "studio" in dossiers.facts else None
    if by_name is not None and len(by_name) == 1:
        return by_name.iloc[0]
    if by_name is not None and len(by_name) > 1:  # the same name from two unions: say which ids to choose from
        choices = "、".join(f"{r.nomination_id}（{r.recommender}）" for r in by_name.itertuples(index=False))
        raise DossierNotFound(labels.DOSSIER["ambiguous"].format(key=key, choices=choices))
    raise DossierNotFound(labels.DOSSIER["not_found"].format(key=key))


def pdf_converter() -> tuple[str, str] | None:
    """("chromium", path) or ("soffice", path): whichever can print HTML to PDF here; None if neither."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return "chromium", found
    found = shutil.which("soffice") or shutil.which("libreoffice")
    return ("soffice", found) if found else None


def html_to_pdf(html_path: Path, pdf_path: Path, *, timeout: int = 180) -> None:
    """Print a local HTML file to PDF, offline, with headless Chromium (or LibreOffice)."""
    from workbench.errors import DossierPrintError

    tool = pdf_converter()
    if tool is None:
        raise DossierPrintError(labels.DOSSIER["no_printer"])
    kind, exe = tool
    with tempfile.TemporaryDirectory() as profile:
        if kind == "chromium":
            cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                   "--disable-background-networking", f"--user-data-dir={profile}", "--no-pdf-header-footer",
                   "--print-to-pdf-no-header", f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]
        else:
            cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--convert-to",
                   "pdf:writer_web_pdf_Export", "--outdir", str(pdf_path.parent), str(html_path)]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise DossierPrintError(labels.DOSSIER["print_failed"]) from None
        if kind == "soffice":
            produced = pdf_path.parent / (html_path.stem + ".pdf")
            if produced.exists() and produced != pdf_path:
                os.replace(produced, pdf_path)
    if done.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        log.warning("dossier: %s failed: %s", kind, done.stderr[-2000:])
        raise DossierPrintError(labels.DOSSIER["print_failed"])


def write_dossier(rnd: Round, key: str, out: str | Path, *, dossiers: Dossiers | None = None,
                  store=None) -> Path:
    """`workbench dossier ID --out FILE.pdf|FILE.html`: the candidate's dossier for the paper binder."""
    from workbench.errors import DossierPrintError

    out = Path(out)
    if out.suffix.lower() not in (".pdf", ".html", ".htm"):
        raise DossierPrintError(labels.DOSSIER["bad_suffix"].format(name=out.name))
    dossiers = dossiers or load_dossiers(rnd, store)
    row = find_nomination(dossiers, key)
    document = dossier_document(row, rnd, dossiers)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() != ".pdf":
        out.write_text(document, encoding="utf-8")
        return out
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / f"{plain(row['nomination_id']) or 'dossier'}.html"
        page.write_text(document, encoding="utf-8")
        html_to_pdf(page, out)
    return out


__all__ = [
    "STYLE",
    "Dossiers",
    "Material",
    "MaterialError",
    "MaterialsViewer",
    "dossier_document",
    "dossier_html",
    "dossiers_from",
    "facts_html",
    "load_dossiers",
    "material_files",
    "materials_html",
    "narratives_html",
    "pdf_page",
    "photo_uris",
    "photos_html",
    "read_material",
    "verdicts_html",
    "write_dossier",
    "zoomable_html",
]
