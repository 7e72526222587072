"""The committee pack as a PDF: the pack's HTML printed by a Chromium-family browser.

Why Chromium, through Playwright, and not WeasyPrint
----------------------------------------------------
- **One print engine.** The web report and delivery pages are printed from Chrome or Edge by
  the people who use them; the pack printed by the same engine from the same stylesheet
  (``print.css``) comes out as they see it, and the tests check one engine, not two.
- **A council laptop.** WeasyPrint is pure Python but needs Pango, a system library: on Debian
  it is one ``apt-get`` (``libpango-1.0-0``), but on Windows it means installing GTK or MSYS2,
  which a locked-down laptop usually refuses.  ``pip install 'govmap[pdf]'`` brings Playwright
  (a wheel, no compiler, no admin rights), and Playwright drives the Edge or Chrome already
  installed there (or Chromium on Linux); ``python -m playwright install chromium`` fetches one
  where there is none.
- **Already there.** The browser tests drive Debian's Chromium with Playwright, so CI needs
  nothing new.

Nothing else in govmap needs either: without them every other command and format works, and
``--format pdf`` says how to get them (:class:`PdfEngineMissing`, exit code 2).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from govmap.ingest.errors import GovmapError

#: The browser to print with, if set: a path to a Chromium, Chrome or Edge executable.
BROWSER_ENV = "GOVMAP_CHROMIUM"

HOW_TO_GET_IT = (
    "install the PDF extra with `pip install 'govmap[pdf]'` and have Chrome, Edge or Chromium "
    f"installed (or set {BROWSER_ENV} to its path, or run `python -m playwright install chromium`); "
    "or write --format html and print it from a browser"
)


class PdfEngineMissing(GovmapError):
    """The PDF cannot be made here: Playwright or a Chromium-family browser is missing."""

    exit_status = 2
    status = 501


class PdfFailed(GovmapError):
    """The browser started but could not print the pack."""

    exit_status = 2
    status = 500


def _candidates() -> Iterator[str]:
    """Chromium-family browsers where their installers put them, most likely first."""
    env = os.environ.get(BROWSER_ENV)
    if env:
        yield env
        return
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge"):
        found = shutil.which(name)
        if found:
            yield found
    if sys.platform == "darwin":
        yield "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
        yield "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge"
        yield "/Applications/Chromium.app/Contents/MacOS/Chromium"
    if sys.platform == "win32":
        for root in (os.environ.get("PROGRAMFILES(X86)"), os.environ.get("PROGRAMFILES")):
            if root:
                yield os.path.join(root, "Microsoft", "Edge", "Application", "msedge.exe")
                yield os.path.join(root, "Google", "Chrome", "Application", "chrome.exe")
        local = os.environ.get("LOCALAPPDATA")
        if local:
            yield os.path.join(local, "Google", "Chrome", "Application", "chrome.exe")


def find_browser() -> str | None:
    """The first Chromium-family browser found on this machine (:data:`BROWSER_ENV` first), or
    None: then Playwright's own Chromium is tried, if it was installed."""
    env = os.environ.get(BROWSER_ENV)
    if env and not Path(env).is_file():
        raise PdfEngineMissing(f"{BROWSER_ENV} is set to {env}, which is not a file", hint=HOW_TO_GET_IT)
    return next((c for c in _candidates() if Path(c).is_file()), None)


def check_engine() -> None:
    """Raise :class:`PdfEngineMissing` now if Playwright is not installed, before a long report
    is made for nothing (a missing browser is found when it is started)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise PdfEngineMissing(
            "--format pdf needs Playwright, which is not installed", hint=HOW_TO_GET_IT
        ) from None


def html_to_pdf(html: str) -> bytes:
    """Print ``html`` (a self-contained page: no request leaves the browser) to PDF bytes.

    The page's own ``@page`` rules set the paper (A4, the landscape annex) and its margin
    boxes (running header, page numbers); nothing is fetched from anywhere.
    """
    check_engine()
    # Playwright's sync API refuses to run in a thread whose asyncio loop is running (a
    # notebook, an async server, or a test process already driving a browser), so the
    # printing always has a thread of its own; its errors come back as they were raised.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="govmap-pdf") as pool:
        return pool.submit(_print, html).result()


def _print(html: str) -> bytes:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    executable = find_browser()
    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(
                executable_path=executable,
                args=["--disable-gpu", "--disable-background-networking", "--disable-component-update"],
            )
        except PlaywrightError as exc:
            where = executable or "Playwright's own Chromium"
            raise PdfEngineMissing(
                f"--format pdf could not start a browser ({where}): {_first_line(exc)}", hint=HOW_TO_GET_IT
            ) from None
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.abort())  # the pack is whole: fetch nothing
            page.set_content(html, wait_until="load")
            return page.pdf(prefer_css_page_size=True, print_background=False, tagged=True, outline=True)
        except PlaywrightError as exc:
            raise PdfFailed(f"the browser could not print the pack: {_first_line(exc)}") from None
        finally:
            browser.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or ["no reason given"])[0]


__all__ = ["BROWSER_ENV", "PdfEngineMissing", "PdfFailed", "check_engine", "find_browser", "html_to_pdf"]
