"""Checks of BPMN elements for `desa validate`: what SpiffWorkflow cannot run, lanes, calls,
scripts, conditions and timer expressions, each problem located by file, line and element."""

from __future__ import annotations

import ast
import re

from lxml import etree

from engine.definitions import roles as roles_mod
from engine.errors import Problem
from engine.sandbox import guard as sandbox

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}

# Elements SpiffWorkflow 3.2 cannot run; named so designers hear it from `desa validate`, not at run time.
UNSUPPORTED = {
    "complexGateway": "complex gateways",
    "compensateEventDefinition": "compensation events",
    "adHocSubProcess": "ad-hoc subprocesses",
}


def line_of(element: etree._Element) -> int | None:
    """The line an element starts on (typed here: lxml-stubs declare `sourceline` without a type)."""
    line = getattr(element, "sourceline", None)
    return line if isinstance(line, int) else None


def unsupported_elements(tree: etree._ElementTree, name: str) -> list[Problem]:
    problems = []
    for local, what in UNSUPPORTED.items():
        for element in tree.getroot().iter(f"{{{BPMN_NS}}}{local}"):
            owner = element if element.get("id") else element.getparent()
            problems.append(
                Problem(
                    name,
                    line_of(element),
                    owner.get("id") if owner is not None else None,
                    f"SpiffWorkflow cannot run {what} (bpmn:{local}); model it another way",
                    "unsupported-element",
                )
            )
    return problems


# Event definitions whose start events in an event subprocess are interrupting by nature (BPMN
# allows no non-interrupting error start); compensation is refused as unsupported anyway.
_ALWAYS_INTERRUPTING = ("errorEventDefinition", "compensateEventDefinition")


def event_subprocess_problems(tree: etree._ElementTree, name: str) -> list[Problem]:
    """Interrupting start events of event subprocesses: SpiffWorkflow 3.2 does not interrupt."""
    problems = []
    for subprocess in tree.getroot().iter(f"{{{BPMN_NS}}}subProcess", f"{{{BPMN_NS}}}transaction"):
        if (subprocess.get("triggeredByEvent") or "").strip() not in ("true", "1"):
            continue
        for start in subprocess.iterchildren(f"{{{BPMN_NS}}}startEvent"):
            if (start.get("isInterrupting") or "true").strip() in ("false", "0"):
                continue
            kinds = [etree.QName(child).localname for child in start if isinstance(child.tag, str)]
            kinds = [k for k in kinds if k.endswith("EventDefinition")]
            if not kinds or any(k in _ALWAYS_INTERRUPTING for k in kinds):
                continue
            label = subprocess.get("name") or subprocess.get("id")
            problems.append(
                Problem(
                    name,
                    line_of(start),
                    start.get("id") or subprocess.get("id"),
                    f"the start event '{start.get('name') or start.get('id')}' of event subprocess "
                    f"'{label}' is interrupting (isInterrupting is true unless set to false): BPMN stops "
                    "the main flow when it starts, but SpiffWorkflow 3.2 ignores isInterrupting and keeps "
                    'the main flow running alongside it; set isInterrupting="false" if both may run '
                    "together, or model the interruption otherwise (e.g. an interrupting boundary event "
                    "on a subprocess holding the main flow)",
                    "interrupting-event-subprocess",
                )
            )
    return problems


def process_ids(trees: dict[str, etree._ElementTree]) -> set[str]:
    return {
        str(process.get("id"))
        for tree in trees.values()
        for process in tree.getroot().iter(f"{{{BPMN_NS}}}process")
        if process.get("id")
    }


def call_problems(tree: etree._ElementTree, name: str, process_ids: set[str]) -> list[Problem]:
    problems = []
    known = ", ".join(sorted(process_ids)) or "none"
    for call in tree.getroot().iter(f"{{{BPMN_NS}}}callActivity"):
        called = (call.get("calledElement") or "").strip()
        label = f"call activity '{call.get('name') or call.get('id')}'"
        if not called:
            message = f"{label} names no process to call (calledElement is empty)"
        elif called not in process_ids:
            message = (
                f"{label} calls process '{called}', which no loaded file defines (known processes: "
                f"{known}); fix calledElement or validate/deploy it together with the file defining it"
            )
        else:
            continue
        problems.append(Problem(name, line_of(call), call.get("id"), message, "unknown-process"))
    return problems


def decision_problems(tree: etree._ElementTree, name: str, decision_ids: set[str]) -> list[Problem]:
    """Business rule tasks naming a decision no DMN file defines."""
    problems = []
    known = ", ".join(sorted(decision_ids)) or "none"
    for task in tree.getroot().iter(f"{{{BPMN_NS}}}businessRuleTask"):
        called = task.find(f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}calledDecisionId")
        decision = (called.text or "").strip() if called is not None else ""
        if decision in decision_ids:
            continue
        label = f"business rule task '{task.get('name') or task.get('id')}'"
        if not decision:
            message = f"{label} names no decision table (spiffworkflow:calledDecisionId is missing or empty)"
        else:
            message = (
                f"{label} runs decision '{decision}', which no loaded DMN file defines (known decisions: "
                f"{known}); fix calledDecisionId or validate/deploy it together with the DMN file"
            )
        where = called if called is not None else task
        problems.append(Problem(name, line_of(where), task.get("id"), message, "unknown-decision"))
    return problems


