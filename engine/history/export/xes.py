"""The audit history as an XES event log (IEEE 1849-2016), written incrementally with lxml.

One `<trace>` per instance (concept:name = "village code/instance", with the village and the
process as desa.* attributes) and one `<event>` per audit event: concept:name (the activity),
time:timestamp (engine time), org:resource (who), org:role (a completion's role),
lifecycle:transition (standard model), and desa.* attributes for the stored event (type, seq,
bpmn id, task, wall time, hash, the whole data as JSON in desa.data). The top-level fields of the
submitted form data are `data.<field>` attributes, typed (int, float, boolean, string; nested
values as JSON strings). The Concept, Time, Organizational and Lifecycle extensions are declared,
with global trace and event attributes and classifiers.

The log follows the standard's schema: no XML namespace, `xes.version` a decimal ("1849.2016"),
attribute keys that are XML names. Characters XML 1.0 cannot carry (control characters in typed
text) are written as U+FFFD; desa.data keeps them as JSON escapes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from typing import Any

from lxml import etree

from engine.history.export import fields as f
from engine.history.export.read import Case, Event

XES_VERSION = "1849.2016"
EXTENSIONS = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
)
CLASSIFIERS = (
    ("Activity", "concept:name"),
    ("Activity_Lifecycle", "concept:name lifecycle:transition"),
    ("Resource", "org:resource"),
)
INVALID = "__INVALID__"
EPOCH = "1970-01-01T00:00:00+00:00"
LONG = 2**63

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NOT_NAME = re.compile(r"[^A-Za-z0-9_.\-]")

xmlfile: Any = etree.xmlfile


def _clean(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def _add(parent: etree._Element, kind: str, key: str, value: str) -> None:
    etree.SubElement(parent, kind, key=key, value=value)


def _string(parent: etree._Element, key: str, value: str) -> None:
    etree.SubElement(parent, "string", key=key, value=_clean(value))


def _typed(parent: etree._Element, key: str, value: Any) -> None:
    """A data field as the XES type that fits it (nested values as JSON text; null: nothing)."""
    if value is None:
        return
    if isinstance(value, bool):
        _add(parent, "boolean", key, "true" if value else "false")
    elif isinstance(value, int) and -LONG <= value < LONG:
        _add(parent, "int", key, str(value))
    elif isinstance(value, float) and math.isfinite(value):
        _add(parent, "float", key, repr(value))
    else:
        _string(parent, key, f.text(value))


def _head() -> Iterator[etree._Element]:
    for name, prefix, uri in EXTENSIONS:
        yield etree.Element("extension", name=name, prefix=prefix, uri=uri)
    trace = etree.Element("global", scope="trace")
    _add(trace, "string", "concept:name", INVALID)
    yield trace
    event = etree.Element("global", scope="event")
    _add(event, "string", "concept:name", INVALID)
    _add(event, "date", "time:timestamp", EPOCH)
    _add(event, "string", "org:resource", INVALID)
    _add(event, "string", "lifecycle:transition", "complete")
    yield event
    for name, keys in CLASSIFIERS:
        yield etree.Element("classifier", name=name, keys=keys)
    log = etree.Element("log")
    _add(log, "string", "concept:name", "desa audit history")
    _add(log, "string", "lifecycle:model", "standard")
    yield from log


def _trace_attributes(case: Case) -> Iterator[etree._Element]:
    trace = etree.Element("trace")
    _string(trace, "concept:name", case.case_id)
    _add(trace, "int", "desa.instance", str(case.instance_id))
    _string(trace, "desa.process", case.process_id)
    _string(trace, "desa.village_code", case.village_code)
    _string(trace, "desa.village", case.village)
    _string(trace, "desa.kecamatan", case.kecamatan)
    _string(trace, "desa.kabupaten", case.kabupaten)
    _string(trace, "desa.provinsi", case.provinsi)
    yield from trace


def _event(event: Event) -> etree._Element:
    element = etree.Element("event")
    _string(element, "concept:name", f.activity(event))
    _add(element, "date", "time:timestamp", f.iso(event.engine_time))
    _string(element, "org:resource", event.actor)
    role = f.role(event)
    if role:
        _string(element, "org:role", role)
    _add(element, "string", "lifecycle:transition", f.lifecycle(event))
    _string(element, "desa.type", event.type)
    _add(element, "int", "desa.seq", str(event.seq))
    if event.bpmn_id:
        _string(element, "desa.bpmn_id", event.bpmn_id)
    if event.task_id:
        _string(element, "desa.task_id", event.task_id)
    name = f.task_name(event)
    if name:
        _string(element, "desa.task", name)
    _add(element, "date", "desa.wall_time", f.iso(event.wall_time))
    _add(element, "string", "desa.hash", event.hash)
    if event.data:
        _string(element, "desa.data", f.compact(event.data))
    keys: set[str] = set()
    for field, value in f.submitted(event).items():
        key = "data." + _NOT_NAME.sub("_", field)
        if key not in keys:  # two fields that differ only in characters a key cannot hold
            keys.add(key)
            _typed(element, key, value)
    return element


class _Sink:
    """Where the incremental writer writes; emptied after every batch."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(data)

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def chunks(batches: Iterable[list[Event]]) -> Iterator[bytes]:
    """The XES document, UTF-8, one chunk per batch of events."""
    sink = _Sink()
    with xmlfile(sink, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("log", {"xes.version": XES_VERSION}):
            xf.write("\n")
            for element in _head():
                xf.write(element, "\n")
            trace: Any = None
            current = None
            for batch in batches:
                for event in batch:
                    if event.case.instance_id != current:
                        if trace is not None:
                            trace.__exit__(None, None, None)
                            xf.write("\n")
                        trace = xf.element("trace")
                        trace.__enter__()
                        xf.write("\n", *_trace_attributes(event.case), "\n")
                        current = event.case.instance_id
                    xf.write(_event(event), "\n")
                xf.flush()
                yield sink.take()
            if trace is not None:
                trace.__exit__(None, None, None)
                xf.write("\n")
    yield sink.take()
