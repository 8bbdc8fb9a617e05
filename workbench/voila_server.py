"""The Voila server `workbench serve` runs: standalone Voila with the guards a room of reviewers needs.

Run as `python -m workbench.voila_server <voila arguments>` (`serve.voila_command` builds them); it
is Voila 0.5 (`voila.app.Voila`) with six things changed, all in `WorkbenchVoila.start`:

- The kernel websocket speaks only the v1 protocol (`v1.kernel.websocket.jupyter.org`, what every
  Voila 0.5 page uses). A client that does not offer it is refused before any kernel is touched:
  on the legacy protocol, Voila's `read_header_from_binary_message` reads jupyter_server's legacy
  binary frame (a 4-byte big-endian count) as a v1 frame (an 8-byte little-endian count) and
  builds a list of about 10^17 offsets: the server stops answering, grows by hundreds of MB a
  second and no longer handles SIGTERM. Every incoming frame must be a well-formed v1 frame (at
  most `MAX_PARTS` parts, offsets inside the frame, at most `MAX_FRAME_BYTES`) before jupyter_server
  parses it, since its parser trusts the count too; a bad frame closes that socket, nothing else.
  Outgoing frames are read the same bounded way.
- The page: at most `max_kernels` viewer kernels (pooled ones aside) live at once; beyond that a
  short "busy, try again" page (503) and no kernel is started. A kernel whose page has closed its
  socket is shut down `CLOSED_GRACE_SECONDS` later unless the page reconnected; the culler
  (MappingKernelManager.cull_idle_timeout) takes the ones never connected.
- The Host header must name this server: loopback, the bound address, this machine's names and
  addresses, or `allowed_hosts` (a web page elsewhere cannot reach it by DNS rebinding).
- A page is given a pooled kernel only when one is ready. Voila counts a refill that is still
  waiting out its delay (`pool_refill_seconds`, 30 s) as pooled, so a second page opened in that
  window waited for the delay, the kernel's start and the notebook (~30 s); it now starts its own
  kernel (a cold page, a few seconds) and the refill keeps its schedule.
- Voila's scripts are cached by the browser: they are served under a path naming their version
  (`/voila/static/v-<digest of Voila's static files>/`, the page's `fullStaticUrl`) and the
  extensions' content-hashed files, as immutable, so a page load asks the server for none of the
  ~100 files again (Voila sends `no-cache` or nothing, and every load revalidated each one).
  The page is told no MathJax (it would name cdnjs.cloudflare.com; no dashboard typesets).
- The browser's address reaches the kernel (for the login lockout) in a file beside the kernel's
  connection file (`<connection file>.client`), written here when the page's websocket opens,
  never taken from what the client says; behind a reverse proxy on this machine, the proxy's
  X-Real-IP. (Voila's own way, the request's environment in a preheated kernel, makes the
  notebook wait for the viewer in a cell, which delays every page.)
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import socket
import sys
import tempfile
from typing import Any

from jupyter_server.base.handlers import FileFindHandler
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.ioloop import IOLoop
from traitlets import Float, Integer, List, Unicode
from voila.app import Voila
from voila.static_file_handler import MultiStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

from workbench import labels
from workbench.serve import CLIENT_SUFFIX

V1 = "v1.kernel.websocket.jupyter.org"
MAX_PARTS = 64  # channel aside: header, parent header, metadata, content and the buffers of one message
MAX_FRAME_BYTES = 8 * 1024 * 1024  # a widget message from a page is a few KB; an upload is not ours
CLOSED_GRACE_SECONDS = 60  # a page whose socket closed may reconnect (a network blip) before its kernel goes
LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")


# ---------------------------------------------------------------------------- frames (pure)
def v1_offsets(frame: object, max_parts: int = MAX_PARTS) -> list[int] | None:
    """The offsets of a well-formed v1 kernel websocket frame, or None.

    A v1 frame is: n (8 bytes, little endian), n offsets (8 bytes each), then the channel name and
    the message parts (header, parent header, metadata, content, buffers) they delimit; the first
    offset is where the offsets end, they never decrease, and the last is the frame's end. The count
    is checked against the frame's length before anything is read, so no count makes work.
    """
    if not isinstance(frame, (bytes, bytearray, memoryview)):
        return None
    frame = bytes(frame)
    if len(frame) < 8:
        return None
    n = int.from_bytes(frame[:8], "little")
    if not 6 <= n <= max_parts + 2 or len(frame) < 8 * (n + 1):
        return None
    offsets = [int.from_bytes(frame[8 * (i + 1):8 * (i + 2)], "little") for i in range(n)]
    if offsets[0] != 8 * (n + 1) or offsets[-1] != len(frame):
        return None
    if any(b < a for a, b in zip(offsets, offsets[1:])):
        return None
    return offsets


def v1_header(frame: object) -> dict | None:
    """The message header of a well-formed v1 frame (a JSON object with a msg_type), or None."""
    offsets = v1_offsets(frame)
    if offsets is None:
        return None
    try:
        header = json.loads(bytes(frame)[offsets[1]:offsets[2]].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return header if isinstance(header, dict) and isinstance(header.get("msg_type"), str) else None


def host_pattern(hosts: list[str]) -> str:
    """A tornado host pattern matching exactly these names (case-insensitive, as tornado lowercases)."""
    names = sorted({h.strip().lower() for h in hosts if h and h.strip()})
    return "^(?:" + "|".join(re.escape(n) for n in names) + ")$"


def own_hosts(bound: str) -> list[str]:
    """The names and addresses that reach this machine: loopback, the bound address and, when bound
    to every interface, this machine's name and addresses."""
    hosts = list(LOOPBACK)
    if bound not in ("", "0.0.0.0", "::"):
        return hosts + [bound, f"[{bound}]" if ":" in bound else bound]
    name = socket.gethostname()
    hosts += [name, socket.getfqdn()]
    try:
        hosts += [info[4][0] for info in socket.getaddrinfo(name, None)]
    except OSError:
        pass
    try:  # the address other machines on the LAN use (no packet is sent)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            hosts.append(probe.getsockname()[0])
    except OSError:
        pass
    return hosts + [f"[{h}]" for h in hosts if ":" in h and not h.startswith("[")]


