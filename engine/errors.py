"""The few errors the engine raises; callers map them to exit codes or HTTP statuses in one place."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

_TOML_AT = re.compile(r"\(at line (\d+), column \d+\)")  # where tomllib says the error is


class EngineError(Exception):
    """Base of every error the engine reports to a person."""


class NotFound(EngineError):
    """The thing asked for does not exist, or the caller may not know that it exists."""


class Forbidden(EngineError):
    """The caller is known but may not do this."""


class Conflict(EngineError):
    """Someone else changed the same thing first; nothing was written."""


@dataclass
class FieldError:
    """One field's problem: `message` in Bahasa Indonesia, `message_en` in English, and a code with
    parameters (`minimum`, {"limit": 17}) for any other wording."""

    path: str
    message: str
    message_en: str = ""
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict)


class InvalidInput(EngineError):
    """Submitted data breaks the rules; `fields` says which field and why."""

    def __init__(self, message: str, fields: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or []


@dataclass
class Problem:
    """One thing wrong in a definition file, located for the person who edits it."""

    file: str
    line: int | None
    element: str | None
    message: str
    rule: str = "invalid"
    severity: str = "error"
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def unreadable_toml(cls, file: str, err: Exception, rule: str) -> Problem:
        """A TOML file that cannot be read (`err`: tomllib's error, or the decoding's), on the line
        tomllib names."""
        at = _TOML_AT.search(str(err)) if isinstance(err, tomllib.TOMLDecodeError) else None
        return cls(file, int(at.group(1)) if at else None, None, f"not valid TOML: {err}", rule)

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        elem = f" [{self.element}]" if self.element else ""
        return f"{where}:{elem} {self.message} ({self.rule})"


class DefinitionError(EngineError):
    """Process, decision, form or role files that cannot be deployed as they are."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "invalid definitions"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first + more)


class ScriptError(EngineError):
    """A script or expression in a process was refused or failed; names the task."""
