"""Who may see and do what: users hold roles nationally, for a kabupaten/kota, or for a village.

A task's role is its lane's name (or the declared default role for tasks outside any lane). A
user may act on a task when one of their grants names that role and covers the task's village.
Admins may act on any task; the history marks that as an override.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from engine.definitions.roles import SCOPE_WIDTH
from engine.errors import InvalidInput, NotFound
from engine.sandbox import json_input
from engine.store.fastsql import Sql
from engine.store.models import HumanTask, Role, RoleAssignment, User, Village

Action = Literal["see", "change", "act", "audit"]
ACTIONS: tuple[Action, ...] = ("see", "change", "act", "audit")


@dataclass(frozen=True)
class Grant:
    role: str
    scope: str  # national | kabupaten | village
    code: str = ""
    read_only: bool = False  # an auditor's grant: to see, never to change
    designer: bool = False  # a program designer's grant: the definitions, not the villages

    def covers(self, village_code: str | None) -> bool:
        """Whether the grant reaches the village (`None`: every village, which only a national grant does)."""
        if self.scope == "national":
            return True
        if village_code is None:
            return False
        if self.scope == "kabupaten":
            return kabupaten_code_of(village_code) == self.code
        return village_code == self.code

    def allows(self, action: Action, role: str | None) -> bool:
        """What the grant lets its holder do, wherever it covers."""
        if action == "see":
            return not self.designer
        if action == "change":
            return not self.read_only
        if action == "audit":
            return self.read_only and not self.designer
        return not self.read_only and self.role == role


@dataclass
class Principal:
    username: str
    is_admin: bool = False
    grants: list[Grant] = field(default_factory=list)

    @property
    def is_auditor(self) -> bool:
        """Reads histories: an admin, or someone holding a read-only role (a designer's excepted)."""
        return self.is_admin or any(g.allows("audit", None) for g in self.grants)

    @property
    def is_designer(self) -> bool:
        return self.is_admin or any(g.designer for g in self.grants)


def may(who: Principal, action: Action, village_code: str | None = None, role: str | None = None) -> bool:
    """The one rule of who may do what where; every page, the API and the runtime ask it.

    - `see` a village (its page, its tasks, its instances): any grant covering it, a designer's excepted;
    - `change` it (start work, keep drafts, and for `None` reassign anywhere): a grant that is not read-only;
    - `act` on a task of `role` there: a grant of that role that is not read-only;
    - `audit` its histories: a read-only grant (an auditor's) covering it.

    `village_code=None` asks about every village at once, which only national grants answer. Admins
    may do everything everywhere (acting on a task without its role is an override the history marks:
    `holds_role` tells it apart).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return who.is_admin or any(g.allows(action, role) and g.covers(village_code) for g in who.grants)


def may_anywhere(who: Principal, action: Action) -> bool:
    """Whether `who` may do `action` in some village (any of them): e.g. whether to show a menu."""
    return who.is_admin or any(g.allows(action, None) for g in who.grants)


def holds_role(who: Principal, role: str, village_code: str) -> bool:
    """Whether `who` acts on a task of `role` in the village by a grant (not as an admin's override)."""
    return any(g.allows("act", role) and g.covers(village_code) for g in who.grants)


def village_filter(who: Principal, action: Action) -> ColumnElement[bool] | None:
    """SQL condition on village rows where `who` may do `action`; None when that is every village."""
    if may(who, action):
        return None
    clauses = [
        Village.kabupaten_code == g.code if g.scope == "kabupaten" else Village.code == g.code
        for g in who.grants
        if g.allows(action, None) and g.scope != "national"
    ]
    return or_(*clauses) if clauses else false()


SYSTEM = Principal("system", is_admin=True)


def principal(session: Session, username: str) -> Principal:
    """The user with their grants, in one query (every step asks)."""
    rows = Sql.of(session).all(
        "SELECT u.is_admin, u.active, g.role, g.scope, g.scope_code, r.read_only, r.designer "
        "FROM user_account u LEFT JOIN role_assignment g ON g.user_id = u.id "
        "LEFT JOIN role r ON r.name = g.role "
        "WHERE u.username = :name",
        name=username,
    )
    if not rows or not rows[0][1]:
        raise NotFound(f"no active user '{username}'")
    grants = [
        Grant(role, scope, code or "", bool(read_only), bool(designer))
        for _, _, role, scope, code, read_only, designer in rows
        if role is not None
    ]
    return Principal(username, bool(rows[0][0]), grants)


def acting(session: Session, actor: str) -> Principal:
    """Who does a step: the worker (`system`, an admin) or an active user with their grants."""
    json_input.check_names("user", actor)
    return SYSTEM if actor == "system" else principal(session, actor)


def task_filter(who: Principal) -> ColumnElement[bool]:
    """SQL condition on human_task rows this principal may act on (or has claimed)."""
    if who.is_admin:
        return true()
    clauses: list[ColumnElement[bool]] = [HumanTask.claimed_by == who.username]
    for g in who.grants:
        if not g.allows("act", g.role):
            continue
        if g.scope == "national":
            clauses.append(HumanTask.role == g.role)
        elif g.scope == "kabupaten":
            clauses.append(and_(HumanTask.role == g.role, HumanTask.kabupaten_code == g.code))
        else:
            clauses.append(and_(HumanTask.role == g.role, HumanTask.village_code == g.code))
    return or_(*clauses) if clauses else false()


def national_roles(who: Principal) -> set[str] | None:
    """The roles all of whose tasks this principal may act on, wherever they are: None for an admin
    (every role)."""
    if who.is_admin:
        return None
    return {g.role for g in who.grants if g.scope == "national" and g.allows("act", g.role)}


def task_filter_besides(who: Principal, roles: set[str] | None) -> ColumnElement[bool]:
    """`task_filter` without the tasks of `roles`, the roles `national_roles` gave (None: nothing left)."""
    if roles is None:
        return false()
    others = replace(who, grants=[g for g in who.grants if not (g.scope == "national" and g.role in roles)])
    return and_(task_filter(others), HumanTask.role.not_in(roles))


def acting_grants_of_task() -> list[ColumnElement[bool]]:
    """`act` as SQL from the other side: join conditions of role_assignment to the human_task rows its
    grant may act on, one per scope (the caller excludes read-only roles, as `Grant.allows` does)."""
    same_role = RoleAssignment.role == HumanTask.role
    return [
        and_(
            same_role, RoleAssignment.scope == "village", RoleAssignment.scope_code == HumanTask.village_code
        ),
        and_(
            same_role,
            RoleAssignment.scope == "kabupaten",
            RoleAssignment.scope_code == HumanTask.kabupaten_code,
        ),
        and_(same_role, RoleAssignment.scope == "national"),
    ]


def kabupaten_code_of(village_code: str) -> str:
    """`15.01.01.2003` -> `15.01`: the kabupaten/kota part of a Kemendagri region code."""
    parts = village_code.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else ""


def assign(session: Session, username: str, role: str, village: str | None, kabupaten: str | None) -> Grant:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"no user '{username}'")
    declared = session.get(Role, role)
    if declared is None:
        known = ", ".join(session.scalars(select(Role.name).order_by(Role.name))) or "none deployed yet"
        raise InvalidInput(f"'{role}' is not a declared role (declared: {known})")
    if village and kabupaten:
        raise InvalidInput("give either --village or --kabupaten, not both")
    if village:
        if session.get(Village, village) is None:
            raise NotFound(f"no village with code '{village}'")
        grant = Grant(role, "village", village)
    elif kabupaten:
        grant = Grant(role, "kabupaten", kabupaten)
    else:
        grant = Grant(role, "national", "")
    if SCOPE_WIDTH[grant.scope] > SCOPE_WIDTH[declared.scope]:
        raise InvalidInput(
            f"role '{role}' is declared with {declared.scope} scope; grant it for a "
            + ("village (--village CODE)" if declared.scope == "village" else "kabupaten or village")
        )
    exists = session.scalars(
        select(RoleAssignment).where(
            RoleAssignment.user_id == user.id,
            RoleAssignment.role == role,
            RoleAssignment.scope == grant.scope,
            RoleAssignment.scope_code == grant.code,
        )
    ).first()
    if exists is None:
        session.add(RoleAssignment(user_id=user.id, role=role, scope=grant.scope, scope_code=grant.code))
    return grant
