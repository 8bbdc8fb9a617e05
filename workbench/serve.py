"""Serve a dashboard with standalone Voila: one notebook file, locked down, offline, preheated.

`voila_command` builds the argument list, `voila_env` the environment (the workbench template on
JUPYTER_PATH, the round for the kernel), `serve` runs both. Never a folder (a viewer could render
any notebook in it), never JupyterLab's preview (anyone reaching it can run code); the host is
127.0.0.1 unless told otherwise, and Voila must not wander to another port when this one is busy.

The server is `workbench.voila_server` (Voila with a guarded kernel websocket, a cap on kernels
and a Host allow-list); the round's `[serving]` section sizes the preheated pool, the cap and the
culling. On the LAN a token is required (one is made when none is given). SIGTERM or Ctrl+C stops
Voila, which shuts its kernels down, and `serve` waits for it.
"""

from __future__ import annotations

import asyncio
import errno
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

from workbench import labels
from workbench.config import DEFAULT_ROUND, REPO, Serving, load_round

# name -> notebook, relative to the repository. Adding a dashboard is one entry here.
NOTEBOOKS: dict[str, str] = {
    "meeting": "dashboards/meeting.ipynb",
    "scoring": "notebooks/03_scoring.ipynb",
    "progress": "dashboards/progress.ipynb",
}
TEMPLATE = "workbench"  # workbench/share/voila/templates/workbench: lab + offline + large CJK type
SHARE = Path(__file__).resolve().parent / "share"
CLIENT_SUFFIX = ".client"  # beside a kernel's connection file: its browser's address (workbench.voila_server)
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
                  preheat: bool = True, serving: Serving | None = None, pool_size: int = 1,
                  allowed_hosts: list[str] | tuple[str, ...] = (), extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The server's argument list for one notebook file (run it with `voila_env()` as environment):
    Voila's own options, sized by the round's `serving` section, then `extra` options."""
    serving = serving or Serving()
    hosts = [*serving.allowed_hosts, *allowed_hosts]
    cmd = [
        sys.executable, "-m", "workbench.voila_server", str(Path(notebook).resolve()),
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
        # every page load takes a kernel: at most this many, and the abandoned ones (closed or never
        # connected, idle) are shut down; never a connected or pooled one
        f"--WorkbenchVoila.max_kernels={serving.max_kernels}",
        f"--MappingKernelManager.cull_idle_timeout={serving.cull_idle_seconds}",
        f"--MappingKernelManager.cull_interval={serving.cull_interval_seconds}",
        "--MappingKernelManager.cull_connected=False",
        # the kernels talk to the server over Unix sockets in the server's private connection folder:
        # no TCP port is picked for them, so thirty kernels started at once cannot race for one (a
        # kernel that lost the race was restarted without the notebook and its page never loaded),
        # and no other user of this machine can reach a kernel's unencrypted channels
        "--KernelManager.transport=ipc",
    ]
    cmd += [f"--WorkbenchVoila.allowed_hosts={h}" for h in hosts]
    if preheat and pool_size > 0:
        cmd += ["--preheat_kernel=True", f"--pool_size={int(pool_size)}",
                f"--VoilaKernelManager.fill_delay={serving.pool_refill_seconds:g}"]
    if token:
        cmd.append(f"--token={token}")
    return cmd + list(extra)


def voila_env(round_path: str | Path | None = None, *, workdir: str | Path | None = None, host: str = "127.0.0.1",
              base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for `voila_command`: our template on JUPYTER_PATH, the round (config and
    working folder, read by `wb.round_from_env()`) for the kernels, which inherit the server's
    environment, plotly's offline renderer, and no widget echoes."""
    env = dict(os.environ if base is None else base)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(SHARE), env.get("JUPYTER_PATH", "")) if p)
    env["PLOTLY_RENDERER"] = "plotly_mimetype"
    # One page per kernel: ipywidgets 8's echo of every value a page sends (for several pages sharing
    # a kernel) is one more message through the server per typed field, for nobody.
    env["JUPYTER_WIDGETS_ECHO"] = "0"
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


def is_loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")


STOP_SECONDS = 30  # Voila's own SIGTERM handling shuts its kernels down; past this it is killed


