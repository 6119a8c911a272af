"""Roles are data: declared in `processes/roles.toml`, so a designer adds one without code.

default_role = "Fasilitator Pusat"   # gets the tasks drawn outside any lane

[[role]]
name = "Pendamping"
scope = "village"                  # national | kabupaten | village
description = "..."
read_only = false                  # true: sees its villages, changes nothing (auditors)
designer = false                   # true: reads the definitions and versions (program designers)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from engine.errors import Problem

ROLES_FILE = "roles.toml"
SCOPES = ("national", "kabupaten", "village")
# How wide each scope is; a role may be granted for its own scope or a narrower one.
SCOPE_WIDTH = {"national": 3, "kabupaten": 2, "village": 1}


@dataclass(frozen=True)
class RoleDef:
    name: str
    scope: str
    description: str
    read_only: bool = False  # sees what its grants cover and changes nothing (an auditor)
    designer: bool = False  # reads the program's definitions and versions (read-only too)


@dataclass
class Roles:
    roles: dict[str, RoleDef]
    default_role: str | None
    file: str

    def __contains__(self, name: object) -> bool:
        return name in self.roles


def load(path: Path) -> tuple[Roles, list[Problem]]:
    name = str(path)
    if not path.exists():
        return Roles({}, None, name), [
            Problem(name, None, None, "the roles file is missing: lanes cannot be checked", "roles-missing")
        ]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        return Roles({}, None, name), [Problem(name, None, None, f"not valid TOML: {err}", "roles-syntax")]
    problems: list[Problem] = []
    roles: dict[str, RoleDef] = {}
    for index, entry in enumerate(data.get("role", []), start=1):
        role_name = str(entry.get("name", "")).strip()
        scope = str(entry.get("scope", ""))
        if not role_name:
            problems.append(Problem(name, None, f"role #{index}", "a role needs a name", "roles-invalid"))
            continue
        if scope not in SCOPES:
            problems.append(
                Problem(
                    name,
                    None,
                    role_name,
                    f"scope '{scope}' is not one of {', '.join(SCOPES)}",
                    "roles-invalid",
                )
            )
            continue
        if role_name in roles:
            problems.append(Problem(name, None, role_name, "this role is declared twice", "roles-invalid"))
        read_only, designer = entry.get("read_only", False), entry.get("designer", False)
        if not isinstance(read_only, bool) or not isinstance(designer, bool):
            problems.append(
                Problem(
                    name, None, role_name, "read_only and designer must be true or false", "roles-invalid"
                )
            )
            continue
        roles[role_name] = RoleDef(
            role_name, scope, str(entry.get("description", "")), read_only or designer, designer
        )
    default = data.get("default_role")
    if default is not None and default not in roles:
        problems.append(
            Problem(name, None, str(default), "default_role names no declared role", "roles-invalid")
        )
    if not roles:
        problems.append(Problem(name, None, None, "no role is declared", "roles-invalid"))
    return Roles(roles, default, name), problems
