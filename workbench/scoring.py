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
the candidates' dossiers are read at the first login, from a cache file in the round's out/ folder
while the inbox has not changed. Wrong codes are counted in the store (per code id and per browser
address), so a fresh page does not reset the lockout; the code a reviewer logged in with is
checked again at every save and every opened card, so revoking it ends the session there.

Drafts are saved when a field is left (the inputs send their value on blur or Enter, so there is
one save per edited field, not one per keystroke); a submitted sheet that is edited is saved as
submitted again when it is still complete, and otherwise left unchanged with a message. A save is
one store transaction (one read, the changed rows, the event) and a small page update: the total,
"saved", and the sheet's own line of the list and the progress, set from what was saved; nothing
is read again and nothing proportional to the list or the round is recomputed.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import pickle
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from workbench import labels
from workbench.config import Round
from workbench.dossier import STYLE as DOSSIER_STYLE
from workbench.dossier import (
    Dossiers,
    MaterialsViewer,
    dossier_html,
    dossiers_from,
    esc,
    load_dossiers,
    material_files,
    photo_uris,
)
from workbench.errors import (
    AccessCodeError,
    NotAssignedError,
    PledgeRequiredError,
    ScoreValidationError,
    StageClosedError,
    StaleWriteError,
    WorkbenchError,
)
from workbench.serve import viewer_address
from workbench.store import Store, validate_sheet
from workbench.store.codes import code_id

log = logging.getLogger(__name__)

CODE_TAIL = re.compile(r"(?<!\s)\s*\[[a-z_]+\]")  # the English code a message ends with: for the log, not for a reviewer

STYLE = """
<style>
.wb-scoring { --jp-widgets-font-size: 17px; --jp-widgets-inline-height: 36px; --jp-ui-font-size1: 17px;
  font-size: 17px; color: #1b1f24; max-width: 1680px; }
.wb-scoring .widget-html-content { font-size: 17px; line-height: 1.55; }
.wb-scoring input, .wb-scoring textarea, .wb-scoring select, .wb-scoring button { font-size: 17px !important; }
.wb-scoring .wb-head { font-size: 21px; font-weight: 700; }
.wb-scoring .wb-who { font-size: 17px; color: #374151; }
.wb-scoring .wb-login { max-width: 600px; padding: 28px 32px; margin: 40px auto; border: 1px solid #d5dbe3;
  border-radius: 8px; background: #fbfcfd; }
.wb-scoring .wb-login h2 { font-size: 26px; margin: 0 0 8px 0; }
.wb-scoring .wb-msg { padding: 8px 12px; border-radius: 4px; margin: 6px 0; line-height: 1.5; }
.wb-scoring .wb-ok { background: #e8f5e9; color: #1b5e20; }
.wb-scoring .wb-warn { background: #fff8e1; color: #6b4500; }
.wb-scoring .wb-err { background: #fdecea; color: #8e1c1c; }
.wb-scoring .wb-list select { font-size: 17px !important; line-height: 1.7; }
.wb-scoring .wb-list option { padding: 3px 2px; }
.wb-scoring .wb-row > * { margin-right: 12px; }
.wb-scoring .wb-card-box, .wb-scoring .wb-form { max-height: calc(100vh - 120px); overflow-y: auto; }
.wb-scoring .wb-card-box > *, .wb-scoring .wb-form > *, .wb-scoring .wb-crit > * { flex-shrink: 0; }
.wb-scoring .wb-form { border-left: 1px solid #dfe3e8; padding-left: 14px; }
.wb-scoring .wb-form h3 { font-size: 19px; margin: 0 0 2px 0; }
.wb-scoring .wb-form .widget-text input { text-align: right; font-variant-numeric: tabular-nums; font-size: 19px !important; }
.wb-scoring .wb-crit { margin: 6px 0 2px 0; }
.wb-scoring .wb-crit .widget-label { font-weight: 600; }
.wb-scoring .wb-basis { font-size: 16px; color: #1f5fa8; margin-right: 6px; }
.wb-scoring .wb-crit-desc { color: #374151; font-size: 16px; line-height: 1.45; }
.wb-scoring .wb-invalid input { border-color: #c62828; background: #fdecea; }
.wb-scoring .wb-total { font-size: 18px; margin: 8px 0 4px 0; }
.wb-scoring .wb-total .wb-bad { color: #8e1c1c; font-size: 16px; }
.wb-scoring .wb-hint { color: #374151; font-size: 16px; }
.wb-scoring .wb-hint.wb-needed { color: #8e1c1c; font-weight: 600; }
</style>
"""


