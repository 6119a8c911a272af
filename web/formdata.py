"""A form's posted fields and its JSON data, both ways, following its JSON Schema: pure, no Flask.

Field names are the path of the value, joined with "-": `peserta-3-umur`, `pokja-ketua`, `hadir`.
A list carries its number of rows in `<name>-n` (`peserta-n`), so that empty rows survive a
round trip. Everything posted is kept as text (`Raw`: name -> the values posted under it) until
the final submit, so a form can be shown again exactly as typed, with rows added or removed.

- `initial(schema, data)`: the task's data with the schema's defaults filled in (and `minItems`
  empty rows), to pre-fill the form.
- `to_raw(schema, data)`: JSON data as posted fields.
- `parse(schema, raw)`: posted fields as JSON, following the schema's types: empty optional fields
  are left out, "" for a number is missing (so `required` reports it), "true"/"false" are
  booleans, "1.500.000" is 1500000; text that is not a number stays text, for the engine to refuse.
- `add_row`, `remove_row`: the "Tambah baris" and "Hapus" buttons, on posted fields.
- `error_paths`: where each engine error goes.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from .numbers import parse_integer, parse_number

Raw = dict[str, list[str]]

MAX_ROWS = 200  # a posted row count above this is not believed
COUNT = "n"  # `<list>-n` holds a list's number of rows


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


# --- schema nodes ---------------------------------------------------------------------------------


def deref(root: Mapping[str, Any], node: Any) -> dict[str, Any]:
    """The node with its `$ref` (`#/$defs/...`) merged in; the node's own keys win (titles)."""
    if not isinstance(node, dict):
        return {}
    seen = 0
    while isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/") and seen < 20:
        target: Any = root
        for part in node["$ref"][2:].split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        own = {k: v for k, v in node.items() if k != "$ref"}
        node = {**target, **own} if isinstance(target, dict) else own
        seen += 1
    found: dict[str, Any] = node
    return found


def _type(node: Mapping[str, Any]) -> str:
    kind = node.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind is None and "properties" in node:
        return "object"
    if kind is None and "enum" in node:
        return "string"
    return str(kind or "string")


def kind_of(root: Mapping[str, Any], node: Mapping[str, Any]) -> str:
    """The widget for a node: group, rows, list, checkboxes, boolean, radio, select, textarea,
    date, rupiah, number or text."""
    kind = _type(node)
    widget = node.get("x-desa-widget")
    if kind == "object":
        return "group"
    if kind == "array":
        items = deref(root, node.get("items"))
        if "enum" in items and _type(items) != "object":
            return "checkboxes"
        return "rows" if _type(items) == "object" else "list"
    if kind == "boolean":
        return "boolean"
    if "enum" in node:
        return "radio" if widget == "radio" else "select"
    if kind in ("integer", "number"):
        return "rupiah" if widget == "rupiah" else "number"
    if widget == "textarea":
        return "textarea"
    if node.get("format") == "date":
        return "date"
    return "text"


def _join(name: str, part: str | int) -> str:
    return f"{name}-{part}" if name else str(part)


def error_name(path: str) -> str:
    """The field name of an error path: `peserta/3/umur` -> `peserta-3-umur`."""
    return "-".join(p for p in path.split("/") if p)


# --- data to posted fields ------------------------------------------------------------------------


