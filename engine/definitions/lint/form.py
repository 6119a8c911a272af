"""The form rules of `desa validate`: a user task names its form (`no-form`), the form file exists
in the forms folder and is a valid JSON Schema (`form`), and no `$ref` of it leads back to where
it is (`form-ref-cycle`). Loaded schemas are kept for deploy and for the rule that checks which
data the processes read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree

from engine.definitions.lint.model import BPMN_NS, SPIFF_NS, label, line_of
from engine.errors import Problem
from engine.sandbox import patterns

FORM_PROPERTY = "formJsonSchemaFilename"


def form_property(task: etree._Element) -> etree._Element | None:
    """The <spiffworkflow:property name="formJsonSchemaFilename"> of a task, if it has one."""
    for prop in task.iterfind(
        f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}properties/{{{SPIFF_NS}}}property"
    ):
        if prop.get("name") == FORM_PROPERTY:
            return prop
    return None


def problems(tree: etree._ElementTree, name: str, forms: dict[str, Any], forms_dir: Path) -> list[Problem]:
    """What is wrong with the forms of the file's tasks; each form loaded is added to `forms`."""
    found: list[Problem] = []
    for element in tree.getroot().iter(f"{{{SPIFF_NS}}}property"):
        if element.get("name") != FORM_PROPERTY:
            continue
        form = (element.get("value") or "").strip()
        new = form not in forms
        refused = load_form(forms, forms_dir, form)
        if refused:
            found.append(Problem(name, line_of(element), _owner_id(element), refused.message, refused.rule))
        elif new:
            found.extend(
                Problem(
                    name,
                    line_of(element),
                    _owner_id(element),
                    f"form file '{form}' has the pattern {pattern!r} at {where}, which needs backtracking "
                    "(a backreference or lookaround): it is checked in a sandbox process and refused "
                    "when it runs too long; write it without them to have it checked in linear time",
                    "form-pattern-backtracking",
                    severity="warning",
                )
                for pattern, where in _backtracking_patterns(forms[form])
            )
    for task in tree.getroot().iter(f"{{{BPMN_NS}}}userTask"):
        if form_property(task) is None:
            found.append(
                Problem(
                    name,
                    line_of(task),
                    task.get("id"),
                    f"{label(task)} has no form (no formJsonSchemaFilename property): the person it is "
                    "given to finds nothing to fill in; name its JSON Schema in the forms folder, or make "
                    "it a manual task if there is nothing to fill in",
                    "no-form",
                    severity="warning",
                )
            )
    return sorted(found, key=lambda p: p.line or 0)


def _backtracking_patterns(schema: Any, where: str = "(top)") -> Iterator[tuple[str, str]]:
    """The `pattern`s and `patternProperties` keys of a schema that RE2 does not run."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            inner = key if where == "(top)" else f"{where}/{key}"
            if key == "pattern" and isinstance(value, str) and not patterns.is_linear(value):
                yield value, where
            if key == "patternProperties" and isinstance(value, dict):
                yield from ((p, inner) for p in value if not patterns.is_linear(p))
            yield from _backtracking_patterns(value, inner)
    elif isinstance(schema, list):
        for index, item in enumerate(schema):
            yield from _backtracking_patterns(item, f"{where}/{index}")


def _owner_id(element: etree._Element) -> str | None:
    node: etree._Element | None = element
    while node is not None:
        if node.get("id"):
            return node.get("id")
        node = node.getparent()
    return None


class Refusal(NamedTuple):
    rule: str
    message: str


def load_form(forms: dict[str, Any], forms_dir: Path, form: str) -> Refusal | None:
    """Load `form` into `forms`; why it cannot be used (and which rule says so), or None."""
    if form in forms:
        return None
    message = _schema_problem(forms_dir, form)
    if message is not None:
        return Refusal("form", message)
    schema = json.loads((forms_dir / form).read_text(encoding="utf-8"))
    cycle = ref_cycle(schema)
    if cycle is not None:
        ref, where = cycle
        return Refusal(
            "form-ref-cycle",
            f"form file '{form}' has a $ref that leads back to itself: '{ref}' at {where or '(top)'}; "
            "a form that contains itself can be neither shown nor checked: point the $ref at a "
            "definition that does not contain it",
        )
    forms[form] = schema
    return None


def _schema_problem(forms_dir: Path, form: str) -> str | None:
    """Why `form` is no JSON Schema of the forms folder, or None."""
    if form and (Path(form).name != form or form.startswith(".")):
        return f"form file '{form}' must be a file name in the forms folder, without a folder or '..'"
    path = forms_dir / form
    if not form or not path.is_file():
        return f"form file '{form}' does not exist in {forms_dir}"
    if path.stat().st_size > MAX_FORM_BYTES:
        return f"form file '{form}' is larger than {MAX_FORM_BYTES // (1024 * 1024)} MB"
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        return f"form file '{form}' is not valid JSON: {err}"
    except RecursionError:
        return f"form file '{form}' is nested too deeply to be a form"
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as err:
        where = "/".join(str(p) for p in err.path) or "(top)"
        return f"form file '{form}' is not a valid JSON Schema at {where}: {err.message}"
    except RecursionError:
        return f"form file '{form}' is nested too deeply to be a form"
    missing = _unresolved_ref(schema)
    if missing is not None:
        return (
            f"form file '{form}' refers to '{missing}', which is not in the file: a form's $ref must point "
            "into the file itself ('#/$defs/...'); nothing is fetched from elsewhere"
        )
    return None


MAX_FORM_BYTES = 1024 * 1024
REFS = ("$ref", "$dynamicRef")
VALUES = ("enum", "const", "default", "examples")  # data, not schemas: a "$ref" in them is text


def _unresolved_ref(schema: Any) -> str | None:
    """The first `$ref` of the schema that does not point at a place in the schema itself."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for keyword in REFS:
                ref = node.get(keyword)
                if isinstance(ref, str) and not _resolves(schema, ref):
                    return ref
            stack.extend(v for k, v in node.items() if k not in VALUES)
    return None


