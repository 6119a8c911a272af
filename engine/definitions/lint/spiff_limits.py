"""What SpiffWorkflow 3.2 reads but runs otherwise than BPMN says, for `desa validate`: link events,
which it does not follow (`link-event`); conditional events, whose condition it reads only in the
data their own path carried there, so that one waiting never fires (`conditional-event`); and event
subprocesses started by a timer, which keep a finished instance open until they run
(`timer-event-subprocess`). Each was seen in a process played to its end (tests/engine/test_any_bpmn.py)."""

from __future__ import annotations

from lxml import etree

from engine.definitions.lint.model import BPMN_NS, is_event_subprocess, label, line_of, local
from engine.errors import Problem


def problems(tree: etree._ElementTree, name: str) -> list[Problem]:
    found: list[Problem] = []
    for element in tree.getroot().iter(etree.Element):
        kind, event = local(element), element.getparent()
        if kind == "linkEventDefinition" and event is not None:
            found.append(_link(event, name))
        elif kind == "conditionalEventDefinition" and event is not None:
            found.append(_conditional(event, name))
        elif is_event_subprocess(element):
            found.extend(_timer_started(element, name))
    return sorted(found, key=lambda p: p.line or 0)


def _link(event: etree._Element, name: str) -> Problem:
    return Problem(
        name,
        line_of(event),
        event.get("id"),
        f"{label(event)} is a link event, which the engine (SpiffWorkflow 3.2) does not follow: the "
        "path ends at the link throw event and what follows the link catch event never runs, although "
        "the instance completes; draw a sequence flow from the step before the throw event to the "
        "step after the catch event instead",
        "link-event",
    )


def _conditional(event: etree._Element, name: str) -> Problem:
    return Problem(
        name,
        line_of(event),
        event.get("id"),
        f"{label(event)} waits for a condition, which the engine (SpiffWorkflow 3.2) reads only in the "
        "data its own path carried when it got there: data written later, or on another path, is "
        "never seen, so unless the condition already holds it waits forever; use an exclusive "
        "gateway on the data, a message the step that writes it sends, or a timer",
        "conditional-event",
    )


def _timer_started(subprocess: etree._Element, name: str) -> list[Problem]:
    return [
        Problem(
            name,
            line_of(start),
            start.get("id"),
            f"{label(subprocess)} is started by a timer: the engine (SpiffWorkflow 3.2) keeps the "
            "instance open until the timer fires, and then runs the event subprocess, even when the "
            "rest of the process has ended; if its work has no point once the process is done, attach "
            "a non-interrupting boundary timer to the task or subprocess it is about instead",
            "timer-event-subprocess",
            severity="warning",
        )
        for start in subprocess.iterchildren(f"{{{BPMN_NS}}}startEvent")
        if start.find(f"{{{BPMN_NS}}}timerEventDefinition") is not None
    ]
