"""Every report HTML also as PDF: ``outputs/<year>/pdf/<id>.pdf``, printed by headless Chromium.

Why the DevTools protocol and not ``chromium --print-to-pdf``: the command-line flag prints either no
header and footer (``--no-pdf-header-footer``) or Chromium's own (the date, the ``file://`` path of the
report and "1/5"), and it cannot take a template. ``Page.printToPDF`` takes ``headerTemplate`` and
``footerTemplate``, so each page gets a running header (the report title) and "— N —" page numbers.
CSS ``@page`` margin boxes (``@top-center`` ...) would be the pure-CSS way, but Chromium does not
render them. The protocol is spoken over ``--remote-debugging-pipe`` (NUL-terminated JSON on file
descriptors 3 and 4) with the standard library only; Playwright stays a test-only dependency.

How a report is printed (:func:`print_pdf`):

1. open the HTML in a new tab, wait for the load event and ``document.fonts.ready`` (the embedded
   subset of Noto Sans CJK SC, which Chromium then embeds in the PDF);
2. switch to print media at the A4 text width and mark every table wider than that with the class
   ``print-wide``; the print stylesheet (``templates/report/print.css``) puts such tables on landscape
   A4 pages (CSS named page ``wide``) and lets all cells wrap, so no column is cut off;
3. ``Page.printToPDF`` on A4 with the CSS page sizes (``preferCSSPageSize``), backgrounds, and the
   header/footer templates. Header and footer are drawn outside the page's document, where its web
   fonts do not apply (nor an ``@font-face`` in the template), so the bundled CJK font is registered
   with fontconfig for the Chromium process only (``FONTCONFIG_FILE`` pointing at a config in the
   temporary profile) — the machine may have no Chinese font at all.

:func:`print_reports` prints every ``html/*.html`` of a year folder with one Chromium process, skipping
a PDF whose HTML did not change (content digest in ``.cache/pdf.json``). Without Chromium it prints one
line saying PDFs were skipped and how to add them, and the report run still succeeds.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import html as html_lib
import json
import os
import queue
import re
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from analysis.atomic import atomic_write_bytes, atomic_write_text, ensure_dir
from analysis.errors import OutputError

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ENV = "ENFORCEMENT_CHROMIUM"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--mute-audio",
]
SKIP_LINE = ("未找到 Chromium，已跳过 PDF 生成（安装：apt-get install chromium）"
             " / PDFs skipped: chromium not found (add it with `apt-get install chromium`)")
PDF_VERSION = "1"  # bump when the print settings change, so every PDF is printed again

A4_IN = (8.27, 11.69)  # 210 x 297 mm in inches (printToPDF units)
MARGIN_MM = {"top": 20.0, "bottom": 18.0, "left": 15.0, "right": 15.0}
MM_PER_IN = 25.4
CSS_PX_PER_MM = 96 / 25.4
HEADER_PT = 8

# A table prints on landscape pages when even wrapped it is wider than the portrait text width, or
# when it has many columns (WIDE_COLUMNS or more) that do not fit side by side unwrapped; every other
# table wraps its cells in portrait. ``print-measure`` (print.css) turns wrapping off for the measurement.
WIDE_COLUMNS = 8
_MARK_WIDE_JS = """
(() => {
  const WIDE_COLUMNS = __WIDE_COLUMNS__;
  const limit = document.documentElement.clientWidth + 4;
  let n = 0;
  for (const t of document.querySelectorAll('table')) {
    let cols = 0;
    for (const r of t.rows) cols = Math.max(cols, r.cells.length);
    t.classList.add('print-measure');
    const natural = t.scrollWidth;
    t.classList.remove('print-measure');
    const wrapped = t.scrollWidth;
    if (wrapped > limit || (cols >= WIDE_COLUMNS && natural > limit)) { t.classList.add('print-wide'); n++; }
  }
  return n;
})()
""".replace("__WIDE_COLUMNS__", str(WIDE_COLUMNS))
_TITLE_RE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)


class ChromiumError(OutputError):
    """Chromium could not be started or did not answer."""


def chromium_executable() -> str | None:
    """``$ENFORCEMENT_CHROMIUM``, else ``/usr/bin/chromium``, else ``chromium`` on PATH; None when absent."""
    candidate = os.environ.get(CHROMIUM_ENV) or CHROMIUM_PATH
    if Path(candidate).is_file() and os.access(candidate, os.X_OK):
        return candidate
    return shutil.which("chromium")


# --------------------------------------------------------------------------- DevTools over a pipe


class DevTools:
    """A minimal DevTools-protocol client over ``--remote-debugging-pipe`` (one browser process)."""

    def __init__(self, executable: str, timeout: float = 60.0):
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="enforcement-pdf-")
        fonts, self.font_family = local_fonts()
        env = _fontconfig(Path(self._profile), fonts)
        cmd_r, self._cmd_w = os.pipe()  # we write commands, Chromium reads them on fd 3
        self._res_r, res_w = os.pipe()  # Chromium writes replies on fd 4
        # Chromium expects the pipes on fds 3 and 4 exactly. Copies at fd >= 10 (inheritable) are moved
        # there in the child, so dup2 never overwrites one pipe with the other. ``close_fds`` must stay
        # off: subprocess closes fds after ``preexec_fn`` and would close 3 and 4 (the parent's other
        # fds are non-inheritable, PEP 446, so nothing else leaks).
        hi_r = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10)
        hi_w = fcntl.fcntl(res_w, fcntl.F_DUPFD, 10)

        def child_fds() -> None:  # runs in the child between fork and exec: dup2 calls only
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)

        args = [executable, *LAUNCH_ARGS, "--remote-debugging-pipe", f"--user-data-dir={self._profile}",
                "about:blank"]
        try:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, close_fds=False, env=env,
                                         preexec_fn=child_fds)  # noqa: PLW1509 - dup2 only
        except OSError as err:
            shutil.rmtree(self._profile, ignore_errors=True)
            raise ChromiumError(f"无法启动 Chromium：{executable}", f"cannot start chromium: {err}") from None
        finally:
            for fd in (cmd_r, res_w, hi_r, hi_w):
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict] = []
        self._tab: tuple[str, str] | None = None  # (target id, session id) of the reusable tab

    # -- the tab every report is printed in (a new tab per report would start a renderer each time)
    def tab(self) -> str:
        """The session id of the reusable tab, opened on first use."""
        if self._tab is None:
            target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            self._tab = (target, session)
            self.send("Page.enable", session=session)
        return self._tab[1]

    def close_tab(self) -> None:
        """Close the reusable tab (after a failure: the next report starts in a new one)."""
        if self._tab is not None:
            target, _ = self._tab
            self._tab = None
            with contextlib.suppress(ChromiumError, OSError):
                self.send("Target.closeTarget", {"targetId": target})

    def drop_events(self, session: str) -> None:
        """Forget the events received so far for ``session``."""
        self._events = [ev for ev in self._events if ev.get("sessionId") != session]

    # -- plumbing
    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChromiumError("Chromium 未及时响应", "chromium did not answer in time")
            ready, _, _ = select.select([self._res_r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._res_r, 1 << 20)
            if not chunk:
                raise ChromiumError("Chromium 意外退出", "chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw.decode("utf-8"))

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and return its result (events that arrive meanwhile are kept)."""
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._cmd_w, json.dumps(msg).encode("utf-8") + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise ChromiumError(f"Chromium 报错：{method}", f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def wait_event(self, method: str, session: str | None = None) -> dict:
        deadline = time.monotonic() + self.timeout
        while True:
            for i, ev in enumerate(self._events):
                if ev.get("method") == method and (session is None or ev.get("sessionId") == session):
                    return self._events.pop(i)
            msg = self._read_message(deadline)
            if "method" in msg:
                self._events.append(msg)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send("Browser.close")
        with contextlib.suppress(OSError):
            os.close(self._cmd_w)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        with contextlib.suppress(OSError):
            os.close(self._res_r)
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> DevTools:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --------------------------------------------------------------------------- one report


def report_title(page_html: str) -> str:
    match = _TITLE_RE.search(page_html)
    return html_lib.unescape(match.group(1)).strip() if match else ""


def header_footer(title: str, family: str = "") -> tuple[str, str]:
    """The header (running title) and footer ("— N —") templates.

    Header and footer are drawn outside the page's document: neither the page's web fonts nor an
    ``@font-face`` in the template reach them (Chromium ignores both there), only fonts fontconfig
    knows. :class:`DevTools` therefore registers the bundled CJK font for its Chromium process, and
    ``family`` names it here.
    """
    fam = f'"{family}", ' if family else ""
    style = (f"font-family: {fam}sans-serif; font-size: {HEADER_PT}pt; color: #555; width: 100%;"
             " text-align: center; margin: 0 15mm;")
    header = (f'<div style="{style} border-bottom: 0.5pt solid #999; padding-bottom: 1mm">'
              f"{html_lib.escape(title)}</div>")
    footer = f'<div style="{style}">— <span class="pageNumber"></span> —</div>'
    return header, footer


def local_fonts() -> tuple[list[Path], str]:
    """The bundled CJK font files (regular, bold) and their family name; ``([], "")`` when unavailable."""
    try:
        from fontTools.ttLib import TTFont

        from analysis.present.fonts import cjk_font_path

        paths = [cjk_font_path("regular"), cjk_font_path("bold")]
        with TTFont(str(paths[0]), lazy=True) as font:
            family = font["name"].getBestFamilyName() or ""
        return paths, family
    except Exception:  # noqa: BLE001 - the PDFs still print, the header then shows the fallback font
        return [], ""


def _fontconfig(profile: Path, fonts: list[Path]) -> dict[str, str]:
    """Environment for Chromium: the system's fontconfig plus a folder holding the bundled font."""
    folder = ensure_dir(profile / "fonts")
    for path in fonts:
        with contextlib.suppress(OSError):
            (folder / path.name).symlink_to(path)
    conf = profile / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{html_lib.escape(str(folder))}</dir>\n"
        f"  <cachedir>{html_lib.escape(str(profile / 'fc-cache'))}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def _print_options(title: str, family: str = "") -> dict:
    header, footer = header_footer(title, family)
    return {
        "paperWidth": A4_IN[0],
        "paperHeight": A4_IN[1],
        "marginTop": MARGIN_MM["top"] / MM_PER_IN,
        "marginBottom": MARGIN_MM["bottom"] / MM_PER_IN,
        "marginLeft": MARGIN_MM["left"] / MM_PER_IN,
        "marginRight": MARGIN_MM["right"] / MM_PER_IN,
        "printBackground": True,
        "preferCSSPageSize": True,
        "displayHeaderFooter": True,
        "headerTemplate": header,
        "footerTemplate": footer,
        "generateDocumentOutline": True,
        "generateTaggedPDF": True,
    }


@dataclass
class PdfResult:
    path: Path
    wide_tables: int
    bytes: int


def _print_in(tools: DevTools, session: str, html_path: Path, pdf_path: Path) -> PdfResult:
    """Print ``html_path`` in the tab of ``session``: navigate, wait for fonts, mark wide tables, print."""
    page_html = html_path.read_text("utf-8", errors="replace")
    title = report_title(page_html) or html_path.stem
    tools.drop_events(session)  # nothing a previous page of this tab sent may be taken for this one's
    width_px = round((A4_IN[0] * MM_PER_IN - MARGIN_MM["left"] - MARGIN_MM["right"]) * CSS_PX_PER_MM)
    tools.send("Emulation.setDeviceMetricsOverride",
               {"width": width_px, "height": 1100, "deviceScaleFactor": 1, "mobile": False}, session)
    tools.send("Emulation.setEmulatedMedia", {"media": "print"}, session)
    tools.send("Page.navigate", {"url": html_path.resolve().as_uri()}, session)
    tools.wait_event("Page.loadEventFired", session)
    tools.send("Runtime.evaluate", {"expression": "document.fonts.ready.then(() => true)",
                                    "awaitPromise": True}, session)
    wide = tools.send("Runtime.evaluate", {"expression": _MARK_WIDE_JS, "returnByValue": True}, session)
    n_wide = int(wide.get("result", {}).get("value") or 0)
    tools.send("Emulation.clearDeviceMetricsOverride", session=session)
    data = tools.send("Page.printToPDF", _print_options(title, tools.font_family), session)["data"]
    pdf = base64.b64decode(data)
    atomic_write_bytes(pdf_path, pdf)
    return PdfResult(pdf_path, n_wide, len(pdf))


def _print_one(tools: DevTools, html_path: Path, pdf_path: Path) -> PdfResult:
    """Print one report in the browser's reusable tab; a tab that failed is closed, the next report gets a new one."""
    session = tools.tab()
    try:
        return _print_in(tools, session, html_path, pdf_path)
    except BaseException:
        tools.close_tab()
        raise


def print_pdf(html_path: str | Path, pdf_path: str | Path, *, executable: str | None = None,
              timeout: float = 60.0) -> PdfResult:
    """Print one report HTML to an A4 PDF (running header, page numbers, wide tables in landscape)."""
    exe = executable or chromium_executable()
    if exe is None:
        raise ChromiumError("未找到 Chromium（apt-get install chromium）", "chromium not found")
    with DevTools(exe, timeout) as tools:
        return _print_one(tools, Path(html_path), Path(pdf_path))


# --------------------------------------------------------------------------- a year's reports


def _digest(path: Path) -> str:
    return hashlib.sha256(PDF_VERSION.encode() + path.read_bytes()).hexdigest()


class PdfPrinter:
    """A year's PDFs, printed while the notebooks still run.

    :meth:`start` launches Chromium from the calling thread -- the runner calls it before the executor
    starts its threads, since ``subprocess`` with ``preexec_fn`` (which puts the DevTools pipes on fds 3
    and 4) is not safe once a process has threads -- and one background thread that prints each report
    :meth:`submit` hands it, as soon as its HTML is in place. :meth:`close` prints every ``html/*.html``
    not printed yet, skipping a PDF whose HTML did not change (content digest in ``.cache/pdf.json``),
    and writes the digests. Without Chromium it prints :data:`SKIP_LINE` once and returns None.
    One bilingual line per problem, never an exception for a single report.
    """

    def __init__(self, year_dir: str | Path, *, stream: TextIO | None = None, force: bool = False,
                 timeout: float = 60.0) -> None:
        self.year_dir = Path(year_dir)
        self.stream = stream or sys.stdout
        self.force = force
        self.timeout = timeout
        self.exe = chromium_executable()
        self.state_path = self.year_dir / ".cache" / "pdf.json"
        try:
            state = json.loads(self.state_path.read_text("utf-8")) if self.state_path.is_file() else {}
        except (OSError, ValueError):
            state = {}
        self.state: dict[str, str] = state if isinstance(state, dict) else {}
        self.tools: DevTools | None = None
        self.broken = ""  # why Chromium cannot print (then no further attempt)
        self.done: set[str] = set()  # page stems handled in this run
        self.written: list[Path] = []
        self.printed = 0
        self._queue: queue.Queue[Path | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._stopping = False  # an interrupted run: the queued pages are dropped

    def start(self) -> PdfPrinter:
        """Start Chromium (in this thread) and the printing thread; nothing when Chromium is missing."""
        if self.exe is not None and self._thread is None and self._browser():
            self._thread = threading.Thread(target=self._work, name="pdf-printer", daemon=True)
            self._thread.start()
        return self

    def submit(self, html_path: str | Path) -> None:
        """Print this report's PDF in the background (ignored when :meth:`start` was not called)."""
        if self._thread is not None:
            self._queue.put(Path(html_path))

    def close(self, finish: bool = True) -> list[Path] | None:
        """Print what is left (unless ``finish`` is false: the run was interrupted), write the digests,
        stop Chromium; returns the year's PDFs (None without Chromium)."""
        if self._thread is not None:
            self._stopping = not finish
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self.exe is None:
            if finish:
                print(SKIP_LINE, file=self.stream, flush=True)
            return None
        try:
            for page in sorted((self.year_dir / "html").glob("*.html")) if finish else ():
                if page.stem not in self.done:
                    self._one(page)
        finally:
            if self.tools is not None:
                self.tools.close()
                self.tools = None
            if self.printed or self.state_path.is_file():
                ensure_dir(self.state_path.parent)
                atomic_write_text(self.state_path, json.dumps(self.state, ensure_ascii=False, sort_keys=True, indent=1))
        return sorted(self.written)

    def __enter__(self) -> PdfPrinter:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- inside
    def _browser(self) -> bool:
        if self.tools is None and not self.broken:
            try:
                self.tools = DevTools(self.exe, self.timeout)
            except ChromiumError as err:
                self.broken = str(err)
                print(f"PDF 未生成：{err} / PDFs failed", file=self.stream, flush=True)
        return self.tools is not None

    def _work(self) -> None:
        while (page := self._queue.get()) is not None:
            if not self._stopping:
                self._one(page)

    def _one(self, page: Path) -> None:
        """Print one page unless its PDF is current; the page counts as handled either way."""
        self.done.add(page.stem)
        dest = self.year_dir / "pdf" / f"{page.stem}.pdf"
        try:
            digest = _digest(page)
        except OSError as err:
            print(f"PDF 未生成：{page.name}（{err}） / PDF failed: {page.name}", file=self.stream, flush=True)
            return
        if not self.force and self.state.get(page.stem) == digest and dest.is_file():
            self.written.append(dest)
            return
        if self.broken or not self._browser():  # the browser did not start, or has gone: said once
            return
        ensure_dir(dest.parent)
        try:
            _print_one(self.tools, page, dest)
        except (ChromiumError, OSError) as err:
            print(f"PDF 未生成：{page.name}（{err}） / PDF failed: {page.name}", file=self.stream, flush=True)
            self.state.pop(page.stem, None)
            if self.tools is not None and self.tools.proc.poll() is not None:  # the browser itself is gone
                self.broken = str(err)
            return
        self.state[page.stem] = digest
        self.printed += 1
        self.written.append(dest)


def print_reports(year_dir: str | Path, *, stream: TextIO | None = None, force: bool = False,
                  timeout: float = 60.0) -> list[Path] | None:
    """PDFs of every ``html/*.html`` in ``year_dir`` into ``pdf/``; None when Chromium is missing
    (:class:`PdfPrinter` without background printing)."""
    return PdfPrinter(year_dir, stream=stream, force=force, timeout=timeout).close()
