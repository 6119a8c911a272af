"""What an audit event is in an event log: its activity, lifecycle transition, times and data fields.

Shared by the CSV and XES exports. A completed task's activity is the task's name; every other
event is named for what happened ("Task claimed", "Timer fired: <its element id>", "Message
received: <the message's name>"), and an event type this module does not know is named from the
type itself ("DATA_CORRECTED" -> "Data corrected"). Lifecycle transitions are the terms of the
XES Lifecycle extension's standard model.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from engine import clock
from engine.history.export.read import Event
from engine.runtime import audit

# The XES standard lifecycle model (IEEE 1849-2016, Lifecycle extension).
LIFECYCLE = {
    audit.INSTANCE_STARTED: "start",
    audit.TASK_COMPLETED: "complete",
    audit.TASK_CLAIMED: "assign",
    audit.TASK_UNCLAIMED: "reassign",  # the task goes back to its role's pool
    audit.TASK_REASSIGNED: "reassign",
    audit.TIMER_FIRED: "complete",
    audit.MESSAGE_RECEIVED: "complete",
    audit.INSTANCE_SUSPENDED: "suspend",
    audit.INSTANCE_RESUMED: "resume",
    audit.INSTANCE_CANCELLED: "pi_abort",  # the whole process instance is aborted
    audit.INSTANCE_FAILED: "pi_abort",
}
UNKNOWN_TRANSITION = "unknown"


def lifecycle(event: Event) -> str:
    return LIFECYCLE.get(event.type, UNKNOWN_TRANSITION)


def label(event_type: str) -> str:
    """A readable name for an event type: "TASK_CLAIMED" -> "Task claimed"."""
    return event_type.replace("_", " ").strip().capitalize() or "Event"


def task_name(event: Event) -> str | None:
    """The task's name, for the events of a task that record it (completions, drafts)."""
    name = event.data.get("name")
    return name if event.task_id and isinstance(name, str) else None


def role(event: Event) -> str | None:
    found = event.data.get("role")
    return found if isinstance(found, str) else None


def activity(event: Event) -> str:
    if event.type == audit.TASK_COMPLETED:
        return task_name(event) or event.bpmn_id or label(event.type)
    if event.type == audit.TIMER_FIRED and event.bpmn_id:
        return f"{label(event.type)}: {event.bpmn_id}"
    message = event.data.get("name")
    if event.type == audit.MESSAGE_RECEIVED and isinstance(message, str):
        return f"{label(event.type)}: {message}"
    return label(event.type)


def submitted(event: Event) -> dict[str, Any]:
    """The form data the event carries (a completion, a draft, the start), or {}."""
    found = event.data.get("data")
    return found if isinstance(found, dict) else {}


def iso(value: datetime) -> str:
    """ISO 8601 in UTC with its offset, as the hash chain covers it."""
    return clock.as_utc(value).isoformat()


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def text(value: Any) -> str:
    """A field's value as one cell: text as it is, numbers and booleans as JSON writes them, nested
    values as compact JSON, nothing for null."""
    if type(value) is str:
        return value
    return "" if value is None else compact(value)