def initial(schema: Mapping[str, Any], data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The data to pre-fill the form with: `data`, with defaults where it has nothing."""
    value = _initial(schema, schema, dict(data or {}))
    return value if isinstance(value, dict) else {}


def _initial(root: Mapping[str, Any], node: Any, value: Any) -> Any:
    node = deref(root, node)
    if value is None and "default" in node:
        value = copy.deepcopy(node["default"])
    kind = kind_of(root, node)
    if kind == "group":
        given = value if isinstance(value, dict) else {}
        out = dict(given)
        for key, sub in (node.get("properties") or {}).items():
            filled = _initial(root, sub, given.get(key))
            if filled is not None:
                out[key] = filled
        return out if out or value is not None else None
    if kind in ("rows", "list") and value is None:
        rows = int(node.get("minItems") or 0)
        if rows:
            empty: Any = {} if kind == "rows" else None
            return [_initial(root, node.get("items"), None) or empty for _ in range(rows)]
    return value


def text_of(value: Any) -> str:
    """A JSON scalar as a form shows it."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    return str(value)


def rupiah(value: Any) -> str:
    """An amount with dots between thousands: 1500000 -> 1.500.000."""
    if isinstance(value, bool) or not isinstance(value, int):
        return text_of(value)
    return f"{value:,}".replace(",", ".")


def to_raw(schema: Mapping[str, Any], data: Mapping[str, Any] | None) -> Raw:
    raw: Raw = {}
    _to_raw(schema, schema, dict(data or {}), "", raw)
    return raw


def _to_raw(root: Mapping[str, Any], node: Any, value: Any, name: str, raw: Raw) -> None:
    node = deref(root, node)
    if value is None:
        return
    kind = kind_of(root, node)
    if kind == "group":
        if isinstance(value, dict):
            for key, sub in (node.get("properties") or {}).items():
                _to_raw(root, sub, value.get(key), _join(name, key), raw)
    elif kind in ("rows", "list"):
        if isinstance(value, list):
            raw[_join(name, COUNT)] = [str(len(value))]
            for index, item in enumerate(value):
                _to_raw(root, node.get("items"), item, _join(name, index), raw)
    elif kind == "checkboxes":
        if isinstance(value, list):
            raw[name] = [text_of(v) for v in value]
    elif kind == "rupiah":
        raw[name] = [rupiah(value)]
    else:
        raw[name] = [text_of(value)]


def form_raw(items: Iterable[tuple[str, list[str]]]) -> Raw:
    """Posted fields (e.g. `(k, request.form.getlist(k))`) as Raw."""
    return {key: list(values) for key, values in items}


# --- posted fields to data ------------------------------------------------------------------------


def parse(schema: Mapping[str, Any], raw: Mapping[str, list[str]]) -> dict[str, Any]:
    value = _parse(schema, schema, raw, "", True)
    return value if isinstance(value, dict) else {}


def row_count(raw: Mapping[str, list[str]], name: str) -> int:
    """How many rows the list `name` has: its `-n` field, or the highest row index posted."""
    posted = raw.get(_join(name, COUNT))
    if posted:
        try:
            return max(0, min(int(posted[0]), MAX_ROWS))
        except ValueError:
            pass
    highest = -1
    prefix = _join(name, "")
    for key in raw:
        if key.startswith(prefix):
            head = key[len(prefix) :].split("-", 1)[0]
            if head.isdigit():
                highest = max(highest, int(head))
    return min(highest + 1, MAX_ROWS)


def _first(raw: Mapping[str, list[str]], name: str) -> str | None:
    values = raw.get(name)
    return values[0] if values else None


def _scalar(node: Mapping[str, Any], text: str, required: bool) -> Any:
    kind = _type(node)
    if kind == "integer":
        return parse_integer(text, money=node.get("x-desa-widget") == "rupiah") if text else MISSING
    if kind == "number":
        return parse_number(text) if text else MISSING
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text) if text else MISSING
    if text:
        return text
    # An empty box counts as an answer only where the form accepts an empty text ("required but may
    # be empty"); anywhere else it is left out, so that `required` says what is missing.
    accepts_empty = not (
        node.get("minLength") or "enum" in node or "format" in node or "pattern" in node or "const" in node
    )
    return "" if required and accepts_empty else MISSING


