"""A task's JSON Schema form as what a template draws, and the earlier data shown above it.

- `build(schema, raw, lang, errors)`: the tree of `Field`s a template draws, each error beside its
  field (or in `summary` when no field has its path).
- `shown(schema, context)`: the earlier data the form lists in `x-desa-show`, as `Display` trees.

The posted fields and their parsing live in `web.formdata`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .formdata import (
    COUNT,
    MAX_ROWS,
    _first,
    _join,
    _type,
    deref,
    error_name,
    kind_of,
    row_count,
    rupiah,
    text_of,
)

# --- what a template draws ------------------------------------------------------------------------


@dataclass
class Option:
    value: str
    label: str
    selected: bool = False


@dataclass
class Field:
    """One field, or a group of them (`group`), or a list with a `Field` per row (`rows`, `list`,
    each row of kind `row`)."""

    kind: str
    name: str
    label: str
    help: str = ""
    required: bool = False
    value: str = ""
    options: list[Option] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)  # min, max, step, minlength, pattern, title
    item_label: str = ""  # rows: what one row is ("Peserta")
    index: int = 0  # row: its number from 0
    can_add: bool = False
    can_remove: bool = False
    place: str = ""  # the rows it is in, for the error summary ("Kegiatan 3")

    @property
    def id(self) -> str:
        return "f-" + self.name if self.name else "f-form"

    @property
    def count_name(self) -> str:
        """rows, list: the hidden field that carries the number of rows."""
        return _join(self.name, COUNT)

    @property
    def described_by(self) -> str:
        ids = (["h-" + self.name] if self.help else []) + (["e-" + self.name] if self.errors else [])
        return " ".join(ids)


@dataclass
class Form:
    fields: list[Field]
    summary: list[str] = field(default_factory=list)  # errors no field has the path of

    def with_errors(self) -> list[Field]:
        return [f for f in _walk(self.fields) if f.errors]

    def find(self, name: str) -> Field | None:
        for found in _walk(self.fields):
            if found.name == name:
                return found
        return None


def _walk(fields: list[Field]) -> Iterable[Field]:
    for f in fields:
        yield f
        yield from _walk(f.children)


def _place(fields: list[Field], where: str) -> None:
    """Name the row each field of a list is in (`Kegiatan 3`, `Peserta 2 · Anak 1`)."""
    for f in fields:
        f.place = "" if where and f.label == where.rpartition(" · ")[2] else where  # a list's own row
        inner = f"{where} · {f.label}" if where and f.kind == "row" else f.label if f.kind == "row" else where
        _place(f.children, inner)


def _english(node: Mapping[str, Any]) -> dict[str, Any]:
    english = node.get("x-en")
    return english if isinstance(english, dict) else {}


def label(node: Mapping[str, Any], lang: str, fallback: str = "") -> str:
    english = _english(node)
    if lang == "en" and english.get("title"):
        return str(english["title"])
    return str(node.get("title") or fallback or "")


def help_text(node: Mapping[str, Any], lang: str) -> str:
    english = _english(node)
    if lang == "en" and english.get("description"):
        return str(english["description"])
    return str(node.get("description") or "")


def option_labels(node: Mapping[str, Any], lang: str) -> dict[str, str]:
    english = _english(node)
    labels = english.get("labels") if lang == "en" and isinstance(english.get("labels"), dict) else None
    chosen = labels or node.get("x-desa-labels") or {}
    return {text_of(k): str(v) for k, v in chosen.items()} if isinstance(chosen, dict) else {}


def humanize(key: str) -> str:
    words = key.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def build(
    schema: Mapping[str, Any],
    raw: Mapping[str, list[str]],
    lang: str = "id",
    errors: Iterable[tuple[str, str]] = (),
    yes_no: tuple[str, str] = ("Ya", "Tidak"),
) -> Form:
    """The fields of the form filled with `raw`; `errors` are (path, message) pairs."""
    builder = _Builder(schema, raw, lang, yes_no)
    root = builder.field(schema, "", "", True)
    form = Form(root.children)
    _place(form.fields, "")
    names = {f.name: f for f in _walk(form.fields)}
    for path, message in errors:
        name = error_name(path)
        while name and name not in names:
            name = name.rpartition("-")[0]
        if name:
            names[name].errors.append(message)
        else:
            form.summary.append(message)
    return form


class _Builder:
    def __init__(
        self, schema: Mapping[str, Any], raw: Mapping[str, list[str]], lang: str, yes_no: tuple[str, str]
    ) -> None:
        self.root, self.raw, self.lang, self.yes_no = schema, raw, lang, yes_no

    def field(self, node: Any, name: str, key: str, required: bool) -> Field:
        node = deref(self.root, node)
        kind = kind_of(self.root, node)
        made = Field(
            kind,
            name,
            label(node, self.lang, humanize(key)),
            help_text(node, self.lang),
            required,
        )
        if kind == "group":
            needed = set(node.get("required") or [])
            made.children = [
                self.field(sub, _join(name, k), k, k in needed)
                for k, sub in (node.get("properties") or {}).items()
            ]
        elif kind in ("rows", "list"):
            self._rows(made, node)
        elif kind == "checkboxes":
            items = deref(self.root, node.get("items"))
            chosen = set(self.raw.get(name, []))
            labels = option_labels(items, self.lang)
            made.options = [
                Option(text_of(v), labels.get(text_of(v), text_of(v)), text_of(v) in chosen)
                for v in items.get("enum") or []
            ]
        else:
            value = _first(self.raw, name) or ""
            made.value = value
            if kind == "boolean":
                made.options = [
                    Option("true", self.yes_no[0], value == "true"),
                    Option("false", self.yes_no[1], value == "false"),
                ]
            elif kind in ("radio", "select"):
                labels = option_labels(node, self.lang)
                made.options = [
                    Option(text_of(v), labels.get(text_of(v), text_of(v)), text_of(v) == value)
                    for v in node.get("enum") or []
                ]
            made.attrs = self._attrs(node, kind, required)
        return made

    def _rows(self, made: Field, node: Mapping[str, Any]) -> None:
        items = deref(self.root, node.get("items"))
        least = int(node.get("minItems") or 0)
        most = node.get("maxItems")
        count = max(row_count(self.raw, made.name), least)
        made.item_label = label(items, self.lang, made.label)
        for index in range(count):
            row_name = _join(made.name, index)
            row = Field("row", row_name, f"{made.item_label} {index + 1}", index=index)
            inner = self.field(items, row_name, "", made.kind == "rows")
            if made.kind == "rows":
                row.children = inner.children
            else:
                inner.label = row.label
                inner.help = ""
                row.children = [inner]
            made.children.append(row)
        made.can_add = count < MAX_ROWS and not (isinstance(most, int) and count >= most)
        made.can_remove = count > least

    def _attrs(self, node: Mapping[str, Any], kind: str, required: bool) -> dict[str, str]:
        attrs: dict[str, str] = {}
        if required and (kind not in ("text", "textarea") or node.get("minLength")):
            attrs["required"] = "required"
        if kind == "number":
            attrs["step"] = "1" if _type(node) == "integer" else "any"
            for keyword in ("minimum", "maximum"):
                if isinstance(node.get(keyword), int | float) and not isinstance(node.get(keyword), bool):
                    attrs[keyword[:3]] = text_of(node[keyword])
        if kind in ("text", "textarea") and isinstance(node.get("minLength"), int):
            attrs["minlength"] = str(node["minLength"])
        if isinstance(node.get("maxLength"), int):
            attrs["maxlength"] = str(node["maxLength"])
        pattern = node.get("pattern")
        if kind == "text" and isinstance(pattern, str) and pattern.startswith("^") and pattern.endswith("$"):
            # A browser anchors a pattern; only an anchored one means the same there.
            attrs["pattern"] = pattern
            hint = node.get("errorMessage") if self.lang == "id" else None
            attrs["title"] = str(hint or help_text(node, self.lang) or pattern)
        return attrs


# --- the earlier data shown above the form --------------------------------------------------------


@dataclass
class Display:
    """A value shown read-only: `text`, `list` (of Displays), `table` (columns and rows of
    Displays) or `pairs` (label and Display)."""

    kind: str
    text: str = ""
    items: list[Display] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[Display]] = field(default_factory=list)
    pairs: list[tuple[str, Display]] = field(default_factory=list)


@dataclass
class Words:
    """What the form itself calls a key and its values, where that is unambiguous: earlier data
    often has the form's own fields (`dimensi`, `kegiatan`)."""

    titles: dict[str, str] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    yes_no: tuple[str, str] = ("Ya", "Tidak")
    values: dict[str, str] = field(default_factory=dict)  # a value's label wherever it shows (`partisipasi`)
    per_item: dict[str, list[str]] = field(default_factory=dict)  # a list of one value per named item

    def title(self, key: Any) -> str:
        return self.titles.get(str(key)) or humanize(str(key))


