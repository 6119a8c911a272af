"""The audit history as a CSV event log: one row per event, for process-mining tools and spreadsheets.

Columns: `case_id` (village code / instance), `activity`, `timestamp` (engine time, ISO 8601 in
UTC), `resource` (who), `lifecycle` (XES lifecycle transition), then the stored event itself
(`event_type`, `seq`, ...), the village, `data` (the event's whole stored data as JSON) and one
`data.<field>` column per top-level field of the submitted form data (text as it is, numbers,
booleans and nested values as JSON). The `data.` columns must be known before the first row, so
the export reads the stored data once first, batch by batch, collecting field names in the order
they first appear. RFC 4180 quoting (Python's csv module): values with commas, quotes or line
breaks are quoted, so every event is exactly one record. Every text cell a spreadsheet could run as
a formula (beginning with "=", "+", "-", "@", a tab or a carriage return) gets a leading
apostrophe, without exception ("-2+3+cmd|' /C calc'!A0" is a formula too), so opening the log in a
spreadsheet runs nothing. A value the form stored as a number is written as that number (-5 is no
formula; the text "-5" is written '-5). The JSON Lines export keeps every value exactly as stored.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from engine.history.export import fields as f
from engine.history.export.read import Event

COLUMNS = (
    "case_id",
    "activity",
    "timestamp",
    "resource",
    "lifecycle",
    "event_type",
    "seq",
    "instance_id",
    "process_id",
    "bpmn_id",
    "task_id",
    "task_name",
    "role",
    "village_code",
    "village",
    "kecamatan",
    "kabupaten",
    "provinsi",
    "wall_time",
    "hash",
    "data",
)
DATA_PREFIX = "data."


def field_names(batches: Iterable[list[object]]) -> list[str]:
    """The top-level fields of the submitted data in `batches` of stored event data, in order of
    first appearance."""
    seen: dict[str, None] = {}
    for batch in batches:
        for data in batch:
            submitted = data.get("data") if isinstance(data, dict) else None
            if isinstance(submitted, dict):
                for key in submitted:
                    if key not in seen:
                        seen[key] = None
    return list(seen)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str) -> str:
    """A text as a spreadsheet shows it without running it (see the module's docstring)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _field(value: object) -> str | int | float:
    """A submitted field's cell: a stored number as itself, anything else as inert text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return cell(f.text(value))


def row(event: Event, fields: list[str]) -> list[str | int | float]:
    case = event.case
    submitted = f.submitted(event)
    stored: list[str | int] = [
        case.case_id,
        f.activity(event),
        f.iso(event.engine_time),
        event.actor,
        f.lifecycle(event),
        event.type,
        event.seq,
        case.instance_id,
        case.process_id,
        event.bpmn_id or "",
        event.task_id or "",
        f.task_name(event) or "",
        f.role(event) or "",
        case.village_code,
        case.village,
        case.kecamatan,
        case.kabupaten,
        case.provinsi,
        f.iso(event.wall_time),
        event.hash,
        f.compact(event.data),
    ]
    # Names of people, villages and tasks are typed by someone too: every text cell is made inert.
    return [
        *(cell(v) if isinstance(v, str) else v for v in stored),
        *(_field(submitted.get(key)) for key in fields),
    ]


def chunks(batches: Iterable[list[Event]], fields: list[str]) -> Iterator[bytes]:
    """The CSV, UTF-8, one chunk per batch of events."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*COLUMNS, *(DATA_PREFIX + key for key in fields)])
    for batch in batches:
        writer.writerows(row(event, fields) for event in batch)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # the header of an empty export
        yield buffer.getvalue().encode("utf-8")
