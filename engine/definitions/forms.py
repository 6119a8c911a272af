"""Check submitted task data against the task's JSON Schema form, field by field.

Forms are JSON Schema draft 2020-12, with two keywords of ours for what a plain schema cannot say:

- `x-desa-choices: {"from": "peserta", "value": "nama"}` on a string: the value must be one of
  the `nama` of the list `peserta` already in the task's data (board members chosen from the
  participants, attendance ticked from the registered list). Resolved into an `enum` at check time.
- `x-desa-distinct: ["ketua", "sekretaris", "bendahara"]` on an object: those fields must differ.

Each problem comes back as a `FieldError` with its path (`peserta/3/umur`), a message in Bahasa
Indonesia, an English one, and a code with parameters for other wordings.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend

from engine.definitions.form_messages import describe
from engine.errors import FieldError, InvalidInput
from engine.sandbox import guard, patterns

CHOICES = "x-desa-choices"
_MISSING = re.compile(r"^'(.+)' is a required property$")
DISTINCT = "x-desa-distinct"


def field_path(parts: Any) -> str:
    return "/".join(str(p) for p in parts)


def _matches(pattern: str, text: str) -> bool | None:
    """Whether `text` matches; None when it could not be checked in time."""
    try:
        return patterns.search(pattern, text)
    except guard.SandboxError:
        return None


def _pattern(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]) -> Any:
    if not validator.is_type(instance, "string"):
        return
    matched = _matches(pattern, instance)
    if matched is None:
        yield ValidationError(f"{instance!r} could not be checked against {pattern!r} in time")
    elif not matched:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, by_pattern: dict[str, Any], instance: Any, schema: Any) -> Any:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in by_pattern.items():
        for name, value in instance.items():
            if _matches(pattern, name):
                yield from validator.descend(value, subschema, path=name, schema_path=pattern)


def _additional_properties(validator: Any, allowed: Any, instance: Any, schema: dict[str, Any]) -> Any:
    if not validator.is_type(instance, "object"):
        return
    known, by_pattern = schema.get("properties", {}), schema.get("patternProperties", {})
    extras = [
        name for name in instance if name not in known and not any(_matches(p, name) for p in by_pattern)
    ]
    if validator.is_type(allowed, "object"):
        for name in extras:
            yield from validator.descend(instance[name], allowed, path=name)
    elif not allowed and extras:
        listed = ", ".join(repr(name) for name in sorted(extras, key=str))
        yield ValidationError(f"Additional properties are not allowed ({listed} unexpected)")


# JSON Schema with the form's regular expressions run by `engine.sandbox.patterns` (RE2, linear
# time), not by Python's backtracking `re`: a `pattern` such as ^(a+)+$ cannot hold a completion.
FormValidator = extend(  # type: ignore[no-untyped-call]
    Draft202012Validator,
    {
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
    },
)
_FORMAT_CHECKER = FormatChecker()
# Validators by schema identity: a deployed version's schemas live as long as its cache entry.
_VALIDATORS: dict[int, tuple[dict[str, Any], Any]] = {}


def _validator(schema: dict[str, Any]) -> Any:
    cached = _VALIDATORS.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    validator = FormValidator(schema, format_checker=_FORMAT_CHECKER)
    if len(_VALIDATORS) > 512:
        _VALIDATORS.clear()
    _VALIDATORS[id(schema)] = (schema, validator)
    return validator


_CHOICES_USED: dict[int, tuple[dict[str, Any], bool]] = {}  # by schema identity, as _VALIDATORS


def _uses_choices(schema: dict[str, Any]) -> bool:
    cached = _CHOICES_USED.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    used = CHOICES in json.dumps(schema)
    if len(_CHOICES_USED) > 512:
        _CHOICES_USED.clear()
    _CHOICES_USED[id(schema)] = (schema, used)
    return used


def choices(source: dict[str, Any], context: dict[str, Any]) -> list[Any]:
    """The values `x-desa-choices` allows, read from the task's data."""
    items = context.get(str(source.get("from", "")))
    key = source.get("value")
    if not isinstance(items, list):
        return []
    if key is None:
        return [item for item in items if isinstance(item, str | int)]
    return [item[key] for item in items if isinstance(item, dict) and key in item]