# ---------------------------------------------------------------------------- the candidates' dossiers
Candidates = Dossiers  # what the cards show: workbench.dossier.Dossiers


def load_candidates(rnd: Round, store: Store | None = None) -> Dossiers:
    """The candidates' dossiers (facts, screening notes with every override, narratives, team,
    achievements), from the round state; only these are kept (not the state's scores: a reviewer's
    kernel holds no one else's)."""
    return load_dossiers(rnd, store)


def inbox_fingerprint(rnd: Round, overrides: pd.DataFrame | None = None) -> str:
    """What the candidates' dossiers depend on: every inbox file (path, size, time), the analyst's
    overrides and the round config; equal fingerprints, equal dossiers."""
    digest = hashlib.sha256(rnd.source_sha256.encode())
    root = os.fspath(rnd.inbox)
    lines = []
    for folder, _dirs, files in os.walk(root):  # links to folders are not followed
        for name in files:
            path = os.path.join(folder, name)
            try:
                st = os.stat(path)
            except OSError:  # gone, or a broken link
                continue
            lines.append(f"{path[len(root) + 1:]}|{st.st_size}|{st.st_mtime_ns}\n")
    digest.update("".join(sorted(lines)).encode())
    if overrides is not None and len(overrides):
        digest.update(overrides.to_csv(index=False).encode())
    return digest.hexdigest()[:32]


def cached_candidates(rnd: Round, store: Store | None = None) -> Dossiers:
    """`load_candidates`, read once per inbox state: kept in the round's working folder (under out/,
    with what the workbench makes), so the reviewers' kernels after the first read a small file
    instead of the whole inbox. Unlike the round state, the dossiers do not depend on the scores: a
    save does not make the next login read the round again."""
    overrides = store.overrides() if store is not None else None
    cache = rnd.paths.workdir / "out" / "cache" / f"candidates-{inbox_fingerprint(rnd, overrides)}.pickle"
    try:
        with open(cache, "rb") as f:  # written by this code in the round's own folder, like the store
            found = pickle.load(f)
        if isinstance(found, Dossiers):
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
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        log.warning("scoring: cannot write the candidates cache %s", cache)
    return candidates


def candidates_from(screened: pd.DataFrame, achievements: pd.DataFrame, inbox: Path,
                    members: pd.DataFrame | None = None) -> Dossiers:
    """The dossiers of a screened frame (photos and materials are found in `inbox` when shown)."""
    return dossiers_from(screened, members, achievements, inbox)


# ---------------------------------------------------------------------------- pure helpers
def status_word(status: str) -> str:
    return labels.SCORING[f"status_{status}"] if f"status_{status}" in labels.SCORING else labels.SCORING["unknown"]


def list_label(status: str, studio: str, total: float | None = None, category: str = "") -> str:
    """One line of the reviewer's list: status (and their own total), the category, then the studio."""
    studio = f"【{category}】{studio}" if category else studio
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


def running_total(points: Mapping[str, object], problems: list[dict[str, str]]) -> tuple[float, list[str]]:
    """The total of the valid entries, and the criteria whose entries are invalid (left out of it)."""
    bad = [p["criterion"] for p in problems if p.get("criterion") in points]
    return sheet_total({c: v for c, v in points.items() if c not in bad}), list(dict.fromkeys(bad))


def for_reviewer(text: str) -> str:
    """A message as a reviewer reads it: Chinese only, the English codes stay in the log."""
    codes = CODE_TAIL.findall(text)
    if codes:
        log.info("scoring: message to a reviewer, codes %s", "".join(c.strip() for c in codes))
    return CODE_TAIL.sub("", text)


