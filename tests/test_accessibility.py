"""WCAG 2.2 AA in a real Chromium: axe-core on every page type, and the map by keyboard alone.

axe-core comes from the ``axe-playwright-python`` package (it ships ``axe.min.js``);
nothing is fetched at run time.
"""

# The browser fixtures are shared with test_browser.py by import; pytest injects them by name.
# ruff: noqa: F811

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_browser import (  # noqa: F401
    CHROMIUM,
    Site,
    Watch,
    browser,
    serving,
    sign_in,
    site,
    wait_for_map,
    watch,
)
from tests.test_map_legibility import seed_site  # noqa: F401
from tests.test_reflow import SIZES, check_layout
from tests.websupport import EDITOR_PAGES, FILE_PAGES, READER_PAGES, copy_register

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def axe(page: Any) -> list[str]:
    """The WCAG A/AA violations axe-core finds on the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(str(n['target']) for n in v['nodes'][:5])}"
        for v in results.response["violations"]
    ]


def settle(page: Any) -> None:
    for sel in ("#map-data-view", "#entity-map-data-view", "#path-map-data-view"):
        if page.locator(sel).count():
            wait_for_map(page, sel)


def check(page: Any, site: Site, path: str) -> None:
    response = page.goto(site(path))
    assert response is not None and response.status == 200, path
    settle(page)
    assert page.locator("h1").count() == 1, f"{path}: one h1 per page"
    found = axe(page)
    assert found == [], f"{path}:\n" + "\n".join(found)


@pytest.mark.parametrize("path", READER_PAGES)  # every page: tests/websupport.py
def test_every_public_page_passes_axe_core_at_wcag_2_2_aa(site: Site, watch: Watch, path: str) -> None:
    check(watch.page(), site, path)


def test_the_sign_in_page_and_its_error_pass_axe_core(site: Site, watch: Watch) -> None:
    page = watch.page()
    check(page, site, "/login")
    page.fill("#username", "alice")
    page.fill("#password", "wrong")
    with page.expect_navigation():  # axe reads the answer page, styled, not the page being left
        page.click("#login-form button[type=submit]")
    page.wait_for_load_state("load")
    assert axe(page) == []


@pytest.mark.parametrize("path", FILE_PAGES)
def test_every_page_handed_over_as_a_file_passes_axe_core_at_wcag_2_2_aa(
    site: Site, watch: Watch, path: str
) -> None:
    page = watch.page()
    response = page.request.get(site(path))
    assert response.status == 200, path
    page.set_content(response.text(), wait_until="load")
    assert page.locator("h1").count() == 1, f"{path}: one h1 per page"
    found = axe(page)
    assert found == [], f"{path}:\n" + "\n".join(found)


def test_a_page_of_an_error_passes_axe_core(site: Site, watch: Watch) -> None:
    page = watch.page()
    response = page.goto(site("/entity/no-such-record"))
    assert response is not None and response.status == 404
    assert page.locator("h1").count() == 1
    assert axe(page) == []


def test_the_seed_report_handed_over_as_html_passes_axe_core(seed_site: Site, watch: Watch) -> None:
    """The seed's tables are wider than the page: each scrolls in a box the keyboard reaches."""
    page = watch.page()
    response = page.request.get(seed_site("/report/download.html"))
    page.set_content(response.text(), wait_until="load")
    assert page.locator("h1").count() == 1
    assert axe(page) == []


@pytest.mark.parametrize("path", EDITOR_PAGES)
def test_every_edit_page_passes_axe_core_at_wcag_2_2_aa(site: Site, watch: Watch, path: str) -> None:
    page = watch.page()
    sign_in(page, site, "alice")
    check(page, site, path)


