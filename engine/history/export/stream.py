"""Exports of the audit history for auditors: a CSV event log, XES, and JSON Lines, streamed.

    write(engine, "csv", out, village="15.01.01.2003")   # -> the number of events written
    chunks(engine, "xes", villages=codes_the_user_may_see)   # bytes, for a streaming download

`village` exports one village (unknown, or outside `villages`: NotFound); `villages` is the set of
village codes the caller may see (None: all). Events are read a bounded batch at a time in
(instance, seq) order (`engine.export_read`), and each batch is written before the next is read,
so memory does not grow with the history. The formats:

- csv: one row per event for process-mining tools and spreadsheets (`engine.export_csv`);
- xes: IEEE 1849-2016 XES, one trace per instance (`engine.export_xes`);
- jsonl: one JSON object per line per event with every stored column and the village code, the
  times in the form the hash covers (ISO 8601, UTC), so anyone can check the chain: an event's
  hash is the sha256 of the JSON, keys sorted, separators "," and ":", UTF-8 unescaped, of
  {"instance": instance_id, "seq", "type", "actor", "task_id", "bpmn_id", "data", "engine_time",
  "wall_time", "prev": prev_hash}, and prev_hash is the previous event's hash (64 zeros first).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import BinaryIO

from engine.core import Engine
from engine.errors import InvalidInput
from engine.history.export import csv_log as export_csv
from engine.history.export import read as export_read
from engine.history.export import xes as export_xes
from engine.history.export.fields import iso
from engine.history.export.read import BATCH_SIZE, Event

FORMATS = ("csv", "xes", "jsonl")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xes": "application/xml",
    "jsonl": "application/x-ndjson",
}
Progress = Callable[[int, int], None]


def jsonl_line(event: Event) -> bytes:
    record = {
        "id": event.id,
        "instance_id": event.case.instance_id,
        "seq": event.seq,
        "type": event.type,
        "actor": event.actor,
        "task_id": event.task_id,
        "bpmn_id": event.bpmn_id,
        "data": event.data,
        "engine_time": iso(event.engine_time),
        "wall_time": iso(event.wall_time),
        "prev_hash": event.prev_hash,
        "hash": event.hash,
        "village_code": event.case.village_code,
        "process_id": event.case.process_id,
    }
    # ASCII only: no character of the data can be read as a line break by any tool.
    return json.dumps(record, separators=(",", ":")).encode("ascii") + b"\n"


def _jsonl(batches: Iterable[list[Event]]) -> Iterator[bytes]:
    for batch in batches:
        yield b"".join(jsonl_line(event) for event in batch)


class Export:
    """One export: the scope is checked when it is made, the rows are read as `chunks()` is read."""

    def __init__(
        self,
        engine: Engine,
        fmt: str,
        village: str | None = None,
        villages: Collection[str] | None = None,
        progress: Progress | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        if fmt not in FORMATS:
            raise InvalidInput(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")
        self.engine, self.fmt, self.progress, self.batch_size = engine, fmt, progress, batch_size
        self.scope = export_read.scope(engine, village, villages)
        self.written = 0

    def _batches(self) -> Iterator[list[Event]]:
        total = export_read.count(self.engine, self.scope) if self.progress else 0
        for batch in export_read.events(self.engine, self.scope, self.batch_size):
            yield batch
            self.written += len(batch)
            if self.progress is not None:
                self.progress(self.written, max(total, self.written))

    def chunks(self) -> Iterator[bytes]:
        if self.fmt == "csv":
            data = export_read.data_batches(self.engine, self.scope, self.batch_size)
            yield from export_csv.chunks(self._batches(), export_csv.field_names(data))
        elif self.fmt == "xes":
            yield from export_xes.chunks(self._batches())
        else:
            yield from _jsonl(self._batches())

    def write_to(self, out: BinaryIO) -> int:
        for chunk in self.chunks():
            out.write(chunk)
        return self.written


def chunks(
    engine: Engine, fmt: str, village: str | None = None, villages: Collection[str] | None = None
) -> Iterator[bytes]:
    """The export as bytes, chunk by chunk; the format and the village are checked at once."""
    return Export(engine, fmt, village, villages).chunks()


def write(
    engine: Engine,
    fmt: str,
    out: BinaryIO,
    village: str | None = None,
    villages: Collection[str] | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the export to `out`; returns the number of events written. `progress(done, total)`
    is called after every batch."""
    return Export(engine, fmt, village, villages, progress).write_to(out)
