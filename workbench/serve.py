"""Serve a dashboard with standalone Voila: one notebook file, locked down, offline, preheated.

`voila_command` builds the argument list, `voila_env` the environment (the workbench template on
JUPYTER_PATH, the round for the kernel), `serve` runs both. Never a folder (a viewer could render
any notebook in it), never JupyterLab's preview (anyone reaching it can run code); the host is
127.0.0.1 unless told otherwise, and Voila must not wander to another port when this one is busy.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from workbench import labels
from workbench.config import REPO

# name -> notebook, relative to the repository. Adding a dashboard is one entry here.
NOTEBOOKS: dict[str, str] = {
    "meeting": "dashboards/meeting.ipynb",
    "scoring": "notebooks/03_scoring.ipynb",
    "progress": "dashboards/progress.ipynb",
}
TEMPLATE = "workbench"  # workbench/share/voila/templates/workbench: lab + offline + large CJK type
SHARE = Path(__file__).resolve().parent / "share"
ROUND_ENV = "WORKBENCH_ROUND"
WORKDIR_ENV = "WORKBENCH_WORKDIR"


class ServeError(ValueError):
    """Unknown dashboard, missing notebook, port taken (code: dashboard_unknown / notebook_missing / port_in_use)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{message} [{code}]")
        self.code = code


def notebook_path(name: str) -> Path:
    """The notebook file of a named dashboard."""
    if name not in NOTEBOOKS:
        raise ServeError("dashboard_unknown", labels.SERVE["unknown"].format(name=name, known="、".join(NOTEBOOKS)))
    path = REPO / NOTEBOOKS[name]
    if not path.is_file():
        raise ServeError("notebook_missing", labels.SERVE["missing"].format(path=path))
    return path


def voila_command(notebook: str | Path, *, host: str = "127.0.0.1", port: int = 8866, token: str | None = None,
                  preheat: bool = True) -> list[str]:
    """The `voila` argument list for one notebook file (run it with `voila_env()` as environment)."""
    cmd = [
        sys.executable, "-m", "voila", str(Path(notebook).resolve()),
        "--no-browser",
        f"--Voila.ip={host}",
        f"--port={int(port)}",
        "--Voila.port_retries=0",
        f"--template={TEMPLATE}",
        "--VoilaExporter.language_code=zh",
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.strip_sources=True",
        # every page load starts a kernel; shut down the abandoned ones (never a connected or pooled one)
        "--MappingKernelManager.cull_idle_timeout=1800",
        "--MappingKernelManager.cull_interval=120",
    ]
    if preheat:
        cmd += ["--preheat_kernel=True", "--pool_size=1"]
    if token:
        cmd.append(f"--token={token}")
    return cmd


def voila_env(round_path: str | Path | None = None, *, workdir: str | Path | None = None, host: str = "127.0.0.1",
              base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for `voila_command`: our template on JUPYTER_PATH, the round (config and
    working folder, read by `wb.round_from_env()`) for the kernels, which inherit the server's
    environment, and plotly's offline renderer."""
    env = dict(os.environ if base is None else base)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(SHARE), env.get("JUPYTER_PATH", "")) if p)
    env["PLOTLY_RENDERER"] = "plotly_mimetype"
    if host not in ("0.0.0.0", "", "::"):
        env["VOILA_APP_IP"] = host  # where a preheated kernel reaches the server to learn of its viewer
    if round_path is not None:
        env[ROUND_ENV] = str(Path(round_path).resolve())
    if workdir is not None:
        env[WORKDIR_ENV] = str(Path(workdir).resolve())
    return env


def address(host: str, port: int, token: str | None = None) -> str:
    """The URL to open on the projector."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


def serve(name: str = "meeting", *, host: str = "127.0.0.1", port: int = 8866, token: str | None = None,
          round_path: str | Path | None = None, workdir: str | Path | None = None, preheat: bool = True) -> int:
    """Run Voila on the named dashboard until interrupted; prints the address; returns Voila's exit code."""
    notebook = notebook_path(name)
    check_port(host, port)
    print(labels.SERVE["address"].format(name=name, url=address(host, port, token)), flush=True)
    proc = subprocess.Popen(voila_command(notebook, host=host, port=port, token=token, preheat=preheat),
                            env=voila_env(round_path, workdir=workdir, host=host), cwd=notebook.parent)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        return proc.wait(timeout=30)


def check_port(host: str, port: int) -> None:
    """Refuse a port another program holds, before printing an address that would not answer."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        try:
            s.bind((host, port))
        except OSError:
            raise ServeError("port_in_use", labels.SERVE["port_in_use"].format(host=host, port=port)) from None


def refresh_when_opened(app) -> None:
    """In a preheated kernel, wait for the first viewer, then re-read the store if anything changed
    since the notebook ran (when the pool was filled, perhaps hours before the meeting): a cheap
    fingerprint decides, so an unchanged round opens at once. Elsewhere it does nothing."""
    if os.environ.get("VOILA_PREHEAT") != "True":
        return
    from voila.utils import wait_for_request

    wait_for_request()
    refresh = getattr(app, "refresh_if_stale", None) or app.refresh
    refresh()
