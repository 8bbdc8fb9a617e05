"""Load test of the scoring page: N reviewers open it at once, log in, and save.

    .venv/bin/python benchmarks/load.py --reviewers 30 --saves 10
    .venv/bin/python benchmarks/load.py --reviewers 10 --plain    # also stock Voila, alternating runs

Each reviewer is a raw HTTP + websocket client, the way a browser talks to Voila (a browser per
reviewer would measure Chromium, not the server): GET the page with the token (a kernel), open
the kernel websocket (v1 protocol), find the widgets, type the access code and click 登录, wait for
the candidate card; then type a value into the first criterion field `--saves` times, each time
waiting for the list to show the new total (the draft is saved by then). Reported: time from the
page request to the first card (every reviewer, max), save round trips p50/p99 as the reviewer
sees them, and memory per session (kernels' RSS / sessions; the server's own RSS apart).

The server is `workbench serve scoring` as configured by the round (`[serving]`), with the pool
sized to the number of reviewers and filled before the clock starts; `--plain` also runs stock
`voila` on the same notebook (no pool: what serving looked like before), alternating with ours,
and prints the ratio of the medians. Goal on a 2-core machine: all 30 reviewers at their first
card within 30 s, saves p99 < 100 ms. Figures depend on the machine and what else runs on it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

import workbench as wb  # noqa: E402
from workbench import labels  # noqa: E402
from workbench.serve import notebook_path, voila_command, voila_env, warm_scoring  # noqa: E402
from workbench.store import open_store  # noqa: E402
from workbench.voila_server import V1, v1_offsets  # noqa: E402

GOAL_FIRST_CARD_S, GOAL_SAVE_P99_MS = 30.0, 100.0


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------- the round
def make_round(folder: Path, reviewers: int):
    """A sample round with at least `reviewers` reviewers, assigned, each with a code."""
    wb.make_sample(folder, seed=2022, unions=max(12, reviewers))
    rnd = wb.load_round(wb.DEFAULT_ROUND).at(folder)
    screened = wb.screen(wb.read_inbox(rnd.inbox, rnd).nominations, rnd)
    people = wb.read_reviewers(folder / "reviewers.csv")
    with open_store(rnd) as store:
        store.save_nominations(screened)
        store.add_reviewers(people)
        plan = wb.assign(screened, people, rnd)
        store.save_assignments(plan)
        missing = reviewers - plan["reviewer_id"].nunique()
        if missing > 0:  # more reviewers than the sample has: extra ones, from units no studio is in
            extra = pd.DataFrame({"reviewer_id": [f"X{i:02d}" for i in range(missing)],
                                  "name": [f"压测评委{i}" for i in range(missing)],
                                  "unit": [f"压测单位{i}" for i in range(missing)]})
            store.add_reviewers(extra)
            first = plan[["nomination_id", "stage"]].drop_duplicates().head(6)
            store.save_assignments(first.merge(extra[["reviewer_id"]], how="cross"), replace=False)
        codes = store.issue_codes()
        assigned = set(store.assignments()["reviewer_id"])
    codes = codes[codes["reviewer_id"].isin(assigned)]
    warm_scoring(rnd)  # as `workbench serve scoring` does before it starts the server
    return rnd, codes["code"].tolist()[:reviewers]


# ---------------------------------------------------------------------------- one reviewer
def frame(msg_type: str, content: dict, session: str) -> bytes:
    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "bench", "session": session,
              "version": "5.3", "date": "2026-01-01T00:00:00Z"}
    parts = [json.dumps(p).encode() for p in (header, {}, {}, content)]
    channel = b"shell"
    offsets = [8 * (len(parts) + 3)]
    offsets.append(offsets[-1] + len(channel))
    for p in parts:
        offsets.append(offsets[-1] + len(p))
    return b"".join([len(offsets).to_bytes(8, "little"), *(o.to_bytes(8, "little") for o in offsets), channel, *parts])


def parse(raw: bytes) -> tuple[dict, dict]:
    offsets = v1_offsets(raw)
    header = json.loads(raw[offsets[1]:offsets[2]])
    content = json.loads(raw[offsets[4]:offsets[5]])
    return header, content


class Session:
    """One reviewer's page: the kernel websocket and the widget states it has seen."""

    def __init__(self, ws, session: str):
        self.ws, self.session, self.states = ws, session, {}
        self.fresh: dict[str, dict] = {}  # states sent by the kernel since the last clear (not asked for)
        self.changed = asyncio.Event()

    async def pump(self) -> None:
        async for raw in self.ws:
            if not isinstance(raw, bytes):
                continue
            header, content = parse(raw)
            kind = header.get("msg_type")
            if kind == "comm_info_reply":
                for comm_id in content.get("comms", {}):
                    await self.send("comm_msg", {"comm_id": comm_id, "data": {"method": "request_state"}})
            elif kind in ("comm_msg", "comm_open"):
                data = content.get("data", {})
                state = data.get("state")
                if state:
                    self.states.setdefault(content["comm_id"], {}).update(state)
                    if data.get("method") in ("update", "echo_update"):
                        self.fresh.setdefault(content["comm_id"], {}).update(state)
                    self.changed.set()

    async def send(self, msg_type: str, content: dict) -> None:
        await self.ws.send(frame(msg_type, content, self.session))

    async def until(self, predicate, timeout: float = 600):
        deadline = time.monotonic() + timeout
        while True:
            found = predicate()
            if found:
                return found
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), max(deadline - time.monotonic(), 0.01))

    def find(self, **match) -> list[str]:
        return [c for c, s in self.states.items() if all(s.get(k) == v for k, v in match.items())]

    async def set(self, comm_id: str, **state) -> None:
        await self.send("comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": state, "buffer_paths": []}})


