"""The programs' own texts in English: each program folder may hold an `english.toml` that gives,
keyed by BPMN id, an element's English `name` (task names, diagram labels, events, gateways and
their flows) and `documentation` (the text above a task's form). The BPMN files stay in Bahasa
Indonesia; in English mode the pages show these texts, and the Indonesian one where none is given.

A task whose BPMN gives it a `displayName` (a name filled from its data, "Absensi Bimbingan Sosial
Hari ke-{hari_ke}") may have an English `display_name` with the same fields ("Attendance of the
social guidance, day {hari_ke}"): the values are read back from the task's Indonesian name, as the
template it was filled from places them, so every instance of the task keeps a name of its own in
English too. A name the Indonesian template does not match (a version whose template differed)
shows the English `name`.

`program_en` (a Jinja filter) turns one text; `diagram` turns the labels of a drawn diagram.
docs/designing-processes.md tells designers how to fill the file."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from threading import Lock
from typing import Any, TypeVar, cast

from flask import Flask
from lxml import etree

from engine.definitions import programs
from engine.definitions.lint import english as english_rules

from .i18n import select_locale

SVG = "http://www.w3.org/2000/svg"
_FIELD = english_rules.FIELD
_cache: dict[Any, tuple[Any, Any]] = {}  # by file or folder: (its modification times, what was read)
_lock = Lock()
T = TypeVar("T")


def _cached(key: Any, stamp: Any, read: Callable[[], T]) -> T:
    """What `read()` gives, kept under `key` until `stamp` (the files' modification times) changes."""
    with _lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cast(T, cached[1])
    found = read()
    with _lock:
        _cache[key] = (stamp, found)
    return found


def _read(path: Path) -> dict[str, dict[str, str]]:
    """The file's texts, read again only when it changes; a missing or broken file gives none
    (`desa validate` names what is wrong in it: engine/definitions/lint/english.py)."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return {}

    def read() -> dict[str, dict[str, str]]:
        try:
            raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raw = {}
        return {
            str(key): {str(k): str(v) for k, v in value.items() if isinstance(v, str)}
            for key, value in raw.items()
            if isinstance(value, dict)
        }

    return _cached(path, mtime, read)


def texts() -> dict[str, dict[str, str]]:
    """Every installed program's English texts by BPMN id."""
    merged: dict[str, dict[str, str]] = {}
    for program in programs.installed():
        if program.folder is not None:
            merged.update(_read(program.folder / english_rules.FILE))
    return merged


def _read_templates(folder: Path) -> dict[str, str]:
    """The `displayName` templates of a program folder's BPMN files, by the task's id; read again
    only when a file changes. A file that cannot be read gives none."""
    files = sorted(folder.glob("*.bpmn"))
    try:
        stamp = tuple(f.stat().st_mtime for f in files)
    except OSError:
        return {}

    def read() -> dict[str, str]:
        trees = []
        for path in files:
            try:
                trees.append(etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)))
            except (OSError, etree.XMLSyntaxError):
                continue
        return english_rules.display_templates(trees)

    return _cached(("templates", folder), stamp, read)


def templates() -> dict[str, str]:
    """Every installed program's displayName templates (Bahasa Indonesia) by BPMN id."""
    merged: dict[str, str] = {}
    for program in programs.installed():
        if program.folder is not None:
            merged.update(_read_templates(program.folder))
    return merged


def filled(template: str, name: str) -> dict[str, str] | None:
    """The field values a name was filled with from `template` ("Hari ke-{hari_ke}" and "Hari
    ke-3" give {"hari_ke": "3"}); None when the name was not made from it. The text between two
    fields is looked for from the left, once (no backtracking: the time is linear in the name)."""
    parts = _FIELD.split(template)  # literal, field, literal, field, ..., literal
    literals, fields = parts[0::2], parts[1::2]
    if not fields:
        return {} if name == template else None
    if not name.startswith(literals[0]) or not name.endswith(literals[-1]):
        return None
    at, end = len(literals[0]), len(name) - len(literals[-1])
    if end < at:
        return None
    values: dict[str, str] = {}
    for i, field in enumerate(fields):
        if i + 1 < len(fields):
            found = name.find(literals[i + 1], at, end)
            if found < 0:
                return None
            value, at = name[at:found], found + len(literals[i + 1])
        else:
            value = name[at:end]
        if values.setdefault(field, value) != value:  # a field used twice, with two values
            return None
    return values


