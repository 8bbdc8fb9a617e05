"""What the browser tests share: the system Chromium and its flags, and a dashboard served by
standalone Voila exactly as `workbench serve NAME` serves it."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

import workbench as wb
from workbench.serve import notebook_path, voila_command, voila_env

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"
LOCAL = "127.0.0.1"
TIMEOUT_MS = 120_000  # a 2-core box starting a kernel and the JupyterLab bundle; not an assertion


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOCAL, 0))
        return s.getsockname()[1]


def chromium_or_skip() -> str:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed: the browser test needs the system Chromium")
    return str(CHROMIUM)


@contextmanager
def voila_serving(name: str, workdir: Path, log_path: Path, token: str, *, preheat: bool = True,
                  env: dict[str, str] | None = None):
    """Serve dashboard `name` on `workdir`; yields (base url, token, log path) once Voila answers."""
    with notebook_serving(notebook_path(name), workdir, log_path, token, preheat=preheat, env=env) as served:
        yield served


@contextmanager
def notebook_serving(notebook: Path, workdir: Path | None, log_path: Path, token: str,
                     env: dict[str, str] | None = None, **command):
    """Serve one notebook file as `workbench serve` does (`command`: more `voila_command` arguments,
    `env`: more environment, e.g. WORKBENCH_DB); yields (base url, token, log path) once the server
    answers; stops it on exit (kills it when it does not stop)."""
    port = free_port()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(voila_command(notebook, port=port, token=token, **command),
                                env={**voila_env(wb.DEFAULT_ROUND, workdir=workdir), **(env or {})},
                                cwd=notebook.parent, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://{LOCAL}:{port}/"
    try:
        for _ in range(600):  # a public static asset: starts no kernel
            if proc.poll() is not None:
                pytest.fail(f"voila exited early:\n{log_path.read_text()[-3000:]}")
            try:
                urllib.request.urlopen(base + "voila/static/voila.js", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield base, token, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def opened(browser, served, ready: str, name: str, viewport: tuple[int, int] = (1920, 1080)):
    """A page on the served dashboard whose every request is recorded (`page.requested`), and blocked
    unless it goes to 127.0.0.1; waits for the selector `ready`. On failure, tests/artifacts/<name>-failed.png."""
    base, token, log_path = served
    requested: list[str] = []
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    try:
        page = context.new_page()
        page.on("request", lambda r: requested.append(r.url))
        page.on("websocket", lambda ws: requested.append(ws.url))
        page.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname == LOCAL
                   else route.abort())
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{base}?token={token}")
        try:
            page.wait_for_selector(ready)
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{name}-failed.png"))
            pytest.fail(f"the page did not appear:\n{page.locator('body').inner_text()[-1500:]}\n"
                        f"voila log:\n{log_path.read_text()[-3000:]}")
        page.requested = requested
        yield page
    finally:
        context.close()
