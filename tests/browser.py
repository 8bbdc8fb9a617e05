"""What the browser tests share: the system Chromium and its flags, and a dashboard served by
standalone Voila exactly as `workbench serve NAME` serves it."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

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
def voila_serving(name: str, workdir: Path, log_path: Path, token: str, *, preheat: bool = True):
    """Serve dashboard `name` on `workdir`; yields (base url, token, log path) once Voila answers."""
    port = free_port()
    notebook = notebook_path(name)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(voila_command(notebook, port=port, token=token, preheat=preheat),
                                env=voila_env(wb.DEFAULT_ROUND, workdir=workdir),
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
