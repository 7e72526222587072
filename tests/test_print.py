"""The committee pack (``govmap report --format pdf``) and the web pages printed, read back as PDF.

The pack is printed by Debian's Chromium (``/usr/bin/chromium``, as the browser tests use) and
read back with pypdf: how many pages, which are landscape, and the text of each.  The page
budgets are the issue's: the seed's findings section (summary, top findings, high and medium
findings) within 12 A4 pages, the whole pack within 22.
"""

# The browser fixtures are shared with test_browser.py by import; pytest injects them by name.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from govmap.cli import cli
from govmap.graph.report import ReportOptions, report
from govmap.ingest.reading.load import load_register
from tests.test_browser import CHROMIUM, Site, Watch, browser, watch  # noqa: F401
from tests.test_map_legibility import seed_site  # noqa: F401

SEED = Path(__file__).resolve().parent.parent / "data" / "boards.yaml"
AS_OF = "2026-04-01"
A4_SHORT, A4_LONG = 595, 842  # points, rounded

needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed")


def pages_of(pdf: bytes) -> list[tuple[int, int, str]]:
    """(width, height, text) of each page, in points."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return [
        (round(float(p.mediabox.width)), round(float(p.mediabox.height)), p.extract_text())
        for p in reader.pages
    ]


def flat(text: str) -> str:
    """Text with its line breaks as spaces (pypdf breaks lines where the page did) and its
    ligatures as letters (Chromium sets "fi" as one glyph)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="module")
def seed_pack(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[int, int, str]]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    out = tmp_path_factory.mktemp("pack") / "pack.pdf"
    result = CliRunner().invoke(
        cli,
        ["report", str(SEED), "--format", "pdf", "-o", str(out), "--as-of", AS_OF],
        env={"GOVMAP_CHROMIUM": CHROMIUM},
    )
    assert result.exit_code == 0, result.output
    return pages_of(out.read_bytes())


@needs_chromium
@pytest.mark.browser
def test_the_pack_opens_with_a_cover_naming_the_register_its_date_version_and_counts(seed_pack):
    rep = report(load_register(SEED), options=ReportOptions(as_of=dt.date.fromisoformat(AS_OF)))
    s, counts = rep.summary(), rep.register["counts"]
    width, height, text = seed_pack[0]
    assert (width, height) == (A4_SHORT, A4_LONG)
    first = flat(text)
    severities = ", ".join(f"{n} {sev}" for sev, n in s["by_severity"].items() if n)
    for words in (
        "COMMITTEE PACK · REVIEW OF THE PARTNERSHIP REGISTER",
        "Lancashire community safety partnership register",
        "Findings as of 1 April 2026.",
        "Version not set in the register's header: the file's SHA-256 below identifies it",
        "Read from boards.yaml, SHA-256 ",
        f"Findings {s['total']}: {severities}",
        f"Bodies {counts['bodies']}",
        f"Organisations {counts['organisations']}",
        f"Themes {counts['themes']}",
        f"Strategies {counts['strategies']}",
    ):
        assert words in first, words
    assert f"Page 1 of {len(seed_pack)}" in first


@needs_chromium
@pytest.mark.browser
def test_the_seed_pack_keeps_its_findings_section_within_12_pages_and_the_whole_within_22(seed_pack):
    def first_page_with(heading: str) -> int:
        return next(i for i, (_, _, t) in enumerate(seed_pack) if re.search(rf"^{heading}", t, re.M))

    summary = first_page_with(r"Summary$")
    after_medium = first_page_with(r"(Low|Info) \(\d+\)$|Annex: who delivers what$")
    findings_section = after_medium - summary + 1  # the page where Low starts may still hold medium
    assert summary == 1, "the summary opens the page after the cover"
    assert findings_section <= 12, f"findings section: {findings_section} pages"
    assert len(seed_pack) <= 22, f"whole pack: {len(seed_pack)} pages"


@needs_chromium
@pytest.mark.browser
def test_every_page_after_the_cover_has_the_running_header_and_its_number(seed_pack):
    n = len(seed_pack)
    for i, (_, _, text) in enumerate(seed_pack[1:], start=2):
        page = flat(text)
        assert "Lancashire community safety partnership register" in page, i
        assert "Findings as of 1 April 2026 · boards.yaml, SHA-256 " in page, i
        assert f"Page {i} of {n}" in page, i


def annex_pages(pages: list[tuple[int, int, str]], heading: str) -> list[str]:
    """The text of the landscape pages from the one headed ``heading`` to the next annex."""
    out: list[str] = []
    for w, h, text in pages:
        if heading in text:
            out.append(text)
        elif out and w > h and "Annex: " not in text:
            out.append(text)
        elif out:
            break
    return out