def _display_name(entry: dict[str, str], bpmn_id: str, value: Any) -> str | None:
    english_template = entry.get("display_name")
    template = templates().get(bpmn_id) if english_template else None
    if not english_template or not template or not isinstance(value, str):
        return None
    values = filled(template, value)
    if values is None or any(f not in values for f in _FIELD.findall(english_template)):
        return None
    return _FIELD.sub(lambda m: values[m.group(1)], english_template)


def english() -> bool:
    return select_locale() == "en"


def text(value: Any, bpmn_id: str | None, field: str = "name") -> Any:
    """`value` (a program text of the element `bpmn_id`) in English when the page is in English and
    the program gives one; else `value` as it is. A task's name filled from its data (`displayName`)
    is filled again into its English `display_name` where the program gives one."""
    if not bpmn_id or not english():
        return value
    entry = texts().get(bpmn_id, {})
    if field == "name" and "display_name" in entry:
        shown = _display_name(entry, bpmn_id, value)
        if shown is not None:
            return shown
    return entry.get(field) or value


def _wrap(words: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in words.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _relabel(group: etree._Element, before: str, name: str) -> None:
    """The lines of text that spell `before` in an element's drawing, written again with `name`,
    wrapped as wide as before (a gateway's or event's own marks are left alone)."""
    words = before.split()
    lines = [t for t in group if t.tag == f"{{{SVG}}}text" and t.text and set(t.text.split()) <= set(words)]
    if not lines:
        return
    if len(lines) == 1 and lines[0].get("transform"):  # a pool's or lane's name, written upwards
        lines[0].text = name
        return
    width = max(max(len(t.text or "") for t in lines), 10)
    new = _wrap(name, width)[: len(lines) + 1]
    size = float(lines[0].get("font-size") or 12)
    top = float(lines[0].get("y") or 0)
    if group.find(f"{{{SVG}}}rect") is not None:  # inside an activity: kept centred
        top -= size * (len(new) - len(lines)) / 2
    for extra in lines[1:]:
        group.remove(extra)
    first = lines[0]
    for i, line in enumerate(new):
        t = (
            first
            if i == 0
            else etree.SubElement(group, f"{{{SVG}}}text", {str(k): str(v) for k, v in first.attrib.items()})
        )
        t.set("y", f"{top + size * i:.1f}")
        t.text = line


def diagram(svg: str) -> str:
    """A diagram drawn by the engine with its labels in English, when the page is in English."""
    if not english() or not svg:
        return svg
    table = texts()
    root = etree.fromstring(svg.encode("utf-8"))
    for group in root.iter(f"{{{SVG}}}g"):
        name = table.get(group.get("data-element") or "", {}).get("name")
        if name:
            title = group.find(f"{{{SVG}}}title")
            if title is None:  # a pool or lane: its one line of text is its name
                title = group.find(f"{{{SVG}}}text")
            before = (title.text or "") if title is not None else ""
            if title is not None and title.tag == f"{{{SVG}}}title":
                title.text = name
            _relabel(group, before, name)
    for line in root.iter(f"{{{SVG}}}polyline"):
        name = table.get(line.get("data-element") or "", {}).get("name")
        label = line.getnext()
        if name and label is not None and label.tag == f"{{{SVG}}}text":
            label.text = name
    return etree.tostring(root, encoding="unicode")


def init_app(app: Flask) -> None:
    app.add_template_filter(text, "program_en")
