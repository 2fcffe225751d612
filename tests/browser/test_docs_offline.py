"""The API documentation and the linked-data pages in Chromium, offline and under their policies.

The ``page`` fixture refuses every request that would leave this machine and fails the test if
one was tried, so these pages working here is the proof that they need no CDN. Chromium reports
each Content-Security-Policy violation on the console; none may appear.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from conftest import LOOPBACK, PageRecords
from playwright.sync_api import ConsoleMessage, Page, expect


@pytest.fixture
def console(page: Page) -> Iterator[list[str]]:
    """Console errors and warnings of the page, CSP violations among them."""
    messages: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            messages.append(message.text)

    page.on("console", record)
    yield messages


def _policy_violations(messages: list[str]) -> list[str]:
    return [m for m in messages if "Content Security Policy" in m or "Refused to" in m]


def _all_local(records: PageRecords) -> None:
    assert records.requests, "the page made no request at all"
    for url in records.requests:
        parts = urlsplit(url)
        assert parts.scheme in ("data", "blob") or parts.hostname in LOOPBACK, url


def test_swagger_ui_lists_the_operations_and_runs_one_offline(
    page: Page, browser_server: str, console: list[str], page_records: PageRecords
) -> None:
    page.goto(f"{browser_server}/docs")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible(timeout=20_000)
    assert operations.count() > 20
    health = page.locator(".opblock-summary", has_text="/health").first
    health.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    status = page.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text("200", timeout=20_000)
    assert not _policy_violations(console), console
    _all_local(page_records)


def test_redoc_renders_and_searches_offline(
    page: Page, browser_server: str, console: list[str], page_records: PageRecords
) -> None:
    page.goto(f"{browser_server}/redoc")
    expect(page.locator("h1", has_text="PAcCTO Graph")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("SPARQL 1.1 query by GET (read-only)").first).to_be_attached()
    page.get_by_placeholder("Search...").fill("sparql")
    found = page.locator("[data-role='search:results'] [role='menuitem']")
    expect(found.first).to_have_attribute("aria-label", "SPARQL 1.1 query by GET (read-only)")
    assert not _policy_violations(console), console
    _all_local(page_records)
    assert not any("fonts.googleapis" in url or "cdn." in url for url in page_records.requests)


@pytest.mark.parametrize("path", ["/id/clasi", "/source/doc-004", "/problems", "/sparql"])
def test_service_pages_work_under_the_default_policy(
    page: Page, browser_server: str, console: list[str], page_records: PageRecords, path: str
) -> None:
    response = page.goto(f"{browser_server}{path}")
    assert response is not None and response.status == 200
    assert "default-src 'none'" in response.headers["content-security-policy"]
    expect(page.locator("h1").first).to_be_visible()
    assert not _policy_violations(console), console
    _all_local(page_records)