async def reviewer(base: str, token: str, code: str, saves: int) -> dict:
    t0 = time.monotonic()
    loop = asyncio.get_running_loop()
    html = await loop.run_in_executor(None, lambda: urllib.request.urlopen(f"{base}?token={token}", timeout=600).read())
    kernel_id = re.search(rb'kernelId": "([0-9a-f-]+)"', html).group(1).decode()
    phases = {"page": time.monotonic() - t0}
    session = uuid.uuid4().hex
    url = base.replace("http", "ws", 1) + f"api/kernels/{kernel_id}/channels?session_id={session}&token={token}"
    async with connect(url, subprotocols=[V1], max_size=2**24, open_timeout=600, ping_timeout=None) as ws:
        page = Session(ws, session)
        pump = asyncio.create_task(page.pump())
        await page.send("comm_info_request", {})
        s = labels.SCORING
        password = (await page.until(lambda: page.find(_model_name="PasswordModel")))[0]
        button = (await page.until(lambda: page.find(_model_name="ButtonModel", description=s["login"])))[0]
        phases["widgets"] = time.monotonic() - t0
        page.fresh.clear()
        await page.set(password, value=code)
        await page.send("comm_msg", {"comm_id": button, "data": {"method": "custom", "content": {"event": "click"}}})
        await page.until(lambda: [c for c, st in page.fresh.items() if 'class="wb-dossier"' in str(st.get("value", ""))])
        first_card = time.monotonic() - t0
        phases["card"] = first_card
        fields = await page.until(lambda: sorted(c for c, st in page.states.items() if st.get("_model_name") == "TextModel"
                                                  and str(st.get("placeholder", "")).startswith("0–")))
        field = fields[0]
        top = float(page.states[field]["placeholder"].split("–")[1])
        lists = page.find(_model_name="SelectModel")
        times = []
        for i in range(saves):
            value = float((i % int(max(top, 2))) + 1)
            started = time.monotonic()
            await page.set(field, value=f"{value:g}")
            label = f"{s['status_draft']} {value:g} ·"
            await page.until(lambda: any(label in str(page.states[c].get("_options_labels", "")) for c in lists))
            times.append(time.monotonic() - started)
        pump.cancel()
    return {"first_card": first_card, "saves": times, "kernel_id": kernel_id, "phases": phases}


