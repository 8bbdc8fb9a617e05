"""Load test of the scoring page: N reviewers open it at once, log in, and save.

    .venv/bin/python benchmarks/load.py --reviewers 30 --saves 10            # reviewers pause ~--pause s
    .venv/bin/python benchmarks/load.py --reviewers 30 --saves 10 --pause 0  # back to back (saturation)
    .venv/bin/python benchmarks/load.py --reviewers 10 --plain              # also stock Voila, alternating runs

Each reviewer is a raw HTTP + websocket client, the way a browser talks to Voila (a browser per
reviewer would measure Chromium, not the server): GET the page with the token (a kernel), open
the kernel websocket (v1 protocol), ask for the widgets' states, type the access code and click
登录, wait for the candidate card; then, `--saves` times, type a value into the first criterion
field (what the page sends when the field is left) and wait until the kernel has answered it.

What is measured:
- first card: from the page request to the dossier's HTML arriving after the login click, per
  reviewer; the figure is the last reviewer's (all of them at a card) and the median.
- a save: from sending the field's new value to receiving the kernel's `idle` for that message
  (everything the save changed on the page, the list's new total and "saved", was sent before it,
  on the same ordered channel); the list must show the new total, else the run fails. p50 / p99
  over all saves of all reviewers. Between saves a reviewer reads for a random 0.5-1.5 × `--pause`
  seconds (also before the first); `--pause 0` saves back to back (a saturation test: its figure
  is throughput, not the goal's latency).
- memory per session: the sessions' kernels' RSS (and PSS, which shares the libraries fairly),
  over the number of sessions; the server's own RSS apart.
- where the CPU went (from /proc): the kernels, the server and this script's clients, until the
  last reviewer was at a card and after it.

The server is `workbench serve scoring` as configured by the round (`[serving]`), with the pool
sized to the number of reviewers and filled before the clock starts; `--plain` also runs stock
`voila` on the same notebook (no pool: what serving looked like before), alternating with ours,
and prints the ratio of the medians. The reviewers' paper pledges are recorded first (no pledge,
no scoring). Goal on a 2-core machine: all 30 reviewers at their first card within 30 s, saves p99
< 100 ms. Progress is printed every few seconds; a phase that does not finish within `--timeout`
seconds ends the run with what the stuck pages show, and the server (with its kernels) is always
stopped, also on Ctrl+C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import signal
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


class LoadError(RuntimeError):
    """A phase of the run did not finish (the message says which, and what the pages show)."""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def uptime() -> str:
    try:
        with open("/proc/loadavg") as f:
            return "load average " + " ".join(f.read().split()[:3])
    except OSError:
        return "load average unknown"


# ---------------------------------------------------------------------------- the round
def make_round(folder: Path, reviewers: int):
    """A sample round with at least `reviewers` reviewers, assigned, pledged, each with a code."""
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
        assigned = sorted(set(store.assignments()["reviewer_id"]))
        for reviewer_id in assigned:  # no pledge, no scoring: signed on paper before the session
            store.record_pledge(reviewer_id, method="paper", actor="load-benchmark")
        codes = store.issue_codes()
    codes = codes[codes["reviewer_id"].isin(assigned)]
    warm_scoring(rnd)  # as `workbench serve scoring` does before it starts the server
    return rnd, codes["code"].tolist()[:reviewers]


# ---------------------------------------------------------------------------- one reviewer
def frame(msg_type: str, content: dict, session: str, msg_id: str | None = None, metadata: dict | None = None) -> bytes:
    header = {"msg_id": msg_id or uuid.uuid4().hex, "msg_type": msg_type, "username": "bench", "session": session,
              "version": "5.3", "date": "2026-01-01T00:00:00Z"}
    parts = [json.dumps(p).encode() for p in (header, {}, metadata or {}, content)]
    channel = b"shell"
    offsets = [8 * (len(parts) + 3)]
    offsets.append(offsets[-1] + len(channel))
    for p in parts:
        offsets.append(offsets[-1] + len(p))
    return b"".join([len(offsets).to_bytes(8, "little"), *(o.to_bytes(8, "little") for o in offsets), channel, *parts])


def parse(raw: bytes) -> tuple[dict, dict, dict]:
    """Header, parent header and content of a v1 frame."""
    offsets = v1_offsets(raw)
    header = json.loads(raw[offsets[1]:offsets[2]])
    parent = json.loads(raw[offsets[2]:offsets[3]])
    content = json.loads(raw[offsets[4]:offsets[5]])
    return header, parent, content


class Session:
    """One reviewer's page: the kernel websocket and the widget states it has seen."""

    def __init__(self, ws, session: str):
        self.ws, self.session, self.states = ws, session, {}
        self.fresh: dict[str, dict] = {}  # states the kernel sent or opened since the last clear (not asked for)
        self.idle: dict[str, float] = {}  # msg_id -> when the kernel said it was done with that message
        self.changed = asyncio.Event()

    async def pump(self) -> None:
        async for raw in self.ws:
            if not isinstance(raw, bytes):
                continue
            header, parent, content = parse(raw)
            kind = header.get("msg_type")
            if kind == "status" and content.get("execution_state") == "idle" and parent.get("msg_id"):
                self.idle[parent["msg_id"]] = time.perf_counter()
                self.changed.set()
            elif kind == "comm_info_reply":
                for comm_id in content.get("comms", {}):
                    await self.send("comm_msg", {"comm_id": comm_id, "data": {"method": "request_state"}})
            elif kind == "comm_msg" and content.get("data", {}).get("method") == "update_states":
                for comm_id, model in content["data"].get("states", {}).items():  # every widget at once
                    self.states.setdefault(comm_id, {}).update(model.get("state", {}))
                self.changed.set()
            elif kind in ("comm_msg", "comm_open"):
                data = content.get("data", {})
                state = data.get("state")
                if state:
                    self.states.setdefault(content["comm_id"], {}).update(state)
                    if kind == "comm_open" or data.get("method") in ("update", "echo_update"):
                        self.fresh.setdefault(content["comm_id"], {}).update(state)
                    self.changed.set()

    async def send(self, msg_type: str, content: dict, msg_id: str | None = None, metadata: dict | None = None) -> None:
        await self.ws.send(frame(msg_type, content, self.session, msg_id, metadata))

    async def load_widgets(self) -> None:
        """Ask for every widget's state as Voila's page does (ipywidgets 8's manager): one request on a
        `jupyter.widget.control` comm, one reply; after 4 s without one, per widget (comm_info, request_state)."""
        control = uuid.uuid4().hex
        await self.send("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
                        metadata={"version": "1.0.0"})
        await self.send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
        try:
            await self.until(lambda: len(self.states) > 0, 4)
        except TimeoutError:
            await self.send("comm_info_request", {})
        await self.send("comm_close", {"comm_id": control, "data": {}})

    async def until(self, predicate, timeout: float):
        deadline = time.monotonic() + timeout
        while True:
            found = predicate()
            if found:
                return found
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except TimeoutError:
                pass

    def find(self, **match) -> list[str]:
        return [c for c, s in self.states.items() if all(s.get(k) == v for k, v in match.items())]

    async def set(self, comm_id: str, **state) -> str:
        msg_id = uuid.uuid4().hex
        await self.send("comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": state, "buffer_paths": []}},
                        msg_id)
        return msg_id

    def messages(self) -> str:
        """What the page says (its message boxes, and the headings of what it showed last), for an error report."""
        said = [re.sub(r"<[^>]+>", "", str(s.get("value", ""))) for s in self.states.values()
                if 'class="wb-msg' in str(s.get("value", ""))]
        said += [re.sub(r"<[^>]+>", "", h) for s in self.fresh.values() for h in re.findall(r"<h[23]>.*?</h[23]>", str(s.get("value", "")))]
        return "；".join(dict.fromkeys(t.strip() for t in said if t.strip())) or "(no message on the page)"


