"""The engine knows no program: every name a program folder gives (its processes, the elements of
its BPMN, its roles, its forms, the data keys its program.toml shows) is absent from engine/.

A program is a folder under processes/ (docs: README, "Menambah program / Adding a program"); the
engine reads it only through engine/definitions/programs.py, so adding or changing one never needs
an engine change. The names are collected from the folders themselves, so a new program is checked
as soon as it is added.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "engine"
PROGRAMS = sorted(p for p in (ROOT / "processes").iterdir() if (p / "program.toml").exists())
# Words a program may share with the engine's own vocabulary (an engine concept, or too short to
# be a program's own name): they are not looked for.
COMMON = {
    "status",
    "catatan",
    "tanggal",
    "nama",
    "data",
    "label",
    "bulan",
    "butir",
    "jenis",
    "key",
    "note",
    "kegiatan",
}


KEYS = ("data", "field", "level", "order", "verdict", "key", "timer", "message", "period", "items")


def _keys(value: Any) -> set[str]:
    """The data keys program.toml names: every `data`, `field`, `level`, `order`, `verdict`, `key`,
    `timer` and `message` value (the first part of a dotted path)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key in KEYS and isinstance(item, str):
                found.add(item.split(".")[0])
            found |= _keys(item)
    elif isinstance(value, list):
        for item in value:
            found |= _keys(item)
    return found


def _element_ids(folder: Path) -> set[str]:
    found = set()
    for path in folder.glob("*.bpmn"):
        tree = etree.parse(str(path))
        for element in tree.iter():
            kind = etree.QName(element).localname
            if kind in (
                "process",
                "userTask",
                "manualTask",
                "callActivity",
                "businessRuleTask",
                "boundaryEvent",
            ):
                found.add(str(element.get("id")))
    for path in folder.glob("*.dmn"):
        found |= {str(d.get("id")) for d in etree.parse(str(path)).iter("{*}decision")}
    return found


def program_names(folder: Path) -> set[str]:
    """Every name the program folder gives that the engine must not know."""
    description = tomllib.loads((folder / "program.toml").read_text(encoding="utf-8"))
    names = {description["name"], description["process"], *(s["process"] for s in description["steps"])}
    names |= _keys(description.get("village")) | _keys(description.get("dashboard"))
    names |= set(description.get("names", {}))
    roles = (
        tomllib.loads((folder / "roles.toml").read_text(encoding="utf-8"))
        if (folder / "roles.toml").exists()
        else {}
    )
    # A read-only (auditor) or designer role is an engine concept a program names; the others are its own.
    names |= {r["name"] for r in roles.get("role", []) if not r.get("read_only") and not r.get("designer")}
    forms = ROOT / "forms" / folder.name
    names |= {p.stem for p in forms.glob("*.json")}
    names |= _element_ids(folder)
    return {n for n in names if n and n.lower() not in COMMON and len(n) > 3}


def engine_text() -> list[tuple[str, str]]:
    return [
        (str(p.relative_to(ROOT)), p.read_text(encoding="utf-8"))
        for p in sorted(ENGINE.rglob("*.py"))
        if "migrations" not in p.parts
    ]


@pytest.mark.parametrize("folder", PROGRAMS, ids=[p.name for p in PROGRAMS])
def test_engine_names_nothing_of_the_program(folder: Path) -> None:
    names = program_names(folder)
    assert len(names) > 10  # the program's own names were found
    pattern = re.compile(
        r"(?<![A-Za-z0-9_])(" + "|".join(map(re.escape, sorted(names))) + r")(?![A-Za-z0-9_])", re.I
    )
    hits = [
        f"{path}:{number}: {match.group(0)}"
        for path, text in engine_text()
        for number, line in enumerate(text.splitlines(), start=1)
        for match in [pattern.search(line)]
        if match
    ]
    assert hits == [], "engine/ names the program " + folder.name + ":\n" + "\n".join(hits)


def test_there_are_two_programs() -> None:
    assert {p.name for p in PROGRAMS} >= {"model_desa", "siaga_bencana"}
