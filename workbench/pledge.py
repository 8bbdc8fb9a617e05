"""The pledge step of the scoring app: 保密承诺 and 回避声明 before the first candidate opens.

A reviewer who has not pledged yet sees, after logging in, the pledge text of the round
(`panel.pledge_text`), their assigned candidates to tick the ones they must recuse from (with a
reason), and a box to confirm. Confirming declares the conflicts and records the pledge with its
time; only then does the app show the list. The store refuses every card and every save without a
pledge anyway (`PledgeRequiredError`), so this form is a convenience, not the guard.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as widgets
import pandas as pd

from workbench import labels
from workbench.errors import WorkbenchError
from workbench.store import Store


class PledgeForm(widgets.VBox):
    """The pledge form for one reviewer; `on_done()` runs once the pledge is recorded."""

    def __init__(self, store: Store, reviewer_id: str, worklist: pd.DataFrame, on_done: Callable[[], None]):
        s = labels.PLEDGE_FORM
        self.store, self.reviewer_id, self.on_done = store, reviewer_id, on_done
        work = worklist.drop_duplicates("nomination_id") if len(worklist) else worklist
        self.candidates = {} if work.empty else dict(zip(work["nomination_id"], work["studio"]))
        text = "".join(f"<li>{escape(line)}</li>" for line in store.rnd.panel.pledge_text)
        self.recuse = {nid: widgets.Checkbox(value=False, description=f"{studio}（{nid}）", indent=False,
                                             layout=widgets.Layout(width="auto"))
                       for nid, studio in self.candidates.items()}
        self.reason = widgets.Text(placeholder=s["reason_placeholder"], layout=widgets.Layout(width="460px"))
        self.agree = widgets.Checkbox(value=False, description=s["agree"], indent=False, layout=widgets.Layout(width="auto"))
        self.confirm_button = widgets.Button(description=s["confirm"], button_style="primary",
                                             layout=widgets.Layout(width="auto", min_width="200px"))
        self.confirm_button.on_click(lambda _: self.confirm())
        self.message = widgets.HTML()
        boxes = list(self.recuse.values()) or [widgets.HTML(escape(s["no_candidates"]))]
        super().__init__([
            widgets.HTML(f"<h2>{escape(s['title'])}</h2><ol>{text}</ol><p>{escape(s['recuse_intro'])}</p>"),
            widgets.VBox(boxes), self.reason, self.agree, self.confirm_button, self.message])
        self.add_class("wb-login")

    def confirm(self) -> bool:
        """Declare the ticked conflicts and record the pledge; False (with a message) when not agreed."""
        s = labels.PLEDGE_FORM
        if self.agree.value is not True:
            self.message.value = f'<div class="wb-msg wb-err">{escape(s["must_agree"])}</div>'
            return False
        chosen = [nid for nid, box in self.recuse.items() if box.value is True]  # only the reviewer's own candidates
        reason = self.reason.value if isinstance(self.reason.value, str) else ""
        try:
            for nid in chosen:
                self.store.declare_conflict(self.reviewer_id, nid, reason, actor=self.reviewer_id)
            self.store.record_pledge(self.reviewer_id, method="app")
        except WorkbenchError as exc:
            self.message.value = f'<div class="wb-msg wb-err">{escape(str(exc))}</div>'
            return False
        self.on_done()
        return True


__all__ = ["PledgeForm"]