def test_an_edit_form_with_an_error_passes_axe_core_and_names_the_field(site: Site, watch: Watch) -> None:
    page = watch.page()
    sign_in(page, site, "alice")
    page.goto(site("/edit/north-csp"))
    page.fill("#f-name", "")
    page.click("#record-form button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    link = page.locator(".error-summary .error-list a").first
    assert link.get_attribute("href") == "#f-name"
    assert page.get_attribute("#f-name", "aria-invalid") == "true"
    assert "f-name-error" in (page.get_attribute("#f-name", "aria-describedby") or "")
    assert page.get_attribute("#f-name", "aria-required") == "true"
    assert "(required)" in page.inner_text("label[for=f-name]")
    assert axe(page) == []
    assert link.inner_text() == "Enter a name"


def test_an_error_summary_link_brings_its_field_into_view_with_its_label_and_focuses_it(
    site: Site, watch: Watch
) -> None:
    page = watch.page()
    page.set_viewport_size({"width": 1000, "height": 600})
    sign_in(page, site, "alice")
    page.goto(site("/edit/north-csp"))
    page.fill("#f-review_date", "soon")  # a field far down the form
    page.click("#record-form button[type=submit]")
    page.wait_for_selector(".error-summary")
    link = page.locator(".error-summary a[href='#f-review_date']")
    expected = "Enter a real date, as year-month-day (2026-04-01), year and month (2026-04) or a year (2026)"
    assert link.inner_text() == expected
    link.click()
    assert page.evaluate("document.activeElement.id") == "f-review_date"
    boxes = page.evaluate(
        """() => ['label[for=f-review_date]', '#f-review_date-error', '#f-review_date'].map(s => {
            const r = document.querySelector(s).getBoundingClientRect(); return [r.top, r.bottom]; })"""
    )
    label, message, control = boxes
    assert label[0] >= 0, "the label is not scrolled off the top"
    assert control[1] <= 600, "the control is in view"
    assert label[0] < message[0] < control[0]


def test_the_history_page_with_an_edit_passes_axe_core_and_its_diff_scrolls_by_keyboard(
    site: Site, watch: Watch
) -> None:
    page = watch.page()
    sign_in(page, site, "alice")
    page.goto(site("/edit/drugs-group"))
    page.fill("#f-description", "A description long enough " * 12)  # a diff line wider than the box
    page.click("#record-form button[type=submit]")
    page.wait_for_url("**/entity/drugs-group")
    for path in ("/history", "/history?record=drugs-group"):
        page.goto(site(path))
        diff = page.locator("pre.diff").first
        assert diff.count() == 1, path
        assert page.evaluate("e => e.scrollWidth > e.clientWidth", diff.element_handle()), "the diff scrolls"
        found = axe(page)
        assert found == [], f"{path}:\n" + "\n".join(found)
        assert diff.get_attribute("tabindex") == "0"


def test_the_pages_of_a_conflict_and_of_a_record_removed_meanwhile_pass_axe_core_and_reflow(
    tmp_path: Path, watch: Watch
) -> None:
    """Alice's form sent after Bob saved the record, and after Bob removed another: both pages
    keep her text (a long line wrapped to the page) beside what is saved."""
    with serving(copy_register(tmp_path)) as own:
        alice, bob = watch.page(), watch.page()
        sign_in(alice, own, "alice")
        sign_in(bob, own, "bob")
        for record in ("drugs-group", "north-csp"):
            alice.goto(own(f"/edit/{record}"))
            alice.fill("#f-description", "Alice's careful words, " * 12)
            if record == "drugs-group":
                bob.goto(own(f"/edit/{record}"))
                bob.fill("#f-description", "Bob's words")
                bob.click("#record-form button[type=submit]")
                bob.wait_for_url(f"**/entity/{record}")
                what = "changed"
            else:
                bob.goto(own(f"/edit/{record}/remove"))
                bob.click("main form button[type=submit]")
                bob.wait_for_load_state("load")
                what = "removed"
            with alice.expect_response(own(f"/edit/{record}")) as sent:
                alice.click("#record-form button[type=submit]")
            assert sent.value.status == 409
            assert f"'{record}' was {what} by someone else since you opened this form" in alice.inner_text(
                "main"
            )
            assert alice.locator("pre.yours", has_text="Alice's careful words, Alice's").count() == 1
            found = axe(alice)
            assert found == [], f"{record}:\n" + "\n".join(found)
            for size, viewport in {"1400x900": {"width": 1400, "height": 900}, **SIZES}.items():
                alice.set_viewport_size(viewport)
                check_layout(alice, f"the page of Alice's form for {record} at {size}")
        for page in (alice, bob):  # before the server stops: it waits for open connections
            page.context.close()


# -- the keyboard ---------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1400, 900), (700, 450), (320, 640)], ids=["1400x900", "200%", "320px"])
def test_tabbing_into_the_seed_map_starts_at_the_top_body_and_keeps_the_view_steady(
    seed_site: Site, watch: Watch, size: tuple[int, int]
) -> None:
    page = watch.page()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(seed_site("/"))
    wait_for_map(page)
    view = "() => { const n = document.querySelector('#map-data-view').govmap.network; return [n.getViewPosition(), n.getScale()]; }"
    before = page.evaluate(view)
    page.focus("#map-data-view")
    page.keyboard.press("Tab")
    assert active(page)["node"] == "lancashire-csp-board"
    assert page.evaluate(view) == before, "entering the map does not move it"
    in_window(page, "lancashire-csp-board", "Tab")
    for key in ("ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp", "ArrowUp", "ArrowUp", "ArrowUp"):
        page.keyboard.press(key)
        node = active(page)["node"]
        assert node is not None
        point = page.evaluate(
            """id => { const el = document.querySelector('#map-data-view'); const n = el.govmap.network;
                const p = n.canvasToDOM(n.getPositions([id])[id]); const b = el.getBoundingClientRect();
                return [p.x, p.y, b.width, b.height]; }""",
            node,
        )
        x, y, w, h = point
        assert 0 <= x <= w and 0 <= y <= h, f"{node} is in view after {key}"
        in_window(page, node, key)


def in_window(page: Any, node: str, key: str) -> None:
    """The node is on the screen too (on a phone the map is taller than the window), once the
    page has scrolled to it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            """id => { const el = document.querySelector('#map-data-view'); const n = el.govmap.network;
                const y = el.getBoundingClientRect().top + n.canvasToDOM(n.getPositions([id])[id]).y;
                return y >= 0 && y <= innerHeight; }""",
            arg=node,
        )
    except PlaywrightTimeout:
        pytest.fail(f"{node} is off the screen after {key}")


def active(page: Any) -> dict[str, Any]:
    return page.evaluate(
        "(() => { const a = document.activeElement;"
        " return {id: a.id, node: a.dataset ? a.dataset.id || null : null, text: a.textContent.trim()}; })()"
    )


def toward(page: Any, here: str, there: str) -> list[str]:
    """Arrow keys in order of preference from one node toward another, as a sighted user would pick."""
    p = page.evaluate(
        "([a, b]) => document.querySelector('#map-data-view').govmap.network.getPositions([a, b])",
        [here, there],
    )
    dx, dy = p[there]["x"] - p[here]["x"], p[there]["y"] - p[here]["y"]
    h = "ArrowRight" if dx > 0 else "ArrowLeft"
    v = "ArrowDown" if dy > 0 else "ArrowUp"
    first, second = (h, v) if abs(dx) >= abs(dy) else (v, h)
    return [
        first,
        second,
        {
            "ArrowRight": "ArrowLeft",
            "ArrowLeft": "ArrowRight",
            "ArrowUp": "ArrowDown",
            "ArrowDown": "ArrowUp",
        }[second],
    ]


def test_from_the_map_the_keyboard_alone_reaches_a_node_opens_its_panel_and_its_page(
    site: Site, watch: Watch
) -> None:
    page = watch.page()
    page.goto(site("/"))
    wait_for_map(page)
    page.keyboard.press("Tab")
    assert active(page)["text"] == "Skip to the map"
    page.keyboard.press("Enter")
    assert active(page)["id"] == "map-data-view"
    page.keyboard.press("Tab")
    start = active(page)["node"]
    assert start is not None
    assert page.is_visible(".map-focus-label")
    here, seen = start, {start}
    for _ in range(20):
        if here == "drugs-group":
            break
        for key in toward(page, here, "drugs-group"):
            page.keyboard.press(key)
            now = active(page)["node"]
            if now and now != here and now not in seen:
                break
        assert now is not None, "focus left the map"
        seen.add(now)
        here = now
    assert here == "drugs-group"
    assert active(page)["text"].startswith("Drugs Working Group, body, group")
    page.keyboard.press("Enter")
    assert active(page)["id"] == "panel-name"
    assert page.inner_text("#panel-name") == "Drugs Working Group"
    page.keyboard.press("Escape")
    assert page.is_hidden("#panel")
    assert active(page)["node"] == "drugs-group"
    page.keyboard.press("+")
    assert float(page.get_attribute("#map-data-view", "data-scale") or 0) > 0
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert active(page)["id"] == "panel-open"
    page.keyboard.press("Enter")
    page.wait_for_url(site("/entity/drugs-group"))
    assert page.inner_text("h1") == "Drugs Working Group"


def test_search_moves_focus_to_the_panel_of_what_it_found(site: Site, watch: Watch) -> None:
    page = watch.page()
    page.goto(site("/"))
    wait_for_map(page)
    page.fill("#map-search-q", "North Community")
    page.press("#map-search-q", "Enter")
    assert active(page)["id"] == "panel-name"
    page.keyboard.press("Tab")
    assert active(page)["id"] == "panel-open"


def test_every_map_view_has_a_table_of_exactly_what_it_draws(site: Site, watch: Watch) -> None:
    page = watch.page()
    for path in ("/?theme=drugs", "/?layout=hierarchy", "/"):
        page.goto(site(path))
        wait_for_map(page)
        data = page.evaluate("document.querySelector('#map-data-view').govmap.data")
        ids = sorted([n["id"] for n in data["nodes"]] + [n["id"] for n in data["isolated"]])
        rows = sorted(
            page.locator("#map-table tbody tr[data-id]").evaluate_all("els => els.map(e => e.dataset.id)")
        )
        assert rows == ids, path
        links = page.locator("#map-table table").nth(1).locator("tbody tr").count() if data["edges"] else 0
        assert links == len(data["edges"]), path
        label = page.get_attribute("#map-data-view", "aria-label")
        assert label.endswith(f": {len(ids)} records, {len(data['edges'])} links"), label


# -- the report on the seed register ---------------------------------------------------


def test_the_seed_report_is_folded_by_group_passes_axe_core_and_a_finding_link_opens_its_group(
    seed_site: Site, watch: Watch
) -> None:
    page = watch.page()
    check(page, seed_site, "/report")
    assert page.title() == "Report: all findings · govmap"
    groups = page.locator("details.finding-group")
    assert groups.count() > 1
    assert 0 < page.locator("details.finding-group[open]").count() < groups.count()
    # The findings' groups alone: the summary, top findings and matrices above them are never folded.
    height = "[...document.querySelectorAll('details.finding-group')].reduce((h, d) => h + d.offsetHeight, 0)"
    folded = page.evaluate(height)
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    unfolded = page.evaluate(height)
    print(f"seed report's findings at 1400x900: {folded} px folded, {unfolded} px with every group open")
    # The first group and those holding a high or a top finding open (the seed's top ten, at
    # most three of one kind, spans half its groups): the rest fold to a line each.
    assert folded * 2 < unfolded
    page.goto(seed_site("/report"))
    closed = page.locator("details.finding-group:not([open]) li.finding").first.get_attribute("id")
    page.goto(seed_site(f"/report#{closed}"))
    assert page.evaluate(f"document.getElementById('{closed}').closest('details.finding-group').open")
