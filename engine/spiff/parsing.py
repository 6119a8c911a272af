"""The BPMN/DMN parser and the XSDs the definitions are checked against."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.spiff.serialize import Spec


def new_parser() -> Any:
    """A parser without its own XSD validation: the registry validates with line numbers first."""
    return SpiffBpmnParser()


def bpmn_xsd() -> Any:
    from SpiffWorkflow.spiff.parser.process import VALIDATOR

    return VALIDATOR.validator


def dmn_xsd(namespace: str | None) -> Any:
    from lxml import etree
    from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS

    path = SCHEMAS.get(namespace)
    return etree.XMLSchema(etree.parse(path)) if path else None


def parse_spec(parser: Any, process_id: str) -> Spec:
    spec = parser.get_spec(process_id)
    subs = parser.get_subprocess_specs(process_id)
    return Spec(process_id, spec.description or process_id, spec, subs)


def validation_details(err: Exception) -> tuple[str, str | None, int | None, str]:
    """(file, element id, line, message) of a SpiffWorkflow parse error."""
    file_name = getattr(err, "file_name", "") or ""
    element = getattr(err, "id", None) or None
    line = getattr(err, "line_number", None)
    message = str(err.args[0]) if err.args else str(err)
    return file_name, element, line if isinstance(line, int) else None, message