def lane_problems(tree: etree._ElementTree, name: str, roles: roles_mod.Roles | None) -> list[Problem]:
    if roles is None or not roles.roles:
        return []
    problems = []
    known = ", ".join(sorted(roles.roles))
    for lane in tree.getroot().iter(f"{{{BPMN_NS}}}lane"):
        lane_name = (lane.get("name") or "").strip()
        if lane_name not in roles:
            problems.append(
                Problem(
                    name,
                    line_of(lane),
                    lane.get("id"),
                    f"lane '{lane_name}' names no declared role (known roles: {known}); "
                    f"fix the lane name or declare the role in {roles_mod.ROLES_FILE}",
                    "unknown-role",
                )
            )
        elif roles.roles[lane_name].read_only:
            problems.append(
                Problem(
                    name,
                    line_of(lane),
                    lane.get("id"),
                    f"lane '{lane_name}' names a read-only role: nobody holding it may do the tasks of "
                    "this lane; put them in the lane of the role that does the work",
                    "read-only-role",
                )
            )
    return problems


def owner_id(element: etree._Element) -> str | None:
    node: etree._Element | None = element
    while node is not None:
        if node.get("id"):
            return node.get("id")
        node = node.getparent()
    return None


_CODE_LINE = re.compile(r"\bLine (\d+):")


def _code_line(element: etree._Element, source: str, why: str, expression: bool) -> int | None:
    """The file line of the first refused line of the code in `element` (its text starts on its line)."""
    start = line_of(element)
    lines = [int(n) for n in _CODE_LINE.findall(why)]
    if start is None or not lines:
        return start
    skipped = source[: len(source) - len(source.lstrip())].count("\n") if expression else 0
    return start + skipped + min(lines) - 1


def _code_reason(why: str, what: str, source: str) -> str:
    """The sandbox's reason, its "Line N:" told as a line of the script, or dropped for one line of code."""
    if "\n" not in source.strip():
        return _CODE_LINE.sub("", why).replace(";  ", "; ").strip()
    return _CODE_LINE.sub(lambda m: f"{what} line {m.group(1)}:", why)


# Where scripts and expressions are written: (tag, an expression?, how a designer calls it).
_CODE = (
    (f"{{{BPMN_NS}}}script", False, "script"),
    (f"{{{SPIFF_NS}}}preScript", False, "pre-script"),
    (f"{{{SPIFF_NS}}}postScript", False, "post-script"),
    (f"{{{BPMN_NS}}}conditionExpression", True, "condition"),
    (f"{{{BPMN_NS}}}loopCardinality", True, "loop cardinality"),
    (f"{{{BPMN_NS}}}completionCondition", True, "completion condition"),
    (f"{{{SPIFF_NS}}}messagePayload", True, "message payload"),
    (f"{{{SPIFF_NS}}}payloadExpression", True, "payload"),
)
_ALWAYS_CHECKED = {f"{{{BPMN_NS}}}script", f"{{{BPMN_NS}}}conditionExpression"}


def expression_problems(tree: etree._ElementTree, name: str) -> list[Problem]:
    """Code the sandbox refuses (`script`) and timers that cannot work (`timer-expression`)."""
    root = tree.getroot()
    problems: list[Problem] = []
    for tag, expression, what in _CODE:
        for element in root.iter(tag):
            source = element.text or ""
            if not source.strip() and tag not in _ALWAYS_CHECKED:
                continue
            why = sandbox.check(source, expression=expression)
            if not why:
                continue
            shown = f"{what} '{source.strip()}'" if expression else what
            problems.append(
                Problem(
                    name,
                    _code_line(element, source, why, expression=expression),
                    owner_id(element),
                    f"{shown} refused: {_code_reason(why, what, source)}",
                    "script",
                )
            )
    for tag in ("timeDuration", "timeDate", "timeCycle"):
        for timer in root.iter(f"{{{BPMN_NS}}}{tag}"):
            why = timer_problem(tag, (timer.text or "").strip())
            if why:
                problems.append(Problem(name, line_of(timer), _event_id(timer), why, "timer-expression"))
    for definition in root.iter(f"{{{BPMN_NS}}}timerEventDefinition"):
        if not any(
            isinstance(child.tag, str) and etree.QName(child).localname.startswith("time")
            for child in definition
        ):
            event = definition.getparent()
            problems.append(
                Problem(
                    name,
                    line_of(definition),
                    owner_id(definition) if event is None else event.get("id"),
                    "the timer says neither how long nor until when to wait: give it a duration "
                    '(timeDuration, e.g. "P14D"), a date (timeDate) or a cycle (timeCycle)',
                    "timer-expression",
                )
            )
    return problems


def _event_id(timer: etree._Element) -> str | None:
    """The id of the event a timer belongs to (the one a designer clicks), not of its definition."""
    definition = timer.getparent()
    event = definition.getparent() if definition is not None else None
    if event is not None and event.get("id"):
        return event.get("id")
    return owner_id(timer)


def timer_problem(tag: str, text: str) -> str | None:
    """Why the timer expression `text` of a timeDuration, timeDate or timeCycle cannot work, or None."""
    if not text:
        return "the timer has no expression"
    why = sandbox.check(text, expression=True)
    if why:
        return f"timer expression refused: {why}"
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        if text.upper().startswith(("P", "R")) and text.replace(":", "").replace("/", "").isalnum():
            return (
                f"timer expressions are Python expressions: {text} is read as a variable name; "
                f'write it with quotes, "{text}"'
            )
        return None  # computed from task data at run time
    if not isinstance(value, str):
        return f"the timer expression must give an ISO 8601 text, not {type(value).__name__}"
    try:
        from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition as T

        if tag == "timeCycle":
            T.parse_iso_recurring_interval(value)
        elif tag == "timeDuration":
            T.parse_iso_duration(value)
        else:
            T.get_datetime(value)
    except Exception:
        return f"'{value}' is not a valid ISO 8601 {'duration' if tag == 'timeDuration' else tag[4:].lower()}"
    return None
