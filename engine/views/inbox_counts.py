"""An inbox's counts for the roles a person holds nationwide (`access.national_roles`), from the
counts the writers of the open tasks keep (`task_count`, `engine.runtime.task_counts`) instead of
every task of those roles.

The kept counts are per day due and day created (UTC). A day decides most tasks: due before today
is overdue, due before the day SOON_WINDOW from now is due soon, created after the day NEW_WINDOW
ago is new. The tasks of the days that do not decide (due today; due on the day SOON_WINDOW ahead;
created on the day NEW_WINDOW ago) are counted from the tasks themselves, read by their indexes
(`ix_human_task_role_order`, `ix_human_task_role_created`): a day's tasks of those roles, not the
nation's. The rest of a person's inbox (grants of other roles for a kabupaten/kota or a village,
and the tasks they took of other roles) is counted from its tasks, as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import cast

from sqlalchemy import Integer, and_, case, func, or_, select
from sqlalchemy.orm import Session

from engine import clock
from engine.store.models import HumanTask, TaskCount


@dataclass
class InboxSummary:
    """What an inbox page shows besides its tasks: counts, and what the filters can offer."""

    total: int = 0
    mine: int = 0
    unclaimed: int = 0
    overdue: int = 0
    process_ids: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)
    villages: dict[str, str] = field(default_factory=dict)  # code -> name, at most inbox.VILLAGE_CHOICES
    noticed: int = 0  # tasks with a notice (new, due soon, overdue): the header's count


def _start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def kept(
    session: Session, roles: set[str] | None, now: datetime, new: timedelta, soon: timedelta
) -> InboxSummary:
    """The counts of the open tasks of `roles` (None: every role): all, not taken, overdue (due
    before `now`) and with a notice (due within `soon`, or created within `new`), and the roles and
    step processes they are of (not who took them: the caller counts those with the rest)."""
    now = clock.as_utc(now)
    today, soon_day, new_day = now.date(), (now + soon).date(), (now - new).date()
    query = select(
        TaskCount.role,
        TaskCount.process_id,
        TaskCount.claimed,
        TaskCount.due_day,
        TaskCount.created_day,
        func.sum(TaskCount.n),
    ).group_by(
        TaskCount.role, TaskCount.process_id, TaskCount.claimed, TaskCount.due_day, TaskCount.created_day
    )
    if roles is not None:
        query = query.where(TaskCount.role.in_(roles))
    found = InboxSummary()
    late_before, soon_before, new_after = today.isoformat(), soon_day.isoformat(), new_day.isoformat()
    for role, process_id, claimed, due_day, created_day, n in session.execute(query):
        n = int(n or 0)
        if not n:
            continue
        found.total += n
        found.roles.add(role)
        found.process_ids.add(process_id)
        found.unclaimed += 0 if claimed else n
        found.overdue += n if due_day and due_day < late_before else 0
        found.noticed += n if (due_day and due_day < soon_before) or created_day > new_after else 0
    counted = roles if roles is not None else found.roles  # the same statements whatever is open
    if not counted:
        return found
    # The days that do not decide, counted from their tasks (index ranges of the counted roles).
    due, made = HumanTask.due_at, HumanTask.created_at
    late_today = and_(due >= _start(today), due < now)
    soon_start, new_start = _start(soon_day), _start(new_day)
    undecided = or_(
        and_(due >= soon_start, due < soon_start + timedelta(days=1), made < new_start + timedelta(days=1)),
        and_(made >= new_start, made < new_start + timedelta(days=1), or_(due.is_(None), due >= soon_start)),
    )
    told = and_(undecided, or_(due <= now + soon, made >= now - new))
    row = session.execute(
        select(
            func.sum(case((late_today, 1), else_=0), type_=Integer),
            func.sum(case((told, 1), else_=0), type_=Integer),
        ).where(HumanTask.role.in_(counted), HumanTask.suspended.is_(False), or_(late_today, undecided))
    ).one()
    found.overdue += int(cast(int | None, row[0]) or 0)
    found.noticed += int(cast(int | None, row[1]) or 0)
    return found
