"""Browser tests: a live ``paccto serve`` with hostile labels loaded, driven by a real Chromium.

Playwright drives Debian's Chromium (``/usr/bin/chromium``); it cannot download a browser here.
Every page a test opens is watched: a request to any host but this machine is refused and
recorded, a dialog (``alert(1)`` from an unescaped label) is dismissed and recorded, an uncaught
script error is recorded, and after the test each of these fails it. So every browser test is
also a test that the explorer loads nothing from outside and runs no injected script.

Without Chromium the tests are skipped, unless ``PACCTO_REQUIRE_BROWSER=1`` (CI sets it): then a
missing browser is a failure, not a silent skip.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from live_servers import paccto_serve

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright, Route

REPO_ROOT = Path(__file__).resolve().parents[2]
HOSTILE = REPO_ROOT / "tests" / "fixtures" / "views" / "hostile.ttl"
CHROMIUM = Path("/usr/bin/chromium")
#: Flags that keep Chromium from calling home; without them it tries outside hosts at start.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
#: Schemes that never leave the page (inline images, blobs, the blank page).
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A conftest's own pytestmark does not reach the modules beside it; mark every test under
    # this folder here, so that ``-m browser`` and ``-m "not browser"`` select them all.
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _missing_browser(reason: str) -> None:
    if os.environ.get("PACCTO_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and PACCTO_REQUIRE_BROWSER=1 asks for the browser tests to run")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``paccto serve`` with the seeds and tests/fixtures/views/hostile.ttl, on a free loopback
    port, in its own process; yields its base URL and stops it at the end of the session."""
    with paccto_serve(
        tmp_path_factory.mktemp("browser-server"),
        before=["--no-provenance-check", "--data", str(HOSTILE)],
        options=["--sparql-workers", "1"],
    ) as url:
        yield url


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        _missing_browser(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing_browser("playwright is not installed (pip install playwright)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless, with everything that calls outside switched off."""
    launched = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


@dataclass
class PageRecords:
    """What a page did: every URL requested, the requests refused for leaving this machine,
    the dialogs that opened and the uncaught script errors."""

    requests: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def page_records() -> PageRecords:
    return PageRecords()


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or (parts.hostname or "") in LOOPBACK


def _file_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_") or "page"


@pytest.fixture
def page(
    browser: Browser,
    page_records: PageRecords,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> Iterator[Page]:
    """A fresh context and page that may reach this machine only, and that fails the test
    afterwards if it tried to reach another host, opened a dialog or had a script error."""
    context = browser.new_context(accept_downloads=True)

    def guard(route: Route) -> None:
        url = route.request.url
        if _is_local(url):
            route.continue_()
        else:
            page_records.external.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    opened = context.new_page()
    opened.on("request", lambda sent: page_records.requests.append(sent.url))

    def dismiss(dialog: Any) -> None:
        page_records.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    opened.on("dialog", dismiss)
    opened.on("pageerror", lambda error: page_records.errors.append(str(error)))
    try:
        yield opened
    finally:
        try:
            opened.screenshot(path=str(tmp_path / f"{_file_name(request.node.name)}.png"))
        finally:
            context.close()
    assert not page_records.external, f"requests to other hosts: {page_records.external}"
    assert not page_records.dialogs, f"dialogs opened: {page_records.dialogs}"
    assert not page_records.errors, f"script errors: {page_records.errors}"


@pytest.fixture
def screenshot(page: Page, tmp_path: Path) -> Callable[[str], Path]:
    """``screenshot(name)`` saves the current page as ``tmp_path / f"{name}.png"``."""

    def take(name: str) -> Path:
        path = tmp_path / f"{_file_name(name)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
