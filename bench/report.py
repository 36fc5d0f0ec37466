"""Result files and docs/benchmarks.md: save a run as JSON and render its section of the benchmark page.

Each benchmark owns one section of docs/benchmarks.md, between the HTML comments
``<!-- bench:NAME:begin -->`` and ``<!-- bench:NAME:end -->``. A run rewrites its
own section and leaves the rest of the page as it was.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DOCS_PAGE = ROOT / "docs" / "benchmarks.md"

PAGE_INTRO = """# Benchmarks

Measured speed of Sarv, each section written by the script that measured it, with the machine,
the software versions and the exact commands, so any figure here can be rerun. Raw results,
round by round, are in `bench/results/*.json`; how to run the benchmarks: `bench/README.md`.

Figures from a shared virtual machine drift between runs, so compare figures measured in the same
run, and read each section's list of limits before quoting one.
"""


def save_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name}:begin -->", f"<!-- bench:{name}:end -->"


def replace_section(page: Path, name: str, body: str) -> None:
    """Put ``body`` between the markers of section ``name`` in ``page``, appending the section when missing."""
    begin, end = markers(name)
    block = f"{begin}\n{body.strip()}\n{end}"
    text = page.read_text(encoding="utf-8") if page.exists() else PAGE_INTRO
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _match: block, text, count=1)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(text, encoding="utf-8")


def spread(figure: dict | None) -> str:
    """``median (min..max)`` of a per-round figure, or a dash when it was not measured."""
    if not figure:
        return "–"
    return f"{figure['median']:,.1f} ({figure['min']:,.1f}..{figure['max']:,.1f})"


def number(value: object, digits: int = 0) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def stop_on_signal(signum: int, _frame: FrameType | None) -> None:
    """Turn SIGTERM into SystemExit, which unwinds the context managers that stop servers and monitors."""
    raise SystemExit(f"stopped by signal {signum}")
