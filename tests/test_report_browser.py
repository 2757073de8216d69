"""The hostile HTML report in headless Chromium (Debian `chromium`, Playwright for Python, no
network): every page loads from file:// with zero script executions in the page, zero
requests outside the report folder, zero dialogs and no CSP violation for its own assets.

Skips when Chromium or Playwright is missing, except under CI or QARINA_CORPUS, where a
missing browser is a failure."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_report_html import hostile_report

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-quic"]  # fmt: skip


def _browser_missing() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        return f"{CHROMIUM} not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed (pip install playwright)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = _browser_missing()
    if missing:
        if os.environ.get("CI") or os.environ.get("QARINA_CORPUS"):
            pytest.fail(f"browser test required here: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Visit:
    """One page load: scripts parsed in the page's default world, requests, dialogs,
    console messages."""

    def __init__(self, browser: Any, url: str) -> None:
        self.scripts: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.console: list[str] = []
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        session = context.new_cdp_session(page)
        session.on("Debugger.scriptParsed", self._script)
        session.send("Debugger.enable")
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("dialog", self._dialog)
        page.on("console", lambda m: self.console.append(m.text))
        page.goto(url, wait_until="load")
        page.wait_for_timeout(50)
        # Counted before our own probes below, which Playwright runs in the page's world.
        self.scripts = list(self.scripts)
        session.detach()
        self.images = page.locator("img").count()
        self.loaded = page.locator("img").evaluate_all(
            "imgs => imgs.filter(i => i.complete && i.naturalWidth > 0).length"
        )
        masthead = page.locator("header.masthead")
        self.styled = (
            masthead.evaluate("e => getComputedStyle(e).borderBottomStyle")
            if masthead.count() else None
        )  # fmt: skip
        context.close()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _script(self, event: dict[str, Any]) -> None:
        aux = event.get("executionContextAuxData") or {}
        if aux.get("isDefault", True) and aux.get("type", "default") == "default":
            self.scripts.append(event.get("url") or event.get("scriptId", "?"))


def test_detection_works(browser: Any, tmp_path: Path) -> None:
    """The probes see a script, a dialog and a remote request when a page has them."""
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><title>x</title><script>alert(1)</script>"
        '<img src="http://127.0.0.1:9/x.png">',
        encoding="utf-8",
    )
    visit = Visit(browser, page.as_uri())
    assert visit.scripts and visit.dialogs == ["1"]
    assert any(r.startswith("http://127.0.0.1:9/") for r in visit.requests)


def test_hostile_report_is_inert_offline(browser: Any, tmp_path: Path) -> None:
    out, written = hostile_report(tmp_path)
    pages = [p for p in written if p.suffix == ".html"]
    folder = out.resolve().as_uri() + "/"
    seen_images = 0
    for path in pages:
        visit = Visit(browser, path.as_uri())
        assert visit.scripts == [], (path, visit.scripts)
        assert visit.dialogs == [], (path, visit.dialogs)
        assert visit.requests and all(r.startswith(folder) for r in visit.requests), (
            path, [r for r in visit.requests if not r.startswith(folder)])  # fmt: skip
        csp = [m for m in visit.console if "Content Security Policy" in m or "Refused" in m]
        assert csp == [], (path, csp)
        assert visit.styled == "double", path  # report.css applied under the CSP
        assert visit.loaded == visit.images, path  # thumbnails load under the CSP
        seen_images += visit.images
    assert seen_images == 1  # the one valid thumbnail; the hostile name is never referenced