def resolve(schema: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    """The schema with every `x-desa-choices` turned into an `enum` of the current values."""
    if not _uses_choices(schema):
        return schema
    resolved = copy.deepcopy(schema)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get(CHOICES), dict):
                node["enum"] = choices(node[CHOICES], context)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(resolved)
    return resolved


def _distinct_errors(schema: Any, data: Any, path: list[Any]) -> list[FieldError]:
    found: list[FieldError] = []
    if not isinstance(schema, dict):
        return found
    if isinstance(data, dict):
        names = schema.get(DISTINCT)
        if isinstance(names, list):
            seen: dict[Any, str] = {}
            for name in names:
                value = data.get(name)
                if value in (None, ""):
                    continue
                if value in seen:
                    params = {"other": seen[value], "value": value}
                    message, message_en = describe("distinct", params)
                    found.append(
                        FieldError(field_path([*path, name]), message, message_en, "distinct", params)
                    )
                else:
                    seen[value] = name
        for name, sub in (schema.get("properties") or {}).items():
            if name in data:
                found.extend(_distinct_errors(sub, data[name], [*path, name]))
    elif isinstance(data, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(data):
            found.extend(_distinct_errors(schema["items"], item, [*path, index]))
    return found


def _field_error(error: ValidationError) -> FieldError:
    path: list[Any] = list(error.absolute_path)
    params: dict[str, Any] = {"limit": error.validator_value}
    if error.validator == "required" and isinstance(error.instance, dict):
        # Point at the missing field itself (jsonschema reports one error per missing field).
        named = _MISSING.match(error.message)
        required: Any = error.validator_value
        missing = [named.group(1)] if named else [n for n in required if n not in error.instance][:1]
        path = path + missing
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = (error.schema.get("properties") or {}) if isinstance(error.schema, dict) else {}
        extra = [name for name in error.instance if name not in known]
        path = path + extra[:1]
    if error.validator == "enum" and isinstance(error.schema, dict) and CHOICES in error.schema:
        code = "choice"
        params = {"value": error.instance, "from": error.schema[CHOICES].get("from")}
    else:
        code = str(error.validator)
        if isinstance(error.schema, dict):
            params.update({"value": error.instance, "format": error.schema.get("format")})
    custom = error.schema.get("errorMessage") if isinstance(error.schema, dict) else None
    message, message_en = describe(code, params, fallback=error.message)
    if custom:
        message = str(custom)
    return FieldError(field_path(path) or "(form)", message, message_en, code, params)


def errors(
    schema: dict[str, Any], data: dict[str, Any], context: dict[str, Any] | None = None
) -> list[FieldError]:
    # Lists a form itself fills may serve its own choices; anything else comes from the task's data,
    # never from fields the form does not have.
    own = {k: v for k, v in data.items() if k in (schema.get("properties") or {})}
    schema = resolve(schema, {**(context or {}), **own})
    validator = _validator(schema)
    found: list[FieldError] = []
    if not validator.is_valid(data):
        ordered = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
        found = [_field_error(e) for e in ordered]
    found.extend(_distinct_errors(schema, data, []))
    return found


def validate(
    schema: dict[str, Any] | None, data: dict[str, Any], form_name: str, context: dict[str, Any] | None = None
) -> None:
    """Raise InvalidInput with one message per field when `data` does not fit the form.

    `context` is the task's data: what `x-desa-choices` reads (earlier answers such as the participants)."""
    if not schema:
        return
    try:
        found = errors(schema, data, context)
    except RecursionError as err:  # a form containing itself, deployed before validate refused it
        raise InvalidInput(
            f"formulir '{form_name}' tidak dapat diperiksa: sebuah $ref di dalamnya menunjuk kembali ke "
            "dirinya sendiri (form-ref-cycle); perancang program perlu memperbaikinya"
        ) from err
    if found:
        summary = "; ".join(f"{e.path}: {e.message}" for e in found[:5])
        raise InvalidInput(f"isian tidak sesuai formulir '{form_name}': {summary}", found)
