"""Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
JSON messages ending in a NUL byte, read from fd 3 and written to fd 4), with the standard
library only: one browser for many pages, each opened at a phone's size, what the browser
complained of while loading it, its text as rendered, its width, and a screenshot.

Chromium is Debian's package (`make test` and `.ci/run` install it when missing); `CHROMIUM`
names another binary.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

INSTALL = "apt-get install -y --no-install-recommends chromium (make test does it as root)"
# The flags this machine's closed network needs: no background fetches, no Google lookups.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
)
# An iPhone 12-15's viewport, in CSS pixels.
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
TIMEOUT_S = 30
# The page's rendered text and widths, read after its load event.
_MEASURE = (
    "JSON.stringify({text: document.body.innerText, "
    "scrollWidth: document.documentElement.scrollWidth, viewport: window.innerWidth})"
)
# Whether some rendered text node holding TEXT lies wholly inside the viewport's width and
# inside every box that clips it (a table that scrolls sideways hides its right-hand columns),
# and nothing above it is hidden.
_SHOWN = """(text => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode()); ) {
    if (!node.textContent.includes(text)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    let shown = box.width > 0 && box.height > 0 && box.left >= 0
      && box.right <= document.documentElement.clientWidth;
    for (let up = node.parentElement; shown && up; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.visibility === "hidden" || style.opacity === "0") shown = false;
      if (style.overflowX !== "visible") {
        const clip = up.getBoundingClientRect();
        shown = box.left >= clip.left && box.right <= clip.right;
      }
    }
    if (shown) return true;
  }
  return false;
})"""


def chromium() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not found:
        raise RuntimeError(f"Chromium is not installed: {INSTALL}")
    return found


@dataclass
class Visit:
    """One page as the browser loaded it."""

    url: str
    status: int
    headers: dict[str, str]
    text: str  # document.body.innerText: only what is rendered
    scroll_width: int  # CSS pixels; wider than the viewport is a sideways scroll
    viewport_width: int
    # Console errors, CSP violations (Chromium logs them as errors of source "security"),
    # uncaught exceptions and failed or blocked loads, one line each.
    problems: list[str] = field(default_factory=list)


class Browser:
    def __init__(self, executable: str) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="chromium-profile-")
        self._stderr = Path(self._profile.name) / "stderr.log"  # told when Chromium fails
        to_chrome, self._out = os.pipe()
        self._in, from_chrome = os.pipe()

        def on_fds_3_and_4() -> None:  # in the child, before exec
            ends = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_chrome, from_chrome)]
            os.dup2(ends[0], 3)
            os.dup2(ends[1], 4)

        with self._stderr.open("wb") as stderr:
            self._process = subprocess.Popen(
                [executable, *FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                # Python's own descriptors are not inherited; only the dup2'ed 3 and 4 are.
                close_fds=False,
                preexec_fn=on_fds_3_and_4,
            )
        os.close(to_chrome)
        os.close(from_chrome)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        self._session: str | None = None  # the page's, once attached
        try:
            target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
            attached = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})
            self._session = attached["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                self._call(f"{domain}.enable")
            self._call("Emulation.setDeviceMetricsOverride", PHONE)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Browser:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._call("Browser.close", session=False)
            self._process.wait(timeout=10)
        except (OSError, RuntimeError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait()
        finally:
            os.close(self._out)
            os.close(self._in)
            self._profile.cleanup()

    def open(self, url: str) -> Visit:
        self._events.clear()
        self._call("Page.navigate", {"url": url})
        self._until("Page.loadEventFired")
        measured = self._call("Runtime.evaluate", {"expression": _MEASURE, "returnByValue": True})[
            "result"
        ]["value"]
        page = json.loads(measured)
        document = next(
            e["params"]["response"]
            for e in self._events
            if e["method"] == "Network.responseReceived" and e["params"]["type"] == "Document"
        )
        return Visit(
            url=url,
            status=document["status"],
            headers={k.lower(): v for k, v in document["headers"].items()},
            text=page["text"],
            scroll_width=page["scrollWidth"],
            viewport_width=page["viewport"],
            problems=[p for e in self._events if (p := _problem(e))],
        )

    def shown(self, text: str) -> bool:
        """Whether the page last opened shows `text` on a phone without scrolling sideways."""
        expression = f"{_SHOWN}({json.dumps(text)})"
        result = self._call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result["result"]["value"] is True

    def screenshot(self, path: Path) -> Path:
        """The whole page, at the phone's width, as PNG."""
        size = self._call("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        shot = self._call(
            "Page.captureScreenshot",
            {"format": "png", "clip": clip, "captureBeyondViewport": True},
        )
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def _call(
        self, method: str, params: dict[str, Any] | None = None, session: bool = True
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self._session is not None:
            message["sessionId"] = self._session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            answer = self._receive(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer["result"]
                return result
            if "method" in answer:
                self._events.append(answer)

    def _until(self, event: str) -> None:
        deadline = time.monotonic() + TIMEOUT_S
        while not any(e["method"] == event for e in self._events):
            answer = self._receive(deadline)
            if "method" in answer:
                self._events.append(answer)

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._in], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise RuntimeError(f"Chromium did not answer in time: {self._said()}")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise RuntimeError(f"Chromium exited ({self._process.wait()}): {self._said()}")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        answer: dict[str, Any] = json.loads(message)
        return answer

    def _said(self) -> str:
        """The end of what Chromium wrote on stderr."""
        return self._stderr.read_bytes()[-2000:].decode(errors="replace")


def _problem(event: dict[str, Any]) -> str | None:
    """What a browser event says went wrong, if anything."""
    method, params = event["method"], event.get("params", {})
    if method == "Log.entryAdded":
        entry = params["entry"]
        if entry["level"] == "error" or entry["source"] == "security":
            return f"{entry['source']} {entry['level']}: {entry['text']}"
    if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert", "warning"):
        texts = [str(a.get("value", a.get("description", ""))) for a in params["args"]]
        return f"console.{params['type']}: {' '.join(texts)}"
    if method == "Runtime.exceptionThrown":
        return f"uncaught: {params['exceptionDetails'].get('text', '')}"
    if method == "Network.loadingFailed":
        why = params.get("blockedReason") or params.get("errorText", "")
        return f"load failed ({params.get('type')}): {why}"
    return None
