"""Parse BPMN and DMN files as the untrusted input they are.

No DTDs (so no external entities and no entity bombs), no network, no huge trees. A refused file
is reported with its name and line, never with a parser traceback.
"""

from __future__ import annotations

from lxml import etree

from .errors import Problem

MAX_BYTES = 10 * 1024 * 1024


class XmlRefused(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse(content: bytes, filename: str) -> etree._ElementTree:
    if len(content) > MAX_BYTES:
        raise XmlRefused(
            Problem(filename, None, None, f"file is larger than {MAX_BYTES // (1024 * 1024)} MB", "too-large")
        )
    if b"<!DOCTYPE" in content[:4096].upper() or b"<!ENTITY" in content.upper():
        line = _line_of(content, (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity"))
        raise XmlRefused(
            Problem(
                filename,
                line,
                None,
                "a DOCTYPE or ENTITY declaration is not allowed in process files "
                "(it can read server files or exhaust memory); remove it",
                "doctype-refused",
            )
        )
    try:
        tree = etree.ElementTree(etree.fromstring(content, _parser()))
    except etree.XMLSyntaxError as err:
        line = err.lineno if isinstance(err.lineno, int) else None
        raise XmlRefused(
            Problem(filename, line, None, f"not well-formed XML: {err.msg}", "xml-syntax")
        ) from err
    if tree.docinfo.doctype:
        raise XmlRefused(
            Problem(filename, 1, None, "a DOCTYPE is not allowed in process files", "doctype-refused")
        )
    return tree


def _line_of(content: bytes, needles: tuple[bytes, ...]) -> int | None:
    positions = [content.find(n) for n in needles if content.find(n) >= 0]
    return content[: min(positions)].count(b"\n") + 1 if positions else None
