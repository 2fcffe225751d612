"""The explorer in a real Chromium: suggestions, the search-to-path journey, members, SPARQL.

Each test also checks, through the ``page`` fixture, that the page requested nothing outside
this machine, opened no dialog and had no script error.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import PageRecords

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
CLASI_LABEL = "Latin American Committee for Internal Security"
HOSTILE_IMG = "<img src=x onerror=alert(1)>"
#: How long suggestions may take to show: the 150 ms pause after typing, then one request.
SUGGESTION_TIMEOUT_MS = 2_500


def _expect():  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    return expect


def _type(page: Page, selector: str, text: str) -> None:
    field = page.locator(selector)
    field.click()
    field.press_sequentially(text, delay=30)


def _suggestion(page: Page, field_id: str, entity_id: str):  # type: ignore[no-untyped-def]
    return page.locator(f"#{field_id}-suggestions li[data-id='{entity_id}']")


def test_typing_suggests_entities_and_enter_opens_one(page: Page, browser_server: str) -> None:
    expect = _expect()
    page.goto(f"{browser_server}/")
    _type(page, "#search-q", "clas")
    option = _suggestion(page, "search-q", "clasi")
    expect(option).to_be_visible(timeout=SUGGESTION_TIMEOUT_MS)
    expect(option.locator(".label")).to_have_text(CLASI_LABEL)
    expect(option.locator(".class")).to_have_text("Committee")
    # Down to CLASI with the keyboard, then Enter.
    options = page.locator("#search-q-suggestions li")
    position = [options.nth(i).get_attribute("data-id") for i in range(options.count())].index(
        "clasi"
    )
    for _ in range(position + 1):
        page.keyboard.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{browser_server}/explore/entity/clasi")
    expect(page.locator("h1")).to_have_text(CLASI_LABEL)
    assert page.locator("table.facts tbody tr").count() >= 5
    sources = page.locator("table.facts a.source")
    assert sources.count() >= 5
    assert all(
        (sources.nth(i).get_attribute("href") or "").startswith("/passage/")
        for i in range(sources.count())
    )


def test_clicking_a_suggestion_opens_its_page(page: Page, browser_server: str) -> None:
    expect = _expect()
    page.goto(f"{browser_server}/")
    _type(page, "#search-q", "europo")
    option = _suggestion(page, "search-q", "europol")
    expect(option).to_be_visible(timeout=SUGGESTION_TIMEOUT_MS)
    option.click()
    page.wait_for_url(f"{browser_server}/explore/entity/europol")
    expect(page.locator("#facts")).to_contain_text("sources")


def test_from_the_home_page_to_a_path_by_picking_suggestions(
    page: Page, browser_server: str, screenshot: Callable[[str], Path]
) -> None:
    expect = _expect()
    page.goto(f"{browser_server}/")
    _type(page, "#path-source", "Spain")
    spain = _suggestion(page, "path-source", "spain")
    expect(spain).to_be_visible(timeout=SUGGESTION_TIMEOUT_MS)
    spain.click()
    expect(page.locator("#path-source")).to_have_value("spain")
    _type(page, "#path-target", "CLASI")
    clasi = _suggestion(page, "path-target", "clasi")
    expect(clasi).to_be_visible(timeout=SUGGESTION_TIMEOUT_MS)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # picks the suggestion; does not send the form yet
    expect(page.locator("#path-target")).to_have_value("clasi")
    assert "/explore/path" not in page.url
    page.get_by_role("button", name="Find a path").click()
    page.wait_for_url("**/explore/path?*")
    assert "source=spain" in page.url and "target=clasi" in page.url
    steps = page.locator("#paths .step")
    expect(steps.first).to_be_visible()
    text = page.locator("#paths").inner_text()
    assert "Spain" in text and CLASI_LABEL in text
    assert page.locator("#paths a.source").count() >= steps.count()
    iframe = page.locator("#paths iframe")
    assert iframe.get_attribute("src") == "/view/path/embed?source=spain&target=clasi"
    assert screenshot("path-spain-clasi").stat().st_size > 0


def test_a_network_from_the_home_page_lists_its_members(page: Page, browser_server: str) -> None:
    expect = _expect()
    expected = httpx.get(f"{browser_server}/api/entities/phase-2/members").json()["total"]
    page.goto(f"{browser_server}/")
    page.locator("#networks").get_by_role("link", name="EL PAcCTO phase 2").click()
    page.wait_for_url("**/explore/members/phase-2")
    expect(page.locator("h1")).to_contain_text("EL PAcCTO phase 2")
    rows = page.locator("table.members tbody tr")
    assert expected > 0 and rows.count() == expected
    expect(page.locator("table.members")).to_contain_text("Spain")


def _cli_row_count(name: str) -> int:
    paccto = shutil.which("paccto")
    if paccto is None:
        pytest.skip("the paccto command is not installed")
    result = subprocess.run(
        [paccto, "sparql", "--file", str(REPO_ROOT / "queries" / f"{name}.rq"), "--format", "json"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return len(json.loads(result.stdout)["results"]["bindings"])


def test_sparql_editor_runs_an_example_and_downloads_csv(page: Page, browser_server: str) -> None:
    expect = _expect()
    expected = _cli_row_count("cq01-phase-1-countries")
    page.goto(f"{browser_server}/explore/sparql")
    query = page.locator("#sparql-query")
    page.select_option("#example", "cq03-phase-2-member-states")
    expect(query).to_have_value(re.compile(r"id:phase-2\b"))
    page.select_option("#example", "cq01-phase-1-countries")
    expect(query).to_have_value(re.compile(r"id:phase-1\b"))
    page.get_by_role("button", name="Run").click()
    rows = page.locator("#sparql-output table.results tbody tr")
    expect(rows).to_have_count(expected)
    header = page.locator("#sparql-output table.results thead th").all_inner_texts()
    assert header == ["country", "name", "iso"]
    expect(page.locator("#sparql-output .count")).to_have_text(f"{expected} rows")

    link = page.locator("#sparql-downloads a[data-format='csv']")
    assert link.get_attribute("download") == "results.csv"
    with page.expect_download() as download:
        link.click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "country,name,iso"
    assert len(lines) == expected + 1


def test_sparql_editor_shows_the_problem_of_a_bad_query(page: Page, browser_server: str) -> None:
    expect = _expect()
    page.goto(f"{browser_server}/explore/sparql")
    page.locator("#sparql-query").fill("SELECT ?x WHERE { ?x ?y")
    page.get_by_role("button", name="Run").click()
    problem = page.locator("#sparql-output .problem")
    expect(problem).to_contain_text("(400)")
    expect(problem).to_contain_text("malformed SPARQL query")


def test_hostile_labels_are_shown_as_text(
    page: Page, page_records: PageRecords, browser_server: str
) -> None:
    expect = _expect()
    page.goto(f"{browser_server}/")
    _type(page, "#search-q", "img")
    option = _suggestion(page, "search-q", "hostile-img")
    expect(option).to_be_visible(timeout=SUGGESTION_TIMEOUT_MS)
    expect(option.locator(".label")).to_have_text(HOSTILE_IMG)
    assert page.locator("#search-q-suggestions img").count() == 0
    option.click()
    page.wait_for_url("**/explore/entity/hostile-img")
    expect(page.locator("h1")).to_have_text(HOSTILE_IMG)
    assert page.locator("main img, main script").count() == 0
    # The neighbour labelled with a javascript: link is a link to its page, nothing more.
    neighbour = page.locator("#neighbours a[href='/explore/entity/hostile-href']")
    expect(neighbour).to_contain_text('<a href="javascript:alert(4)">href</a>')
    assert not page_records.dialogs
    assert all(url.startswith(browser_server) for url in page_records.requests)
