"""The web front end in a real Chromium, with every request off this machine refused.

Each test fails if a page tried to reach any host but 127.0.0.1, if a dialog
opened (an ``alert`` from injected script), or if the browser reported a
Content-Security-Policy violation or a script error.  Chromium is Debian's
(``/usr/bin/chromium``, installed by the CI script); ``playwright install`` is
never run.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.websupport import ACCOUNTS, HOSTILE_PAGES, REGISTERS, make_app

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"
    ),
]


# -- a real server, a real browser ------------------------------------------------


@dataclass
class Site:
    url: str
    register: Path

    def __call__(self, path: str) -> str:
        return self.url + path


@contextmanager
def serving(register: Path) -> Iterator[Site]:
    """The app on a free port, served by waitress in a thread."""
    from waitress.server import create_server

    app = make_app(register, WTF_CSRF_ENABLED=True)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.effective_port}", register)
    finally:
        server.close()
        thread.join(timeout=10)


def _site(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    folder = tmp_path_factory.mktemp(name.split(".")[0])
    shutil.copy(REGISTERS / name, folder / "boards.yaml")
    return folder / "boards.yaml"


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with serving(_site(tmp_path_factory, "web.yaml")) as s:
        yield s


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with serving(_site(tmp_path_factory, "xss.yaml")) as s:
        yield s


#: One Playwright and one Chromium for the whole session, however many test modules import
#: this fixture (Playwright's sync API refuses a second instance while one runs).
_CHROMIUM: dict[str, Any] = {"users": 0}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not _CHROMIUM["users"]:
        _CHROMIUM["playwright"] = sync_playwright().start()
        _CHROMIUM["browser"] = _CHROMIUM["playwright"].chromium.launch(executable_path=CHROMIUM, args=ARGS)
    _CHROMIUM["users"] += 1
    try:
        yield _CHROMIUM["browser"]
    finally:
        _CHROMIUM["users"] -= 1
        if not _CHROMIUM["users"]:
            _CHROMIUM["browser"].close()
            _CHROMIUM["playwright"].stop()


@dataclass
class Watch:
    """What a test's pages did that they must not: leave the machine, open dialogs, break the CSP."""

    browser: Any
    external: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    contexts: list[Any] = field(default_factory=list)

    def page(self, **options: Any) -> Any:
        """A page in a fresh context (its own cookies: its own user); ``options`` for the context
        (a ``viewport``, ``has_touch``), 1400 x 900 unless told."""
        context = self.browser.new_context(**{"viewport": {"width": 1400, "height": 900}, **options})
        self.contexts.append(context)
        page = context.new_page()
        page.route("**/*", self._route)
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda exc: self.errors.append(f"script error: {exc}"))
        page.on("console", self._console)
        page.set_default_timeout(10_000)
        return page

    def _route(self, route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _console(self, message: Any) -> None:
        if message.type == "error" and (
            "Content Security Policy" in message.text or "Refused to" in message.text
        ):
            self.errors.append(message.text)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def watch(browser: Any) -> Iterator[Watch]:
    w = Watch(browser)
    yield w
    w.close()
    assert w.external == [], "pages tried to reach other hosts"
    assert w.dialogs == [], "a dialog opened: script ran"
    assert w.errors == [], "the browser reported errors"


def sign_in(page: Any, site: Site, name: str) -> None:
    page.goto(site("/login"))
    page.fill("#username", name)
    page.fill("#password", ACCOUNTS[name][0])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector(".user .who")


PAINTED = """sel => {
    const c = document.querySelector(sel + ' canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
}"""


def wait_for_map(page: Any, selector: str = "#map-data-view") -> None:
    """Wait until the map is drawn and still, and check the canvas really shows something."""
    page.wait_for_selector(f"{selector}[data-stable]")
    assert page.locator(f"{selector} canvas").count() == 1
    page.wait_for_function(f"() => ({PAINTED})({selector!r}) > 500")


def node_point(page: Any, node_id: str, selector: str = "#map-data-view") -> dict[str, float]:
    """Where a node is drawn, in page coordinates."""
    return page.evaluate(
        """([sel, id]) => {
            const el = document.querySelector(sel);
            const net = el.govmap.network;
            const p = net.canvasToDOM(net.getPositions([id])[id]);
            const box = el.getBoundingClientRect();
            return {x: box.left + p.x, y: box.top + p.y};
        }""",
        [selector, node_id],
    )


# -- exploring -------------------------------------------------------------------


def test_the_map_draws_offline_and_search_focuses_an_entity(site: Site, watch: Watch) -> None:
    page = watch.page()
    page.goto(site("/"))
    wait_for_map(page)
    assert page.evaluate("document.querySelector('#map-data-view').govmap.data.nodes.length") == 11
    assert (
        " ".join(page.locator(".legend li").first.inner_text().split())
        == "Body (board, partnership, group) (3)"
    )
    page.fill("#map-search-q", "Drugs Working")
    page.press("#map-search-q", "Enter")
    panel = page.locator("#panel")
    expect_text(page, "#panel-name", "Drugs Working Group")
    assert panel.is_visible()
    assert page.evaluate("document.querySelector('#map-data-view').govmap.network.getSelectedNodes()") == [
        "drugs-group"
    ]
    assert page.get_attribute("#panel-open", "href") == "/entity/drugs-group"
    page.click("#panel-focus")
    wait_for_map(page)
    assert "focus=drugs-group" in page.url
    ids = page.evaluate("document.querySelector('#map-data-view').govmap.data.nodes.map(n => n.id).sort()")
    assert ids == ["county-board", "drugs", "drugs-group", "testshire-council"]


def test_clicking_a_node_opens_its_panel_and_the_entity_page(site: Site, watch: Watch) -> None:
    page = watch.page()
    page.goto(site("/?focus=north-csp&hops=1"))
    wait_for_map(page)
    expect_text(page, "#panel-name", "North Community Safety Partnership")  # the focus is selected
    point = node_point(page, "county-board")
    page.mouse.click(point["x"], point["y"])
    expect_text(page, "#panel-name", "Testshire Community Safety Board")
    page.click("#panel-open")
    page.wait_for_url(site("/entity/county-board"))
    assert page.inner_text("h1") == "Testshire Community Safety Board"
    assert page.locator("section[data-group='members'] li").count() == 2
    wait_for_map(page, "#entity-map-data-view")


def test_an_entity_page_leads_up_its_chain_and_a_path_can_be_followed(site: Site, watch: Watch) -> None:
    page = watch.page()
    page.goto(site("/entity/north-csp"))
    assert "Reporting chain up" in page.inner_text(".chain")
    page.click(".chain-up a")
    assert page.inner_text("h1") == "Testshire Community Safety Board"
    page.click("nav >> text=Paths")
    page.fill("#p-from", "north-council")
    page.fill("#p-to", "drugs-group")
    page.click("#path-between button")
    steps = page.locator("ol.path li")
    assert steps.count() == 4
    assert steps.nth(0).inner_text() == "North District Council organisation"
    assert steps.nth(3).inner_text().endswith("Drugs Working Group body")
    wait_for_map(page, "#path-map-data-view")
    page.select_option("#p-theme", "drugs")
    page.click("#path-theme button")
    assert page.inner_text(".path-result h2") == "Who answers for Drugs"
    page.locator("ol.path li a").last.click()
    assert page.inner_text("h1") == "Testshire Community Safety Board"


def test_the_report_lists_findings_and_shows_one_on_the_map(site: Site, watch: Watch) -> None:
    page = watch.page()
    page.goto(site("/report"))
    findings = page.locator("li.finding")
    assert findings.count() > 0
    first_subjects = findings.first.locator(".subjects a").all_inner_texts()
    findings.first.locator("text=show on the map").click()
    wait_for_map(page)
    lit = page.evaluate(
        "document.querySelector('#map-data-view').govmap.data.nodes.filter(n => n.highlighted).map(n => n.name)"
    )
    assert sorted(lit) == sorted(first_subjects)
    page.goto(site("/report?severity=high"))
    assert page.locator("p.count").inner_text().endswith("findings.")


# -- editing ---------------------------------------------------------------------


def test_an_edit_shows_on_the_map_and_in_the_history(site: Site, watch: Watch) -> None:
    page = watch.page()
    sign_in(page, site, "alice")
    page.goto(site("/edit/north-council"))
    page.fill("#f-name", "North <b>District</b> Council")
    page.click("#record-form button[type=submit]")
    page.wait_for_url(site("/entity/north-council"))
    assert page.inner_text("h1") == "North <b>District</b> Council"
    assert "Saved: change name of 'north-council'." in page.inner_text(".flashes")
    page.goto(site("/"))
    wait_for_map(page)
    page.fill("#map-search-q", "<b>District")
    page.press("#map-search-q", "Enter")
    expect_text(page, "#panel-name", "North <b>District</b> Council")
    page.click("nav >> text=History")
    change = page.locator("li.change").first
    assert change.locator("h2").inner_text() == "change name of 'north-council'"
    assert "by alice" in change.locator("p.meta").inner_text()
    assert change.locator(".diff .add").inner_text() == "+    name: North <b>District</b> Council"
    assert "name: North <b>District</b> Council" in site.register.read_text(encoding="utf-8")


def test_two_editors_change_one_entity_at_once_and_nothing_is_lost(site: Site, watch: Watch) -> None:
    alice, bob = watch.page(), watch.page()
    sign_in(alice, site, "alice")
    sign_in(bob, site, "bob")
    alice.goto(site("/edit/drugs-group"))
    bob.goto(site("/edit/drugs-group"))
    alice.fill("#f-name", "Drugs and Alcohol Group")
    bob.fill("#f-description", "Meets monthly; reports to the county board.")
    alice.click("#record-form button[type=submit]")
    alice.wait_for_url(site("/entity/drugs-group"))
    bob.click("#record-form button[type=submit]")
    alert = bob.locator(".error-box")
    assert "was changed by someone else since you opened this form" in alert.inner_text()
    assert "by alice" in alert.inner_text()
    assert bob.input_value("#f-description") == "Meets monthly; reports to the county board."
    text = site.register.read_text(encoding="utf-8")
    assert "Drugs and Alcohol Group" in text and "Meets monthly" not in text
    # Bob sees what Alice saved, and saves again on purpose: both changes are kept.
    assert "Drugs and Alcohol Group" in bob.inner_text(".conflict")
    bob.fill("#f-name", "Drugs and Alcohol Group")
    bob.click("#record-form button[type=submit]")
    bob.wait_for_url(site("/entity/drugs-group"))
    text = site.register.read_text(encoding="utf-8")
    assert "Drugs and Alcohol Group" in text and "Meets monthly; reports to the county board." in text


def test_a_bad_membership_is_shown_at_its_field_in_the_browser(site: Site, watch: Watch) -> None:
    page = watch.page()
    sign_in(page, site, "alice")
    page.goto(site("/edit/county-board/members/new"))
    page.fill("#f-member", "testshire-polic")
    page.click("#link-form button[type=submit]")
    error = page.locator("[data-field='member'] .field-error")
    assert "did you mean 'testshire-police'?" in error.inner_text()


# -- hostile text ------------------------------------------------------------------


def test_a_hostile_register_runs_no_script_on_any_page(hostile_site: Site, watch: Watch) -> None:
    page = watch.page()
    sign_in(page, hostile_site, "alice")
    for path in HOSTILE_PAGES:
        if path.endswith(".csv"):  # a download, not a page: tests/test_web_pages.py checks its text
            continue
        page.goto(hostile_site(path))
        for sel in ("#map-data-view", "#entity-map-data-view", "#path-map-data-view"):
            if page.locator(sel).count():
                wait_for_map(page, sel)
        page.wait_for_timeout(50)  # let any onerror handler fire
        assert watch.dialogs == [], path
    for a in page.locator("a[href^='javascript']").all():
        pytest.fail(f"a javascript: link: {a.get_attribute('href')}")


def test_hostile_names_reach_tooltips_and_the_panel_as_plain_text(hostile_site: Site, watch: Watch) -> None:
    page = watch.page()
    page.goto(hostile_site("/?focus=evil-board&hops=1"))
    wait_for_map(page)
    point = node_point(page, "evil-org")
    page.mouse.move(point["x"] - 40, point["y"] - 40)
    page.mouse.move(point["x"], point["y"], steps=8)
    tooltip = page.locator(".vis-tooltip")
    tooltip.wait_for(state="visible")
    assert tooltip.inner_text().startswith('"><img src=x onerror=alert(1)>')
    assert tooltip.locator("img").count() == 0
    page.mouse.click(point["x"], point["y"])
    expect_text(page, "#panel-name", '"><img src=x onerror=alert(1)>')
    assert page.locator("#panel img").count() == 0
    page.fill("#map-search-q", "<script>")
    page.press("#map-search-q", "Enter")
    assert re.match(r"Found: .*<script>alert\(1\)</script>$", page.inner_text("#map-search-status"))
    assert page.locator("#map-search-status script").count() == 0


def expect_text(page: Any, selector: str, text: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator(selector)).to_have_text(text)


# -- unticking a box clears its field (issue 26, defect 14) ----------------------------------


def test_unticking_statutory_top_level_and_members_complete_in_chromium_clears_them(
    tmp_path: Path, watch: Watch
) -> None:
    from govmap.ingest.reading.load import load_register

    register = tmp_path / "boards.yaml"
    shutil.copy(REGISTERS / "web.yaml", register)
    with serving(register) as site:
        page = watch.page()
        sign_in(page, site, "alice")
        page.goto(site("/edit/county-board"))
        page.check("#f-members_complete")
        page.click("#record-form button[type=submit]")
        page.wait_for_url(site("/entity/county-board"))
        board = load_register(register).get("county-board")
        assert (board.statutory, board.top_level, board.members_complete) == (True, True, True)
        page.goto(site("/edit/county-board"))
        for box in ("#f-statutory", "#f-top_level", "#f-members_complete"):
            page.uncheck(box)
        page.click("#record-form button[type=submit]")
        page.wait_for_url(site("/entity/county-board"))
        assert page.inner_text(".flashes").startswith("Saved: ")
        board = load_register(register).get("county-board")
        assert (board.statutory, board.top_level, board.members_complete) == (False, False, False)
