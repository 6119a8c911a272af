"""The programs' own texts in English: each program folder may hold an `english.toml` that gives,
keyed by BPMN id, an element's English `name` (task names, diagram labels, events, gateways and
their flows) and `documentation` (the text above a task's form). The BPMN files stay in Bahasa
Indonesia; in English mode the pages show these texts, and the Indonesian one where none is given.

`program_en` (a Jinja filter) turns one text; `diagram` turns the labels of a drawn diagram.
docs/designing-processes.md tells designers how to fill the file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from threading import Lock
from typing import Any

from flask import Flask
from lxml import etree

from engine.definitions import programs

from .i18n import select_locale

FILE = "english.toml"
SVG = "http://www.w3.org/2000/svg"
_cache: dict[Path, tuple[float, dict[str, dict[str, str]]]] = {}
_lock = Lock()


def _read(path: Path) -> dict[str, dict[str, str]]:
    """The file's texts, read again only when it changes; a missing or broken file gives none."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return {}
    with _lock:
        cached = _cache.get(path)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raw = {}
    texts = {
        str(key): {str(k): str(v) for k, v in value.items() if isinstance(v, str)}
        for key, value in raw.items()
        if isinstance(value, dict)
    }
    with _lock:
        _cache[path] = (mtime, texts)
    return texts


def texts() -> dict[str, dict[str, str]]:
    """Every installed program's English texts by BPMN id."""
    merged: dict[str, dict[str, str]] = {}
    for program in programs.installed():
        if program.folder is not None:
            merged.update(_read(program.folder / FILE))
    return merged


def english() -> bool:
    return select_locale() == "en"


def text(value: Any, bpmn_id: str | None, field: str = "name") -> Any:
    """`value` (a program text of the element `bpmn_id`) in English when the page is in English and
    the program gives one; else `value` as it is."""
    if not bpmn_id or not english():
        return value
    return texts().get(bpmn_id, {}).get(field) or value


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
