"""Cut the demo's slice of the UCI event log.

Run ``manage.py shell -c "from sarv.demo.sample import write_sample; write_sample(SOURCE, DEST)"``
with the paths of the full log and of the slice to write.

The demo replays the slice up to ``CUTOFF``. It contains every incident still
open at the cut-off (waiting for the user, a vendor, a problem or evidence,
active, new, or resolved but not yet closed), every incident opened between
1 August 2016 and the cut-off, and then the most recently opened incidents
before that, closed by the cut-off, until it has ``SIZE`` incidents. Each
incident keeps all its rows; the replay stops at the cut-off.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from pathlib import Path

from sarv.incidents.importers.common import ImportSummary
from sarv.incidents.importers.uci import COLUMNS, STATES, DateParser, UciRow, open_text, read_rows

# On 29 November 2016 at noon (UTC, as the importer reads the file) 69 incidents were open, in every state
# of the file, seven of them waiting for evidence.
CUTOFF = dt.datetime(2016, 11, 29, 12, 0, tzinfo=dt.UTC)
RECENT_FROM = dt.datetime(2016, 8, 1, tzinfo=dt.UTC)
SIZE = 300
SAMPLE_PATH = Path(__file__).parent / "data" / "uci_demo_sample.csv.gz"


def state_at(rows: list[UciRow], moment: dt.datetime) -> str:
    """Return the file's state of an incident at ``moment`` ("" before its first row)."""
    state = ""
    for row in rows:
        if row.updated_at <= moment and row.get("incident_state") in STATES:
            state = row.get("incident_state")
    return state


def select(grouped: dict[str, list[UciRow]], parse: DateParser) -> list[str]:
    """Return the incident numbers of the slice, in file order."""
    opened = {number: parse(rows[0].get("opened_at")) for number, rows in grouped.items()}
    before = [number for number in grouped if opened[number] <= CUTOFF]
    chosen = {number for number in before if state_at(grouped[number], CUTOFF) not in ("", "Closed")}
    chosen |= {number for number in before if opened[number] >= RECENT_FROM}
    older = sorted((number for number in before if number not in chosen), key=lambda n: opened[n], reverse=True)
    chosen |= set(older[: max(0, SIZE - len(chosen))])
    return [number for number in grouped if number in chosen]


def write_sample(source: Path, destination: Path) -> int:
    """Write the slice of ``source`` to ``destination`` (gzip CSV, header and rows as in the file); return its size."""
    summary = ImportSummary(system="uci")
    parse = DateParser()
    grouped = read_rows(source, parse, summary)
    numbers = set(select(grouped, parse))
    # mtime=0 keeps the compressed bytes the same on every run.
    with open_text(source) as handle, io.TextIOWrapper(
        gzip.GzipFile(destination, "wb", mtime=0), encoding="utf-8", newline=""
    ) as out:
        reader = csv.reader(handle)
        writer = csv.writer(out, lineterminator="\n")
        header = next(reader)
        writer.writerow(header)
        position = header.index(COLUMNS[0])
        for cells in reader:
            if cells[position] in numbers:
                writer.writerow(cells)
    return len(numbers)
