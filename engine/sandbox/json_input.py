"""Data submitted to the engine (a task's answers, a start's or a message's data) must be plain JSON
the engine can store, hash and send back: objects with text keys, lists, text, finite numbers,
booleans and null, nested no deeper than MAX_DEPTH, whole numbers of at most MAX_DIGITS digits,
and text that UTF-8 and PostgreSQL can hold (no lone surrogates, no NUL). Anything else is refused
before a step runs, naming where it is: without this check such values surfaced as crashes deep in
the step (recursion limits when serializing, Python's limit on digits, unencodable text) instead of
a message to the person. Names and ids given to the engine are checked the same way.
"""

from __future__ import annotations

import math
from typing import Any

from engine.errors import FieldError, InvalidInput, NotFound

MAX_DEPTH = 32  # the program's forms nest 4 levels
MAX_DIGITS = 4000  # below Python's limit for turning a whole number into text (4300)


def _problem(path: list[str], message: str, message_en: str, code: str) -> FieldError:
    return FieldError("/".join(path) or "(form)", message, message_en, code)


def _walk(value: Any, path: list[str], depth: int) -> FieldError | None:
    if depth > MAX_DEPTH:
        return _problem(
            path,
            f"data bersarang lebih dari {MAX_DEPTH} tingkat",
            f"nested deeper than {MAX_DEPTH} levels",
            "too-deep",
        )
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        if value.bit_length() > MAX_DIGITS * 10 // 3:  # about MAX_DIGITS decimal digits
            return _problem(
                path,
                f"angka lebih dari {MAX_DIGITS} digit",
                f"a number of more than {MAX_DIGITS} digits",
                "too-large",
            )
        return None
    if isinstance(value, float):
        if math.isfinite(value):
            return None
        return _problem(path, "bukan angka yang sah", "not a finite number", "not-json")
    if isinstance(value, str):
        return _text(value, path)
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _walk(item, [*path, str(index)], depth + 1)
            if found:
                return found
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return _problem(path, "nama isian harus teks", "field names must be text", "not-json")
            found = _text(key, [*path, key]) or _walk(item, [*path, key], depth + 1)
            if found:
                return found
        return None
    return _problem(path, "bukan data JSON", "not JSON data", "not-json")


def _text(value: str, path: list[str]) -> FieldError | None:
    try:
        value.encode("utf-8")
        unfit = "\x00" in value  # PostgreSQL's text cannot hold it
    except UnicodeEncodeError:
        unfit = True
    if unfit:
        return _problem(
            path, "teks berisi karakter yang tidak sah", "text holds an invalid character", "not-json"
        )
    return None


def check(data: Any, what: str) -> None:
    """Raise InvalidInput naming the first value of `data` the engine cannot keep."""
    found = _walk(data, [], 0)
    if found:
        raise InvalidInput(f"{what}: {found.path}: {found.message_en}", [found])


def check_names(what: str, *values: str) -> None:
    """Raise NotFound when a name or id given to the engine (a task id, a village code, a user
    name) holds text no database can look up: nothing can have that name."""
    for value in values:
        if _text(value, []) is not None:
            raise NotFound(f"no {what} {value!r}")