# ---------------------------------------------------------------------------- handlers
class GuardedKernelWebsocketHandler(VoilaKernelWebsocketHandler):
    """The kernel websocket, v1 protocol only, every frame checked before it is parsed."""

    async def get(self, *args: Any, **kwargs: Any) -> None:
        offered = [p.strip() for p in self.request.headers.get("Sec-WebSocket-Protocol", "").split(",")]
        if V1 not in offered:
            self.log.warning("workbench: refused a kernel websocket without the v1 protocol from %s",
                             self.request.remote_ip)
            self.set_status(400)
            self.finish("the v1 kernel websocket protocol is required [ws_protocol]")
            return
        await super().get(*args, **kwargs)

    def select_subprotocol(self, subprotocols: list[str]) -> str | None:
        return V1 if V1 in subprotocols else None

    async def open(self, kernel_id: str) -> None:  # type: ignore[override]
        tell_kernel_client(self.kernel_manager, kernel_id, client_address(self.request))
        await super().open(kernel_id)

    def on_message(self, message: str | bytes) -> None:
        if v1_header(message) is None:
            self.log.warning("workbench: closed a kernel websocket that sent a malformed frame (%s)",
                             self.request.remote_ip)
            self.close(1008, "malformed frame")
            return
        super().on_message(message)

    def write_message(self, message: bytes | str | dict, binary: bool = False):  # type: ignore[override]
        if isinstance(message, (bytes, bytearray)):
            header = v1_header(message)
            if header is None:  # nothing else is sent on a v1 socket; never parse it unbounded
                self.log.warning("workbench: dropped an outgoing frame that is not a v1 frame")
                return None
            if header.get("msg_type") == "execute_input":  # Voila's rule: no cell source to the page
                return None
            return web_socket_write(self, message, binary)
        return super().write_message(message, binary)

    def on_close(self) -> None:
        super().on_close()
        kernel_id, manager = getattr(self, "kernel_id", None), self.kernel_manager
        if kernel_id:
            IOLoop.current().call_later(self.settings["workbench_voila"].closed_grace_seconds,
                                        lambda: asyncio.ensure_future(_shut_down_if_unused(manager, kernel_id)))


