"""The candidate dossier: what reviewers and the meeting read, and the printable file.

Built from the sample generator's rounds (narratives, members, achievements, photos and a PDF of
materials per studio), then attacked: script tags in every text field, a studio name that is a
path, and PDFs that are corrupt, encrypted, enormous, or absurdly many or large pages.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import struct
from pathlib import Path

import ipywidgets as widgets
import pandas as pd
import pypdfium2 as pdfium
import pytest
from PIL import Image

import workbench as wb
from workbench import dossier, labels
from workbench.dossier import (
    Dossiers,
    MaterialsViewer,
    dossier_html,
    dossiers_from,
    load_dossiers,
    material_files,
    photo_uris,
    read_material,
    write_dossier,
)
from workbench.sample import _pdf_document, _pdf_text
from tests.test_cli import run

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    """Each test renders into its own page cache."""
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))
    yield
    widgets.Widget.close_all()


@pytest.fixture(scope="module")
def sample_dossiers(small_round) -> Dossiers:
    return load_dossiers(small_round)


def pdf_bytes(pages: int = 2, size: tuple[int, int] | None = None) -> bytes:
    """A small valid PDF of `pages` pages (optionally with another page size)."""
    doc = _pdf_document([_pdf_text(56, 700, 14, f"第{k + 1}页 材料") for k in range(pages)])
    if size is not None:
        doc = doc.replace(b"/MediaBox [0 0 595 842]", b"/MediaBox [0 0 %d %d]" % size)
        doc = _fix_xref(doc)
    return doc


def _fix_xref(doc: bytes) -> bytes:
    """Recompute the cross-reference table after an edit changed object offsets."""
    body = doc[:doc.index(b"xref")]
    offsets = [m.start() + 1 for m in re.finditer(rb"\n\d+ 0 obj\n", b"\n" + body)]
    offsets = [o - 1 for o in offsets]
    trailer = doc[doc.index(b"trailer"):doc.index(b"startxref")]
    return (body + b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
            + b"".join(b"%010d 00000 n \n" % o for o in offsets) + trailer + b"startxref\n%d\n%%%%EOF\n" % len(body))


PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s, j = list(range(256)), 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    i = j = 0
    out = bytearray()
    for b in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(b ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def encrypted_pdf(user: bytes = b"secret") -> bytes:
    """A PDF protected by a user password (standard security handler, revision 2)."""
    pad = (user + PAD)[:32]
    owner = _rc4(hashlib.md5((b"owner" + PAD)[:32]).digest()[:5], pad)
    fid, p = bytes(range(16)), -44
    key = hashlib.md5(pad + owner + struct.pack("<i", p) + fid).digest()[:5]
    doc = pdf_bytes(1)
    body = doc[:doc.index(b"xref")]
    n = len(re.findall(rb"\n\d+ 0 obj\n", b"\n" + body)) + 1
    body += b"%d 0 obj\n<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>\nendobj\n" % (
        n, owner.hex().encode(), _rc4(key, PAD).hex().encode(), p)
    trailer = b"trailer\n<< /Size %d /Root 1 0 R /Encrypt %d 0 R /ID [<%s> <%s>] >>\n" % (
        n + 1, n, fid.hex().encode(), fid.hex().encode())
    return _fix_xref(body + b"xref\n" + trailer + b"startxref\n0\n%%EOF\n")


def hostile_inbox(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    """An inbox with one studio folder holding photos and PDFs, and nominations whose names are paths."""
    inbox = tmp_path / "inbox"
    studio = inbox / "U" / "甲工作室"
    (studio / "照片").mkdir(parents=True)
    Image.new("RGB", (3000, 2000), "navy").save(studio / "照片" / "领衔人标准照.jpg")
    (studio / "照片" / "内部场景1.jpg").write_bytes(b"not a jpeg at all")
    (studio / "a_材料.pdf").write_bytes(pdf_bytes(3))
    (studio / "b_损坏.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 20)
    (studio / "c_加密.pdf").write_bytes(encrypted_pdf())
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "机密.pdf").write_bytes(pdf_bytes(1))
    Image.new("RGB", (8, 8)).save(outside / "内部场景1.jpg")
    facts = pd.DataFrame({
        "nomination_id": ["N1", "N2", "N3", "N4"], "studio": ["甲工作室", "../../secret", "/", "..\\..\\secret"],
        "source_file": ["U/汇总表.xlsx", "U/汇总表.xlsx", "U/汇总表.xlsx", "../汇总表.xlsx"],
        "category": "model_worker", "recommender": "U"})
    return inbox, facts


# ---------------------------------------------------------------------------- the sample's dossiers
def test_intake_keeps_several_paragraphs_of_every_narrative(sample_dossiers):
    facts = sample_dossiers.facts
    for column in labels.NARRATIVE_COLUMNS.values():
        assert facts[column].notna().all(), column
    assert (facts["main_deeds"].str.count("\n") >= 3).all()  # four paragraphs of deeds
    assert (facts["main_results"].str.count("\n") >= 2).all()
    assert not sample_dossiers.members.empty and not sample_dossiers.achievements.empty


def test_intake_takes_a_pdf_of_materials_as_materials_not_as_an_unread_file(small_round):
    problems = wb.read_inbox(small_round.inbox, small_round).problems
    assert not problems["file"].str.endswith(".pdf").any()


def test_every_sample_studio_has_a_small_pdf_of_materials_that_renders(sample_dossiers):
    shown = 0
    for _, row in sample_dossiers.facts.iterrows():
        files = material_files(sample_dossiers.inbox, row)
        assert [f.name for f in files] == [labels.SAMPLE_PDF_FILE]
        assert files[0].stat().st_size < 12_000  # a few KB: the repository stays small
        shown += 1
    material = read_material(files[0])
    assert material.pages >= 3 and len(material.rendered) == material.pages and not material.problem
    image = Image.open(io.BytesIO(base64.b64decode(material.rendered[0][1].split(",", 1)[1])))
    assert image.width == dossier.PAGE_WIDTH_PX and image.height <= dossier.PAGE_MAX_PX
    assert image.convert("L").getextrema()[0] < 100  # there is ink on the page, not a blank image
    assert shown == len(sample_dossiers.facts)


def test_the_dossier_shows_everything_a_reviewer_reads(sample_dossiers, small_round):
    nid = sample_dossiers.facts.index[0]
    row = sample_dossiers.facts.loc[nid]
    page = dossier_html(row, small_round, members=sample_dossiers.members_of(nid),
                        achievements=sample_dossiers.achievements_of(nid),
                        photos=photo_uris(sample_dossiers.inbox, row),
                        materials=[read_material(p) for p in material_files(sample_dossiers.inbox, row)])
    for label in (*labels.FORM_NARRATIVES.values(), "团队成员", "创新成果", "照片", "电子材料"):
        assert label in page
    first_paragraph = row["main_deeds"].splitlines()[0]
    assert f"<p>{first_paragraph}</p>" in page
    assert sample_dossiers.members_of(nid)["name"].iloc[0] in page
    assert sample_dossiers.achievements_of(nid)["name"].iloc[0] in page
    assert row["contact"] not in page and row["phone"] not in page  # never personal contact data
    assert page.count('class="wb-zoom-toggle"') >= 2  # photos and pages open large on a click


# ---------------------------------------------------------------------------- hostile input
def test_script_tags_in_every_text_are_escaped(small_round):
    row = pd.Series({"nomination_id": "N1", "studio": SCRIPT, "category": "model_worker", "recommender": SCRIPT,
                     "host_unit": SCRIPT, "leader": SCRIPT, "leader_honours": [SCRIPT], "main_deeds": SCRIPT + "\n" + SCRIPT,
                     "main_results": SCRIPT, "unit_opinion": SCRIPT, "union_opinion": SCRIPT, "note": SCRIPT,
                     "override_notes": [SCRIPT], "eligibility_reasons": [SCRIPT]})
    members = pd.DataFrame({"nomination_id": ["N1"], "seq": [1], "name": [SCRIPT], "post": [SCRIPT]})
    achievements = pd.DataFrame({"nomination_id": ["N1"], "seq": [1], "name": [SCRIPT], "recognised_by": [SCRIPT]})
    page = dossier_html(row, small_round, members=members, achievements=achievements,
                        photos=[(SCRIPT, 'data:image/jpeg;base64,AAAA" onload="alert(1)')],
                        materials=[dossier.Material(SCRIPT, 1, ((SCRIPT, "data:image/jpeg;base64,AA"),), SCRIPT)],
                        note=True)
    assert "<script" not in page and "onerror=" not in page.replace("onerror=alert(1)&gt;", "")
    assert 'onload="' not in page and "&lt;script&gt;" in page


def test_a_studio_name_that_is_a_path_finds_nothing_outside_its_folder(tmp_path):
    inbox, facts = hostile_inbox(tmp_path)
    d = dossiers_from(facts, None, None, inbox)
    for nid in ("N2", "N3", "N4"):
        assert material_files(inbox, d.row(nid)) == [] and photo_uris(inbox, d.row(nid)) == []
    assert [p.name for p in material_files(inbox, d.row("N1"))] == ["a_材料.pdf", "b_损坏.pdf", "c_加密.pdf"]


def test_a_link_out_of_the_inbox_is_not_followed(tmp_path):
    inbox, facts = hostile_inbox(tmp_path)
    (inbox / "U" / "甲工作室" / "d_链接.pdf").symlink_to(tmp_path / "secret" / "机密.pdf")
    names = [p.name for p in material_files(inbox, dossiers_from(facts, None, None, inbox).row("N1"))]
    assert "d_链接.pdf" not in names


def test_a_union_folder_named_in_gbk_shows_its_photos_and_materials(tmp_path):
    """Intake names a GBK-encoded folder as its author wrote it; the dossier finds the folder by that name."""
    inbox = tmp_path / "inbox"
    studio = os.fsencode(inbox) + b"/" + "江阴市总工会".encode("gbk") + b"/" + "甲工作室".encode("gbk")
    os.makedirs(studio)
    Image.new("RGB", (40, 30), "navy").save(os.fsdecode(studio + b"/" + "领衔人标准照".encode("gbk") + b".jpg"))
    Path(os.fsdecode(studio + b"/a.pdf")).write_bytes(pdf_bytes(1))
    row = pd.Series({"nomination_id": "N1", "studio": "甲工作室", "source_file": "江阴市总工会/汇总表.xlsx"})
    assert [caption for caption, _ in photo_uris(inbox, row)] == ["领衔人标准照"]
    assert [p.name for p in material_files(inbox, row)] == ["a.pdf"]


def test_broken_photos_are_left_out_and_big_ones_are_shrunk(tmp_path):
    inbox, facts = hostile_inbox(tmp_path)
    photos = photo_uris(inbox, dossiers_from(facts, None, None, inbox).row("N1"))
    assert [caption for caption, _ in photos] == ["领衔人标准照"]  # the unreadable scene is skipped
    image = Image.open(io.BytesIO(base64.b64decode(photos[0][1].split(",", 1)[1])))
    assert max(image.size) <= max(dossier.PHOTO_BOX)


def test_corrupt_and_encrypted_pdfs_are_named_not_raised(tmp_path):
    inbox, facts = hostile_inbox(tmp_path)
    files = {p.name: p for p in material_files(inbox, dossiers_from(facts, None, None, inbox).row("N1"))}
    good, corrupt, locked = (read_material(files[n]) for n in ("a_材料.pdf", "b_损坏.pdf", "c_加密.pdf"))
    assert good.pages == 3 and len(good.rendered) == 3 and not good.problem
    assert corrupt.rendered == () and corrupt.problem == labels.DOSSIER["pdf_unreadable"]
    assert locked.rendered == () and locked.problem == labels.DOSSIER["pdf_encrypted"]
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(pdf_bytes(3)[:400])
    assert read_material(truncated).problem  # whatever pdfium makes of it: a message, never a traceback


def test_a_huge_pdf_is_not_rendered(tmp_path, monkeypatch):
    big = tmp_path / "big.pdf"
    big.write_bytes(pdf_bytes(2) + b"%" + b"x" * 5000)
    monkeypatch.setattr(dossier, "PDF_MAX_BYTES", 4000)
    got = read_material(big)
    assert got.rendered == () and "文件过大" in got.problem


def test_only_the_first_pages_of_a_long_pdf_are_rendered(tmp_path):
    long = tmp_path / "long.pdf"
    long.write_bytes(pdf_bytes(200))
    got = read_material(long, max_pages=4)
    assert got.pages == 200 and len(got.rendered) == 4
    assert got.problem == labels.DOSSIER["pdf_more_pages"].format(shown=4, pages=200)


@pytest.mark.parametrize("size", [(200_000, 200_000), (14_400, 14), (3, 14_400)])
def test_an_absurd_page_size_cannot_make_a_huge_image(tmp_path, size):
    odd = tmp_path / "odd.pdf"
    odd.write_bytes(pdf_bytes(1, size))
    data = dossier.pdf_page(odd, 0)
    w, h = Image.open(io.BytesIO(data)).size
    assert w <= dossier.PAGE_WIDTH_PX and h <= dossier.PAGE_MAX_PX


def test_rendered_pages_are_cached_and_a_changed_file_is_rendered_again(tmp_path):
    doc = tmp_path / "m.pdf"
    doc.write_bytes(pdf_bytes(2))
    first = dossier.pdf_page(doc, 1)
    cached = list((tmp_path / "cache" / "pages").glob("*.jpg"))
    assert len(cached) == 1 and cached[0].read_bytes() == first
    assert dossier.pdf_page(doc, 1) == first
    doc.write_bytes(pdf_bytes(3))
    dossier.pdf_page(doc, 1)
    assert len(list((tmp_path / "cache" / "pages").glob("*.jpg"))) == 2


def test_the_viewer_shows_one_page_at_a_time_and_clamps_what_a_browser_sends(tmp_path):
    inbox, facts = hostile_inbox(tmp_path)
    viewer = MaterialsViewer(page_width=300)
    viewer.load(material_files(inbox, dossiers_from(facts, None, None, inbox).row("N1")))
    assert viewer.page.value.count("<img") == 1 and "第1页 / 共3页" in viewer.where.value
    viewer.next_button.click()
    viewer.next_button.click()
    assert "第3页" in viewer.where.value and viewer.next_button.disabled
    for crafted in (10**9, -5, "2", None):
        viewer.show(crafted)
        assert viewer.where.value.startswith("第") and viewer.page.value.count("<img") == 1
    viewer.doc.value = 1  # the corrupt one
    assert labels.DOSSIER["pdf_unreadable"] in viewer.page.value
    viewer.doc.value = 2
    assert labels.DOSSIER["pdf_encrypted"] in viewer.page.value
    viewer.load([])
    assert labels.DOSSIER["no_materials"] in viewer.page.value


# ---------------------------------------------------------------------------- the printed dossier
def test_the_printed_html_is_self_contained(sample_dossiers, small_round, tmp_path):
    nid = sample_dossiers.facts.index[0]
    out = write_dossier(small_round, nid, tmp_path / "d.html", dossiers=sample_dossiers)
    page = out.read_text(encoding="utf-8")
    assert sample_dossiers.facts.loc[nid, "studio"] in page and "@page" in page
    assert not re.search(r'(src|href)="(?!data:|#)', page)  # nothing fetched: every image is inline
    assert page.count("data:image/jpeg;base64,") >= 3


@pytest.mark.skipif(dossier.pdf_converter() is None, reason="neither Chromium nor LibreOffice is installed")
def test_the_cli_prints_a_dossier_pdf(small_round, tmp_path):
    d = load_dossiers(small_round)
    nid = d.facts.index[1]
    out = tmp_path / "卷宗.pdf"
    done = run("dossier", nid, "--out", str(out), "--workdir", str(small_round.workdir))
    assert str(out) in done.stdout
    pdf = pdfium.PdfDocument(str(out))
    try:
        assert len(pdf) >= 3  # the dossier, then a page per page of the studio's PDF
        text = "".join(pdf[k].get_textpage().get_text_range() for k in range(2))
    finally:
        pdf.close()
    assert d.facts.loc[nid, "studio"] in text and "主要事迹" in text


def test_the_cli_refuses_an_unknown_candidate_or_file_type(small_round, tmp_path):
    w = ["--workdir", str(small_round.workdir)]
    missing = run("dossier", "N00000000", "--out", str(tmp_path / "x.html"), *w, check=False)
    assert missing.returncode == 2 and "没有找到推荐对象" in missing.stderr and "Traceback" not in missing.stderr
    d = load_dossiers(small_round)
    twice = d.facts["studio"][d.facts["studio"].duplicated()]
    if len(twice):  # the sample plants the same studio from two unions: the ids to choose from are named
        same = run("dossier", twice.iloc[0], "--out", str(tmp_path / "x.html"), *w, check=False)
        ids = d.facts.index[d.facts["studio"] == twice.iloc[0]]
        assert same.returncode == 2 and all(i in same.stderr for i in ids)
    unique = d.facts["studio"].drop_duplicates(keep=False).iloc[0]
    by_name = run("dossier", unique, "--out", str(tmp_path / "by-name.html"), *w)
    assert unique in (tmp_path / "by-name.html").read_text(encoding="utf-8") and by_name.returncode == 0
    wrong = run("dossier", "N00000000", "--out", str(tmp_path / "x.docx"), *w, check=False)
    assert wrong.returncode == 2 and ".pdf 或 .html" in wrong.stderr


def test_the_meeting_card_reads_the_same_dossier(demo_round):
    from workbench.meeting import card_html

    snap = wb.load_state(demo_round, diagnostics=False)
    nid = snap.ranked["nomination_id"].iloc[0]
    card = card_html(snap, nid)
    row = snap.screened.set_index("nomination_id").loc[nid]
    assert row["main_deeds"].splitlines()[0] in card and labels.FORM_NARRATIVES["union_opinion"] in card
    members = snap.members[snap.members["nomination_id"] == nid]
    assert not members.empty and members["name"].iloc[-1] in card
    assert row["phone"] not in card


def test_the_round_config_gives_every_criterion_its_rubric_text():
    rnd = wb.load_round()
    for crit in rnd.rubric:
        assert len(crit.description) > 20 and set(crit.basis) <= {"material", "site"} and crit.basis


@pytest.mark.parametrize(("field", "value", "shown"), [("benefit", 1_500_000.0, "1500000"), ("site_area", 123456.5, "123456.5"),
                                                        ("funding", 5.5, "5.5")])
def test_large_and_precise_numbers_are_shown_as_typed(field, value, shown):
    text = dossier.fact_text(field, value, wb.load_round())
    assert text.startswith(shown) and "e+" not in text
