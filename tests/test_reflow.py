"""Every page reflows at 320 CSS pixels wide and at 200 % zoom (WCAG 2.2 1.4.10), in Chromium.

At each size, on each page type: nothing clickable overlaps anything else clickable, or the
map; every link, button and field is the topmost thing at its own centre once scrolled into
view (so a click lands on it); the page does not scroll sideways (a wide table scrolls inside
its own box); and the map keeps a usable height below its legend, which can be folded away.
"""

# The browser fixtures are shared with test_browser.py by import; pytest injects them by name.
# ruff: noqa: F811

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from govmap.ingest.reading.load import load_register
from govmap.webviz.map.standalone import standalone_map
from tests.test_browser import CHROMIUM, Site, Watch, browser, sign_in, site, wait_for_map, watch  # noqa: F401
from tests.test_map_legibility import seed_site  # noqa: F401
from tests.websupport import EDITOR_PAGES, FILE_PAGES, READER_PAGES

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

#: 320 px wide (WCAG's reflow width), and a 1400 x 900 window at 200 % zoom (700 x 450 CSS px).
SIZES = {"320px": {"width": 320, "height": 640}, "200%": {"width": 700, "height": 450}}

#: Every page type: each page a reader opens, the sign-in page, and a page of an error.
PAGES = [*READER_PAGES, "/login"]
ERROR_PAGES = ["/entity/no-such-record"]
#: The smallest map a reader can use: a third of a phone held upright, or of a zoomed window.
MIN_MAP_HEIGHT = 300

CLICKABLE = (
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])"
)

LAYOUT = """([clickable]) => {
    const seen = el => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
        let shown = true;  // not inside a closed <details>, unless it is that one's own summary
        for (let d = el.parentElement && el.parentElement.closest('details'); d; d = d.parentElement && d.parentElement.closest('details'))
            if (!d.open && !(el.matches('summary') && el.parentElement === d)) shown = false;
        return s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0 && r.height > 0 && shown &&
               !el.closest('.visually-hidden, .map-keys, [hidden]'); };
    const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.getAttribute('href') ? '[href=' + el.getAttribute('href') + ']' : '') +
        ' "' + (el.textContent || el.value || '').trim().slice(0, 30) + '"';
    const docRect = r => ({l: r.left + scrollX, t: r.top + scrollY, r: r.right + scrollX, b: r.bottom + scrollY});
    // an inline link that wraps has one box a line: its bounding box would cover its neighbours
    const lineBoxes = el => [...el.getClientRects()].filter(r => r.width > 0 && r.height > 0).map(docRect);
    // left out: what is off the page until focused (the skip links) and what the map draws itself
    const onPage = el => el.getBoundingClientRect().right + scrollX > 0;
    const items = [...document.querySelectorAll(clickable)].filter(seen).filter(onPage)
        .filter(el => !el.closest('.govmap-map') || el.matches('.govmap-map'));
    const maps = [...document.querySelectorAll('.govmap-map')].filter(seen);
    const boxes = items.map(el => ({el, lines: lineBoxes(el)}));
    const overlaps = [];
    const cut = (a, b) => Math.min(a.r, b.r) - Math.max(a.l, b.l) > 1 && Math.min(a.b, b.b) - Math.max(a.t, b.t) > 1;
    const cuts = (as, bs) => as.some(a => bs.some(b => cut(a, b)));
    for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i], b = boxes[j];
            if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
            if (cuts(a.lines, b.lines)) overlaps.push(name(a.el) + ' overlaps ' + name(b.el));
        }
        for (const m of maps) {
            if (m.contains(boxes[i].el) || boxes[i].el.contains(m) || boxes[i].el.closest('.map-stage')) continue;
            if (cuts(boxes[i].lines, [docRect(m.getBoundingClientRect())])) overlaps.push('the map overlaps ' + name(boxes[i].el));
        }
    }
    const hidden = [];
    for (const {el} of boxes) {
        el.scrollIntoView({block: 'center', inline: 'center'});
        const r = el.getClientRects()[0] || el.getBoundingClientRect();  // its first line
        const x = Math.min(Math.max(r.left + Math.min(r.width, 40) / 2, 0), innerWidth - 1);
        const y = Math.min(Math.max(r.top + Math.min(r.height, 40) / 2, 0), innerHeight - 1);
        const top = document.elementFromPoint(x, y);
        if (top && !(el === top || el.contains(top) || top.contains(el) || (el.labels && [...el.labels].some(l => l.contains(top)))))
            hidden.push(name(el) + ' is under ' + name(top));
    }
    scrollTo(0, 0);
    return {overlaps, hidden, wide: document.scrollingElement.scrollWidth - innerWidth,
            maps: maps.map(m => m.getBoundingClientRect().height)};
}"""