def _resolves(schema: Any, ref: str) -> bool:
    return _target(schema, ref) is not _NOWHERE


_NOWHERE = object()


def _target(schema: Any, ref: str) -> Any:
    """The place of the schema a `$ref` points at (`_NOWHERE` when it points at none)."""
    if ref == "#":
        return schema
    if not ref.startswith("#/"):
        return _NOWHERE
    target = schema
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(target, dict) and part in target:
            target = target[part]
        elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        else:
            return _NOWHERE
    return target


def ref_cycle(schema: Any) -> tuple[str, str] | None:
    """A `$ref` (and where it is) from which following the schema, into each part and through
    each `$ref`, comes back to a place already on the way: the form would contain itself. A walk
    over the schema's parts (each visited once, no recursion), with the `$ref`s as extra edges."""
    done: set[int] = set()
    on_path = {id(schema)}
    stack = [_Frame(schema, "", _edges(schema, schema), None)]
    while stack:
        frame = stack[-1]
        step = next(frame.edges, None)
        if step is None:
            stack.pop()
            on_path.discard(id(frame.node))
            done.add(id(frame.node))
            continue
        child, key, ref = step
        if id(child) in on_path:  # a cycle: name its last $ref, and where that is
            if ref is None:
                ref, stack = next((f.via, stack[:i]) for i, f in reversed(list(enumerate(stack))) if f.via)
            return ref, _where(stack)
        if id(child) not in done:
            on_path.add(id(child))
            stack.append(_Frame(child, key, _edges(schema, child), ref))
    return None


class _Frame(NamedTuple):
    node: Any
    key: str  # where the node is: a step below the frame before, or (entered by a $ref) its pointer
    edges: Iterator[tuple[Any, str, str | None]]
    via: str | None  # the $ref followed to get here


def _where(stack: list[_Frame]) -> str:
    """Where the last node of the walk is, as a JSON pointer."""
    parts: list[str] = []
    for frame in reversed(stack):
        parts.append(frame.key)
        if frame.via is not None:
            break
    return "".join(reversed(parts))


def _edges(schema: Any, node: Any) -> Iterator[tuple[Any, str, str | None]]:
    """The parts of `node` that are schemas or lists (with the step to them), then what its
    `$ref`s point at (with its pointer and the `$ref`)."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            if isinstance(item, dict | list):
                yield item, f"/{index}", None
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key not in VALUES and isinstance(value, dict | list):
            yield value, "/" + str(key).replace("~", "~0").replace("/", "~1"), None
    for keyword in REFS:
        ref = node.get(keyword)
        if isinstance(ref, str):
            target = _target(schema, ref)
            if isinstance(target, dict | list):
                yield target, ref.removeprefix("#"), ref
