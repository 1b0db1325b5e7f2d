"""Open an HTML file in headless Chromium with the network blocked and report what a reader would hit.

Used by tests (offline-report checks). Playwright's sync API drives Debian's ``/usr/bin/chromium``
(override with ``$ENFORCEMENT_CHROMIUM``); no Playwright browser download is needed.

Every request is routed: the page file itself and ``data:`` URLs are allowed, anything else (http,
https, other files, websockets) is recorded in ``external_requests`` and aborted. The report also
collects console errors and uncaught page errors, requests that failed, images that did not load,
and whether the full-page screenshot is blank. :func:`offline_page` opens a page the same way and
hands the Playwright page to the caller (measurements, typing, following links).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The product's PDF step finds and starts Chromium; the page checks use the same executable and flags.
from analysis.report.pdf import CHROMIUM_PATH, LAUNCH_ARGS
from analysis.report.pdf import chromium_executable as chromium_path

_BROKEN_IMAGES_JS = (
    "() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
    ".map(i => (i.currentSrc || i.src || '').slice(0, 200))"
)


@dataclass
class PageReport:
    """What happened when the page was opened."""

    external_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    failed_images: list[str] = field(default_factory=list)
    blank: bool = True
    title: str = ""
    screenshot: Path | None = None

    @property
    def ok(self) -> bool:
        """No external request, console error, failed request or image, and a non-blank page."""
        return not (
            self.external_requests or self.console_errors or self.failed_requests or self.failed_images
            or self.blank
        )


def is_blank_image(path: str | Path, *, min_ink_fraction: float = 0.001) -> bool:
    """True when the image is one flat colour or has almost no non-white pixels."""
    from PIL import Image, ImageChops

    with Image.open(path) as img:
        rgb = img.convert("RGB")
        if rgb.getextrema() and all(lo == hi for lo, hi in rgb.getextrema()):
            return True
        white = Image.new("RGB", rgb.size, (255, 255, 255))
        diff = ImageChops.difference(rgb, white).convert("L").point(lambda v: 255 if v > 24 else 0)
        ink = diff.histogram()[255]
        return ink < min_ink_fraction * rgb.size[0] * rgb.size[1]


@contextmanager
def offline_page(
    html_path: str | Path,
    *,
    timeout_ms: int = 30_000,
    viewport: tuple[int, int] = (1280, 900),
    allow_local: bool = False,
) -> Iterator[tuple[Any, PageReport]]:
    """Open ``html_path`` offline in headless Chromium; yields the Playwright page and its :class:`PageReport`.

    The page is loaded (``load`` event, web fonts ready) before it is yielded, so a test can evaluate
    scripts, type, or take screenshots; the report keeps collecting until the block ends.
    ``allow_local``: also let ``file://`` requests under the page's folder's parent through (a link a
    test follows to a sibling report); anything else is still recorded and aborted.
    """
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    if exe is None:
        raise FileNotFoundError(f"Chromium not found at {CHROMIUM_PATH} (install Debian's chromium package)")
    page_path = Path(html_path).resolve()
    page_url = page_path.as_uri()
    local_root = page_path.parent.parent.as_uri() + "/"
    report = PageReport()

    def route(route_obj) -> None:
        url = route_obj.request.url
        if url.split("#", 1)[0] == page_url or url.startswith("data:") or (allow_local and url.startswith(local_root)):
            route_obj.continue_()
        else:
            report.external_requests.append(url)
            route_obj.abort()

    profile = tempfile.mkdtemp(prefix="enforcement-chromium-")
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=exe,
                headless=True,
                args=LAUNCH_ARGS,
                viewport={"width": viewport[0], "height": viewport[1]},
                offline=False,  # requests are blocked by the router, so they get recorded
                service_workers="block",
                java_script_enabled=True,
            )
            try:
                context.route("**/*", route)
                context.on("weberror", lambda err: report.console_errors.append(f"weberror: {err.error}"))
                page = context.new_page()
                page.on("console", lambda msg: report.console_errors.append(msg.text) if msg.type == "error" else None)
                page.on("pageerror", lambda exc: report.console_errors.append(f"pageerror: {exc}"))
                page.on(
                    "requestfailed",
                    lambda req: None if req.url in report.external_requests
                    else report.failed_requests.append(f"{req.url[:200]}: {req.failure}"),
                )
                page.goto(page_url, wait_until="load", timeout=timeout_ms)
                page.evaluate("() => document.fonts ? document.fonts.ready.then(() => true) : true")
                report.title = page.title()
                yield page, report
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def check_page(
    html_path: str | Path,
    screenshot_path: str | Path,
    *,
    timeout_ms: int = 30_000,
    viewport: tuple[int, int] = (1280, 900),
) -> PageReport:
    """Load ``html_path`` offline in headless Chromium, screenshot the full page, return a :class:`PageReport`."""
    shot = Path(screenshot_path)
    shot.parent.mkdir(parents=True, exist_ok=True)
    with offline_page(html_path, timeout_ms=timeout_ms, viewport=viewport) as (page, report):
        page.wait_for_timeout(200)
        report.failed_images = list(page.evaluate(_BROKEN_IMAGES_JS))
        report.title = page.title()
        page.screenshot(path=str(shot), full_page=True)
    report.screenshot = shot
    report.blank = is_blank_image(shot)
    return report
