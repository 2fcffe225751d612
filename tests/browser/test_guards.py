"""The browser fixtures catch what they promise to: outside requests, dialogs, script errors.

Without this, a guard that silently stopped working would let every other browser test pass.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import PageRecords

pytestmark = pytest.mark.browser

BAIT = """<!doctype html><title>bait</title>
<img src="https://example.org/tracker.png" alt="">
<script>alert("injected")</script>
<script>throw new Error("broken script")</script>
"""


def test_guards_record_outside_requests_dialogs_and_script_errors(
    page: Page, page_records: PageRecords, screenshot: Callable[[str], Path]
) -> None:
    page.set_content(BAIT)
    page.wait_for_load_state("load")
    assert page_records.external == ["https://example.org/tracker.png"]
    assert page_records.dialogs == ["alert: injected"]
    assert any("broken script" in error for error in page_records.errors)
    assert "https://example.org/tracker.png" in page_records.requests
    assert screenshot("bait").is_file()
    # Cleared, so that the fixture's own checks after the test pass.
    page_records.external.clear()
    page_records.dialogs.clear()
    page_records.errors.clear()


def test_loopback_requests_go_through(
    page: Page, page_records: PageRecords, browser_server: str
) -> None:
    response = page.goto(f"{browser_server}/health")
    assert response is not None and response.ok
    assert page_records.requests == [f"{browser_server}/health"]
    assert not page_records.external
