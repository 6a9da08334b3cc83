"""A real headless Chromium driven over the DevTools protocol (a websocket, with aiohttp).

Collects what a developer would see in the console: console.error calls,
uncaught exceptions and the browser's own error entries (a resource that
failed to load, a blocked inline style …).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

INSTALL = Path(__file__).resolve().parents[2] / "deploy" / "chromium" / "install-chromium.sh"
_LISTENING = re.compile(r"DevTools listening on (ws://\S+)")


def ensure_chromium() -> str:
    subprocess.run(["sh", str(INSTALL)], check=True)
    found = shutil.which("chromium")
    assert found, "chromium is not on PATH after install-chromium.sh"
    return found


@dataclass
class Visit:
    text: str
    errors: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class Chromium:
    def __init__(self, profile: Path) -> None:
        self._profile = profile
        self._process: asyncio.subprocess.Process | None = None
        self._ids = itertools.count(1)

    async def __aenter__(self) -> Chromium:
        self._process = await asyncio.create_subprocess_exec(
            ensure_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", f"--user-data-dir={self._profile}",
            "about:blank", stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        assert self._process.stderr is not None
        while True:
            line = (await asyncio.wait_for(self._process.stderr.readline(), 60)).decode()
            assert line, "chromium exited before opening its DevTools port"
            if found := _LISTENING.search(line):
                self._browser_ws = found.group(1)
                break
        self._drain = asyncio.create_task(self._process.stderr.read())  # keep its pipe from filling up
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._process is not None
        self._process.terminate()
        await self._process.wait()
        self._drain.cancel()

    async def visit(self, url: str, screenshot: Path, headers: dict[str, str], selectors: tuple[str, ...] = ()) -> Visit:
        """Load the page (with these request headers), wait for it, screenshot the whole of it."""
        debug = self._browser_ws.split("/devtools/")[0].replace("ws://", "http://")
        async with aiohttp.ClientSession() as session:
            async with session.put(f"{debug}/json/new?about:blank") as response:
                target = await response.json(content_type=None)
            async with session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                visit = Visit(text="")
                loaded = asyncio.Event()
                pending: dict[int, asyncio.Future[Any]] = {}

                async def listen() -> None:
                    async for message in ws:
                        data = json.loads(message.data)
                        if "id" in data and data["id"] in pending:
                            pending.pop(data["id"]).set_result(data)
                        method, params = data.get("method"), data.get("params", {})
                        if method == "Page.loadEventFired":
                            loaded.set()
                        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                            visit.errors.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
                        elif method == "Runtime.exceptionThrown":
                            visit.errors.append("exception: " + params["exceptionDetails"].get("text", ""))
                        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                            visit.errors.append(f"log: {params['entry']['text']} {params['entry'].get('url', '')}")

                listener = asyncio.create_task(listen())

                async def call(method: str, **params: Any) -> dict[str, Any]:
                    number = next(self._ids)
                    pending[number] = asyncio.get_running_loop().create_future()
                    await ws.send_str(json.dumps({"id": number, "method": method, "params": params}))
                    reply = await asyncio.wait_for(pending[number], 30)
                    assert "error" not in reply, reply
                    return reply.get("result", {})

                try:
                    for domain in ("Page", "Runtime", "Log", "Network"):
                        await call(f"{domain}.enable")
                    await call("Network.setExtraHTTPHeaders", headers=headers)
                    await call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
                    navigated = await call("Page.navigate", url=url)
                    assert "errorText" not in navigated, navigated
                    await asyncio.wait_for(loaded.wait(), 30)
                    await asyncio.sleep(0.3)  # late console entries
                    text = await call("Runtime.evaluate", expression="document.body.innerText", returnByValue=True)
                    visit.text = text["result"]["value"]
                    for selector in selectors:
                        count = await call("Runtime.evaluate", expression=f"document.querySelectorAll({json.dumps(selector)}).length", returnByValue=True)
                        visit.counts[selector] = count["result"]["value"]
                    shot = await call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
                    screenshot.write_bytes(base64.b64decode(shot["data"]))
                finally:
                    listener.cancel()
                return visit