def check_reflow(page: Any, url: str, label: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status, url
    for sel in ("#map-data-view", "#entity-map-data-view", "#path-map-data-view"):
        if page.locator(sel).count():
            wait_for_map(page, sel)
    check_layout(page, f"{url} at {label}")


def check_file_reflow(page: Any, url: str, label: str) -> None:
    """A page handed over as a file, opened from the disk (no server behind it)."""
    response = page.request.get(url)
    assert response.status == 200, url
    page.goto("about:blank")  # not the app's page, whose policy would bind the file's content
    page.set_content(response.text(), wait_until="load")
    if page.locator("#mynetwork").count():
        page.wait_for_selector("#mynetwork[data-stable]")
    check_layout(page, f"{url} (the file) at {label}")


def check_layout(page: Any, where: str) -> None:
    found = page.evaluate(LAYOUT, [CLICKABLE])
    assert found["overlaps"] == [], f"{where}: " + "; ".join(found["overlaps"][:8])
    assert found["hidden"] == [], f"{where}: " + "; ".join(found["hidden"][:8])
    assert found["wide"] <= 1, f"{where}: the page scrolls sideways by {found['wide']} px"
    assert all(h >= MIN_MAP_HEIGHT for h in found["maps"]), f"{where}: map heights {found['maps']}"


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("path", PAGES)
def test_every_page_reflows_with_nothing_clickable_overlapping(
    site: Site, watch: Watch, path: str, size: str
) -> None:
    page = watch.page()
    page.set_viewport_size(SIZES[size])
    check_reflow(page, site(path), size)


@pytest.mark.parametrize("size", list(SIZES))
def test_an_error_page_and_the_files_handed_over_reflow_with_nothing_clickable_overlapping(
    site: Site, watch: Watch, size: str
) -> None:
    page = watch.page(viewport=SIZES[size])
    for path in ERROR_PAGES:
        check_reflow(page, site(path), size, status=404)
    for path in FILE_PAGES:
        check_file_reflow(page, site(path), size)


@pytest.mark.parametrize("size", list(SIZES))
def test_editor_pages_reflow_with_nothing_clickable_overlapping(site: Site, watch: Watch, size: str) -> None:
    page = watch.page()
    sign_in(page, site, "alice")
    page.set_viewport_size(SIZES[size])
    for path in [*EDITOR_PAGES, "/whatif?retire=county-board"]:  # and a what-if's result
        check_reflow(page, site(path), size)


@pytest.mark.parametrize("size", list(SIZES))
def test_the_seed_map_delivery_coverage_and_report_reflow(seed_site: Site, watch: Watch, size: str) -> None:
    page = watch.page()
    page.set_viewport_size(SIZES[size])
    for path in ("/", "/delivery", "/coverage", "/report"):
        check_reflow(page, seed_site(path), size)
    check_file_reflow(page, seed_site("/report/download.html"), size)


@pytest.mark.parametrize("size", list(SIZES))
def test_on_a_narrow_screen_the_filters_and_legend_start_folded_and_the_map_keeps_its_height_when_they_open(
    site: Site, watch: Watch, size: str
) -> None:
    page = watch.page()
    page.set_viewport_size(SIZES[size])
    page.goto(site("/"))
    wait_for_map(page)
    assert page.evaluate("document.querySelector('details.legend').open") is False
    assert page.evaluate("document.querySelector('details.filters-fold').open") is False
    top = page.evaluate("document.querySelector('#map-data-view').getBoundingClientRect().top")
    assert top < SIZES[size]["height"], "the map starts on the first screen"
    page.click("details.legend > summary")
    assert page.evaluate("document.querySelector('details.legend').open") is True
    height = page.evaluate("document.querySelector('#map-data-view').getBoundingClientRect().height")
    assert height >= MIN_MAP_HEIGHT


#: A finger on the screen: put down at ``start``, moved in ten steps by ``by``, lifted (the
#: events a phone sends; Chromium scrolls the page for them where ``touch-action`` lets it).
SWIPE_STEPS = 10


def swipe(page: Any, start: tuple[float, float], by: tuple[float, float]) -> None:
    cdp = page.context.new_cdp_session(page)
    x, y = start
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for i in range(1, SWIPE_STEPS + 1):
        point = {"x": x + by[0] * i / SWIPE_STEPS, "y": y + by[1] * i / SWIPE_STEPS}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


#: A point of the map on the screen, in the middle third of the screen's height, with no node
#: under it, so a finger there moves the view, not a node.
EMPTY_POINT = """sel => {
    const el = document.querySelector(sel), net = el.govmap.network, box = el.getBoundingClientRect();
    for (let y = innerHeight / 3; y < innerHeight * 2 / 3; y += 10)
        for (let x = 40; x < box.width - 40; x += 10)
            if (net.getNodeAt({x: x - box.left, y: y - box.top}) === undefined) return [x, y];
    return null;
}"""


@pytest.mark.parametrize("kind", ["web", "offline"])
def test_on_a_phone_a_swipe_up_on_a_map_taller_than_the_screen_scrolls_the_page_and_sideways_pans_the_map(
    seed_site: Site, watch: Watch, kind: str
) -> None:
    page = watch.page(viewport=SIZES["320px"], has_touch=True, is_mobile=True)
    if kind == "web":
        page.goto(seed_site("/"))
        selector = "#map-data-view"
        wait_for_map(page)
    else:
        page.set_content(standalone_map(load_register(seed_site.register)), wait_until="load")
        selector = "#mynetwork"
        page.wait_for_selector(f"{selector}[data-stable]")
    # The seed's 22 bodies' names need more than a screen at this width (test_map_labels.py).
    height = page.evaluate(f"document.querySelector({selector!r}).clientHeight")
    assert height > SIZES["320px"]["height"]
    page.evaluate(f"document.querySelector({selector!r}).scrollIntoView()")
    view = f"() => document.querySelector({selector!r}).govmap.network.getViewPosition()"
    before, top = page.evaluate(view), page.evaluate("scrollY")
    swipe(page, page.evaluate(EMPTY_POINT, selector), (0, -200))
    comes_true(page, f"() => scrollY > {top + 100}", "a swipe up on the map scrolls the page")
    assert page.evaluate(view) == before, "the map stayed where it was"
    swipe(page, page.evaluate(EMPTY_POINT, selector), (-120, 0))
    comes_true(page, f"() => ({view})().x !== {before['x']}", "a swipe sideways on the map pans it")


def comes_true(page: Any, expression: str, what: str) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(expression)
    except PlaywrightTimeout:
        pytest.fail(f"not so: {what}")