@needs_chromium
@pytest.mark.browser
def test_the_delivery_annex_is_landscape_with_its_key(seed_pack):
    landscape = [i for i, (w, h, _) in enumerate(seed_pack) if w > h]
    assert landscape, "the annexes print on landscape pages"
    assert landscape == list(range(landscape[0], landscape[-1] + 1)), "together, after the findings"
    annex = annex_pages(seed_pack, "Annex: who delivers what")
    assert annex, "the delivery annex is on a landscape page"
    first = flat(annex[0])
    assert "L leads, C contributes; italic: through a plan the body owns (a strategy, an agreement)." in first
    assert (
        "Umbrella partnerships, which lead several issues, usually through their agreement: "
        "Lancashire Community Safety Partnership Board." in first
    )
    rep = report(load_register(SEED), options=ReportOptions(as_of=dt.date.fromisoformat(AS_OF)))
    text = flat(" ".join(annex))
    assert rep.delivery is not None
    assert [r.name for r in rep.delivery.rows if flat(r.name) not in text] == [], "every row printed"


@needs_chromium
@pytest.mark.browser
def test_a_long_delivery_matrix_splits_between_rows_with_its_header_row_on_every_page(tmp_path):
    themes = "\n".join(f"  - {{id: t{i}, name: Issue number {i}, kind: priority}}" for i in range(90))
    bodies = "\n".join(
        f"  - {{id: b{j}, name: Delivery Board {j}, kind: board, reports_to: top, "
        f"themes: [{', '.join(f'{{theme: t{i}, role: lead}}' for i in range(90) if i % 6 == j)}]}}"
        for j in range(6)
    )
    path = tmp_path / "boards.yaml"
    path.write_text(
        "govmap: 1\nregister: {id: r, name: Long register, top: [top]}\nthemes:\n"
        + themes
        + "\nbodies:\n  - {id: top, name: Top Board, kind: board, top_level: true}\n"
        + bodies
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "pack.pdf"
    result = CliRunner().invoke(
        cli, ["report", str(path), "--format", "pdf", "-o", str(out)], env={"GOVMAP_CHROMIUM": CHROMIUM}
    )
    assert result.exit_code == 0, result.output
    annex = annex_pages(pages_of(out.read_bytes()), "Annex: who delivers what")
    assert len(annex) >= 2, "90 issues run over more than one page"
    for text in annex:
        assert re.search(r"^Issue\b", text, re.M), "the header row repeats on every page"
    printed = flat(" ".join(annex))
    assert [i for i in range(90) if f"Issue number {i} priority" not in printed] == [], (
        "no row lost at a break"
    )


@needs_chromium
@pytest.mark.browser
def test_every_finding_of_the_seed_is_in_the_pack_with_its_evidence(seed_pack):
    rep = report(load_register(SEED), options=ReportOptions(as_of=dt.date.fromisoformat(AS_OF)))
    text = flat(" ".join(t for _, _, t in seed_pack))
    for f in rep.findings:
        assert f.id in text.replace(" ", "") or f.id in text, f.id
    assert text.count("Suggestion ") >= sum(1 for f in rep.findings if f.suggestion)


def test_without_playwright_the_pdf_is_refused_with_how_to_get_it_and_nothing_is_written(
    tmp_path, monkeypatch
):
    monkeypatch.setitem(sys.modules, "playwright", None)
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    out = tmp_path / "pack.pdf"
    result = CliRunner().invoke(cli, ["report", str(SEED), "--format", "pdf", "-o", str(out)])
    assert result.exit_code == 2
    assert result.output == (
        "error: --format pdf needs Playwright, which is not installed (install the PDF extra with "
        "`pip install 'govmap[pdf]'` and have Chrome, Edge or Chromium installed (or set GOVMAP_CHROMIUM "
        "to its path, or run `python -m playwright install chromium`); or write --format html and print "
        "it from a browser)\n"
    )
    assert not out.exists()


def test_without_playwright_every_other_format_still_works(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "playwright", None)
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    for fmt in ("md", "html", "json", "csv"):
        result = CliRunner().invoke(
            cli, ["report", str(SEED), "--format", fmt, "-o", str(tmp_path / f"r.{fmt}")]
        )
        assert result.exit_code == 0, (fmt, result.output)


def test_a_browser_path_that_is_not_a_file_is_refused_by_name(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["report", str(SEED), "--format", "pdf", "-o", str(tmp_path / "p.pdf")],
        env={"GOVMAP_CHROMIUM": str(tmp_path / "no-such-browser")},
    )
    assert result.exit_code == 2
    assert result.output.startswith(
        f"error: GOVMAP_CHROMIUM is set to {tmp_path / 'no-such-browser'}, which is not a file (install the PDF extra"
    )


def test_the_pack_html_escapes_the_register_name_in_its_running_header(write_register):
    from govmap.graph.report.html import pack_html

    path = write_register(
        'govmap: 1\nregister: {id: r, name: "Evil </style><script>alert(1)</script> \\" board"}\n'
        "themes: [{id: fraud, name: Fraud, kind: public-concern}]\n"
    )
    page = pack_html(report(load_register(path)))
    style = page[
        page.index('<style media="print">') : page.index("</style>", page.index('<style media="print">'))
    ]
    assert "</" not in style and "<script" not in style
    assert '"Evil \\3c /style\\3e \\3c script\\3e alert(1)\\3c /script\\3e  \\22  board"' in style
    assert "&lt;script&gt;" in page  # and escaped as HTML where it is text


# -- the web pages, printed from the browser -------------------------------------------


def printed(page: Any) -> list[tuple[int, int, str]]:
    return pages_of(page.pdf(prefer_css_page_size=True))


@needs_chromium
@pytest.mark.browser
def test_the_report_page_prints_portrait_with_everything_open_and_no_navigation_or_forms(
    seed_site: Site, watch: Watch
) -> None:
    page = watch.page()
    page.goto(seed_site("/report"))
    pages = printed(page)
    assert all((w, h) == (A4_SHORT, A4_LONG) for w, h, _ in pages), "every page A4 portrait"
    text = flat(" ".join(t for _, _, t in pages))
    first = flat(pages[0][2])
    assert "Lancashire community safety partnership register · as of " in first
    assert "· boards.yaml, SHA-256 " in first
    for gone in ("Skip to main content", "Sign in", "Filter", "Download the whole report", "show on the map"):
        assert gone not in text, gone
    # a finding's evidence in a group closed on screen is printed too
    closed = page.locator("details.finding-group:not([open]) li.finding details dd")
    assert closed.count() > 0, "the seed's report has closed groups"
    hidden = flat(closed.last.evaluate("e => e.textContent")).strip()
    assert not closed.last.is_visible()
    assert hidden[:40] in text


@needs_chromium
@pytest.mark.browser
def test_printed_severity_badges_are_black_on_white_and_boxed(seed_site: Site, watch: Watch) -> None:
    page = watch.page()
    page.goto(seed_site("/report"))
    page.emulate_media(media="print")
    styles = page.eval_on_selector_all(
        ".sev",
        "els => els.map(e => { const s = getComputedStyle(e); return [s.color, s.backgroundColor, s.borderTopStyle]; })",
    )
    assert styles and {tuple(s) for s in styles} == {("rgb(0, 0, 0)", "rgba(0, 0, 0, 0)", "solid")}


@needs_chromium
@pytest.mark.browser
def test_the_delivery_page_prints_landscape_at_9pt_with_its_key_and_header_row_on_each_page(
    seed_site: Site, watch: Watch
) -> None:
    page = watch.page()
    page.goto(seed_site("/delivery"))
    page.emulate_media(media="print")
    sizes = page.eval_on_selector_all(
        "table.delivery td, table.delivery th",
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))",
    )
    assert min(sizes) >= 12, "at least 9 pt (12 px) in every cell"
    pages = printed(page)
    assert all(w > h for w, h, _ in pages), "landscape"
    first = flat(pages[0][2])
    assert "Lancashire community safety partnership register · as of " in first
    assert "bodies that lead (L) or contribute (C). Italic: through a plan the body owns" in first
    assert "Umbrella partnerships (lead several issues, usually through their agreement): " in first
    assert "Sign in" not in first and "Skip to main content" not in first
    assert len(pages) >= 2
    for _, _, text in pages:
        assert re.search(r"^Issue\b", text, re.M), "the header row repeats on every page"


