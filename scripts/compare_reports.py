"""Compare two built report folders (``outputs/<year>/``): same files, same visible text, same numbers, same figures.

Usage::

    .venv/bin/python scripts/compare_reports.py OLD_DIR NEW_DIR

Compared, file by file (the executed notebooks in ``notebooks/`` are not: their code differs by design):

- every ``*.html`` (the reports and ``index.html``): the visible text (scripts and styles dropped, whitespace
  normalised), with build timestamps, papermill cell ids and execution times masked; the number of embedded
  images (their base64 payloads are not compared: the saved PNGs are);
- every ``tables/*.csv`` and ``*.xlsx`` sheet: cell by cell, numbers as numbers (relative tolerance 1e-9);
- every ``tables/*.docx``: the paragraphs and table cells;
- every ``figures/*.png``: the decoded pixels; every ``figures/*.svg``: the text with generated ids masked.

Exits 0 when everything matches, 1 with a readable report of each difference (unified text diffs, the first
differing cells), 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import math
import re
import sys
from pathlib import Path

MASKS = [
    (re.compile(r"\d{4}年\d{1,2}月\d{1,2}日\s*\d{1,2}:\d{2}(:\d{2})?"), "<时间>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"), "<timestamp>"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<cell-id>"),
    (re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=\s]+"), "<image>"),
    (re.compile(r"耗时\s*[\d.]+\s*(秒|s)"), "耗时<n>"),
]
MAX_CELL_DIFFS = 10
REL_TOL = 1e-9


def mask(text: str) -> str:
    for pattern, repl in MASKS:
        text = pattern.sub(repl, text)
    return text


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")
            if p.is_file() and not p.relative_to(root).parts[0].startswith((".", "notebooks"))}


def html_text(path: Path) -> list[str]:
    """The visible lines of an HTML file (masked), then a line with the number of embedded images."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text("utf-8"), "lxml")
    for tag in soup(["script", "style", "noscript"]):
        tag.decompose()
    images = len(soup.find_all("img"))
    lines = [re.sub(r"\s+", " ", line).strip() for line in soup.get_text("\n").splitlines()]
    return [mask(line) for line in lines if line] + [f"<{images} images>"]


def _cell(value) -> object:
    """A cell as a comparable value: numbers as float, everything else as stripped text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return mask(text)


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)
    return a == b


def compare_grid(name: str, old: list[list], new: list[list]) -> list[str]:
    out = []
    if len(old) != len(new):
        out.append(f"{name}: {len(old)} rows before, {len(new)} rows after")
    for r, (ro, rn) in enumerate(zip(old, new), start=1):
        width = max(len(ro), len(rn))
        ro, rn = ro + [""] * (width - len(ro)), rn + [""] * (width - len(rn))
        for c, (a, b) in enumerate(zip(ro, rn), start=1):
            if not _same(_cell(a), _cell(b)):
                out.append(f"{name}: row {r} column {c}: {a!r} -> {b!r}")
                if len(out) >= MAX_CELL_DIFFS:
                    return out + [f"{name}: (further differences not shown)"]
    return out


def csv_grid(path: Path) -> list[list]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [row for row in csv.reader(fh)]


def xlsx_grids(path: Path) -> dict[str, list[list]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def docx_lines(path: Path) -> list[str]:
    import docx

    doc = docx.Document(str(path))
    lines = [p.text for p in doc.paragraphs]
    for t, table in enumerate(doc.tables, start=1):
        lines += [f"[table {t}] " + " | ".join(cell.text for cell in row.cells) for row in table.rows]
    return [mask(line) for line in lines]


def png_pixels(path: Path) -> tuple:
    from PIL import Image

    with Image.open(path) as img:
        rgba = img.convert("RGBA")
        return rgba.size, rgba.tobytes()


_SVG_IDS = re.compile(r'(id="|href="#|url\(#)[^")]+')


def svg_text(path: Path) -> list[str]:
    return [mask(_SVG_IDS.sub(r"\1<id>", line)) for line in path.read_text("utf-8").splitlines()]


def text_diff(name: str, old: list[str], new: list[str]) -> list[str]:
    if old == new:
        return []
    diff = list(difflib.unified_diff(old, new, f"old/{name}", f"new/{name}", n=1, lineterm=""))
    return diff[:60] + (["... (diff truncated)"] if len(diff) > 60 else [])


def compare_file(rel: str, old: Path, new: Path) -> list[str]:
    suffix = old.suffix.lower()
    if suffix == ".html":
        return text_diff(rel, html_text(old), html_text(new))
    if suffix == ".csv":
        return compare_grid(rel, csv_grid(old), csv_grid(new))
    if suffix == ".xlsx":
        a, b = xlsx_grids(old), xlsx_grids(new)
        if list(a) != list(b):
            return [f"{rel}: sheets {list(a)} -> {list(b)}"]
        return [line for sheet in a for line in compare_grid(f"{rel}[{sheet}]", a[sheet], b[sheet])]
    if suffix == ".docx":
        return text_diff(rel, docx_lines(old), docx_lines(new))
    if suffix == ".png":
        (sa, pa), (sb, pb) = png_pixels(old), png_pixels(new)
        if sa != sb:
            return [f"{rel}: image size {sa} -> {sb}"]
        return [] if pa == pb else [f"{rel}: pixels differ"]
    if suffix == ".svg":
        return text_diff(rel, svg_text(old), svg_text(new))
    return [] if old.read_bytes() == new.read_bytes() else [f"{rel}: bytes differ"]


def compare(old_dir: Path, new_dir: Path) -> tuple[list[str], int]:
    problems: list[str] = []
    old_files, new_files = _files(old_dir), _files(new_dir)
    for rel in sorted(old_files - new_files):
        problems.append(f"only in old: {rel}")
    for rel in sorted(new_files - old_files):
        problems.append(f"only in new: {rel}")
    common = sorted(old_files & new_files)
    for rel in common:
        problems += compare_file(rel, old_dir / rel, new_dir / rel)
    return problems, len(common)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path, help="the reference outputs/<year>/ folder")
    parser.add_argument("new", type=Path, help="the outputs/<year>/ folder to check")
    args = parser.parse_args(argv)
    for folder in (args.old, args.new):
        if not folder.is_dir():
            print(f"not a folder: {folder}", file=sys.stderr)
            return 2
    problems, n = compare(args.old, args.new)
    if problems:
        print("\n".join(problems))
        print(f"\n{len(problems)} difference(s) in {n} compared files", file=sys.stderr)
        return 1
    print(f"identical: {n} files (html text, table cells, docx text, figure pixels, svg text)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