def words(schema: Mapping[str, Any], lang: str, yes_no: tuple[str, str] = ("Ya", "Tidak")) -> Words:
    titles: dict[str, set[str]] = {}
    labels: dict[str, dict[str, str]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, sub in (node.get("properties") or {}).items():
                sub = deref(schema, sub)
                titles.setdefault(key, set()).add(label(sub, lang, humanize(key)))
                if "enum" in sub and option_labels(sub, lang):
                    labels.setdefault(key, {}).update(option_labels(sub, lang))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    unique = {key: next(iter(found)) for key, found in titles.items() if len(found) == 1}
    return Words(unique, labels, yes_no)


def shown(
    schema: Mapping[str, Any] | None,
    context: Mapping[str, Any],
    lang: str = "id",
    yes_no: tuple[str, str] = ("Ya", "Tidak"),
) -> list[tuple[str, str, Display]]:
    """(key, label, value) of each field of `x-desa-show` the task's data holds."""
    vocabulary = words(schema or {}, lang, yes_no)
    names = (schema or {}).get("x-desa-show") or []
    return [(str(n), vocabulary.title(n), display(context[n], vocabulary)) for n in names if n in context]


def display(value: Any, vocabulary: Words | None = None, key: str = "") -> Display:
    said = vocabulary or Words()
    if isinstance(value, bool):
        return Display("text", said.yes_no[0] if value else said.yes_no[1])
    if isinstance(value, int):
        return Display("text", rupiah(value) if abs(value) >= 10000 else str(value))
    if isinstance(value, float):
        return Display("text", str(int(value)) if value.is_integer() else str(value))
    if isinstance(value, dict):
        return Display("pairs", pairs=[(said.title(k), display(v, said, str(k))) for k, v in value.items()])
    if isinstance(value, list):
        names = said.per_item.get(key)
        if names and len(names) == len(value) and not any(isinstance(v, dict | list) for v in value):
            return Display(
                "pairs", pairs=[(n, display(v, said, key)) for n, v in zip(names, value, strict=True)]
            )
        if value and all(isinstance(v, dict) for v in value):
            keys: list[str] = []
            for row in value:
                keys.extend(k for k in row if k not in keys)
            return Display(
                "table",
                columns=[said.title(k) for k in keys],
                rows=[
                    [display(row[k], said, k) if k in row else Display("text") for k in keys] for row in value
                ],
            )
        return Display("list", items=[display(v, said, key) for v in value])
    text = text_of(value)
    return Display("text", said.labels.get(key, {}).get(text) or said.values.get(text, text))