# ---------------------------------------------------------------------------- a run
def kernels_of(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def kernel_pids(kernel_ids: set[str]) -> list[int]:
    """The processes of these kernels (their command line names the kernel's connection file)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    cmdline = f.read().decode(errors="replace")
            except OSError:
                continue
            if any(f"kernel-{k}.json" in cmdline for k in kernel_ids):
                found.append(int(entry))
    return found


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            return int(next(line for line in f if line.startswith("VmRSS")).split()[1]) / 1024
    except (OSError, StopIteration):
        return 0.0


def cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except OSError:
        return 0


def wait_settled(server: int, want: int) -> None:
    """Until `want` kernels run and none of them works any more (the pool is filled)."""
    while len(kernels_of(server)) < want:
        time.sleep(1)
    before = None
    while True:
        now = sum(cpu_ticks(k) for k in kernels_of(server))
        if before is not None and now - before < 5:
            return
        before = now
        time.sleep(2)


def run(mode: str, rnd, codes: list[str], saves: int, log: Path) -> dict:
    port, token = free_port(), secrets.token_hex(12)
    notebook = notebook_path("scoring")
    if mode == "workbench":
        serving = rnd.serving.model_copy(update={"max_kernels": max(rnd.serving.max_kernels, len(codes) + 5),
                                                 "pool_refill_seconds": 3600})  # the wave only, not the refill
        cmd = voila_command(notebook, port=port, token=token, serving=serving, pool_size=len(codes))
    else:  # stock Voila as `serve` ran it before: no pool
        cmd = [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}", "--Voila.port_retries=0",
               "--template=workbench", f"--token={token}"]
    env = {**voila_env(wb.DEFAULT_ROUND, workdir=rnd.workdir), "PYTHONPATH": str(ROOT)}
    with open(log, "w") as out:
        server = subprocess.Popen(cmd, env=env, cwd=notebook.parent, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "voila/static/voila.js", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        wait_settled(server.pid, len(codes) if mode == "workbench" else 0)

        async def everyone():
            return await asyncio.gather(*(reviewer(base, token, c, saves) for c in codes))

        results = asyncio.run(everyone())
        kernels = kernel_pids({r["kernel_id"] for r in results})  # the sessions' own, not the pool refilling
        memory = sum(rss_mb(k) for k in kernels)
        server_mb = rss_mb(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
    saves_s = sorted(t for r in results for t in r["saves"])
    return {"first_card_max": max(r["first_card"] for r in results),
            "first_card_p50": statistics.median(r["first_card"] for r in results),
            "save_p50_ms": 1000 * statistics.median(saves_s) if saves_s else float("nan"),
            "save_p99_ms": 1000 * saves_s[min(len(saves_s) - 1, int(0.99 * len(saves_s)))] if saves_s else float("nan"),
            "mb_per_session": memory / max(len(codes), 1), "kernels": len(kernels), "server_mb": server_mb,
            # where the time to the first card goes (medians, seconds from the page request)
            **{f"at_{k}_s": statistics.median(r["phases"][k] for r in results) for k in ("page", "widgets", "card")}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reviewers", type=int, default=30)
    ap.add_argument("--saves", type=int, default=10)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--plain", action="store_true", help="also run stock Voila (alternating) for the ratio")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="workbench-load-"))
    rnd, codes = make_round(folder, args.reviewers)
    modes = ["workbench", "plain"] if args.plain else ["workbench"]
    got: dict[str, list[dict]] = {m: [] for m in modes}
    for i in range(args.runs):
        for mode in modes if i % 2 == 0 else modes[::-1]:  # alternate, so drift in the machine's load is shared
            got[mode].append(run(mode, rnd, codes, args.saves, folder / f"{mode}-{i}.log"))
            print(mode, {k: round(v, 3) for k, v in got[mode][-1].items()}, flush=True)
    print(f"\n{args.reviewers} reviewers, {args.saves} saves each, {args.runs} run(s), medians over runs:")
    for mode in modes:
        med = {k: statistics.median(r[k] for r in got[mode]) for k in got[mode][0]}
        print(f"  {mode:9s} first card: all within {med['first_card_max']:.1f} s (p50 {med['first_card_p50']:.1f} s; "
              f"goal {GOAL_FIRST_CARD_S:g} s)  saves p50 {med['save_p50_ms']:.0f} ms, p99 {med['save_p99_ms']:.0f} ms "
              f"(goal p99 < {GOAL_SAVE_P99_MS:g} ms)  memory {med['mb_per_session']:.0f} MB per session "
              f"({med['kernels']:.0f} kernels; server {med['server_mb']:.0f} MB)")
    if args.plain:
        ours = statistics.median(r["first_card_max"] for r in got["workbench"])
        plain = statistics.median(r["first_card_max"] for r in got["plain"])
        print(f"  ratio plain/workbench, time until every reviewer is at a card: {plain / ours:.2f}x")


if __name__ == "__main__":
    main()
