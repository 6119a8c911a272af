"""The form rules of `desa validate`: a user task names its form (`no-form`), and the form file
exists in the forms folder and is a valid JSON Schema (`form`). Loaded schemas are kept for deploy
and for the rule that checks which data the processes read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree

from engine.definitions.lint.model import BPMN_NS, SPIFF_NS, label, line_of
from engine.errors import Problem

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
        problem = load_form(forms, forms_dir, form)
        if problem:
            found.append(Problem(name, line_of(element), _owner_id(element), problem, "form"))
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


def _owner_id(element: etree._Element) -> str | None:
    node: etree._Element | None = element
    while node is not None:
        if node.get("id"):
            return node.get("id")
        node = node.getparent()
    return None


def load_form(forms: dict[str, Any], forms_dir: Path, form: str) -> str | None:
    """Load `form` into `forms`; why it cannot be used, or None."""
    if form in forms:
        return None
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
    forms[form] = schema
    return None


MAX_FORM_BYTES = 1024 * 1024


def _unresolved_ref(schema: Any) -> str | None:
    """The first `$ref` of the schema that does not point at a place in the schema itself."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not _resolves(schema, ref):
                return ref
            stack.extend(v for k, v in node.items() if k not in ("enum", "const", "default", "examples"))
    return None


def _resolves(schema: Any, ref: str) -> bool:
    if ref == "#":
        return True
    if not ref.startswith("#/"):
        return False
    target = schema
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(target, dict) and part in target:
            target = target[part]
        elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        else:
            return False
    return True
