"""Reading the program's forms (forms/*.json) and checking data against them, for the form tests."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from engine.definitions import forms
from engine.errors import FieldError
from tests.model_desa_program import FORM_EXAMPLES, context_for

FORMS = Path(__file__).resolve().parent.parent / "forms" / "model_desa"


@cache
def load(name: str) -> dict[str, Any]:
    return json.loads((FORMS / name).read_text(encoding="utf-8"))


def schema(name: str) -> dict[str, Any]:
    return copy.deepcopy(load(name))


def example(name: str) -> dict[str, Any]:
    return copy.deepcopy(FORM_EXAMPLES[name])


def check(name: str, data: dict[str, Any]) -> list[FieldError]:
    return forms.errors(schema(name), data, context_for(name))


def only(found: list[FieldError]) -> FieldError:
    assert len(found) == 1, [(e.path, e.code, e.message) for e in found]
    return found[0]
