"""Test helpers: the API under uvicorn in a thread, and headless Chromium driven over DevTools."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import uvicorn
import websocket  # websocket-client (PyPI), dev dependency of these tests only
from fastapi import FastAPI

from tests.support.procs import free_port, wait_for

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
]  # fmt: skip


def chromium_binary() -> str:
    found = shutil.which("chromium")
    if found is None:
        raise RuntimeError("chromium not found: run scripts/ensure_chromium.sh (as root)")
    return found


class LiveServer:
    """uvicorn serving `app` on a free loopback port, in a daemon thread."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        wait_for(lambda: self.server.started, 15, what="uvicorn started")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def dump_dom(url: str, profile_dir: Path) -> str:
    """The DOM after load, as `chromium --dump-dom` prints it."""
    out = subprocess.run(
        [chromium_binary(), *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", "--dump-dom", url],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return out.stdout


class Browser:
    """One headless Chromium page over the DevTools protocol (enough to type, click and read)."""

    def __init__(self, profile_dir: Path) -> None:
        self.log = (profile_dir.parent / "chromium.log").open("wb")
        argv = [chromium_binary(), *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}",
                "--remote-debugging-port=0", "about:blank"]  # fmt: skip
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)
        port_file = profile_dir / "DevToolsActivePort"
        wait_for(lambda: port_file.exists() and port_file.read_text().strip(), 30,
                 what="chromium DevTools port")  # fmt: skip
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as res:
            targets = json.load(res)
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=30, suppress_origin=True
        )
        self._id = 0
        self.send("Page.enable")
        self.send("Runtime.enable")

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self._id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    def eval(self, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait(self, expression: str, timeout: float = 30) -> Any:
        deadline = time.monotonic() + timeout
        value: Any = None
        while time.monotonic() < deadline:
            try:
                value = self.eval(expression)
            except RuntimeError:
                value = None  # the page is navigating
            if value:
                return value
            time.sleep(0.2)
        raise TimeoutError(f"{expression} still {value!r} after {timeout}s")

    def goto(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        self.wait(f"location.href.startsWith({json.dumps(url)}) && "
                  "document.readyState === 'complete'")  # fmt: skip

    def click(self, selector: str) -> None:
        """A real mouse click at the centre of the element."""
        box = self.eval(
            f"(() => {{ const el = document.querySelector({json.dumps(selector)});"
            " el.scrollIntoView({block: 'center'}); const r = el.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1],
                      button="left", clickCount=1)  # fmt: skip

    def type_into(self, selector: str, text: str) -> None:
        self.eval(f"document.querySelector({json.dumps(selector)}).focus()")
        self.send("Input.insertText", text=text)

    def press_enter(self, selector: str) -> None:
        """Focus the element and press Enter on the keyboard (submits its form, as a user would)."""
        self.eval(f"document.querySelector({json.dumps(selector)}).focus()")
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter",
                      windowsVirtualKeyCode=13, text="\r" if kind == "keyDown" else "")  # fmt: skip

    def screenshot(self, path: Path) -> None:
        import base64

        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            self.log.close()


def submit_through_the_page(browser: Browser, base_url: str, token: str, reference: str,
                            timeout: float = 90) -> list[str]:  # fmt: skip
    """Log in, submit the prefilled example (renamed) and wait for the job to be done.

    Returns the texts of the listed matches.
    """
    browser.goto(base_url + "/login")
    browser.type_into("#key", token)
    browser.click("#login")
    browser.wait("location.pathname === '/' && !!document.getElementById('profile')")
    # Edit the prefilled example only to give it a fresh board reference.
    browser.eval(
        "(() => { const t = document.getElementById('profile'); const p = JSON.parse(t.value);"
        f" p.reference = {json.dumps(reference)}; t.value = JSON.stringify(p, null, 2); }})()"
    )
    browser.click("#submit")
    try:
        status = browser.wait(
            "['done', 'failed'].includes(document.getElementById('job-status').textContent)"
            " && document.getElementById('job-status').textContent",
            timeout,
        )
    except TimeoutError as exc:
        seen = browser.eval(
            "[document.getElementById('job-status').textContent,"
            " document.getElementById('errors').textContent]"
        )
        raise AssertionError(f"job never finished; status and errors on the page: {seen}") from exc
    if status != "done":
        reason = browser.eval("document.getElementById('job-reason').textContent")
        raise AssertionError(f"job {status}: {reason}")
    browser.wait("document.querySelectorAll('#matches li').length > 0", 30)
    items: list[str] = browser.eval(
        "Array.from(document.querySelectorAll('#matches li')).map((li) => li.textContent)"
    )
    return items
