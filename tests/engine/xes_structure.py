"""The rules of an IEEE 1849-2016 XES document, checked one by one (no package ships the schema).

What the standard's XML serialization requires: a `log` root (no namespace) with a decimal
`xes.version`; its children in the order extension*, global*, classifier*, attribute*, trace*,
event*; a trace's attributes before its events; an event holding attributes only; attribute
elements string/date/int/float/boolean/id/list with an XML-name `key` and a `value` of their
type (xs:dateTime, xs:long, xs:double, xs:boolean); no text but whitespace between elements; and
the attribute types and lifecycle terms of the standard extensions. When DESA_XES_XSD names a
copy of the official schema, `schema_problems` validates against it as well.
"""

from __future__ import annotations

import math
import os
import re
from datetime import datetime

from lxml import etree

DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
NAME = re.compile(r"[A-Za-z_:][A-Za-z0-9_:.\-]*")
NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
DATETIME = re.compile(r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")
DOUBLE = re.compile(r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF)|NaN")
ATTRIBUTES = {"string", "date", "int", "float", "boolean", "id", "list"}
LOG_ORDER = ["extension", "global", "classifier", "attribute", "trace", "event"]
STANDARD_TRANSITIONS = {
    "schedule",
    "assign",
    "withdraw",
    "reassign",
    "start",
    "suspend",
    "resume",
    "pi_abort",
    "ate_abort",
    "complete",
    "autoskip",
    "manualskip",
    "unknown",
}
EXTENSION_TYPES = {
    "concept:name": "string",
    "concept:instance": "string",
    "time:timestamp": "date",
    "org:resource": "string",
    "org:role": "string",
    "org:group": "string",
    "lifecycle:transition": "string",
    "lifecycle:model": "string",
}


def _where(element: etree._Element) -> str:
    return f"line {element.sourceline} <{element.tag}>"


def _text(element: etree._Element, problems: list[str]) -> None:
    for child in element:
        if (child.tail or "").strip():
            problems.append(f"{_where(element)}: text between elements")
    if (element.text or "").strip():
        problems.append(f"{_where(element)}: text in an element-only element")


def _value(kind: str, value: str) -> bool:
    if kind == "date":
        if not DATETIME.fullmatch(value):
            return False
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True
    if kind == "int":
        return re.fullmatch(r"[+-]?\d+", value) is not None and -(2**63) <= int(value) < 2**63
    if kind == "float":
        return DOUBLE.fullmatch(value) is not None and (
            value in ("INF", "-INF", "NaN") or math.isfinite(float(value))
        )
    if kind == "boolean":
        return value in ("true", "false", "1", "0")
    return True


def _attribute(element: etree._Element, problems: list[str]) -> None:
    kind, key = str(element.tag), element.get("key")
    if key is None or not NAME.fullmatch(key):
        problems.append(f"{_where(element)}: key {key!r} is not an XML name")
    allowed = {"key"} if kind == "list" else {"key", "value"}
    if set(element.attrib) - allowed:
        problems.append(f"{_where(element)}: unexpected attributes {sorted(set(element.attrib) - allowed)}")
    if kind == "list":
        if [c.tag for c in element] != ["values"]:
            problems.append(f"{_where(element)}: a list holds one <values>")
    else:
        value = element.get("value")
        if value is None or not _value(kind, value):
            problems.append(f"{_where(element)}: value {value!r} is not a valid {kind}")
    expected = EXTENSION_TYPES.get(key or "")
    if expected and kind != expected:
        problems.append(f"{_where(element)}: {key} must be a {expected}")
    if key == "lifecycle:transition" and element.get("value") not in STANDARD_TRANSITIONS:
        problems.append(f"{_where(element)}: {element.get('value')!r} is not a standard transition")
    for child in element:
        if child.tag != "values":
            _attributable(child, problems)
        else:
            for grandchild in child:
                _attributable(grandchild, problems)
    _text(element, problems)


def _attributable(element: etree._Element, problems: list[str]) -> None:
    if element.tag not in ATTRIBUTES:
        problems.append(f"{_where(element)}: not an attribute element")
        return
    _attribute(element, problems)


def _ordered(parent: etree._Element, order: list[str], problems: list[str]) -> None:
    last = 0
    for child in parent:
        group = "attribute" if child.tag in ATTRIBUTES else str(child.tag)
        if group not in order:
            problems.append(f"{_where(child)}: not allowed in <{parent.tag}>")
            continue
        if order.index(group) < last:
            problems.append(f"{_where(child)}: out of order in <{parent.tag}>")
        last = order.index(group)


def problems(document: etree._ElementTree) -> list[str]:
    """Everything in `document` that breaks the XES rules above (empty: none)."""
    found: list[str] = []
    log = document.getroot()
    if log.tag != "log":
        return [f"the root is <{log.tag}>, not <log> without a namespace"]
    version = log.get("xes.version")
    if version is None or not DECIMAL.fullmatch(version):
        found.append(f"xes.version {version!r} is not a decimal")
    if set(log.attrib) - {"xes.version", "xes.features"}:
        found.append(
            f"<log> has unexpected attributes {sorted(set(log.attrib) - {'xes.version', 'xes.features'})}"
        )
    _ordered(log, LOG_ORDER, found)
    _text(log, found)
    for child in log:
        if child.tag == "extension":
            names = {"name": NCNAME, "prefix": NCNAME, "uri": re.compile(r"\S+")}
            for attr, pattern in names.items():
                if not pattern.fullmatch(child.get(attr) or ""):
                    found.append(f"{_where(child)}: {attr} missing or invalid")
        elif child.tag == "global":
            if child.get("scope") not in (None, "trace", "event"):
                found.append(f"{_where(child)}: scope is trace or event")
            for attribute in child:
                _attributable(attribute, found)
        elif child.tag == "classifier":
            if not NCNAME.fullmatch(child.get("name") or "") or not (child.get("keys") or "").strip():
                found.append(f"{_where(child)}: a classifier has an NCName name and keys")
        elif child.tag == "trace":
            _ordered(child, ["attribute", "event"], found)
            _text(child, found)
            for item in child:
                if item.tag == "event":
                    _event(item, found)
                else:
                    _attributable(item, found)
        elif child.tag == "event":
            _event(child, found)
        else:
            _attributable(child, found)
    return found


def _event(event: etree._Element, problems: list[str]) -> None:
    _text(event, problems)
    for attribute in event:
        _attributable(attribute, problems)


def schema_problems(document: etree._ElementTree) -> list[str]:
    """Validation against the official schema, when DESA_XES_XSD names a copy of it."""
    path = os.environ.get("DESA_XES_XSD")
    if not path:
        return []
    schema = etree.XMLSchema(etree.parse(path))
    if schema.validate(document):
        return []
    return [str(error) for error in schema.error_log]