def _parse(
    root: Mapping[str, Any], node: Any, raw: Mapping[str, list[str]], name: str, required: bool
) -> Any:
    node = deref(root, node)
    kind = kind_of(root, node)
    if kind == "group":
        needed = set(node.get("required") or [])
        out: dict[str, Any] = {}
        for key, sub in (node.get("properties") or {}).items():
            value = _parse(root, sub, raw, _join(name, key), key in needed)
            if value is not MISSING:
                out[key] = value
        return out if out or required else MISSING
    if kind in ("rows", "list"):
        items = [
            _parse(root, node.get("items"), raw, _join(name, index), kind == "rows")
            for index in range(row_count(raw, name))
        ]
        kept = [item for item in items if item is not MISSING]
        return kept if kept or required else MISSING
    if kind == "checkboxes":
        chosen: list[Any] = []
        items_node = deref(root, node.get("items"))
        for text in raw.get(name, []):
            value = _scalar(items_node, text.strip(), False)
            if value is not MISSING and value not in chosen:
                chosen.append(value)
        return chosen if chosen or required else MISSING
    posted = _first(raw, name)
    if posted is None:
        return MISSING
    text = posted.replace("\r\n", "\n").strip()
    return _scalar(node, text, required)


# --- the row buttons ------------------------------------------------------------------------------


def node_for(schema: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    """The schema node the field `name` stands for (`peserta-3-umur` -> the `umur` of an item)."""
    node = deref(schema, schema)
    rest = name
    while rest:
        kind = kind_of(schema, node)
        if kind == "group":
            properties = node.get("properties") or {}
            key = next(
                (
                    k
                    for k in sorted(properties, key=len, reverse=True)
                    if rest == k or rest.startswith(k + "-")
                ),
                None,
            )
            if key is None:
                return None
            node, rest = deref(schema, properties[key]), rest[len(key) + 1 :]
        elif kind in ("rows", "list"):
            head, _, tail = rest.partition("-")
            if not head.isdigit():
                return None
            node, rest = deref(schema, node.get("items")), tail
        else:
            return None
    return node


def add_row(schema: Mapping[str, Any], raw: Mapping[str, list[str]], name: str) -> Raw:
    """The posted fields with one more row (pre-filled with its defaults) in the list `name`."""
    out = form_raw(raw.items())
    node = node_for(schema, name)
    if node is None or kind_of(schema, node) not in ("rows", "list"):
        return out
    count = row_count(raw, name)
    limit = node.get("maxItems")
    if count >= MAX_ROWS or (isinstance(limit, int) and count >= limit):
        return out
    _to_raw(schema, node.get("items"), _initial(schema, node.get("items"), None), _join(name, count), out)
    out[_join(name, COUNT)] = [str(count + 1)]
    return out


def remove_row(schema: Mapping[str, Any], raw: Mapping[str, list[str]], row: str) -> Raw:
    """The posted fields without the row `row` (`peserta-3`); later rows move up one."""
    out = form_raw(raw.items())
    name, _, index_text = row.rpartition("-")
    node = node_for(schema, name) if index_text.isdigit() else None
    if node is None or kind_of(schema, node) not in ("rows", "list"):
        return out
    index, count = int(index_text), row_count(raw, name)
    if index >= count:
        return out
    prefix = _join(name, "")
    moved: Raw = {}
    for key, values in raw.items():
        if not key.startswith(prefix):
            continue
        head, dash, tail = key[len(prefix) :].partition("-")
        if not head.isdigit():
            continue
        del out[key]
        at = int(head)
        if at > index:
            moved[f"{prefix}{at - 1}{dash}{tail}"] = values
        elif at < index:
            moved[key] = values
    out.update(moved)
    out[_join(name, COUNT)] = [str(count - 1)]
    return out


# --- where errors go -------------------------------------------------------------------------------


def error_paths(errors: Iterable[tuple[str, str, Mapping[str, Any]]]) -> list[str]:
    """The path of each (path, code, params) error, with every `required` error at its own missing
    field: the engine may give all the missing fields of one object the path of the first."""
    used: dict[tuple[str, str], set[str]] = {}
    paths = []
    for path, code, params in errors:
        required, value = params.get("limit"), params.get("value")
        if code == "required" and isinstance(required, list) and isinstance(value, dict) and path != "(form)":
            parent = path.rpartition("/")[0] if "/" in path else ""
            taken = used.setdefault((parent, repr(required)), set())
            if path in taken:
                for name in required:
                    other = f"{parent}/{name}" if parent else str(name)
                    if name not in value and other not in taken:
                        path = other
                        break
            taken.add(path)
        paths.append(path)
    return paths