def web_socket_write(handler: VoilaKernelWebsocketHandler, message: bytes, binary: bool):
    """tornado's own write, past Voila's unbounded header reading."""
    return super(VoilaKernelWebsocketHandler, handler).write_message(message, binary)


async def _shut_down_if_unused(manager, kernel_id: str) -> None:
    """Shut down a viewer's kernel whose page went away and did not come back."""
    if kernel_id not in manager or getattr(manager, "_kernel_connections", {}).get(kernel_id, 0) > 0:
        return
    try:
        await manager.shutdown_kernel(kernel_id)
    except Exception:  # already gone
        return


IMMUTABLE = "public, max-age=31536000, immutable"
HASHED_NAME = re.compile(r"[.-][0-9a-f]{16,}\.js$")  # a webpack [contenthash] in the file's name


def static_version(paths: list[str]) -> str:
    """A short digest of the files under Voila's static folders (names, sizes, times): it changes
    whenever Voila's scripts do, so a versioned URL never names two contents."""
    digest = hashlib.sha256()
    for root in paths:
        for folder, dirs, files in sorted(os.walk(root)):
            dirs.sort()
            for name in sorted(files):
                st = os.stat(os.path.join(folder, name))
                digest.update(f"{os.path.relpath(os.path.join(folder, name), root)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


class VersionedStaticHandler(MultiStaticFileHandler):
    """Voila's static files under /voila/static/v-<version>/: immutable."""

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", IMMUTABLE)


class HashedLabextensionHandler(FileFindHandler):
    """The extensions' files: immutable when the name or the `v` argument carries the content hash."""

    def set_headers(self) -> None:
        super().set_headers()
        if "v" in self.request.arguments or HASHED_NAME.search(self.request.path):
            self.set_header("Cache-Control", IMMUTABLE)


def versioned_page_config(version: str, chained=None):
    """A Voila page_config_hook: the page loads Voila's scripts from the versioned path and no MathJax."""

    def hook(page_config: dict, **kwargs: Any) -> dict:
        if chained is not None:
            page_config = chained(page_config, **kwargs)
        page_config["fullStaticUrl"] = page_config["fullStaticUrl"].rstrip("/") + f"/v-{version}"
        page_config["fullMathjaxUrl"] = page_config["mathjaxConfig"] = "null"
        return page_config

    return hook


def pool_item_ready(task: object) -> bool:
    """Whether an item of Voila's kernel pool (a task: the delay, the kernel's start, the notebook
    run) has a kernel ready for a page now."""
    return isinstance(task, asyncio.Future) and task.done() and not task.cancelled() and task.exception() is None


class ReadyPool:
    """Mixed into Voila's pooling kernel manager: a page takes a pooled kernel only if one is ready
    (Voila's page handler asks `get_pool_size`); otherwise it starts its own. The ready ones are
    handed out first."""

    def get_pool_size(self, notebook_name: str) -> int:
        return sum(pool_item_ready(t) for t in self._pools.get(notebook_name, ()))

    def pooled_kernels(self, notebook_name: str) -> int:
        """Every item of the pool, ready or still being prepared (the kernel cap leaves them aside)."""
        return len(self._pools.get(notebook_name, ()))

    async def get_rendered_notebook(self, notebook_name: str, *args: Any, **kwargs: Any):
        pool = self._pools.get(notebook_name)
        if pool:
            pool.sort(key=lambda t: not pool_item_ready(t))  # stable: the ready ones first, in order
        return await super().get_rendered_notebook(notebook_name, *args, **kwargs)


def use_ready_pool(manager: object) -> None:
    """Give Voila's pooling kernel manager (built by its factory inside `init_settings`) the
    `ReadyPool` rule; a manager without a pool is left as it is."""
    cls = type(manager)
    if hasattr(cls, "get_rendered_notebook") and not isinstance(manager, ReadyPool):
        manager.__class__ = type(f"Ready{cls.__name__}", (ReadyPool, cls), {})


class CappedVoilaHandler(TornadoVoilaHandler):
    """The page: no kernel beyond the cap."""

    @web.authenticated
    async def get(self, path: str | None = None) -> None:
        manager, app = self.kernel_manager, self.settings["workbench_voila"]
        pooled = manager.pooled_kernels(self.notebook_path) if isinstance(manager, ReadyPool) else 0
        if len(manager.list_kernel_ids()) - pooled >= app.max_kernels:
            self.log.warning("workbench: %s viewer kernels, the cap: a busy page for %s",
                             app.max_kernels, self.request.remote_ip)
            self.set_status(503)
            self.set_header("Retry-After", "30")
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(labels.SERVE["busy_page"])
            return
        await super().get(path)


def client_address(request) -> str:
    """The browser's address: the peer, or the X-Real-IP a reverse proxy on this machine sets."""
    peer = request.remote_ip or ""
    real = request.headers.get("X-Real-IP", "").strip()
    if real and peer in ("127.0.0.1", "::1"):
        return real[:64]
    return peer


def tell_kernel_client(manager, kernel_id: str, address: str) -> None:
    """Write the browser's address beside the kernel's connection file, for the kernel to read."""
    try:
        target = manager.get_kernel(kernel_id).connection_file + CLIENT_SUFFIX
        part = f"{target}.{os.getpid()}"
        with open(part, "w", encoding="utf-8") as f:
            f.write(address)
        os.replace(part, target)
    except (KeyError, OSError, AttributeError):  # no such kernel, or nowhere to write: the lockout counts per code only
        return


class HostRefusedHandler(web.RequestHandler):
    """Any request whose Host header is not one of this server's names."""

    def prepare(self) -> None:
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(labels.SERVE["host_refused"].format(host=self.request.host_name))


# ---------------------------------------------------------------------------- the application
class WorkbenchVoila(Voila):
    """Voila with the guards above (see the module's docstring)."""

    name = "voila"  # reads the same voila.json / config files as Voila
    max_kernels = Integer(40, config=True, help="Viewer kernels alive at once (pooled ones aside).")
    allowed_hosts = List(Unicode(), config=True, help="Host names or addresses besides this machine's own.")
    closed_grace_seconds = Float(CLOSED_GRACE_SECONDS, config=True,
                                 help="Seconds a page whose socket closed has to reconnect before its kernel goes.")

    def initialize(self, argv: list[str] | None = None) -> None:
        """Voila.initialize, then the template's own settings (conf.json "traitlet_configuration") applied.

        Voila 0.5.13 merges them into the config after its VoilaConfiguration was built, so they never
        took effect: the workbench template's extension allow-list was ignored and every page loaded
        plotly's 4.8 MB bundle and pygments before the kernel connected. Options given on the command
        line still win (Voila's merge keeps them)."""
        super().initialize(argv)
        self.voila_configuration.update_config(self.voila_configuration.config)
        self.static_version = static_version(self.static_paths)
        self.voila_configuration.page_config_hook = versioned_page_config(
            self.static_version, self.voila_configuration.page_config_hook)

    def start(self) -> None:
        """Voila.start, with the guarded handlers and the Host allow-list."""
        self.connection_dir = tempfile.mkdtemp(prefix="voila_", dir=self.connection_dir_root)
        self.log.info("Storing connection files in %s." % self.connection_dir)
        settings = self.init_settings()
        use_ready_pool(self.kernel_manager)
        settings["workbench_voila"] = self
        settings["websocket_max_message_size"] = MAX_FRAME_BYTES
        self.app = web.Application(**settings)
        self.app.settings.update(self.tornado_settings)
        swap = {VoilaKernelWebsocketHandler: GuardedKernelWebsocketHandler, TornadoVoilaHandler: CappedVoilaHandler,
                FileFindHandler: HashedLabextensionHandler}
        handlers = [(rule[0], swap.get(rule[1], rule[1]), *rule[2:]) for rule in self.init_handlers()]
        versioned = url_path_join(self.server_url, rf"/voila/static/v-{self.static_version}/(.*)")
        handlers.insert(0, (versioned, VersionedStaticHandler, {"paths": self.static_paths,
                                                                 "default_filename": "index.html"}))
        hosts = own_hosts(self.ip) + list(self.allowed_hosts)
        self.log.info("workbench: answering the hosts %s", ", ".join(sorted(set(hosts))))
        self.app.add_handlers(host_pattern(hosts), handlers)
        self.app.add_handlers(".*$", [(r".*", HostRefusedHandler)])
        self.listen()


def main(argv: list[str] | None = None) -> None:
    WorkbenchVoila.launch_instance(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
