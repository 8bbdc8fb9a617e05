"""`workbench serve` attacked as a hostile client would, with raw HTTP and websocket clients.

Each attack was seen to stop or exhaust Voila 0.5.13 as `serve` ran it before (issue 17): a kernel
websocket without the v1 protocol asking for an Image widget's state, a malformed v1 frame, page
loads without end, a foreign Host header, SIGTERM leaving Voila on the port, a port in TIME-WAIT
called busy. A server that hangs makes its check fail on a timeout, never the test run hang.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.browser import LOCAL, free_port, notebook_serving
from workbench.config import REPO, Serving
from workbench.serve import ServeError, check_port
from workbench.voila_server import V1, v1_header, v1_offsets

ANSWER_SECONDS = 20  # a server that has not answered a static file by then is hung (not a timing check)


# ---------------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def image_notebook(tmp_path_factory) -> Path:
    """A page with an ipywidgets Image: its state carries a binary buffer, the trigger of the hang."""
    folder = tmp_path_factory.mktemp("attack-nb")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import ipywidgets as w\ndisplay(w.VBox([w.Image(value=b'\\xff\\xd8\\xff' * 50, format='jpeg'), w.HTML('hi')]))")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "image.ipynb"
    nbformat.write(nb, path)
    return path


def answers(base: str) -> bool:
    """Whether the server still serves a static file (which starts no kernel)."""
    try:
        with urllib.request.urlopen(base + "voila/static/voila.js", timeout=ANSWER_SECONDS) as r:
            return r.status == 200
    except OSError:
        return False


def open_page(base: str, token: str) -> str:
    """Load the page (a kernel starts); return its kernel id."""
    with urllib.request.urlopen(f"{base}?token={token}", timeout=120) as r:
        html = r.read().decode()
    return re.search(r'kernelId": "([0-9a-f-]+)"', html).group(1)


def kernel_socket(base: str, kernel_id: str, token: str, protocols: list[str] | None):
    session = uuid.uuid4().hex  # one per socket: a second socket of a session replaces the first
    url = base.replace("http", "ws", 1) + f"api/kernels/{kernel_id}/channels?session_id={session}&token={token}"
    return connect(url, subprotocols=protocols, open_timeout=60, close_timeout=5)


def message(msg_type: str, content: dict) -> dict:
    return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "x", "session": "attacker",
                       "version": "5.3", "date": "2026-01-01T00:00:00Z"},
            "parent_header": {}, "metadata": {}, "content": content}


def v1_frame(msg: dict, channel: str = "shell") -> bytes:
    from jupyter_server.services.kernels.connection.base import serialize_msg_to_ws_v1

    parts = [json.dumps(msg[k]).encode() for k in ("header", "parent_header", "metadata", "content")]
    return serialize_msg_to_ws_v1(parts, channel)


def legacy_json(msg: dict, channel: str = "shell") -> str:
    return json.dumps({**msg, "channel": channel, "buffers": []})


def comm_ids(ws, frame) -> list[str]:
    """Every comm (widget) of the kernel, asked with comm_info_request."""
    ws.send(frame(message("comm_info_request", {})))
    for _ in range(50):
        got = ws.recv(timeout=30)
        header = json.loads(got)["header"] if isinstance(got, str) else v1_header(got)
        if header and header["msg_type"] == "comm_info_reply":
            offsets = v1_offsets(got) if isinstance(got, bytes) else None
            content = json.loads(got[offsets[4]:offsets[5]]) if offsets else json.loads(got)["content"]
            return list(content["comms"])
    raise AssertionError("no comm_info_reply")


@pytest.fixture(scope="module")
def served(image_notebook, tmp_path_factory):
    log = tmp_path_factory.mktemp("attack-log") / "voila.log"
    with notebook_serving(image_notebook, None, log, secrets.token_hex(8), preheat=False,
                          serving=Serving(max_kernels=10)) as s:
        yield s


# ---------------------------------------------------------------------------- the kernel websocket
def test_a_client_without_the_v1_protocol_is_refused_and_the_server_keeps_answering(served):
    base, token, log = served
    kernel_id = open_page(base, token)
    try:  # the attack of the issue: legacy protocol, then ask every widget (the Image too) for its state
        with kernel_socket(base, kernel_id, token, None) as ws:
            for comm_id in comm_ids(ws, legacy_json):
                ws.send(legacy_json(message("comm_msg", {"comm_id": comm_id, "data": {"method": "request_state"}})))
            time.sleep(2)
        refused = False
    except InvalidStatus as exc:
        refused = exc.response.status_code == 400
    assert answers(base), f"the server stopped answering:\n{log.read_text()[-2000:]}"
    assert refused


def test_the_image_state_still_reaches_a_v1_client(served):
    base, token, _ = served
    kernel_id = open_page(base, token)
    with kernel_socket(base, kernel_id, token, [V1]) as ws:
        assert ws.subprotocol == V1
        for comm_id in comm_ids(ws, v1_frame):
            ws.send(v1_frame(message("comm_msg", {"comm_id": comm_id, "data": {"method": "request_state"}})))
        with_buffers = 0
        for _ in range(60):
            got = ws.recv(timeout=30)
            offsets = v1_offsets(got)
            assert offsets is not None  # every frame the server sends is a well-formed v1 frame
            if len(offsets) > 6:  # a part beyond the content: the Image's buffer
                with_buffers += 1
                break
    assert with_buffers == 1
    assert answers(base)


def test_the_server_tells_the_kernel_its_browser_address(served):
    base, token, log = served
    kernel_id = open_page(base, token)
    folder = re.search(r"Storing connection files in (\S+?)\.?$", log.read_text(), re.M).group(1)
    beside = Path(folder) / f"kernel-{kernel_id}.json.client"
    assert not beside.exists()
    req_headers = {"X-Real-IP": "6.6.6.6"}  # only a reverse proxy on this machine may say who the browser is
    url = base.replace("http", "ws", 1) + f"api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}&token={token}"
    with connect(url, subprotocols=[V1], additional_headers=req_headers, open_timeout=60) as ws:
        comm_ids(ws, v1_frame)
    assert beside.read_text() == "6.6.6.6"  # from 127.0.0.1: taken as a local proxy's word


def test_a_remote_browser_cannot_name_its_own_address():
    from types import SimpleNamespace

    from workbench.voila_server import client_address

    def request(peer: str, **headers: str):
        return SimpleNamespace(remote_ip=peer, headers=headers)

    assert client_address(request("10.0.0.5", **{"X-Real-IP": "6.6.6.6"})) == "10.0.0.5"
    assert client_address(request("10.0.0.5")) == "10.0.0.5"
    assert client_address(request("127.0.0.1", **{"X-Real-IP": "10.0.0.9"})) == "10.0.0.9"


@pytest.mark.parametrize("frame", [
    (2**62).to_bytes(8, "little") + b"\0" * 16,  # a count of 4.6e18 offsets
    (3).to_bytes(8, "little") + b"\xff" * 24,  # too few parts, offsets past the end
    b"\0\0\0\2" + b"\0\0\0\x0c" + b"\0\0\0\x10" + b"{}{}",  # a legacy binary frame on a v1 socket
    "not a frame, text",
])
def test_a_malformed_frame_closes_only_its_own_socket(served, frame):
    base, token, log = served
    kernel_id = open_page(base, token)
    with kernel_socket(base, kernel_id, token, [V1]) as bad, kernel_socket(base, kernel_id, token, [V1]) as good:
        bad.send(frame)
        with pytest.raises(ConnectionClosed) as closed:
            for _ in range(200):
                bad.recv(timeout=ANSWER_SECONDS)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
        assert answers(base), f"the server stopped answering:\n{log.read_text()[-2000:]}"
        assert comm_ids(good, v1_frame)  # the page's own socket still works


def test_frame_parsing_is_bounded_by_the_frame_not_its_count():
    good = v1_frame(message("kernel_info_request", {}))
    assert v1_header(good)["msg_type"] == "kernel_info_request"
    for bad in (good[:-1], good + b"x", (2**63).to_bytes(8, "little") + good[8:], b"", None, good.decode("latin-1")):
        assert v1_offsets(bad) is None and v1_header(bad) is None


def page_config(base: str, token: str) -> dict:
    with urllib.request.urlopen(f"{base}?token={token}", timeout=120) as r:
        html = r.read().decode()
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_voila_scripts_come_from_a_versioned_path_the_browser_keeps(served):
    """The page loads Voila's scripts from /voila/static/v-<version>/, served immutable (Voila's own
    path revalidates every file on every load); the extensions' hashed files are immutable too; the
    Host allow-list guards the new path like the others; the page names no MathJax on a CDN."""
    base, token, _ = served
    config = page_config(base, token)
    static = config["fullStaticUrl"]
    assert re.fullmatch(r"/voila/static/v-[0-9a-f]{16}", static)
    assert config["fullMathjaxUrl"] == "null" and "cdnjs" not in json.dumps(config)
    with urllib.request.urlopen(base + static.lstrip("/") + "/voila.js", timeout=ANSWER_SECONDS) as r:
        assert r.status == 200 and "immutable" in r.headers["Cache-Control"]
        versioned = r.read()
    with urllib.request.urlopen(base + "voila/static/voila.js", timeout=ANSWER_SECONDS) as r:
        assert r.read() == versioned and "immutable" not in (r.headers["Cache-Control"] or "")
    with pytest.raises(urllib.error.HTTPError) as missing:  # another version: not served from this one
        urllib.request.urlopen(base + "voila/static/v-0000000000000000/voila.js", timeout=ANSWER_SECONDS)
    assert missing.value.code in (403, 404)
    manager = next(e for e in config["federated_extensions"] if e["name"] == "@jupyter-widgets/jupyterlab-manager")
    with urllib.request.urlopen(f"{base}voila/labextensions/{manager['name']}/{manager['load']}",
                                timeout=ANSWER_SECONDS) as r:
        assert "immutable" in r.headers["Cache-Control"]
    with urllib.request.urlopen(f"{base}voila/labextensions/{manager['name']}/package.json",
                                timeout=ANSWER_SECONDS) as r:
        assert "immutable" not in r.headers["Cache-Control"]
    port = base.rsplit(":", 1)[1].strip("/")
    req = urllib.request.Request(base + static.lstrip("/") + "/voila.js", headers={"Host": f"attacker.example:{port}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=ANSWER_SECONDS)
    assert refused.value.code == 403


# ---------------------------------------------------------------------------- pages and kernels
def test_kernels_are_capped_and_a_closed_page_gives_its_kernel_back(image_notebook, tmp_path):
    log = tmp_path / "voila.log"
    token = secrets.token_hex(8)
    with notebook_serving(image_notebook, None, log, token, preheat=False, serving=Serving(max_kernels=2),
                          extra=["--WorkbenchVoila.closed_grace_seconds=1"]) as (base, _, _):
        first = open_page(base, token)
        open_page(base, token)  # never connects: the culler's
        with pytest.raises(urllib.error.HTTPError) as busy:
            open_page(base, token)
        assert busy.value.code == 503 and "[server_busy]" in busy.value.read().decode()
        with kernel_socket(base, first, token, [V1]) as ws:  # a viewer comes and goes
            comm_ids(ws, v1_frame)
        for _ in range(60):  # its kernel is shut down a grace period later, and a new page opens
            try:
                open_page(base, token)
                break
            except urllib.error.HTTPError as exc:
                assert exc.code == 503
                time.sleep(1)
        else:
            pytest.fail(f"the closed page's kernel was never shut down:\n{log.read_text()[-2000:]}")
        assert "Kernel shutdown: " + first in log.read_text()


def test_a_page_opened_while_the_pool_refills_starts_its_own_kernel(image_notebook, tmp_path):
    """Voila counted a refill still waiting out its delay as a pooled kernel: the second page waited
    for the delay (here an hour) before its HTML came. Now it is served a kernel of its own."""
    log = tmp_path / "voila.log"
    token = secrets.token_hex(8)
    with notebook_serving(image_notebook, None, log, token, preheat=True, pool_size=1,
                          serving=Serving(max_kernels=5, pool_refill_seconds=3600)) as (base, _, _):
        for _ in range(600):  # the pool's kernel has run the notebook
            if "is filled" in log.read_text():
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"the pool was never filled:\n{log.read_text()[-2000:]}")
        first = open_page(base, token)
        second = open_page(base, token)  # under Voila's rule: an hour's wait, the open's timeout fails it
        assert first != second
        text = log.read_text()
        assert text.count("Using pre-heated kernel") == 1 and f"Using pre-heated kernel: {first}" in text


def test_the_pool_counts_only_ready_kernels_and_hands_them_out_first():
    import asyncio

    from workbench.voila_server import ReadyPool, pool_item_ready

    class Pooling:  # Voila's manager, as far as the rule sees it
        def __init__(self, pool):
            self._pools = {"nb": pool}

        def get_pool_size(self, name):
            return len(self._pools.get(name, ()))

        async def get_rendered_notebook(self, name, **_):
            return await self._pools[name].pop(0)

    class Manager(ReadyPool, Pooling):
        pass

    async def run():
        loop = asyncio.get_running_loop()
        waiting, ready, failed = loop.create_future(), loop.create_future(), loop.create_future()
        ready.set_result("kernel")
        failed.set_exception(RuntimeError("no kernel"))
        manager = Manager([waiting, failed, ready])
        counted = (manager.get_pool_size("nb"), manager.pooled_kernels("nb"), manager.get_pool_size("other"))
        got = await manager.get_rendered_notebook("nb")
        waiting.cancel()
        return counted, got, [pool_item_ready(t) for t in (waiting, failed, ready, "x")]

    counted, got, flags = asyncio.run(run())
    assert counted == (1, 3, 0) and got == "kernel" and flags == [False, False, True, False]


def test_the_host_header_must_name_this_server(image_notebook, tmp_path):
    token = secrets.token_hex(8)
    with notebook_serving(image_notebook, None, tmp_path / "voila.log", token, preheat=False,
                          serving=Serving(allowed_hosts=["review.example.lan"])) as (base, _, _):
        port = base.rsplit(":", 1)[1].strip("/")

        def status(host: str) -> tuple[int, str]:
            req = urllib.request.Request(base + "voila/static/voila.js", headers={"Host": host})
            try:
                with urllib.request.urlopen(req, timeout=ANSWER_SECONDS) as r:
                    return r.status, ""
            except urllib.error.HTTPError as exc:
                return exc.code, exc.read().decode()

        assert status(f"127.0.0.1:{port}")[0] == 200
        assert status(f"localhost:{port}")[0] == 200
        assert status(f"review.example.lan:{port}")[0] == 200
        code, body = status(f"attacker.example:{port}")  # DNS rebinding: a foreign name pointing here
        assert code == 403 and "[host_refused]" in body
        req = urllib.request.Request(f"{base}?token={token}", headers={"Host": "attacker.example"})
        with pytest.raises(urllib.error.HTTPError) as refused:  # and no kernel for it
            urllib.request.urlopen(req, timeout=ANSWER_SECONDS)
        assert refused.value.code == 403


# ---------------------------------------------------------------------------- stopping and ports
def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_sigterm_stops_serve_voila_and_its_kernels_and_frees_the_port(tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    serve = subprocess.Popen([sys.executable, "-m", "workbench.cli", "serve", "progress", "--port", str(port)],
                             cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://{LOCAL}:{port}/"
        for _ in range(300):
            if serve.poll() is not None or answers(base):
                break
            time.sleep(0.5)
        assert serve.poll() is None
        voila = _children(serve.pid)
        assert len(voila) == 1
        for _ in range(240):  # the preheated kernel
            kernels = _children(voila[0])
            if kernels:
                break
            time.sleep(0.5)
        assert kernels
        serve.send_signal(signal.SIGTERM)
        out, _ = serve.communicate(timeout=90)
        assert serve.returncode is not None
        assert not _alive(voila[0]) and not any(_alive(k) for k in kernels), out
        check_port(LOCAL, port)  # free again at once, TIME-WAIT or not
    finally:
        if serve.poll() is None:
            serve.kill()
        for pid in _children(serve.pid):
            os.kill(pid, signal.SIGKILL)


def test_a_port_in_time_wait_is_free_and_a_listening_one_is_busy():
    port = free_port()
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((LOCAL, port))
        listener.listen()
        with pytest.raises(ServeError) as busy:
            check_port(LOCAL, port)
        assert busy.value.code == "port_in_use"
        client = socket.create_connection((LOCAL, port))
        accepted, _ = listener.accept()
        accepted.close()  # the server side closes first: its end waits in TIME-WAIT
        client.close()
    time_wait = subprocess.run(["ss", "-tan", "state", "time-wait", f"( sport = :{port} )"],
                               capture_output=True, text=True).stdout
    if str(port) not in time_wait:
        pytest.skip("no TIME-WAIT socket could be made here")
    check_port(LOCAL, port)  # a server that has just stopped: the port is free for the next one


def test_a_kernel_reads_its_browser_address_from_beside_its_connection_file(tmp_path, monkeypatch):
    from workbench.serve import CLIENT_SUFFIX, viewer_address

    connection = tmp_path / "kernel-1234.json"
    monkeypatch.setattr(sys, "argv", ["ipykernel_launcher.py", "-f", str(connection)])
    assert viewer_address() is None  # no page has connected yet
    Path(str(connection) + CLIENT_SUFFIX).write_text("10.0.0.7")
    assert viewer_address() == "10.0.0.7"
    monkeypatch.setattr(sys, "argv", ["pytest"])
    assert viewer_address() is None  # not a kernel