async def reviewer(base: str, token: str, code: str, saves: int, pause: float, timeout: float, where: dict) -> dict:
    """One reviewer's session; `where` tells the progress report which step it is at."""
    rng = random.Random(code)
    t0 = time.perf_counter()
    loop = asyncio.get_running_loop()
    where["step"] = "page"
    html = await loop.run_in_executor(None, lambda: urllib.request.urlopen(f"{base}?token={token}", timeout=timeout).read())
    found = re.search(rb'kernelId\\?"\s*:\s*\\?"([0-9a-f-]{36})', html)
    if not found:
        Path(tempfile.gettempdir(), f"workbench-load-page-{os.getpid()}.html").write_bytes(html)
        text = re.sub(r"\s+", " ", re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", html.decode(errors="replace"), flags=re.DOTALL))
        raise LoadError(f"the page ({len(html)} bytes) has no kernel (busy page or error): …{text[-400:]}")
    kernel_id = found.group(1).decode()
    phases = {"page": time.perf_counter() - t0}
    session = uuid.uuid4().hex
    url = base.replace("http", "ws", 1) + f"api/kernels/{kernel_id}/channels?session_id={session}&token={token}"
    async with connect(url, subprotocols=[V1], max_size=2**24, open_timeout=timeout, ping_timeout=None) as ws:
        page = Session(ws, session)
        pump = asyncio.create_task(page.pump())
        try:
            s = labels.SCORING
            where["step"] = "widgets"
            await page.load_widgets()
            try:
                password = (await page.until(lambda: page.find(_model_name="PasswordModel"), timeout))[0]
                button = (await page.until(lambda: page.find(_model_name="ButtonModel", description=s["login"]), timeout))[0]
            except TimeoutError:
                raise LoadError(f"no login form within {timeout:g} s ({len(page.states)} widgets seen)") from None
            phases["widgets"] = time.perf_counter() - t0
            where["step"] = "card"
            page.fresh.clear()
            await page.set(password, value=code)
            await page.send("comm_msg", {"comm_id": button, "data": {"method": "custom", "content": {"event": "click"}}})
            try:
                await page.until(lambda: [c for c, st in page.fresh.items() if 'class="wb-dossier"' in str(st.get("value", ""))],
                                 timeout)
                fields = await page.until(lambda: sorted(
                    c for c, st in page.states.items() if st.get("_model_name") == "TextModel"
                    and str(st.get("placeholder", "")).startswith("0–") and not st.get("disabled")), timeout)
            except TimeoutError:
                raise LoadError(f"no candidate card within {timeout:g} s after the login click; "
                                f"the page says: {page.messages()}") from None
            first_card = time.perf_counter() - t0
            phases["card"] = first_card
            where["step"] = "saves"
            where["at_card"]()
            field = fields[0]
            top = float(page.states[field]["placeholder"].split("–")[1])
            lists = page.find(_model_name="SelectModel")
            times, spans = [], []
            for i in range(saves):
                if pause:
                    await asyncio.sleep(rng.uniform(0.5, 1.5) * pause)
                value = float((i % int(max(top, 2))) + 1)
                started = time.perf_counter()
                msg_id = await page.set(field, value=f"{value:g}")
                label = f"{s['status_draft']} {value:g} ·"
                try:
                    await page.until(lambda sent=msg_id: sent in page.idle, timeout)
                except TimeoutError:
                    raise LoadError(f"save {i + 1} not answered within {timeout:g} s; the page says: {page.messages()}") from None
                times.append(page.idle[msg_id] - started)
                spans.append((started, page.idle[msg_id]))
                if not any(label in str(page.states[c].get("_options_labels", "")) for c in lists):
                    raise LoadError(f"save {i + 1} answered but the list does not show {label!r}; "
                                    f"the page says: {page.messages()}")
                where["saved"] = i + 1
            where["step"] = "done"
        finally:
            pump.cancel()
    return {"first_card": first_card, "saves": times, "spans": spans, "kernel_id": kernel_id, "phases": phases}


# ---------------------------------------------------------------------------- the server's processes
def children(pid: int) -> list[int]:
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


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a process in MB; PSS splits shared pages between the processes sharing them."""
    rss = pss = 0.0
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = int(next(line for line in f if line.startswith("VmRSS")).split()[1]) / 1024
        with open(f"/proc/{pid}/smaps_rollup") as f:
            pss = int(next(line for line in f if line.startswith("Pss:")).split()[1]) / 1024
    except (OSError, StopIteration):
        pass
    return rss, pss


def cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except OSError:
        return 0


def _die_with_parent() -> None:
    """In the server: SIGTERM when this benchmark dies, however it dies (the kernels go with it)."""
    os.setsid()
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def stop(server: subprocess.Popen) -> None:
    """Stop the server and its kernels: SIGTERM (Voila shuts its kernels down), then SIGKILL for
    whatever is left after 30 s, kernels included."""
    if server.poll() is None:
        kernels = children(server.pid)
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
        for pid in kernels:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_ready(server: subprocess.Popen, base: str, want: int, timeout: float, log: Path) -> None:
    """Until the server answers, `want` kernels run and none of them works any more (the pool is filled)."""
    deadline = time.monotonic() + timeout

    def check(what: str) -> None:
        if server.poll() is not None:
            raise LoadError(f"the server stopped (exit {server.returncode}) while {what}:\n{tail(log)}")
        if time.monotonic() > deadline:
            raise LoadError(f"the server did not finish {what} within {timeout:g} s:\n{tail(log)}")

    while True:
        try:
            urllib.request.urlopen(base + "voila/static/voila.js", timeout=2)
            break
        except OSError:
            check("starting")
            time.sleep(0.5)
    while len(children(server.pid)) < want:
        check(f"starting {want} kernels ({len(children(server.pid))} so far)")
        time.sleep(1)
    before = None
    while True:
        now = sum(cpu_ticks(k) for k in children(server.pid))
        if before is not None and now - before < 5:
            return
        check("running the notebook in the pooled kernels")
        before = now
        time.sleep(2)


def cpu_seconds(server: int, kernels: list[int]) -> dict[str, float]:
    """CPU seconds used so far by the server, the kernels (together) and this benchmark's clients."""
    tick = os.sysconf("SC_CLK_TCK")
    me = os.times()
    return {"server": cpu_ticks(server) / tick, "kernels": sum(cpu_ticks(k) for k in kernels) / tick,
            "clients": me.user + me.system}


async def everyone(base: str, token: str, codes: list[str], saves: int, pause: float, timeout: float,
                   mark=lambda name: None) -> list[dict]:
    """All reviewers at once, with a progress line every 5 s; the first failure ends the run.
    `mark("cards")` is called when the last reviewer reaches the card."""
    arrived = []

    def at_card() -> None:
        arrived.append(1)
        if len(arrived) == len(codes):
            mark("cards")

    where = [{"step": "start", "saved": 0, "at_card": at_card} for _ in codes]
    started = time.perf_counter()

    async def report() -> None:
        while True:
            await asyncio.sleep(5)
            steps = [w["step"] for w in where]
            counts = " ".join(f"{k} {steps.count(k)}" for k in ("page", "widgets", "card", "saves", "done") if k in steps)
            print(f"    {time.perf_counter() - started:5.0f} s: {counts}; saves {sum(w['saved'] for w in where)}"
                  f"/{saves * len(codes)}", flush=True)

    reporter = asyncio.create_task(report())
    tasks = [asyncio.create_task(reviewer(base, token, c, saves, pause, timeout, w)) for c, w in zip(codes, where)]
    try:
        return await asyncio.gather(*tasks)
    except BaseException as exc:
        for t in tasks:
            t.cancel()
        stuck = [f"reviewer {i + 1}: at {w['step']}" for i, w in enumerate(where) if w["step"] != "done"]
        if isinstance(exc, Exception) and not isinstance(exc, LoadError):
            raise LoadError(f"{type(exc).__name__}: {exc}") from exc
        if isinstance(exc, LoadError):
            raise LoadError(f"{exc}\n  not finished: {', '.join(stuck[:10])}" + (" …" if len(stuck) > 10 else "")) from None
        raise
    finally:
        reporter.cancel()


def run(mode: str, rnd, codes: list[str], saves: int, pause: float, timeout: float, log: Path) -> dict:
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
        server = subprocess.Popen(cmd, env=env, cwd=notebook.parent, stdout=out, stderr=subprocess.STDOUT,
                                  preexec_fn=_die_with_parent)
    base = f"http://127.0.0.1:{port}/"
    try:
        t = time.perf_counter()
        wait_ready(server, base, len(codes) if mode == "workbench" else 0, max(timeout, 30.0 * len(codes)), log)
        print(f"  {mode}: server ready in {time.perf_counter() - t:.0f} s ({len(children(server.pid))} kernels), "
              f"{uptime()}; {len(codes)} reviewers start", flush=True)
        kernels = children(server.pid)
        marks = {"start": cpu_seconds(server.pid, kernels)}
        results = asyncio.run(everyone(base, token, codes, saves, pause, timeout,
                                       lambda name: marks.__setitem__(name, cpu_seconds(server.pid, kernels))))
        marks["end"] = cpu_seconds(server.pid, kernels)
        cpu = {f"cpu_{phase}_{who}_s": marks[b][who] - marks[a][who] for phase, a, b in
               (("wave", "start", "cards"), ("saves", "cards", "end")) for who in marks[a]}
        kernels = kernel_pids({r["kernel_id"] for r in results})  # the sessions' own, not the pool refilling
        rss, pss = (sum(v) for v in zip(*(memory_mb(k) for k in kernels))) if kernels else (0.0, 0.0)
        server_mb = memory_mb(server.pid)[0]
    finally:
        stop(server)
    saves_s = sorted(t for r in results for t in r["saves"])
    spans = [sp for r in results for sp in r["spans"]]
    busy = (max(e for _, e in spans) - min(b for b, _ in spans)) if spans else float("nan")
    return {"first_card_max": max(r["first_card"] for r in results),
            "first_card_p50": statistics.median(r["first_card"] for r in results),
            "save_p50_ms": 1000 * statistics.median(saves_s) if saves_s else float("nan"),
            "save_p99_ms": 1000 * saves_s[min(len(saves_s) - 1, int(0.99 * len(saves_s)))] if saves_s else float("nan"),
            "save_max_ms": 1000 * saves_s[-1] if saves_s else float("nan"),
            "saves": len(saves_s), "saves_per_s": len(saves_s) / busy if spans else float("nan"),
            "mb_per_session": rss / max(len(codes), 1),
            "pss_mb_per_session": pss / max(len(codes), 1), "kernels": len(kernels), "server_mb": server_mb, **cpu,
            # where the time to the first card goes (medians, seconds from the page request)
            **{f"at_{k}_s": statistics.median(r["phases"][k] for r in results) for k in ("page", "widgets", "card")}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reviewers", type=int, default=30)
    ap.add_argument("--saves", type=int, default=10)
    ap.add_argument("--pause", type=float, default=2.0,
                    help="mean seconds a reviewer reads before each save (0: back to back)")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds any one step may take before the run fails")
    ap.add_argument("--plain", action="store_true", help="also run stock Voila (alternating) for the ratio")
    args = ap.parse_args()

    def _terminated(signum, _frame):  # SIGTERM / SIGHUP: unwind, so the server is stopped in `run`
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminated)
    print(f"GOAL: {args.reviewers} reviewers all at their first card within {GOAL_FIRST_CARD_S:g} s; "
          f"saves p99 < {GOAL_SAVE_P99_MS:g} ms (reviewers pausing {args.pause:g} s on average) — {uptime()}", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="workbench-load-"))
    t = time.perf_counter()
    rnd, codes = make_round(folder, args.reviewers)
    print(f"  round ready in {time.perf_counter() - t:.0f} s: {len(codes)} reviewers with codes, {folder}", flush=True)
    if len(codes) < args.reviewers:
        sys.exit(f"only {len(codes)} reviewers have assignments [load_reviewers]")
    modes = ["workbench", "plain"] if args.plain else ["workbench"]
    got: dict[str, list[dict]] = {m: [] for m in modes}
    try:
        for i in range(args.runs):
            for mode in modes if i % 2 == 0 else modes[::-1]:  # alternate, so drift in the machine's load is shared
                got[mode].append(run(mode, rnd, codes, args.saves, args.pause, args.timeout, folder / f"{mode}-{i}.log"))
                print(f"  {mode}:", {k: round(v, 3) for k, v in got[mode][-1].items()}, uptime(), flush=True)
    except LoadError as exc:
        sys.exit(f"load test failed: {exc} [load_failed]")
    print(f"\n{args.reviewers} reviewers, {args.saves} saves each, pause {args.pause:g} s, {args.runs} run(s), "
          f"medians over runs ({uptime()}):")
    for mode in modes:
        med = {k: statistics.median(r[k] for r in got[mode]) for k in got[mode][0]}
        print(f"  {mode:9s} first card: all within {med['first_card_max']:.1f} s (p50 {med['first_card_p50']:.1f} s; "
              f"goal {GOAL_FIRST_CARD_S:g} s)  saves p50 {med['save_p50_ms']:.0f} ms, p99 {med['save_p99_ms']:.0f} ms "
              f"(goal p99 < {GOAL_SAVE_P99_MS:g} ms; max {med['save_max_ms']:.0f} ms; {med['saves_per_s']:.0f} saves/s)  "
              f"memory {med['mb_per_session']:.0f} MB "
              f"RSS / {med['pss_mb_per_session']:.0f} MB PSS per session "
              f"({med['kernels']:.0f} kernels; server {med['server_mb']:.0f} MB)")
        print(f"            CPU s until every reviewer was at a card: kernels {med['cpu_wave_kernels_s']:.1f}, server "
              f"{med['cpu_wave_server_s']:.1f}, clients {med['cpu_wave_clients_s']:.1f}; after: kernels "
              f"{med['cpu_saves_kernels_s']:.1f}, server {med['cpu_saves_server_s']:.1f}, clients {med['cpu_saves_clients_s']:.1f}")
    if args.plain:
        ours = statistics.median(r["first_card_max"] for r in got["workbench"])
        plain = statistics.median(r["first_card_max"] for r in got["plain"])
        print(f"  ratio plain/workbench, time until every reviewer is at a card: {plain / ours:.2f}x")


if __name__ == "__main__":
    main()
