"""The scoring app (评分): a reviewer logs in with a personal access code and scores their candidates.

Two layers. Pure helpers build what is shown (list labels, the candidate card as escaped HTML from
whitelisted fields, photo thumbnails) and read what was typed (`parse_points`); the widget shell
`ScoringApp` only wires them to the store.

Whatever a browser sends, a widget value is only a request (a viewer can set any trait of any
widget, see the Voila notes): the store validates every value again (rubric maximum, step,
assignment, conflicts, closed stage, version) before anything is written, the app opens a
candidate only after asking the store whether this reviewer may see it, and it only ever asks the
store for the logged-in reviewer's *own* sheets; of the round state it keeps the candidates' facts
only, so the app holds no other reviewer's scores. The reviewer's id lives in Python, never in a
widget trait.

Nothing of the round is read before a login (a page load, by anyone, costs a kernel and no more):
the candidates' facts are read at the first login, from a cache file in the round's out/ folder
while the inbox has not changed. Wrong codes are counted in the store (per code id and per browser
address), so a fresh page does not reset the lockout; the code a reviewer logged in with is
checked again at every save and every opened card, so revoking it ends the session there.

Drafts are saved when a field is left (the inputs send their value on blur or Enter, so there is
one save per edited field, not one per keystroke); a submitted sheet that is edited is saved as
submitted again when it is still complete, and otherwise left unchanged with a message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import logging
import math
import os
import pickle
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import pandas as pd

from workbench import labels
from workbench.config import Round
from workbench.errors import (
    AccessCodeError,
    NotAssignedError,
    ScoreValidationError,
    StageClosedError,
    StaleWriteError,
    WorkbenchError,
)
from workbench.intake.checks import studio_photos
from workbench.serve import viewer_address
from workbench.store import Store, validate_sheet
from workbench.store.codes import code_id

log = logging.getLogger(__name__)

MAX_PHOTOS = 8
THUMBNAIL_PX = 240

STYLE = """
<style>
.wb-scoring { --jp-widgets-font-size: 15px; --jp-widgets-inline-height: 32px; --jp-ui-font-size1: 15px;
  font-size: 15px; color: #1b1f24; max-width: 1680px; }
.wb-scoring .widget-html-content { font-size: 15px; line-height: 1.5; }
.wb-scoring .wb-head { font-size: 20px; font-weight: 700; }
.wb-scoring .wb-who { font-size: 16px; color: #4a5563; }
.wb-scoring .wb-login { max-width: 560px; padding: 28px 32px; margin: 40px auto; border: 1px solid #d5dbe3;
  border-radius: 8px; background: #fbfcfd; }
.wb-scoring .wb-login h2 { font-size: 24px; margin: 0 0 8px 0; }
.wb-scoring .wb-msg { padding: 8px 12px; border-radius: 4px; margin: 6px 0; line-height: 1.5; }
.wb-scoring .wb-ok { background: #e8f5e9; color: #1b5e20; }
.wb-scoring .wb-warn { background: #fff8e1; color: #7a4f01; }
.wb-scoring .wb-err { background: #fdecea; color: #8e1c1c; }
.wb-scoring .wb-list select { font-size: 15px; line-height: 1.6; }
.wb-scoring .wb-card h3 { font-size: 20px; margin: 0 0 6px 0; }
.wb-scoring .wb-card h4 { font-size: 15px; margin: 12px 0 4px 0; color: #1f3a5f; border-bottom: 1px solid #dfe3e8; }
.wb-scoring .wb-facts { display: grid; grid-template-columns: max-content minmax(6em, 1fr) max-content minmax(6em, 1fr);
  column-gap: 12px; row-gap: 3px; }
.wb-scoring .wb-facts .wb-k { color: #4a5563; max-width: 13em; }
.wb-scoring .wb-facts .wb-v { font-weight: 500; }
.wb-scoring table.wb-achievements { border-collapse: collapse; width: 100%; font-size: 14px; }
.wb-scoring table.wb-achievements td, .wb-scoring table.wb-achievements th { border-bottom: 1px solid #eef1f5;
  padding: 2px 6px 2px 0; text-align: left; }
.wb-scoring .wb-notes li { margin: 2px 0; }
.wb-scoring .wb-row > * { margin-right: 12px; }
.wb-scoring .wb-photos img { border-radius: 4px; border: 1px solid #dfe3e8; object-fit: cover; }
.wb-scoring .wb-form { border-left: 1px solid #dfe3e8; padding-left: 16px; }
.wb-scoring .wb-form .widget-text input { text-align: right; font-variant-numeric: tabular-nums; }
.wb-scoring .wb-invalid input { border-color: #c62828; background: #fdecea; }
.wb-scoring .wb-total { font-size: 17px; margin: 8px 0 4px 0; }
.wb-scoring .wb-hint { color: #4a5563; font-size: 14px; }
.wb-scoring .wb-hint.wb-needed { color: #8e1c1c; font-weight: 600; }
</style>
"""


# ---------------------------------------------------------------------------- the candidates' facts
@dataclass(frozen=True)
class Candidates:
    """What the cards show, read once from the inbox: the screened nominations (with the paths of
    their photos) and their recognised achievements, both indexed by nomination_id."""

    facts: pd.DataFrame
    achievements: pd.DataFrame

    @classmethod
    def empty(cls) -> "Candidates":
        return cls(pd.DataFrame(columns=["photos"]), pd.DataFrame(columns=["nomination_id"]))


def load_candidates(rnd: Round, store: Store | None = None) -> Candidates:
    """The candidates' facts, screening notes (every override applied) and photos, from the round
    state; only these are kept (not the state's scores: a reviewer's kernel holds no one else's)."""
    from workbench.state import load_state

    if not rnd.inbox.exists():
        return Candidates.empty()
    state = load_state(rnd, store)
    return candidates_from(state.screened, state.achievements, rnd.inbox)


def inbox_fingerprint(rnd: Round, overrides: pd.DataFrame | None = None) -> str:
    """What the candidates' facts depend on: every inbox file (path, size, time), the analyst's
    overrides and the round config; equal fingerprints, equal facts."""
    digest = hashlib.sha256(rnd.source_sha256.encode())
    if rnd.inbox.exists():
        for folder, dirs, files in sorted(os.walk(rnd.inbox)):
            dirs.sort()
            for name in sorted(files):
                st = os.stat(os.path.join(folder, name))
                digest.update(f"{os.path.relpath(os.path.join(folder, name), rnd.inbox)}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    if overrides is not None and len(overrides):
        digest.update(overrides.to_csv(index=False).encode())
    return digest.hexdigest()[:32]


def cached_candidates(rnd: Round, store: Store | None = None) -> Candidates:
    """`load_candidates`, read once per inbox state: kept in the round's working folder (under out/,
    with what the workbench makes), so the reviewers' kernels after the first read a small file
    instead of the whole inbox. Unlike the round state, the cards do not depend on the scores: a
    save does not make the next login read the round again."""
    overrides = store.overrides() if store is not None else None
    cache = rnd.paths.workdir / "out" / "cache" / f"candidates-{inbox_fingerprint(rnd, overrides)}.pickle"
    try:
        with open(cache, "rb") as f:  # written by this code in the round's own folder, like the store
            found = pickle.load(f)
        if isinstance(found, Candidates):
            return found
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    candidates = load_candidates(rnd, store)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        part = cache.with_suffix(f".{os.getpid()}.part")
        with open(part, "wb") as f:
            pickle.dump(candidates, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(part, cache)  # whole or absent, whoever reads it
    except OSError:
        log.warning("scoring: cannot write the candidates cache %s", cache)
    return candidates


def candidates_from(screened: pd.DataFrame, achievements: pd.DataFrame, inbox: Path) -> Candidates:
    """`Candidates` from a screened frame, with each studio's photos as intake finds them."""
    facts = screened.drop_duplicates("nomination_id")
    if "source_file" not in facts:
        facts = facts.assign(source_file=pd.NA)
    photos = studio_photos(inbox, facts)
    facts = facts.assign(photos=[photos[n] for n in facts["nomination_id"]]).set_index("nomination_id", drop=False)
    return Candidates(facts, achievements)


# ---------------------------------------------------------------------------- pure helpers
def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def status_word(status: str) -> str:
    return labels.SCORING[f"status_{status}"] if f"status_{status}" in labels.SCORING else labels.SCORING["unknown"]


def list_label(status: str, studio: str, total: float | None = None) -> str:
    """One line of the reviewer's list: status (and their own total), then the studio."""
    if total is not None and not pd.isna(total) and status != "none":
        return labels.SCORING["list_label_total"].format(status=status_word(status), total=float(total), studio=studio)
    return labels.SCORING["list_label"].format(status=status_word(status), studio=studio)


def parse_points(typed: Mapping[str, object]) -> dict[str, object]:
    """What the reviewer typed, per criterion: blank fields are left out, numbers become floats (full-width
    digits and a Chinese decimal point accepted); anything else is passed on as typed, for the store's
    validation to name it."""
    points: dict[str, object] = {}
    for code, raw in typed.items():
        text = unicodedata.normalize("NFKC", str(raw if raw is not None else "")).strip().replace("。", ".")
        if not text:
            continue
        try:
            points[code] = float(text)
        except ValueError:
            points[code] = text
    return points


def sheet_total(points: Mapping[str, object]) -> float:
    return float(sum(v for v in points.values() if isinstance(v, float) and math.isfinite(v)))


def fmt_points(value: float) -> str:
    return f"{value:g}"


def _fact(value: object) -> str:
    """A fact as the card shows it: yes/no in words, dates to the month, lists joined."""
    s = labels.SCORING
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value) or s["unknown"]
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return s["unknown"]
    if isinstance(value, (bool, np.bool_)):
        return s["yes"] if value else s["no"]
    if isinstance(value, (pd.Timestamp, dt.date)):
        return f"{value.year}年{value.month}月"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):g}"
    return str(value)


def card_html(row: pd.Series, rnd: Round, achievements: pd.DataFrame | None = None) -> str:
    """The candidate card: whitelisted facts (never contact or phone), screening notes, achievements.
    Every value is HTML-escaped: the inbox is typed by many hands."""
    s = labels.SCORING
    heads = {**labels.SUMMARY_FIELDS}
    facts = []
    for field in labels.SCORING_CARD_FIELDS:
        if field not in row.index or field == "note":
            continue
        value = row[field]
        if field == "category":
            value = rnd.categories[value].label if value in rnd.categories else value
        if field in ("named_on", "direct") and (value is None or pd.isna(value) or value is False):
            continue  # only 示范性 nominations have these
        facts.append(f"<span class='wb-k'>{esc(heads.get(field, field))}</span><span class='wb-v'>{esc(_fact(value))}</span>")
    notes = [s["eligible_note"].format(eligibility=labels.ELIGIBILITY.get(str(row.get("eligibility")), s["unknown"]),
                                       quota=labels.QUOTA_STATUS.get(str(row.get("quota_status")), s["unknown"]))]
    for key in ("eligibility_reasons", "override_notes"):
        value = row.get(key)
        if isinstance(value, (list, tuple)):
            notes += [str(v) for v in value if str(v).strip()]
    for key in ("quota_reason", "note"):
        value = row.get(key)
        if isinstance(value, str) and value.strip():
            notes.append((labels.SUMMARY_FIELDS["note"] + "：" if key == "note" else "") + value.strip())
    parts = [f'<div class="wb-card"><h3>{esc(row.get("studio", ""))}</h3>',
             f'<h4>{esc(s["facts"])}</h4><div class="wb-facts">{"".join(facts)}</div>',
             f'<h4>{esc(s["screening"])}</h4><ul class="wb-notes">{"".join(f"<li>{esc(n)}</li>" for n in notes)}</ul>']
    if achievements is not None and len(achievements):
        heads_a = labels.ACHIEVEMENT_FIELDS
        cols = [c for c in ("name", "kind", "level", "recognised_on", "benefit") if c in achievements.columns]
        head = "".join(f"<th>{esc(heads_a[c])}</th>" for c in cols)
        body = "".join("<tr>" + "".join(f"<td>{esc(_fact(r[c]))}</td>" for c in cols) + "</tr>"
                       for _, r in achievements.iterrows())
        parts.append(f'<h4>{esc(s["achievements"])}</h4><table class="wb-achievements"><tr>{head}</tr>{body}</table>')
    parts.append("</div>")
    return "".join(parts)


def thumbnail(path: Path, size: int = THUMBNAIL_PX) -> bytes | None:
    """A small JPEG of a photo (None when it cannot be read): the page never carries the originals."""
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as img:
            img = ImageOps.exif_transpose(img).convert("RGB")
            img.thumbnail((size, size))
            out = io.BytesIO()
            img.save(out, format="JPEG", quality=80)
            return out.getvalue()
    except Exception:  # a broken photo is left out, never a crash
        log.warning("scoring: cannot read photo %s", path)
        return None


def _row(children: list, **layout: str) -> widgets.HBox:
    """A row of widgets with some space between them (see .wb-row in STYLE)."""
    box = widgets.HBox(children, layout=widgets.Layout(align_items="center", **layout))
    box.add_class("wb-row")
    return box


def _msg(text: str, kind: str = "ok") -> str:
    return f'<div class="wb-msg wb-{kind}">{esc(text)}</div>' if text else ""


def _clock(rnd: Round) -> str:
    """Now on the round's clock, whatever the server's time zone."""
    return rnd.now().strftime("%H:%M:%S")


# ---------------------------------------------------------------------------- widget shell
class ScoringApp(widgets.VBox):
    """Login, the reviewer's list with progress, the candidate card and the score form."""

    def __init__(self, store: Store, rnd: Round, candidates: Candidates | None = None, *, client: str | None = None):
        s = labels.SCORING
        self.store, self.rnd = store, rnd
        self._candidates = candidates  # None: read at the first login, never before
        self.client = client  # the browser's address, for the lockout (None: unknown)
        self.reviewer_id: str | None = None
        self.session: str | None = None  # the code id this reviewer logged in with
        self.current: tuple[str, str] | None = None  # (nomination_id, stage) on screen
        self.version: int | None = None
        self.sheet_status = "none"
        self.closed = False
        self.stale = False
        self._loading = False  # filling the form from the store: not an edit
        self._quiet = False  # changing the list's options: not a selection
        self._worklist = pd.DataFrame()
        self._thumbs: dict[str, list[bytes]] = {}

        # login
        self.code = widgets.Password(description=s["code"], placeholder=s["code_placeholder"],
                                     style={"description_width": "4em"}, layout=widgets.Layout(width="360px"))
        self.login_button = widgets.Button(description=s["login"], button_style="primary",
                                           layout=widgets.Layout(width="120px"))
        self.login_button.on_click(lambda _: self.login(self.code.value))
        self.login_message = widgets.HTML()
        self.login_view = widgets.VBox([
            widgets.HTML(f"<h2>{esc(s['title'])}</h2><p>{esc(s['login_intro'])}</p>"),
            _row([self.code, self.login_button]),
            self.login_message])
        self.login_view.add_class("wb-login")

        # header
        self.who = widgets.HTML()
        self.who.add_class("wb-who")
        self.stage_switch = widgets.ToggleButtons(options=[], style={"button_width": "auto"})
        self.stage_switch.observe(self._stage_changed, names="value")
        self.progress = widgets.IntProgress(min=0, max=1, value=0, layout=widgets.Layout(width="220px"))
        self.progress_text = widgets.HTML()
        self.logout_button = widgets.Button(description=s["logout"], layout=widgets.Layout(width="90px"))
        self.logout_button.on_click(lambda _: self.logout())
        header = _row([widgets.HTML(f'<div class="wb-head">{esc(s["title"])}</div>'), self.who, self.stage_switch,
                       self.progress, self.progress_text, self.logout_button],
                      flex_flow="row wrap", border_bottom="1px solid #dfe3e8", padding="0 0 6px 0")

        # list
        self.candidate_list = widgets.Select(options=[], rows=18, layout=widgets.Layout(width="100%"))
        self.candidate_list.add_class("wb-list")
        self.candidate_list.observe(self._selected, names="value")
        self.list_message = widgets.HTML()
        left = widgets.VBox([self.candidate_list, self.list_message],
                            layout=widgets.Layout(width="300px", min_width="300px", flex="0 0 300px"))

        # card
        self.card = widgets.HTML()
        self.photo_title = widgets.HTML()
        self.photos = [widgets.Image(format="jpeg", layout=widgets.Layout(height="110px", width="auto", display="none"))
                       for _ in range(MAX_PHOTOS)]
        self.photo_box = _row(self.photos, flex_flow="row wrap")
        self.photo_box.add_class("wb-photos")
        self.card_box = widgets.VBox([self.card, self.photo_title, self.photo_box],
                                     layout=widgets.Layout(flex="1 1 auto", min_width="360px", padding="0 16px"))

        # form
        self.form_title = widgets.HTML()
        self.inputs: dict[str, widgets.Text] = {}
        for crit in rnd.rubric:
            box = widgets.Text(continuous_update=False, style={"description_width": "14em"},
                               layout=widgets.Layout(width="320px"))
            box.observe(self._edited, names="value")
            self.inputs[crit.code] = box
        self.total = widgets.HTML()
        self.total.add_class("wb-total")
        self.comment_hint = widgets.HTML()
        self.comment = widgets.Textarea(continuous_update=False, placeholder=s["comment"],
                                        layout=widgets.Layout(width="320px", height="90px"))
        self.comment.observe(self._edited, names="value")
        self.submit_button = widgets.Button(description=s["submit"], button_style="success",
                                            layout=widgets.Layout(width="120px"))
        self.submit_button.on_click(lambda _: self.submit())
        self.reload_button = widgets.Button(description=s["reload"], button_style="warning",
                                            layout=widgets.Layout(width="120px", display="none"))
        self.reload_button.on_click(lambda _: self.reload())
        self.status = widgets.HTML()
        self.form = widgets.VBox([self.form_title, *self.inputs.values(), self.total, self.comment_hint,
                                  widgets.HTML(f"<b>{esc(s['comment'])}</b>"), self.comment,
                                  _row([self.submit_button, self.reload_button]), self.status],
                                 layout=widgets.Layout(width="350px", min_width="350px", flex="0 0 350px"))
        self.form.add_class("wb-form")
        self.detail = widgets.HBox([self.card_box, self.form], layout=widgets.Layout(flex="1 1 auto"))
        self.placeholder = widgets.HTML()
        body = widgets.HBox([left, widgets.VBox([self.placeholder, self.detail], layout=widgets.Layout(flex="1 1 auto"))],
                            layout=widgets.Layout(align_items="flex-start", margin="10px 0 0 0"))
        self.main_view = widgets.VBox([header, body])
        super().__init__([widgets.HTML(STYLE), self.login_view, self.main_view])
        self.add_class("wb-scoring")
        self._show_login()

    @property
    def candidates(self) -> Candidates:
        """The candidates' facts, read when first needed (after a login)."""
        if self._candidates is None:
            self._candidates = cached_candidates(self.rnd, self.store)
        return self._candidates

    # ------------------------------------------------------------------ login
    def login(self, code: object) -> bool:
        """Log in with an access code; returns whether it worked (the page says why not)."""
        s = labels.SCORING
        self.code.value = ""
        try:
            reviewer_id = self.store.login(code, client=self.client or viewer_address())
        except AccessCodeError as exc:
            self.login_message.value = _msg(str(exc), "err")
            return False
        self.session = code_id(code)
        self.reviewer_id = reviewer_id
        names = self.store.reviewers().set_index("reviewer_id")["name"]
        self.who.value = esc(s["welcome"].format(name=names.get(reviewer_id, ""), reviewer_id=reviewer_id))
        self.login_message.value = ""
        self.login_view.layout.display = "none"
        self.main_view.layout.display = None
        self._load_worklist()
        stages = [st for st in self.rnd.stages if (self._worklist["stage"] == st).any()] or list(self.rnd.stages)[:1]
        self._quiet = True
        try:
            self.stage_switch.options = [(self.rnd.stages[st].label, st) for st in stages]
            self.stage_switch.value = stages[0]
        finally:
            self._quiet = False
        self.stage_switch.layout.display = None if len(stages) > 1 else "none"
        self._show_stage(open_first=True)
        return True

    def logout(self, message: str | None = None) -> None:
        """Forget the reviewer and clear everything of theirs from the page."""
        self.reviewer_id = self.session = None
        self._close_candidate()
        self._quiet = True
        try:
            self.candidate_list.options = []
            self.stage_switch.options = []
        finally:
            self._quiet = False
        self._worklist = pd.DataFrame()
        self._thumbs.clear()
        self.who.value = ""
        self._show_login()
        self.login_message.value = _msg(message, "err") if message else _msg(labels.SCORING["logged_out"])

    def _session_valid(self) -> bool:
        """Whether the code this reviewer logged in with still works; if not, the session ends here."""
        try:
            self.store.check_session(self.reviewer_id, self.session)
        except AccessCodeError as exc:
            self.logout(str(exc))
            return False
        return True

    def _show_login(self) -> None:
        self.login_view.layout.display = None
        self.main_view.layout.display = "none"

    # ------------------------------------------------------------------ list and progress
    @property
    def stage(self) -> str | None:
        return self.stage_switch.value

    def _load_worklist(self) -> None:
        self._worklist = self.store.worklist(self.reviewer_id) if self.reviewer_id else pd.DataFrame()

    def _rows(self) -> pd.DataFrame:
        wl = self._worklist
        return wl[wl["stage"] == self.stage] if len(wl) else wl

    def _refresh_list(self) -> None:
        """Relabel the list (statuses, totals) and the progress bar, keeping the selection."""
        s = labels.SCORING
        rows = self._rows()
        options = [(list_label(r.status, r.studio, r.total), r.nomination_id) for r in rows.itertuples(index=False)]
        keep = self.candidate_list.value
        self._quiet = True
        try:
            self.candidate_list.options = options
            self.candidate_list.value = keep if keep in {v for _, v in options} else None
        finally:
            self._quiet = False
        submitted = int((rows["status"] == "submitted").sum()) if len(rows) else 0
        self.progress.max, self.progress.value = max(len(rows), 1), submitted
        stage_label = self.rnd.stages[self.stage].label if self.stage else ""
        closed = self.stage in self.store.closed_stages() if self.stage else False
        self.progress_text.value = esc(s["progress"].format(stage=stage_label, submitted=submitted, total=len(rows))
                                       + (labels.PROGRESS["closed"] if closed else ""))
        self.list_message.value = _msg(s["no_candidates"], "warn") if not options else ""

    def _show_stage(self, open_first: bool = False) -> None:
        self._close_candidate()
        self._refresh_list()
        rows = self._rows()
        if open_first and len(rows):
            todo = rows[rows["status"] != "submitted"]
            self.candidate_list.value = (todo if len(todo) else rows)["nomination_id"].iloc[0]

    def _stage_changed(self, _change) -> None:
        if not self._quiet and self.reviewer_id:
            self._show_stage(open_first=True)

    def _selected(self, change) -> None:
        if self._quiet or change["new"] is None:
            return
        self.open_candidate(change["new"])

    # ------------------------------------------------------------------ one candidate
    def open_candidate(self, nomination_id: object) -> bool:
        """Show a candidate's card and this reviewer's own sheet, if the store says they may see it."""
        s = labels.SCORING
        if self.reviewer_id is None or self.stage is None or not self._session_valid():
            return False
        stage = self.stage
        rows = self._rows()
        mine = rows[rows["nomination_id"] == nomination_id] if isinstance(nomination_id, str) else rows.iloc[0:0]
        try:
            if mine.empty:
                raise NotAssignedError(s["refused"])
            self.store.check_pair(self.reviewer_id, nomination_id, stage)  # conflicts declared since the list was read
        except NotAssignedError:
            self._close_candidate()
            self.placeholder.value = _msg(s["refused"], "err")
            return False
        row = mine.iloc[0]
        sheet = self.store.load_sheet(self.reviewer_id, nomination_id, stage)
        self.current = (nomination_id, stage)
        self.version = None if sheet is None else sheet["version"]
        self.sheet_status = "none" if sheet is None else sheet["status"]
        self.stale = False
        self.closed = stage in self.store.closed_stages()
        self._show_card(nomination_id, row)
        self._fill_form(row["category"], sheet)
        self.placeholder.value = ""
        self.detail.layout.display = None
        if self.closed:
            self._say(s["closed"].format(stage=self.rnd.stages[stage].label), "warn")
        elif self.sheet_status == "submitted":
            self._say(s["submitted"].format(at=pd.Timestamp(sheet["updated_at"]).strftime("%m-%d %H:%M")))
        else:
            self._say("")
        return True

    def _close_candidate(self) -> None:
        self.current, self.version, self.sheet_status, self.stale = None, None, "none", False
        self._loading = True
        try:
            for box in self.inputs.values():
                box.value = ""
            self.comment.value = ""
        finally:
            self._loading = False
        self.card.value = self.photo_title.value = self.form_title.value = self.total.value = ""
        for img in self.photos:
            img.value, img.layout.display = b"", "none"
        self.detail.layout.display = "none"
        self.placeholder.value = _msg(labels.SCORING["pick"], "warn") if self.reviewer_id else ""
        self.status.value = ""

    def _show_card(self, nomination_id: str, row: pd.Series) -> None:
        s = labels.SCORING
        facts = self.candidates.facts
        if nomination_id in facts.index:
            fact = facts.loc[nomination_id]
            ach = self.candidates.achievements
            ach = ach[ach["nomination_id"] == nomination_id] if "nomination_id" in ach else ach.iloc[0:0]
            self.card.value = card_html(fact, self.rnd, ach)
            files = fact.get("photos")
        else:  # in the store but not (any more) in the inbox: what the store knows
            self.card.value = card_html(pd.Series({"studio": row["studio"], "category": row["category"]}), self.rnd)
            files = []
        if nomination_id not in self._thumbs:
            files = files if isinstance(files, list) else []
            self._thumbs[nomination_id] = [t for t in (thumbnail(p) for p in files[:MAX_PHOTOS]) if t]
            self._thumbs[nomination_id + "#more"] = [b""] * max(len(files) - MAX_PHOTOS, 0)
        thumbs = self._thumbs[nomination_id]
        more = len(self._thumbs[nomination_id + "#more"])
        for img, data in zip(self.photos, thumbs + [b""] * MAX_PHOTOS):
            img.value, img.layout.display = data, (None if data else "none")
        title = f"<h4>{esc(s['photos'])}</h4>" if thumbs else f"<h4>{esc(s['photos'])}</h4><p>{esc(s['no_photos'])}</p>"
        self.photo_title.value = title + (f"<p class='wb-hint'>{esc(s['more_photos'].format(n=more))}</p>" if more else "")

    def _criteria(self, category: str) -> list:
        return self.rnd.criteria(category, self.current[1]) if self.current else []

    def _fill_form(self, category: str, sheet: dict | None) -> None:
        s = labels.SCORING
        nomination_id, stage = self.current
        wanted = {c.code: c for c in self._criteria(category)}
        points = {} if sheet is None else sheet["points"]
        self._loading = True
        try:
            for code, box in self.inputs.items():
                crit = wanted.get(code)
                box.layout.display = None if crit else "none"
                box.remove_class("wb-invalid")
                if crit:
                    top = crit.max[category] if category in crit.max else 0
                    box.description = s["criterion"].format(label=crit.label, max=top)
                    box.placeholder = s["placeholder"].format(max=top)
                box.value = fmt_points(points[code]) if crit and code in points else ""
                box.disabled = self.closed
            self.comment.value = "" if sheet is None else sheet["comment"]
            self.comment.disabled = self.closed
        finally:
            self._loading = False
        self.submit_button.disabled = self.closed
        self.reload_button.layout.display = "none"
        studio = self._rows().set_index("nomination_id").loc[nomination_id, "studio"]
        self.form_title.value = f"<h3>{esc(s['form'])} · {esc(self.rnd.stages[stage].label)}</h3><div>{esc(studio)}</div>"
        self._update_total()

    # ------------------------------------------------------------------ typing, saving, submitting
    def _category(self) -> str:
        return self._rows().set_index("nomination_id").loc[self.current[0], "category"]

    def typed(self) -> tuple[dict[str, object], str]:
        """The sheet as the form holds it now: points of the shown criteria, and the comment."""
        shown = [c.code for c in self._criteria(self._category())]
        return parse_points({code: self.inputs[code].value for code in shown}), self.comment.value

    def _update_total(self) -> None:
        s, review = labels.SCORING, self.rnd.review
        category = self._category()
        crits = self._criteria(category)
        points, comment = self.typed()
        total = sheet_total(points)
        full = sum(c.max[category] for c in crits)
        filled = sum(isinstance(points.get(c.code), float) for c in crits)
        self.total.value = s["total"].format(total=total, full=full, filled=filled, n=len(crits))
        complete = filled == len(crits)
        needed = complete and not comment.strip() and (total < review.comment_below or total > review.comment_above)
        text = s["comment_needed"].format(total=total) if needed else s["comment_rule"].format(
            below=review.comment_below, above=review.comment_above)
        self.comment_hint.value = f'<div class="wb-hint{" wb-needed" if needed else ""}">{esc(text)}</div>'

    def _edited(self, _change) -> None:
        if self._loading or self.current is None:
            return
        self._update_total()
        self.autosave()

    def _mark(self, problems: list[dict[str, str]]) -> None:
        bad = {p["criterion"] for p in problems}
        for code, box in self.inputs.items():
            (box.add_class if code in bad else box.remove_class)("wb-invalid")

    def autosave(self) -> bool:
        """Save what the form holds: a draft, or a submitted sheet again when it is still complete."""
        s = labels.SCORING
        if self.current is None or self.stale or self.closed:
            return False
        points, comment = self.typed()
        submitted = self.sheet_status == "submitted"
        problems = validate_sheet(points, self._category(), self.current[1], self.rnd, comment=comment, submit=submitted)
        self._mark(problems)
        if problems:
            text = "；".join(p["message"] for p in problems)
            self._say((s["submitted_kept"] if submitted else s["not_saved"]).format(problems=text), "warn")
            return False
        if self._save(points, comment, submit=submitted):
            self._say((s["saved_submitted"] if submitted else s["saved_draft"]).format(at=_clock(self.rnd)))
            return True
        return False

    def submit(self) -> bool:
        """提交: check the whole sheet, then store it as submitted."""
        s = labels.SCORING
        if self.current is None or self.stale:
            return False
        if self.closed:
            self._say(s["closed"].format(stage=self.rnd.stages[self.current[1]].label), "warn")
            return False
        points, comment = self.typed()
        problems = validate_sheet(points, self._category(), self.current[1], self.rnd, comment=comment, submit=True)
        self._mark(problems)
        if problems:
            self._say(s["not_saved"].format(problems="；".join(p["message"] for p in problems)), "err")
            return False
        if self._save(points, comment, submit=True):
            self._say(s["submitted"].format(at=_clock(self.rnd)))
            return True
        return False

    def reload(self) -> None:
        """Read the sheet again from the store (after a stale save): the stored version wins."""
        if self.current is not None:
            nomination_id = self.current[0]
            self._load_worklist()
            self._refresh_list()
            self.open_candidate(nomination_id)

    def _save(self, points: dict[str, object], comment: str, *, submit: bool) -> bool:
        s = labels.SCORING
        nomination_id, stage = self.current
        try:
            version = self.store.save_scores(self.reviewer_id, nomination_id, stage, points, comment=comment,
                                             version=self.version, submit=submit, session=self.session)
        except AccessCodeError as exc:  # the code was revoked: nothing saved, the session ends
            self.logout(str(exc))
            return False
        except StaleWriteError:
            self.stale = True
            self.reload_button.layout.display = None
            self._say(s["stale"], "err")
            return False
        except StageClosedError as exc:
            self.closed = True
            for box in (*self.inputs.values(), self.comment):
                box.disabled = True
            self.submit_button.disabled = True
            self._say(str(exc), "err")
            return False
        except NotAssignedError:
            self._load_worklist()
            self._refresh_list()
            self._close_candidate()
            self.placeholder.value = _msg(s["refused"], "err")
            return False
        except ScoreValidationError as exc:
            self._mark(exc.problems)
            self._say(s["not_saved"].format(problems=str(exc)), "err")
            return False
        except WorkbenchError as exc:
            self._say(str(exc), "err")
            return False
        except Exception:  # a reviewer never sees a traceback; the log keeps it
            log.exception("scoring: saving failed")
            self._say(s["error"], "err")
            return False
        self.version = version
        self.sheet_status = "submitted" if submit else "draft"
        self._load_worklist()
        self._refresh_list()
        return True

    def _say(self, text: str, kind: str = "ok") -> None:
        self.status.value = _msg(text, kind)


def scoring_app(store: Store, rnd: Round, candidates: Candidates | None = None, *,
                client: str | None = None) -> ScoringApp:
    """The scoring app over `store`; the cards come from `candidates` (read from the round's inbox at the
    first login by default). `client` is the browser's address (default: as `workbench serve` tells
    the kernel, read at each login)."""
    return ScoringApp(store, rnd, candidates, client=client)


__all__ = ["Candidates", "ScoringApp", "cached_candidates", "card_html", "candidates_from", "list_label", "load_candidates", "parse_points",
           "scoring_app", "thumbnail"]