def fmt_points(value: float) -> str:
    return f"{value:g}"


def card_html(row: pd.Series, rnd: Round, dossiers: Dossiers | None = None) -> str:
    """The candidate card: the dossier (facts without contact or phone, screening notes with the 备注,
    narratives, team, achievements, photos that open large). Every value is HTML-escaped."""
    nid = row.get("nomination_id")
    if dossiers is None or not isinstance(nid, str):
        return dossier_html(row, rnd, note=True)
    return dossier_html(row, rnd, members=dossiers.members_of(nid), achievements=dossiers.achievements_of(nid),
                        photos=photo_uris(dossiers.inbox, row), note=True)


def _row(children: list, **layout: str) -> widgets.HBox:
    """A row of widgets with some space between them (see .wb-row in STYLE)."""
    box = widgets.HBox(children, layout=widgets.Layout(align_items="center", **layout))
    box.add_class("wb-row")
    return box


def _msg(text: str, kind: str = "ok") -> str:
    return f'<div class="wb-msg wb-{kind}">{esc(for_reviewer(text))}</div>' if text else ""


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
        self._category_now = ""  # the category of the candidate on screen, and its criteria (read at opening)
        self._criteria_now: list = []
        self.version: int | None = None
        self.sheet_status = "none"
        self.closed = False
        self.stale = False
        self._loading = False  # filling the form from the store: not an edit
        self._quiet = False  # changing the list's options: not a selection
        self._worklist = pd.DataFrame()
        self._where: dict[tuple[str, str], object] = {}  # (nomination_id, stage) -> its row in _worklist
        self._cards: dict[str, str] = {}  # nomination_id -> its card (photos re-encoded once)
        self._unlocked: set[tuple[str, str]] = set()  # submitted sheets the reviewer chose to edit

        # login
        self.code = widgets.Password(description=s["code"], placeholder=s["code_placeholder"],
                                     style={"description_width": "4em"}, layout=widgets.Layout(width="360px"))
        self.login_button = widgets.Button(description=s["login"], button_style="primary",
                                           layout=widgets.Layout(width="120px"))
        self.login_button.on_click(lambda _: self._login_clicked())
        self.code.continuous_update = False  # Enter (or leaving the field) sends the code: Enter logs in
        self.code.observe(self._code_entered, names="value")
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
                            layout=widgets.Layout(width="340px", min_width="340px", flex="0 0 340px"))

        # card: the dossier (photos are data: URIs in HTML, never Image widgets) and the PDF viewer
        self.card = widgets.HTML()
        self.materials = MaterialsViewer(page_width=900)
        self.card_box = widgets.VBox([self.card, self.materials.widget],
                                     layout=widgets.Layout(flex="1 1 auto", min_width="360px", width="auto",
                                                           padding="0 16px"))
        self.card_box.add_class("wb-card-box")

        # form
        self.form_title = widgets.HTML()
        self.inputs: dict[str, widgets.Text] = {}
        self.criterion_rows: dict[str, widgets.VBox] = {}
        for crit in rnd.rubric:  # the input (labelled with the criterion and its maximum), then its 评分细则
            box = widgets.Text(continuous_update=False, style={"description_width": "14.5em"},
                               layout=widgets.Layout(width="350px"))
            box.observe(self._edited, names="value")
            self.inputs[crit.code] = box
            basis = "·".join(s[f"basis_{b}"] for b in crit.basis)
            rubric = widgets.HTML(f'<div class="wb-crit-desc"><span class="wb-basis">{esc(s["basis"].format(basis=basis))}</span>'
                                  f'{esc(crit.description)}</div>')
            row = widgets.VBox([box, rubric])
            row.add_class("wb-crit")
            self.criterion_rows[crit.code] = row
        self.total = widgets.HTML()
        self.total.add_class("wb-total")
        self.comment_hint = widgets.HTML()
        self.comment = widgets.Textarea(continuous_update=False, placeholder=s["comment"],
                                        layout=widgets.Layout(width="96%", height="90px"))
        self.comment.observe(self._edited, names="value")
        self.submit_button = widgets.Button(description=s["submit"], button_style="success",
                                            layout=widgets.Layout(width="120px"))
        self.submit_button.on_click(lambda _: self.submit())
        self.reload_button = widgets.Button(description=s["reload"], button_style="warning",
                                            layout=widgets.Layout(width="120px", display="none"))
        self.reload_button.on_click(lambda _: self.reload())
        self.edit_note = widgets.HTML()
        self.edit_button = widgets.Button(description=s["edit_submitted"], button_style="warning",
                                          layout=widgets.Layout(width="auto", display="none"))
        self.edit_button.on_click(lambda _: self.unlock())
        self.status = widgets.HTML()
        self.form = widgets.VBox([self.form_title, self.total, self.status, self.edit_note, self.edit_button,
                                  *self.criterion_rows.values(), self.comment_hint,
                                  widgets.HTML(f"<b>{esc(s['comment'])}</b>"), self.comment,
                                  _row([self.submit_button, self.reload_button])],
                                 layout=widgets.Layout(width="375px", min_width="375px", flex="0 0 375px"))
        self.form.add_class("wb-form")
        self.detail = widgets.HBox([self.card_box, self.form], layout=widgets.Layout(flex="1 1 auto"))
        self.placeholder = widgets.HTML()
        body = widgets.HBox([left, widgets.VBox([self.placeholder, self.detail], layout=widgets.Layout(flex="1 1 auto"))],
                            layout=widgets.Layout(align_items="flex-start", margin="10px 0 0 0"))
        self.main_view = widgets.VBox([header, body])
        self.pledge_view = widgets.VBox()  # the pledge step (workbench.pledge), shown once per reviewer
        super().__init__([widgets.HTML(STYLE + DOSSIER_STYLE), self.login_view, self.pledge_view, self.main_view])
        self.add_class("wb-scoring")
        self._show_login()

    # ------------------------------------------------------------------ login
    def _code_entered(self, change) -> None:
        """Enter in the code field logs in (the field sends its value on Enter)."""
        if change["new"] and self.reviewer_id is None:
            self.login(change["new"])

    def _login_clicked(self) -> None:
        if self.reviewer_id is not None:  # leaving the field logged in already (the click blurred it)
            return
        if self.code.value:
            self.login(self.code.value)
        elif not self.login_message.value:
            self.login_message.value = _msg(labels.SCORING["code_empty"], "warn")

    @property
    def candidates(self) -> Candidates:
        """The candidates' dossiers, read when first needed (after a login)."""
        if self._candidates is None:
            self._candidates = cached_candidates(self.rnd, self.store)
        return self._candidates

    def login(self, code: object) -> bool:
        """Log in with an access code; returns whether it worked (the page says why not)."""
        s = labels.SCORING
        self._quiet_code("")
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
        if self.rnd.panel.pledge_required and not self.store.has_pledged(reviewer_id):
            self._ask_pledge()
            return True
        self._enter()
        return True

    def _ask_pledge(self) -> None:
        """No candidate opens before the pledge: show the pledge form, then the list."""
        from workbench.pledge import PledgeForm

        self._load_worklist()
        self.pledge = PledgeForm(self.store, self.reviewer_id, self._worklist, self._enter)
        self.pledge_view.children = [self.pledge]
        self.pledge_view.layout.display = None

    def _enter(self) -> None:
        """After login (and pledge): the reviewer's list, first candidate open."""
        self.pledge_view.children = []
        self.pledge_view.layout.display = "none"
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

    def logout(self, message: str | None = None) -> None:
        """Forget the reviewer and clear everything of theirs from the page (with `message`, say why)."""
        self.reviewer_id = self.session = None
        self._close_candidate()
        self._quiet = True
        try:
            self.candidate_list.options = []
            self.stage_switch.options = []
        finally:
            self._quiet = False
        self._worklist = pd.DataFrame()
        self._where = {}
        self._cards.clear()
        self._unlocked.clear()
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

    def _quiet_code(self, value: str) -> None:
        """Clear the code field without that counting as a typed code."""
        self.code.unobserve(self._code_entered, names="value")
        try:
            self.code.value = value
        finally:
            self.code.observe(self._code_entered, names="value")

    def _show_login(self) -> None:
        self.login_view.layout.display = None
        self.pledge_view.children = []
        self.pledge_view.layout.display = "none"
        self.main_view.layout.display = "none"

    # ------------------------------------------------------------------ list and progress
    @property
    def stage(self) -> str | None:
        return self.stage_switch.value

    def _load_worklist(self) -> None:
        self._worklist = self.store.worklist(self.reviewer_id) if self.reviewer_id else pd.DataFrame()
        self._where = {(r.nomination_id, r.stage): i for i, r in
                       zip(self._worklist.index, self._worklist.itertuples(index=False))} if len(self._worklist) else {}

    def _rows(self) -> pd.DataFrame:
        wl = self._worklist
        return wl[wl["stage"] == self.stage] if len(wl) else wl

    def _refresh_list(self) -> None:
        """Relabel the list (statuses, totals) and the progress bar, keeping the selection."""
        s = labels.SCORING
        rows = self._rows()
        short = {c: cat.short for c, cat in self.rnd.categories.items()}
        options = [(list_label(r.status, r.studio, r.total, short.get(r.category, "")), r.nomination_id)
                   for r in rows.itertuples(index=False)]
        keep = self.candidate_list.value
        self._quiet = True
        try:
            self.candidate_list.options = options
            self.candidate_list.value = keep if keep in {v for _, v in options} else None
        finally:
            self._quiet = False
        submitted = int((rows["status"] == "submitted").sum()) if len(rows) else 0
        self._show_progress(submitted, len(rows), self.stage in self.store.closed_stages() if self.stage else False)
        self.list_message.value = _msg(s["no_candidates"], "warn") if not options else ""

    def _show_progress(self, submitted: int, total: int, closed: bool) -> None:
        stage_label = self.rnd.stages[self.stage].label if self.stage else ""
        self.progress.max, self.progress.value = max(total, 1), submitted
        self.progress_text.value = esc(labels.SCORING["progress"].format(stage=stage_label, submitted=submitted, total=total)
                                       + (labels.PROGRESS["closed"] if closed else ""))

    def _saved_in_list(self, points: dict[str, object], status: str, version: int) -> None:
        """After a save: the one list line (status, total) and the progress, from what was saved, with
        no read of the store and no other line touched (the list is read again on the next login,
        stage switch or reload)."""
        key = self.current
        where = self._where.get(key)
        if where is None:  # not in the list read at login: read it again
            self._load_worklist()
            self._refresh_list()
            return
        wl = self._worklist
        before = wl.at[where, "status"]
        total = sheet_total(points)
        wl.at[where, "status"], wl.at[where, "total"], wl.at[where, "version"] = status, total, version
        if key[1] != self.stage:
            return
        short = self.rnd.categories[self._category_now].short if self._category_now in self.rnd.categories else ""
        line = (list_label(status, wl.at[where, "studio"], total, short), key[0])
        options = tuple(line if value == key[0] else (label, value) for label, value in self.candidate_list.options)
        self._quiet = True
        try:
            with self.candidate_list.hold_sync():  # one message: the labels and the (same) selection
                keep = self.candidate_list.value
                self.candidate_list.options = options
                self.candidate_list.value = keep
        finally:
            self._quiet = False
        if (before == "submitted") != (status == "submitted"):
            submitted = self.progress.value + (1 if status == "submitted" else -1)
            self._show_progress(submitted, len(options), False)  # a stage that took the save is open

    def _show_stage(self, open_first: bool = False) -> None:
        """The list of the stage on the switch; the first candidate still to score is opened. The
        selection is cleared first, so picking any item (the same one as in the other stage too) opens it."""
        self._close_candidate()
        self._quiet = True
        try:
            self.candidate_list.value = None
        finally:
            self._quiet = False
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
        except (NotAssignedError, PledgeRequiredError):
            self._close_candidate()
            self.placeholder.value = _msg(s["refused"], "err")
            return False
        row = mine.iloc[0]
        sheet = self.store.load_sheet(self.reviewer_id, nomination_id, stage)
        self.current = (nomination_id, stage)
        self._category_now = row["category"]
        self._criteria_now = self.rnd.criteria(row["category"], stage)
        self.version = None if sheet is None else sheet["version"]
        self.sheet_status = "none" if sheet is None else sheet["status"]
        self.stale = False
        self.closed = stage in self.store.closed_stages()
        fact = self._show_card(nomination_id, row)
        self._fill_form(row["category"], sheet)
        self.placeholder.value = ""
        self.detail.layout.display = None
        self.materials.load([] if fact is None else material_files(self.candidates.inbox, fact))  # after the form
        if self.closed:
            self._say(s["closed"].format(stage=self.rnd.stages[stage].label), "warn")
        elif self.sheet_status == "submitted":
            self._say(s["submitted"].format(at=pd.Timestamp(sheet["updated_at"]).strftime("%m-%d %H:%M")))
        else:
            self._say("")
        return True

    def _close_candidate(self) -> None:
        self.current, self.version, self.sheet_status, self.stale = None, None, "none", False
        self._category_now, self._criteria_now = "", []
        self._loading = True
        try:
            for box in self.inputs.values():
                box.value = ""
            self.comment.value = ""
        finally:
            self._loading = False
        self.card.value = self.form_title.value = self.total.value = self.edit_note.value = ""
        self.edit_button.layout.display = "none"
        self.materials.load([])
        self.detail.layout.display = "none"
        self.placeholder.value = _msg(labels.SCORING["pick"], "warn") if self.reviewer_id else ""
        self.status.value = ""

    def _show_card(self, nomination_id: str, row: pd.Series) -> pd.Series | None:
        """The card's HTML; returns the candidate's facts (None when the inbox no longer has them)."""
        fact = self.candidates.row(nomination_id)
        if fact is None:  # in the store but not (any more) in the inbox: what the store knows
            self.card.value = card_html(pd.Series({"studio": row["studio"], "category": row["category"]}), self.rnd)
            return None
        if nomination_id not in self._cards:
            self._cards[nomination_id] = card_html(fact, self.rnd, self.candidates)
        self.card.value = self._cards[nomination_id]
        return fact

    def _criteria(self, category: str) -> list:
        if self.current and category == self._category_now:
            return self._criteria_now
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
                self.criterion_rows[code].layout.display = None if crit else "none"
                box.remove_class("wb-invalid")
                if crit:
                    top = crit.max[category] if category in crit.max else 0
                    box.description = s["criterion"].format(label=crit.label, max=top)
                    box.placeholder = s["placeholder"].format(max=top)
                box.value = fmt_points(points[code]) if crit and code in points else ""
            self.comment.value = "" if sheet is None else sheet["comment"]
        finally:
            self._loading = False
        self._lock()
        self.reload_button.layout.display = "none"
        studio = self._rows().set_index("nomination_id").loc[nomination_id, "studio"]
        self.form_title.value = f"<h3>{esc(s['form'])} · {esc(self.rnd.stages[stage].label)}</h3><div>{esc(studio)}</div>"
        self._update_total()

    def _locked(self) -> bool:
        """A submitted sheet stays read-only until the reviewer says once that they want to change it."""
        return self.sheet_status == "submitted" and self.current is not None and self.current not in self._unlocked

    def _lock(self) -> None:
        s = labels.SCORING
        frozen = self.closed or self._locked()
        for box in (*self.inputs.values(), self.comment):
            box.disabled = frozen
        self.submit_button.disabled = frozen
        asking = self._locked() and not self.closed
        self.edit_button.layout.display = None if asking else "none"
        self.edit_note.value = _msg(s["submitted_locked"], "ok") if asking else ""

    def unlock(self) -> None:
        """修改已提交的评分: asked once per sheet; the sheet stays submitted while it is changed."""
        if self.current is None or self.closed or self.sheet_status != "submitted":
            return
        self._unlocked.add(self.current)
        self._lock()
        self.edit_note.value = _msg(labels.SCORING["editing_submitted"], "warn")

    # ------------------------------------------------------------------ typing, saving, submitting
    def _category(self) -> str:
        return self._category_now

    def typed(self) -> tuple[dict[str, object], str]:
        """The sheet as the form holds it now: points of the shown criteria, and the comment."""
        shown = [c.code for c in self._criteria(self._category())]
        return parse_points({code: self.inputs[code].value for code in shown}), self.comment.value

    def _update_total(self, typed: tuple[dict[str, object], str] | None = None) -> None:
        s, review = labels.SCORING, self.rnd.review
        category = self._category()
        crits = self._criteria(category)
        points, comment = typed or self.typed()
        problems = validate_sheet(points, category, self.current[1], self.rnd, comment=comment, submit=False)
        total, bad = running_total(points, problems)
        full = sum(c.max[category] for c in crits)
        filled = sum(isinstance(points.get(c.code), float) and c.code not in bad for c in crits)
        names = {c.code: c.label for c in crits}
        invalid = (f'<div class="wb-bad">{esc(s["total_invalid"].format(names="、".join(names.get(b, b) for b in bad)))}</div>'
                   if bad else "")
        self.total.value = s["total"].format(total=total, full=full, filled=filled, n=len(crits)) + invalid
        complete = filled == len(crits)
        needed = complete and not comment.strip() and (total < review.comment_below or total > review.comment_above)
        text = s["comment_needed"].format(total=total) if needed else s["comment_rule"].format(
            below=review.comment_below, above=review.comment_above)
        self.comment_hint.value = f'<div class="wb-hint{" wb-needed" if needed else ""}">{esc(text)}</div>'

    def _edited(self, _change) -> None:
        if self._loading or self.current is None:
            return
        typed = self.typed()
        self._update_total(typed)
        self.autosave(typed)

    def _mark(self, problems: list[dict[str, str]]) -> None:
        bad = {p["criterion"] for p in problems}
        for code, box in self.inputs.items():
            (box.add_class if code in bad else box.remove_class)("wb-invalid")

    def autosave(self, typed: tuple[dict[str, object], str] | None = None) -> bool:
        """Save what the form holds: a draft, or a submitted sheet again when it is still complete."""
        s = labels.SCORING
        if self.current is None or self.stale or self.closed or self._locked():
            return False
        points, comment = typed or self.typed()
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
        if self.current is None or self.stale or self._locked():
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
            log.info("scoring: save refused (%s)", exc.code)
            self._say(str(exc), "err")
            return False
        except Exception:  # a reviewer never sees a traceback; the log keeps it
            log.exception("scoring: saving failed")
            self._say(s["error"], "err")
            return False
        self.version = version
        newly_submitted = submit and self.sheet_status != "submitted"
        self.sheet_status = "submitted" if submit else "draft"
        if newly_submitted:  # read-only now; a later change is asked for once (修改已提交的评分)
            self._unlocked.discard(self.current)
            self._lock()
        self._saved_in_list(points, self.sheet_status, version)
        return True

    def _say(self, text: str, kind: str = "ok") -> None:
        self.status.value = _msg(text, kind)


def scoring_app(store: Store, rnd: Round, candidates: Candidates | None = None, *,
                client: str | None = None) -> ScoringApp:
    """The scoring app over `store`; the cards come from `candidates` (read from the round's inbox at the
    first login by default). `client` is the browser's address (default: as `workbench serve` tells
    the kernel, read at each login). The libraries a card needs are imported now (in a preheated
    kernel, before anyone opens the page): nothing of the round is read."""
    _import_card_libraries()
    return ScoringApp(store, rnd, candidates, client=client)


def _import_card_libraries() -> None:
    """Import what the first card uses (photos: Pillow; materials: pdfium), so a login does not wait for
    it (measured: the imports were a third of a login's CPU in a served kernel)."""
    try:
        import pypdfium2  # noqa: F401
        from PIL import Image, ImageOps, JpegImagePlugin, PngImagePlugin  # noqa: F401
    except ImportError:  # the card says so when it needs them
        pass


__all__ = ["Candidates", "ScoringApp", "cached_candidates", "candidates_from", "card_html", "for_reviewer", "list_label", "load_candidates",
           "parse_points", "running_total", "scoring_app"]
