"""The rules of `desa validate` for a program folder's English texts (`english.toml`): the file is
TOML (`english-syntax`), each table names an element of the folder's BPMN files
(`english-unknown-element`), and each entry holds a `name`, `documentation` or `display_name` as
text, a `display_name` only on a task whose BPMN gives it a `displayName` and with no field that
displayName lacks (`english-entry`). The pages show what the file gives and the Indonesian text
where it gives nothing usable, so a mistake here shows no error to anyone: a designer learns of it
from these rules, located by the file's line and the element's id."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lxml import etree

from engine.definitions.lint.model import BPMN_NS, SPIFF_NS
from engine.errors import Problem

FILE = "english.toml"
FIELDS = ("name", "documentation", "display_name")
FIELD = re.compile(r"\{([^{}]+)\}")  # a field of a displayName template: {hari_ke}
_TABLE = re.compile(r"^\s*\[\s*(?:\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+))\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*(?:\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+))\s*(?:\.\s*([A-Za-z0-9_-]+)\s*)?=")


def element_ids(trees: Iterable[etree._ElementTree]) -> set[str]:
    """The ids of the BPMN elements of these files (a text may name any of them; the diagram's own
    shapes and edges have ids too, which no text is for)."""
    return {str(e.get("id")) for tree in trees for e in tree.getroot().iter(f"{{{BPMN_NS}}}*") if e.get("id")}


def display_templates(trees: Iterable[etree._ElementTree]) -> dict[str, str]:
    """The `displayName` templates of these BPMN files, by the id of the element that has one."""
    found: dict[str, str] = {}
    for tree in trees:
        for prop in tree.getroot().iter(f"{{{SPIFF_NS}}}property"):
            if prop.get("name") != "displayName" or not prop.get("value"):
                continue
            owner = next((a for a in prop.iterancestors() if a.get("id")), None)
            if owner is not None:
                found[str(owner.get("id"))] = str(prop.get("value"))
    return found


def problems(folder: Path, trees: Iterable[etree._ElementTree]) -> list[Problem]:
    """The problems of `folder`'s english.toml (none when it has none), against its BPMN `trees`."""
    path = folder / FILE
    if not path.is_file():
        return []
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        raw: dict[str, Any] = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        return [Problem.unreadable_toml(file, err, "english-syntax")]
    trees = list(trees)
    ids, templates, lines = element_ids(trees), display_templates(trees), _lines(text)
    found: list[Problem] = []

    def problem(key: str, field: str | None, message: str, rule: str) -> None:
        line = lines.get((key, field)) or lines.get((key, None))
        found.append(Problem(file, line, key, message, rule, severity="warning"))

    for key, entry in raw.items():
        if key not in ids:
            close = difflib.get_close_matches(key, sorted(ids), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            message = f"'{key}' is no element of this program's BPMN files: its texts are never shown{hint}"
            problem(key, None, message, "english-unknown-element")
            continue
        if not isinstance(entry, dict):
            problem(key, None, f"'{key}' must be a table: [{key}] with name = \"...\"", "english-entry")
            continue
        for field, value in entry.items():
            if field not in FIELDS:
                problem(
                    key,
                    field,
                    f"'{field}' is not one of {', '.join(FIELDS)}: it is never shown",
                    "english-entry",
                )
            elif not isinstance(value, str):
                problem(key, field, f"{field} must be a text in quotes", "english-entry")
            elif field == "display_name":
                wrong = _display_name(key, value, templates.get(key))
                if wrong:
                    problem(key, field, wrong, "english-entry")
    return found


def _display_name(key: str, english: str, template: str | None) -> str | None:
    """What is wrong with a `display_name` (None: nothing), given the element's displayName."""
    if template is None:
        return (
            f"'{key}' has no displayName in its BPMN file, so its display_name is never shown; "
            "give the English name as name"
        )
    known = set(FIELD.findall(template))
    unknown = [f for f in dict.fromkeys(FIELD.findall(english)) if f not in known]
    if unknown:
        names = ", ".join("{" + f + "}" for f in unknown)
        return (
            f"display_name uses {names}, which the displayName '{template}' does not have, so the "
            "English name is shown without it; use only its fields"
        )
    return None


def _lines(text: str) -> dict[tuple[str, str | None], int]:
    """Where each table ([key], field None) and each of its fields starts, by line (1-based); a
    dotted key (`key.name = ...`) outside any table counts as the field of `key`."""
    found: dict[tuple[str, str | None], int] = {}
    table: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE.match(line)
        if header is not None:
            table = next(g for g in header.groups() if g is not None)
            found.setdefault((table, None), number)
            continue
        assigned = _KEY.match(line)
        if assigned is None:
            continue
        first = next((g for g in assigned.groups()[:3] if g is not None), "")
        dotted = assigned.group(4)
        if table is not None:
            found.setdefault((table, first), number)
        elif dotted is not None:
            found.setdefault((first, None), number)
            found.setdefault((first, dotted), number)
        else:
            found.setdefault((first, None), number)
    return found
