"""What a village page shows of an instance's data, built from its program's description.

`program.toml` lists the page's sections (`[[village.sections]]`); each kind reads the data keys the
section names and nothing else, so the engine knows no program's data:

- "scores": before and after per item of a named label set (`names`), from two lists of numbers
  (or two tables keyed by item), with optional levels, a verdict and the highlighted items;
- "table": one row per item of a list of records, the `columns` given, and optionally the periodic
  `progress` of each row (one column per period, e.g. per month);
- "fields": single values (a dotted `field` reads inside a record: `record.date`).

Labels stay `{id, en}` tables here; the web page shows them in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.definitions.programs import Program

Section = dict[str, Any]
Names = dict[str, dict[str, Any]]


def value_at(data: dict[str, Any], path: str | None) -> Any:
    """The value at a dotted path (`record.date`), None where the path leads nowhere."""
    if not path:
        return None
    found: Any = data
    for part in path.split("."):
        if not isinstance(found, dict):
            return None
        found = found.get(part)
    return found


def _shown(value: Any, labels: dict[str, Any]) -> Any:
    """A value as shown: its label when a label set names it, else the value."""
    return labels.get(value, value) if isinstance(value, str) else value


def _item(values: Any, index: int, key: str) -> Any:
    if isinstance(values, dict):
        return values.get(key)
    return values[index] if isinstance(values, list) and index < len(values) else None


def scores(section: Section, data: dict[str, Any], names: Names) -> Section | None:
    before, after = section.get("before") or {}, section.get("after") or {}
    first, second = value_at(data, before.get("data")), value_at(data, after.get("data"))
    if not first and not second:
        return None
    labels = names.get(str(section.get("names")), {})
    order = value_at(data, section.get("order")) or list(labels)
    rows = [
        {
            "key": key,
            "label": labels.get(key, key),
            "before": _item(first, i, key),
            "after": _item(second, i, key),
            "before_level": _item(value_at(data, before.get("level")), i, key),
            "after_level": _item(value_at(data, after.get("level")), i, key),
        }
        for i, key in enumerate(order)
    ]
    highlighted = section.get("highlighted") or {}
    chosen = value_at(data, highlighted.get("data"))
    return {
        "kind": "scores",
        "title": section.get("title"),
        "rows": rows,
        "scale": int(section.get("scale") or 5),
        "before_label": before.get("label"),
        "after_label": after.get("label"),
        "verdict": value_at(data, section.get("verdict")),
        "highlighted": [_shown(k, labels) for k in chosen] if isinstance(chosen, list) else [],
        "highlighted_label": highlighted.get("label"),
    }


def _progress(spec: dict[str, Any], data: dict[str, Any]) -> tuple[list[int], dict[str, dict[int, Any]]]:
    """The periods reported and, per row key, each period's item."""
    periods: list[int] = []
    found: dict[str, dict[int, Any]] = {}
    reported = value_at(data, spec.get("data"))
    for period in reported if isinstance(reported, list) else []:
        if not isinstance(period, dict):
            continue
        number = int(period.get(str(spec.get("period"))) or 0)
        if number not in periods:
            periods.append(number)
        for item in period.get(str(spec.get("items"))) or []:
            if isinstance(item, dict) and item.get(str(spec.get("key"))):
                found.setdefault(str(item[str(spec.get("key"))]), {})[number] = {
                    "status": item.get(str(spec.get("status"))),
                    "note": item.get(str(spec.get("note"))),
                }
    return sorted(periods), found


def table(section: Section, data: dict[str, Any], names: Names) -> Section | None:
    records = value_at(data, section.get("data"))
    records = [r for r in records if isinstance(r, dict)] if isinstance(records, list) else []
    if not records:
        return None
    columns = list(section.get("columns") or [])
    spec = section.get("progress") or {}
    periods, progress = _progress(spec, data) if spec else ([], {})
    rows = []
    for record in records:
        cells = [
            {
                "text": _shown(record.get(c.get("field")), names.get(str(c.get("names")), {})),
                "note": record.get(c["note"]) if c.get("note") else None,
            }
            for c in columns
        ]
        key = str(record.get(section.get("key") or "", ""))
        rows.append({"cells": cells, "progress": [progress.get(key, {}).get(n) for n in periods]})
    return {
        "kind": "table",
        "title": section.get("title"),
        "columns": [c.get("label") for c in columns],
        "periods": periods,
        "period_label": spec.get("label"),
        "rows": rows,
    }


def fields(section: Section, data: dict[str, Any], names: Names) -> Section | None:
    items = [
        (f.get("label"), _shown(value_at(data, f.get("field")), names.get(str(f.get("names")), {})))
        for f in section.get("fields") or []
    ]
    items = [(label, value) for label, value in items if value is not None]
    return {"kind": "fields", "title": section.get("title"), "entries": items} if items else None


BUILDERS: dict[str, Callable[[Section, dict[str, Any], Names], Section | None]] = {
    "scores": scores,
    "table": table,
    "fields": fields,
}


def build(program: Program | None, data: dict[str, Any]) -> list[Section]:
    """The sections of the program's village page that the data has something for, in order."""
    if program is None:
        return []
    kinds = [(BUILDERS[s["kind"]], s) for s in program.sections if s.get("kind") in BUILDERS]
    built = [build_one(section, data, program.names) for build_one, section in kinds]
    return [s for s in built if s is not None]
