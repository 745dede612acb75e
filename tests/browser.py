"""A page in headless Chromium, driven over the DevTools protocol: open a URL, wait
until its text shows what is expected (the page draws after its websocket connects,
so a plain ``--screenshot`` catches only the loading screen), then take a screenshot.

Used by tests/test_app.py; ``python tests/browser.py URL OUT.png TEXT...`` takes one
by hand."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium() -> str | None:
    """The Chromium executable, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class _Page:
    def __init__(self, ws_url: str):
        from websockets.sync.client import connect

        self.ws = connect(ws_url, max_size=None, open_timeout=30).__enter__()
        self.n = 0

    def call(self, method: str, **params):
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=60))
            if msg.get("id") == self.n:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def text(self) -> str:
        r = self.call("Runtime.evaluate", expression="document.body ? document.body.innerText "
                      ": ''", returnByValue=True)
        return r.get("result", {}).get("value") or ""

    def click_text(self, label: str) -> bool:
        """Click the first button whose text is ``label``."""
        js = ("(() => { const b = [...document.querySelectorAll('button')].find(x => "
              f"x.innerText.trim().toLowerCase() === {json.dumps(label.lower())}); "
              "if (b) { b.click(); return true; } return false; })()")
        r = self.call("Runtime.evaluate", expression=js, returnByValue=True)
        return bool(r.get("result", {}).get("value"))


def require_chromium() -> str:
    """The Chromium executable. Missing: the test skips, or fails under CI (``CI=true``,
    which .ci/run exports), where a browser test must not pass by skipping."""
    import pytest

    exe = chromium()
    if exe is None:
        msg = "Chromium not installed: apt-get install chromium"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg + " (CI=true: browser tests must run)")
        pytest.skip(msg)
    return exe


