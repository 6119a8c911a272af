"""Roles are data: declared in a program folder's `roles.toml`, so a designer adds one without code.

default_role = "Petugas Pusat"       # gets the tasks drawn outside any lane

[[role]]
name = "Petugas Desa"
scope = "village"                  # national | kabupaten | village
description = "..."
read_only = false                  # true: sees its villages, changes nothing (auditors)
designer = false                   # true: reads the definitions and versions (program designers)

A folder without a roles file, or a roles file naming no `default_role`, gives the tasks drawn
outside any lane to the built-in role `Petugas` (DEFAULT_ROLE): admins and anyone granted it work them.
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
# The built-in role of the tasks outside any lane when no roles file names a default role.
DEFAULT_ROLE = "Petugas"
DEFAULT_ROLE_DESCRIPTION = "Peran bawaan: mengerjakan tugas yang tidak berada di lajur (lane) mana pun"


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
    exists: bool = True  # False: the folder has no roles file

    def __contains__(self, name: object) -> bool:
        return name in self.roles


def _with_built_in(roles: dict[str, RoleDef]) -> dict[str, RoleDef]:
    """`roles` and the built-in default role, unless a role of that name is declared."""
    built_in = RoleDef(DEFAULT_ROLE, "national", DEFAULT_ROLE_DESCRIPTION)
    return roles if DEFAULT_ROLE in roles else {**roles, DEFAULT_ROLE: built_in}


def load(path: Path) -> tuple[Roles, list[Problem]]:
    name = str(path)
    if not path.exists():
        return Roles(_with_built_in({}), None, name, exists=False), []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        return Roles({}, None, name), [Problem.unreadable_toml(name, err, "roles-syntax")]
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
    return Roles(roles if default is not None else _with_built_in(roles), default, name), problems