def serve(name: str = "meeting", *, host: str = "127.0.0.1", port: int = 8866, token: str | None = None,
          round_path: str | Path | None = None, workdir: str | Path | None = None, preheat: bool = True,
          allowed_hosts: list[str] | tuple[str, ...] = ()) -> int:
    """Run Voila on the named dashboard until interrupted (Ctrl+C or SIGTERM); prints the address;
    returns Voila's exit code. Serving beyond this machine needs a token: one is made if none is given."""
    notebook = notebook_path(name)
    rnd = load_round(round_path or DEFAULT_ROUND)
    rnd = rnd.at(workdir) if workdir is not None else rnd
    serving = rnd.serving
    check_port(host, port)
    if name == "scoring":
        warm_scoring(rnd)
    if not token and not is_loopback(host):
        token = secrets.token_urlsafe(16)
        print(labels.SERVE["lan_token"], flush=True)
    print(labels.SERVE["address"].format(name=name, url=address(host, port, token)), flush=True)
    cmd = voila_command(notebook, host=host, port=port, token=token, preheat=preheat, serving=serving,
                        pool_size=serving.pool.get(name, 1), allowed_hosts=allowed_hosts)
    proc = subprocess.Popen(cmd, env=voila_env(round_path, workdir=workdir, host=host), cwd=notebook.parent,
                            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    return wait_or_stop(proc)


def warm_scoring(rnd) -> None:
    """Read the candidates' facts once, now, into the cache the reviewers' kernels read after login
    (so thirty logins at once do not each read the whole inbox). A failure here only costs time."""
    from workbench.scoring import cached_candidates
    from workbench.store import open_store

    try:
        with open_store(rnd) as store:
            cached_candidates(rnd, store)
    except Exception as exc:  # the page reads the inbox itself then, and says what is wrong
        print(f"{labels.SERVE['warm_failed']}：{exc}", file=sys.stderr, flush=True)


def wait_or_stop(proc: subprocess.Popen) -> int:
    """Wait for the server; on SIGTERM, SIGHUP or Ctrl+C stop it (it shuts its kernels down) and wait,
    killing it after STOP_SECONDS: `serve` never leaves Voila behind on the port."""
    stopping = False

    def _stop(_signum, _frame) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            print(labels.SERVE["stopping"], flush=True)
            proc.send_signal(signal.SIGTERM)

    handled = (signal.SIGTERM, signal.SIGINT) + ((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ())
    previous = {sig: signal.signal(sig, _stop) for sig in handled}
    try:
        while True:
            try:
                code = proc.wait(timeout=STOP_SECONDS if stopping else None)
                break
            except subprocess.TimeoutExpired:
                proc.kill()
            except KeyboardInterrupt:  # a handler not yet installed, or a second Ctrl+C
                _stop(signal.SIGINT, None)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if stopping:
        print(labels.SERVE["stopped"], flush=True)
    return code


def _die_with_parent() -> None:
    """In the Voila child: be sent SIGTERM if `workbench serve` dies without stopping it (even by SIGKILL)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def check_port(host: str, port: int) -> None:
    """Refuse a port another program listens on, before printing an address that would not answer.

    The test bind uses SO_REUSEADDR, as Voila's own does: connections of a server that has just
    stopped, waiting out TIME-WAIT, do not make the port busy; a listening socket still does.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
                raise
            raise ServeError("port_in_use", labels.SERVE["port_in_use"].format(host=host, port=port)) from None


def viewer_address() -> str | None:
    """In a served kernel, the address of the browser whose page it is (written by the server when
    the page's websocket opened, beside the kernel's connection file, see `workbench.voila_server`);
    None elsewhere. The connection file is read from the kernel's command line (`-f FILE`): asking
    ipykernel would import its kernel app, which takes over the comms of widgets made outside one."""
    args = sys.argv
    found = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "-f"]
    found += [a.split("=", 1)[1] for a in args if a.startswith("--f=")]
    if not found or not found[0].endswith(".json"):
        return None
    try:
        with open(found[0] + CLIENT_SUFFIX, encoding="utf-8") as f:
            return f.read().strip()[:64] or None
    except OSError:  # not served by workbench serve, or no websocket yet
        return None


def refresh_when_opened(app) -> None:
    """In a preheated kernel, wait for the first viewer, then re-read the store if anything changed
    since the notebook ran (when the pool was filled, perhaps hours before the meeting): a cheap
    fingerprint decides, so an unchanged round opens at once. Elsewhere it does nothing.

    The cell does not wait in the kernel's own thread: Voila sends the page only when the notebook's
    last cell has finished, so the wait and the check would delay every page. The viewer's request
    is awaited in a thread, and the check then runs on the kernel's event loop (where the widgets
    live) while the browser is still loading the page's scripts; meanwhile the screen is covered
    (`app.hold()` until `app.release()`), so a stale figure is never shown. Outside a running event
    loop (a plain script) it waits in place."""
    if os.environ.get("VOILA_PREHEAT") != "True":
        return
    from voila.utils import wait_for_request

    refresh = getattr(app, "refresh_if_stale", None) or app.refresh
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        wait_for_request()
        refresh()
        return
    hold, release = getattr(app, "hold", None), getattr(app, "release", None)
    if hold is not None:
        hold()

    def check() -> None:  # on the kernel's loop
        try:
            refresh()
        finally:
            if release is not None:
                release()

    def wait() -> None:  # in a thread: the request's details arrive over a websocket
        try:
            wait_for_request()
        finally:
            loop.call_soon_threadsafe(check)

    threading.Thread(target=wait, name="workbench-viewer", daemon=True).start()