class Session:
    """One browser of its own (a fresh profile, so a fresh session of the page): open
    ``url``, wait for texts, press keys on a slider, click buttons, take screenshots.
    Use as a context manager."""

    def __init__(self, url: str, size=(1600, 1200), tries: int = 480):
        self.url, self.size, self.tries = url, size, tries

    def __enter__(self):
        exe = chromium()
        if exe is None:
            raise FileNotFoundError("chromium")
        self._dir = tempfile.TemporaryDirectory(ignore_cleanup_errors=True)
        prof = self._dir.name
        self.proc = subprocess.Popen([exe, *FLAGS, f"--user-data-dir={prof}",
                                      f"--window-size={self.size[0]},{self.size[1]}",
                                      "--remote-debugging-port=0", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        try:
            port_file = Path(prof) / "DevToolsActivePort"
            for _ in range(300):
                if port_file.exists() and port_file.read_text().strip():
                    break
                time.sleep(0.1)
            port = int(port_file.read_text().split()[0])
            from urllib.request import urlopen

            targets = json.loads(urlopen(f"http://127.0.0.1:{port}/json").read())
            self.page = _Page(next(t for t in targets if t["type"] == "page")
                              ["webSocketDebuggerUrl"])
            self.page.call("Page.enable")
            self.page.call("Emulation.setDeviceMetricsOverride", width=self.size[0],
                           height=self.size[1], deviceScaleFactor=1, mobile=False)
            self.page.call("Page.navigate", url=self.url)
        except Exception:
            _stop_group(self.proc)
            self._dir.cleanup()
            raise
        return self

    def __exit__(self, *exc):
        try:
            self.page.ws.close()
        except Exception:  # noqa: BLE001 - the browser is stopped next in any case
            pass
        _stop_group(self.proc)
        self._dir.cleanup()
        return False

    def text(self) -> str:
        return self.page.text()

    def wait_for(self, texts: list[str], absent: list[str] = ()) -> str:
        """Wait until every string of ``texts`` is in the page's text (and none of
        ``absent``); return the text. Raises TimeoutError."""
        text = ""
        for _ in range(self.tries):
            text = self.page.text()
            low = text.lower()
            if all(t.lower() in low for t in texts) and not any(t.lower() in low
                                                                for t in absent):
                return text
            time.sleep(0.25)
        raise TimeoutError(f"the page never showed {texts}; it shows: {text[:400]!r}")

    def click(self, label: str) -> None:
        if not self.page.click_text(label):
            raise RuntimeError(f"no button {label!r}")

    def slider_keys(self, label_start: str, key: str = "ArrowRight", times: int = 1) -> None:
        """Focus the slider whose label contains ``label_start`` and press ``key``
        ``times`` times, as a person with a keyboard would move it."""
        # the slider is the first one below the text that names it (its label may be
        # inside the slider or a line of its own above it)
        js = ("(() => { const want = " + json.dumps(label_start) + ";"
              " const leaf = [...document.querySelectorAll('label, span, div, p')].filter("
              "e => e.children.length === 0 && e.innerText && e.innerText.includes(want));"
              " if (!leaf.length) return false; const y = leaf[0].getBoundingClientRect().top;"
              " const s = [...document.querySelectorAll('.v-input__slider')].find("
              "x => x.getBoundingClientRect().bottom > y); if (!s) return false;"
              " const t = s.querySelector('[role=slider]') || s.querySelector("
              "'.v-slider__thumb-container'); if (!t) return false; t.focus(); return true; })()")
        r = self.page.call("Runtime.evaluate", expression=js, returnByValue=True)
        if not r.get("result", {}).get("value"):
            raise RuntimeError(f"no slider labelled {label_start!r}")
        codes = {"ArrowRight": 39, "ArrowLeft": 37, "ArrowUp": 38, "ArrowDown": 40}
        for _ in range(times):
            for typ in ("keyDown", "keyUp"):
                self.page.call("Input.dispatchKeyEvent", type=typ, key=key, code=key,
                               windowsVirtualKeyCode=codes[key])
            time.sleep(0.05)

    def screenshot(self, out: Path) -> bytes:
        time.sleep(1.0)  # let the last images decode before the shot
        png = base64.b64decode(self.page.call("Page.captureScreenshot", format="png")["data"])
        out.write_bytes(png)
        return png


def screenshot(url: str, out: Path, expect: list[str], size=(1600, 1200), tries: int = 240,
               steps: int = 0, after_step: str = "") -> str:
    """Open ``url``, wait until every string of ``expect`` is in the page's text, press
    Step ``steps`` times (waiting each time for ``after_step.format(k=step)``), save a PNG to
    ``out`` and return the page's text. Raises if the texts never show."""
    # Chromium's helper processes (renderer, GPU, crashpad) may still be writing to the
    # profile when the browser itself has gone: Chromium gets its own process group, the
    # whole group is stopped at the end (Session), and a file written after that does not
    # fail.
    with Session(url, size=size, tries=tries) as s:
        s.wait_for(expect)
        for k in range(1, steps + 1):
            s.click("Step")
            s.wait_for([after_step.format(k=k)])
        s.screenshot(out)
        return s.text()


def free_port() -> int:
    """A TCP port nobody listens on now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(cmd: list[str], port: int, log: Path, cwd: Path) -> subprocess.Popen:
    """Start a page server (``hitech-sim app ...``) in its own process group, writing to
    ``log``, and wait up to about a minute for its port; stop it with :func:`stop`."""
    import socket

    server = subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT, cwd=cwd,
                              start_new_session=True)
    for _ in range(600):
        if server.poll() is not None:
            break
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.1)
    stop(server)
    raise RuntimeError("the server did not start: " + log.read_text()[-2000:])


def stop(server: subprocess.Popen) -> None:
    """Stop a server started by :func:`serve` and its process group."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    server.wait(timeout=30)


def _stop_group(proc: subprocess.Popen) -> None:
    """Stop Chromium and every process of its group, and wait for them."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        deadline = time.monotonic() + wait  # the helpers leave after the browser
        while time.monotonic() < deadline:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


if __name__ == "__main__":
    print(screenshot(sys.argv[1], Path(sys.argv[2]), sys.argv[3:], steps=8,
                     after_step="Time: {k}.0")[:500])
