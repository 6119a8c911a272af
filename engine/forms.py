"""Check submitted task data against the task's JSON Schema form, field by field."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from .errors import FieldError, InvalidInput


def field_path(parts: Any) -> str:
    return "/".join(str(p) for p in parts)


_FORMAT_CHECKER = FormatChecker()
# Validators by schema identity: a deployed version's schemas live as long as its cache entry.
_VALIDATORS: dict[int, tuple[dict[str, Any], Draft202012Validator]] = {}


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    cached = _VALIDATORS.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    validator = Draft202012Validator(schema, format_checker=_FORMAT_CHECKER)
    if len(_VALIDATORS) > 512:
        _VALIDATORS.clear()
    _VALIDATORS[id(schema)] = (schema, validator)
    return validator


def errors(schema: dict[str, Any], data: dict[str, Any]) -> list[FieldError]:
    validator = _validator(schema)
    if validator.is_valid(data):
        return []
    found = []
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        path = list(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            # Point at the missing field itself, not at its parent object.
            missing = [name for name in error.validator_value if name not in error.instance]
            path = path + missing[:1]
        message = error.schema.get("errorMessage") if isinstance(error.schema, dict) else None
        found.append(FieldError(field_path(path) or "(form)", str(message or error.message)))
    return found


def validate(schema: dict[str, Any] | None, data: dict[str, Any], form_name: str) -> None:
    if not schema:
        return
    found = errors(schema, data)
    if found:
        summary = "; ".join(f"{e.path}: {e.message}" for e in found[:5])
        raise InvalidInput(f"the data does not fit form '{form_name}': {summary}", found)