def test_the_packs_decisions_come_after_the_findings_and_before_the_annexes():
    from govmap.graph.review.decisions import decide, review_report
    from govmap.graph.review.decisions_render import render_with_decisions

    day = dt.date.fromisoformat(AS_OF)
    rep = report(load_register(SEED), options=ReportOptions(as_of=day))
    first = rep.findings[0]
    decision = decide(first, "accepted", "Known and in hand.", "clerk", day)
    open_rep, reviewed = review_report(rep, [decision], day)
    page = render_with_decisions(open_rep, reviewed, "pack")
    at = page.index('<section class="decisions"><h2>Decisions</h2>')
    assert page.index('id="s-high"') < at < page.index('<section id="delivery" class="annex">')
    assert f"<code>{first.id}</code>: accepted by clerk on 2026-04-01: Known and in hand." in page[at:]


@needs_chromium
@pytest.mark.browser
def test_the_pack_prints_from_a_thread_whose_asyncio_loop_is_running(tmp_path: Path) -> None:
    """Playwright's sync API refuses a thread whose asyncio loop runs (a notebook, an async
    server, a test process with a browser open): the pack prints in a thread of its own."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    out = tmp_path / "pack.pdf"

    async def invoke() -> Any:  # the CLI called from inside a running loop
        return CliRunner().invoke(
            cli,
            ["report", str(SEED), "--format", "pdf", "-o", str(out), "--as-of", AS_OF],
            env={"GOVMAP_CHROMIUM": CHROMIUM},
        )

    with ThreadPoolExecutor(max_workers=1) as pool:  # a fresh thread, whatever this one runs
        result = pool.submit(asyncio.run, invoke()).result()
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
