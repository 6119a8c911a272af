"""Drafts: a form someone started and saved without sending, kept for them on one open task."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, select

from engine import clock
from engine.core import Engine
from engine.directory import access
from engine.runtime import audit
from engine.runtime.actions import check_may_act, open_task
from engine.runtime.step import Step
from engine.store.models import HumanTask, TaskDraft


def save(engine: Engine, task_id: str, user: str, data: dict[str, Any]) -> None:
    """Keep `data` as `user`'s draft of the open task (replacing an earlier one); recorded in the history."""
    stored = json.loads(json.dumps(data, default=str))
    with engine.db.transaction() as session:
        who = access.principal(session, user)
        task = open_task(session, task_id, who)
        check_may_act(who, task)
        now = clock.now(session)
        # Drafts of tasks that are no longer open are of no use to anyone.
        open_ids = select(HumanTask.id)
        session.execute(
            delete(TaskDraft).where(TaskDraft.username == user, TaskDraft.task_id.not_in(open_ids))
        )
        draft = session.scalars(
            select(TaskDraft).where(TaskDraft.task_id == task_id, TaskDraft.username == user)
        ).first()
        if draft is None:
            draft = TaskDraft(task_id=task_id, username=user, data=stored, saved_at=now)
            session.add(draft)
        else:
            draft.data, draft.saved_at = stored, now
        step = Step.bare(engine, session, task.instance_id, now)
        step.save(audit.DRAFT_SAVED, user, {"data": stored, "name": task.name}, task_id, task.bpmn_id)
    step.keep()


def load(engine: Engine, task_id: str, user: str) -> dict[str, Any] | None:
    with engine.db.sessions() as session:
        draft = session.scalars(
            select(TaskDraft).where(TaskDraft.task_id == task_id, TaskDraft.username == user)
        ).first()
        return dict(draft.data) if draft is not None else None
