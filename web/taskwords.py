"""The earlier data a task shows (`x-desa-show`) in the words people know: keys by the titles the
program's forms give them, values and per-item lists by the program's names (program.toml's
`[names]`: `partisipasi` shows as "Partisipasi"; a village's four evaluation levels show beside the
four dimensions they belong to, in the order the data keeps them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.definitions import programs
from engine.views.task import TaskView

from .formrender import Display, Words, display, words


def program_of(process_id: str) -> programs.Program | None:
    """The installed program whose village process is `process_id` or calls it as a step."""
    for program in programs.installed():
        if process_id == program.process or any(s.process == process_id for s in program.steps):
            return program
    return None


def vocabulary(
    schema: Mapping[str, Any],
    others: Mapping[str, Any],
    context: Mapping[str, Any],
    program: programs.Program | None,
    lang: str,
    yes_no: tuple[str, str],
) -> Words:
    """The task's own form's words first, then the other forms' (a title they agree on), then the
    program's names."""
    said = words(schema, lang, yes_no)
    found: dict[str, set[str]] = {}
    for other in others.values():
        if isinstance(other, dict):
            for key, title in words(other, lang, yes_no).titles.items():
                found.setdefault(key, set()).add(title)
            for key, labels in words(other, lang, yes_no).labels.items():
                said.labels.setdefault(key, dict(labels))
    for key, titles in found.items():
        if key not in said.titles and len(titles) == 1:
            said.titles[key] = next(iter(titles))
    if program is not None:
        _program_names(said, context, program, lang)
    return said


def _program_names(said: Words, context: Mapping[str, Any], program: programs.Program, lang: str) -> None:
    for names in program.names.values():
        for value, label in names.items():
            said.values.setdefault(str(value), programs.text(label, lang))
            said.titles.setdefault(str(value), programs.text(label, lang))
    for section in program.sections:
        named = program.names.get(str(section.get("names") or ""))
        if section.get("kind") != "scores" or not named:
            continue
        order = context.get(str(section.get("order") or ""))
        keys = [str(k) for k in order] if isinstance(order, list) else [str(k) for k in named]
        labels = [programs.text(named.get(k), lang) or k for k in keys]
        for side in ("before", "after"):
            part = section.get(side)
            for data in (part.get("data"), part.get("level")) if isinstance(part, dict) else ():
                if isinstance(data, str):
                    said.per_item[data] = labels


def shown(
    view: TaskView, forms: Mapping[str, Any], lang: str, yes_no: tuple[str, str]
) -> list[tuple[str, str, Display]]:
    """(key, label, value) of each piece of earlier data the task's form lists in `x-desa-show`;
    `forms` are the other forms of its version."""
    schema = view.schema or {}
    names = schema.get("x-desa-show") or []
    if not names:
        return []
    said = vocabulary(schema, forms, view.context, program_of(view.process_id), lang, yes_no)
    return [
        (str(n), said.title(n), display(view.context[n], said, str(n))) for n in names if n in view.context
    ]
