"""Who may see and do what: users hold roles nationally, for a kabupaten/kota, or for a village.

A task's role is its lane's name (or the declared default role for tasks outside any lane). A
user may act on a task when one of their grants names that role and covers the task's village.
Admins may act on any task; the history marks that as an override.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from engine.definitions.roles import SCOPE_WIDTH
from engine.errors import InvalidInput, NotFound
from engine.store.fastsql import Sql
from engine.store.models import HumanTask, Role, RoleAssignment, User, Village


@dataclass(frozen=True)
class Grant:
    role: str
    scope: str  # national | kabupaten | village
    code: str = ""
    read_only: bool = False  # an auditor's grant: to see, never to change
    designer: bool = False  # a program designer's grant: the definitions, not the villages

    def covers(self, village_code: str, kabupaten_code: str) -> bool:
        if self.scope == "national":
            return True
        if self.scope == "kabupaten":
            return kabupaten_code == self.code
        return village_code == self.code


@dataclass
class Principal:
    username: str
    is_admin: bool = False
    grants: list[Grant] = field(default_factory=list)

    def may_act(self, role: str, village_code: str, kabupaten_code: str) -> bool:
        return any(
            g.role == role and not g.read_only and g.covers(village_code, kabupaten_code) for g in self.grants
        )

    def may_see_village(self, village_code: str, kabupaten_code: str) -> bool:
        return self.is_admin or any(
            not g.designer and g.covers(village_code, kabupaten_code) for g in self.grants
        )

    def may_change_village(self, village_code: str, kabupaten_code: str) -> bool:
        """Start work or save drafts there: a grant that is not read-only covers the village."""
        return self.is_admin or any(
            not g.read_only and g.covers(village_code, kabupaten_code) for g in self.grants
        )

    @property
    def is_national_staff(self) -> bool:
        return any(g.scope == "national" and not g.read_only for g in self.grants)

    @property
    def is_auditor(self) -> bool:
        """Reads histories: an admin, or someone holding a read-only role (a designer's excepted)."""
        return self.is_admin or any(g.read_only and not g.designer for g in self.grants)

    @property
    def is_designer(self) -> bool:
        return self.is_admin or any(g.designer for g in self.grants)

    def audit_scope(self) -> list[Grant]:
        """The grants through which this person audits (all villages for an admin)."""
        if self.is_admin:
            return [Grant("admin", "national")]
        return [g for g in self.grants if g.read_only and not g.designer]


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


def task_filter(who: Principal) -> ColumnElement[bool]:
    """SQL condition on human_task rows this principal may act on (or has claimed)."""
    if who.is_admin:
        return true()
    clauses: list[ColumnElement[bool]] = [HumanTask.claimed_by == who.username]
    for g in who.grants:
        if g.read_only:
            continue
        if g.scope == "national":
            clauses.append(HumanTask.role == g.role)
        elif g.scope == "kabupaten":
            clauses.append(and_(HumanTask.role == g.role, HumanTask.kabupaten_code == g.code))
        else:
            clauses.append(and_(HumanTask.role == g.role, HumanTask.village_code == g.code))
    return or_(*clauses) if clauses else false()


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
