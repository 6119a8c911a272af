"""Parse BPMN and DMN files as the untrusted input they are.

No DTDs (so no external entities and no entity bombs), no network, no huge trees. A refused file
is reported with its name and line, never with a parser traceback.
"""

from __future__ import annotations

import re

from lxml import etree

from engine.errors import Problem

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


DOCTYPE_REFUSED = (
    "a DOCTYPE or ENTITY declaration is not allowed in process files "
    "(it can read server files or exhaust memory); remove it"
)
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
_TRAILING_POSITION = re.compile(r", line \d+, column (\d+)$")


def _scan_text(content: bytes) -> str:
    """The content as text for looking for declarations, whatever its encoding (UTF-8, UTF-16, ...)."""
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(codec, errors="replace")
    head = content[:4]
    if head.startswith(b"\x00\x00\x00") or head.endswith(b"\x00\x00\x00"):
        return content.decode("utf-32-be" if head[0] == 0 else "utf-32-le", errors="replace")
    if b"\x00" in head:
        return content.decode("utf-16-be" if head[0] == 0 else "utf-16-le", errors="replace")
    return content.decode("latin-1")  # byte-transparent for UTF-8 and the other ASCII-based encodings


def parse(content: bytes, filename: str) -> etree._ElementTree:
    if len(content) > MAX_BYTES:
        raise XmlRefused(
            Problem(filename, None, None, f"file is larger than {MAX_BYTES // (1024 * 1024)} MB", "too-large")
        )
    text = _scan_text(content)
    upper = text.upper()
    found = [at for at in (upper.find("<!DOCTYPE"), upper.find("<!ENTITY")) if at >= 0]
    if found:
        line = text[: min(found)].count("\n") + 1
        raise XmlRefused(Problem(filename, line, None, DOCTYPE_REFUSED, "doctype-refused"))
    try:
        tree = etree.ElementTree(etree.fromstring(content, _parser()))
    except etree.XMLSyntaxError as err:
        lineno: int | None = err.lineno if isinstance(err.lineno, int) else None
        raise XmlRefused(
            Problem(filename, lineno, None, _syntax_message(err, text, lineno), "xml-syntax")
        ) from err
    if getattr(tree.docinfo, "doctype", ""):  # not in lxml-stubs
        raise XmlRefused(Problem(filename, 1, None, DOCTYPE_REFUSED, "doctype-refused"))
    return tree


def _syntax_message(err: etree.XMLSyntaxError, text: str, line: int | None) -> str:
    message = str(err.msg or "").strip()
    column = _TRAILING_POSITION.search(message)
    if column:  # the line is reported apart; keep the column
        message = message[: column.start()] + f" (column {column.group(1)})"
    if (
        line is not None
        and "mismatch" not in message
        and _at_end(text, line, int(column.group(1)) if column else 1)
    ):
        message += "; the file ends before its elements are closed: is it cut off?"
    return f"not well-formed XML: {message}"


def _at_end(text: str, line: int, column: int) -> bool:
    """Whether only blanks follow the place an error was found: the parser ran out of file."""
    lines = text.split("\n")
    if line > len(lines):
        return True
    rest = lines[line - 1][max(column - 1, 0) :] + "".join(lines[line:])
    return not rest.strip()
