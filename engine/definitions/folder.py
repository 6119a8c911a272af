"""Load and check process, decision, form and role files before anything is deployed.

`load(paths)` reads BPMN and DMN files (a folder or single files), the roles file and the JSON
Schemas of the forms, and returns the parsed specs with every problem found, each located by
file, line and element id in the terms of the person who edits the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from engine import config, spiff
from engine.definitions import roles as roles_mod
from engine.definitions.lint import bpmn as bpmn_checks
from engine.definitions.lint import dmn as dmn_checks
from engine.definitions.lint import english as english_checks
from engine.definitions.lint import form as form_checks
from engine.definitions.lint import rules as lint
from engine.errors import Problem
from engine.sandbox import xmlsafe

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
PROGRAMS_DIR = Path("processes")  # where the program folders are, one per program


@dataclass
class Bundle:
    """What a set of definition files holds once loaded."""

    processes_dir: Path
    forms_dir: Path
    sources: dict[str, str] = field(default_factory=dict)  # file name -> XML text
    specs: dict[str, spiff.Spec] = field(default_factory=dict)
    forms: dict[str, Any] = field(default_factory=dict)
    roles: roles_mod.Roles | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def default_processes_dir() -> Path:
    """`DESA_PROCESSES_DIR`, else the first program folder under `processes/` (a folder with a
    program.toml or a roles file), else `processes/` itself."""
    configured = config.settings().processes_dir
    if configured is not None:
        return configured
    found = sorted(
        p
        for p in (PROGRAMS_DIR.iterdir() if PROGRAMS_DIR.is_dir() else [])
        if (p / "program.toml").exists() or (p / roles_mod.ROLES_FILE).exists()
    )
    return found[0] if found else PROGRAMS_DIR


def forms_dir_for(processes_dir: Path) -> Path:
    """The forms of a program folder: `DESA_FORMS_DIR`, else a `forms` folder beside it, else the
    folder of the same name under the checkout's `forms/` (`processes/NAME` -> `forms/NAME`)."""
    configured = config.settings().forms_dir
    if configured is not None:
        return configured
    folder = processes_dir.resolve()
    beside = folder.parent / "forms"
    return beside if beside.is_dir() else folder.parent.parent / "forms" / folder.name


def collect(paths: list[Path]) -> tuple[list[Path], Path]:
    """The BPMN/DMN files named by `paths`, and the processes folder whose roles and forms apply."""
    files: list[Path] = []
    processes_dir: Path | None = None
    for path in paths:
        if path.is_dir():
            processes_dir = processes_dir or path
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".bpmn", ".dmn")))
        elif path.suffix in (".bpmn", ".dmn"):
            files.append(path)
    return files, processes_dir or default_processes_dir()


def load(paths: list[Path], processes_dir: Path | None = None) -> Bundle:
    """Every problem of the files named by `paths` (the rules of `engine.lint`), and the specs of
    the processes they define when there is no error. Single files are checked with the roles,
    forms and other files of the processes folder (`processes_dir`, else the folder named, else
    the default one)."""
    files, found_dir = collect(paths)
    base = processes_dir or found_dir
    bundle = Bundle(processes_dir=base, forms_dir=forms_dir_for(base))
    bundle.roles, role_problems = roles_mod.load(base / roles_mod.ROLES_FILE)
    bundle.problems.extend(role_problems)
    if not files:
        # Roles alone may be deployed (they are data); having nothing else is worth a warning.
        bundle.problems.append(
            Problem(str(base), None, None, "no .bpmn or .dmn file found", "no-files", severity="warning")
        )
        return bundle
    parser = spiff.new_parser()
    trees: dict[str, etree._ElementTree] = {}  # the files without schema errors, checked further
    declared: dict[str, etree._ElementTree] = {}  # every file that is XML: what it defines is known
    for path in files:
        name = _display_name(path, base)
        read = _read(path, name, bundle.problems)
        if read is None:
            continue
        tree, text, usable = read
        declared[name] = tree
        if usable:
            trees[name], bundle.sources[name] = tree, text
            _add_to_parser(parser, tree, name, path.suffix == ".dmn", bundle.problems)
    context = _context(base, files, declared, parser, bundle)
    bundle.problems.extend(
        lint.bpmn_problems(trees, context, bundle.roles, bundle.forms, bundle.forms_dir, declared)
    )
    if any(p.is_dir() and p.resolve() == base.resolve() for p in paths):  # the folder, not one file of it
        bpmn = [t for n, t in {**context, **declared}.items() if n.endswith(".bpmn")]
        bundle.problems.extend(english_checks.problems(base, bpmn))
    if bundle.ok:
        _build_specs(parser, bundle, trees)
    return bundle


def _read(path: Path, name: str, problems: list[Problem]) -> tuple[etree._ElementTree, str, bool] | None:
    """The parsed file, its text and whether it may be checked further: not when it breaks its
    schema (a DMN file also when SpiffWorkflow would not run it as meant). None for no XML."""
    content = path.read_bytes()
    try:
        tree = xmlsafe.parse(content, name)
    except xmlsafe.XmlRefused as refused:
        problems.append(refused.problem)
        return None
    found = _xsd_problems(tree, name, path.suffix == ".dmn")
    if not found and path.suffix == ".dmn":
        found = dmn_checks.problems(tree, name)
    problems.extend(found)
    return tree, source_text(content, tree), not found


def _defined_ids(tree: etree._ElementTree) -> set[str]:
    root = tree.getroot()
    ns = etree.QName(root).namespace or ""
    return {str(e.get("id")) for e in root.iter(f"{{{ns}}}process", f"{{{ns}}}decision") if e.get("id")}


def _context(
    base: Path, files: list[Path], trees: dict[str, etree._ElementTree], parser: Any, bundle: Bundle
) -> dict[str, etree._ElementTree]:
    """The other files of the processes folder, for files checked on their own (a draft, or one file
    of the folder): the processes they call, the decisions they use and the processes calling them.
    Problems of those files are not reported (they were not asked about); a file with an error, or
    defining a process or decision the checked files define too, is left out."""
    if not base.is_dir():
        return {}
    asked = {p.resolve() for p in files}
    taken = set().union(*(_defined_ids(t) for t in trees.values()))
    context: dict[str, etree._ElementTree] = {}
    for path in sorted(p for p in base.rglob("*") if p.suffix in (".bpmn", ".dmn")):
        name = _display_name(path, base)
        if path.resolve() in asked or name in trees:
            continue
        ignored: list[Problem] = []
        read = _read(path, name, ignored)
        if read is None or not read[2] or _defined_ids(read[0]) & taken:
            continue
        tree, text, _ = read
        if path.suffix == ".bpmn":
            forms = dict(bundle.forms)
            if any(p.severity == "error" for p in form_checks.problems(tree, name, forms, bundle.forms_dir)):
                continue
            bundle.forms.update(forms)
        _add_to_parser(parser, tree, name, path.suffix == ".dmn", ignored)
        if ignored:
            continue
        context[name], bundle.sources[name] = tree, text
        taken |= _defined_ids(tree)
    return context


# Byte order marks, longest first (the UTF-32 LE mark begins with the UTF-16 LE one).
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)


def source_text(content: bytes, tree: etree._ElementTree) -> str:
    """The text of a parsed XML file, decoded as the file says: by its byte order mark, else by the
    encoding its declaration names (UTF-8 without one); without a mark, UTF-16 and UTF-32 are read in
    the byte order their first character, '<', shows."""
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(codec, errors="replace")
    declared = (getattr(tree.docinfo, "encoding", None) or "utf-8").lower()
    head = content[:4]
    if b"\x00" in head:
        width = 32 if head.count(b"\x00") == 3 else 16
        declared = f"utf-{width}-{'be' if head[0] == 0 else 'le'}"
    try:
        return content.decode(declared, errors="replace")
    except LookupError:  # an encoding lxml knows and Python does not
        return content.decode("utf-8", errors="replace")


def _display_name(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def _element_at(tree: etree._ElementTree, xpath: str | None, line: int | None) -> etree._Element | None:
    """The element an XSD error is about: by its path (prefixed as in the file), else by its line."""
    if xpath:
        namespaces = {prefix: uri for prefix, uri in tree.getroot().nsmap.items() if prefix}
        try:
            found = tree.xpath(xpath, namespaces=namespaces)
        except etree.XPathError:
            found = None
        if isinstance(found, list) and found and isinstance(found[0], etree._Element):
            return found[0]
    if line is not None:
        for element in tree.getroot().iter(etree.Element):
            if bpmn_checks.line_of(element) == line:
                return element
    return None


def _short_names(message: str) -> str:
    return message.replace(f"{{{BPMN_NS}}}", "bpmn:").replace(f"{{{SPIFF_NS}}}", "spiffworkflow:")


_ID_ERROR = re.compile(r"attribute 'id': '(?P<id>[^']*)' is not a valid value of the atomic type 'xs:ID'")


def _id_lines(tree: etree._ElementTree) -> dict[str, list[int]]:
    lines: dict[str, list[int]] = {}
    for element in tree.getroot().iter(etree.Element):
        element_id = element.get("id")
        if element_id is not None:
            lines.setdefault(element_id, []).append(bpmn_checks.line_of(element) or 0)
    return lines


def _xsd_problems(tree: etree._ElementTree, name: str, is_dmn: bool) -> list[Problem]:
    root = tree.getroot()
    root_ns = etree.QName(root).namespace
    if is_dmn:
        schema = spiff.dmn_xsd(root_ns)
        if schema is None:
            return [
                Problem(
                    name, bpmn_checks.line_of(root), None, "not a DMN 1.x document (unknown namespace)", "xsd"
                )
            ]
    else:
        if root_ns != BPMN_NS or etree.QName(root).localname != "definitions":
            found = f"<{etree.QName(root).localname}> in namespace {root_ns or '(none)'}"
            return [
                Problem(
                    name,
                    bpmn_checks.line_of(root),
                    root.get("id"),
                    f"not a BPMN 2.0 document: the root element must be <definitions> in namespace "
                    f"{BPMN_NS}; this file has {found}",
                    "xsd",
                )
            ]
        schema = spiff.bpmn_xsd()
    if schema.validate(tree):
        return []
    problems = []
    id_lines = _id_lines(tree)
    for error in schema.error_log:
        element = _element_at(tree, error.path, error.line)
        element_id = bpmn_checks.owner_id(element) if element is not None else None
        message = _short_names(error.message)
        rule = "xsd"
        bad_id = _ID_ERROR.search(error.message)
        if bad_id:
            value = bad_id.group("id")
            lines = id_lines.get(value, [])
            if len(lines) > 1:
                first = f" (line {lines[0]})" if lines[0] != error.line else ""
                message = (
                    f"duplicate id '{value}': another element in this file already has this id{first}; "
                    "every id must be unique"
                )
                rule = "duplicate-id"
            else:
                message = (
                    f"id '{value}' is not a valid XML id: it must start with a letter or '_' and hold "
                    "no spaces or ':'"
                )
                rule = "invalid-id"
            element_id = value
        problems.append(Problem(name, error.line, element_id, message, rule))
    return problems


def _add_to_parser(
    parser: Any, tree: etree._ElementTree, name: str, is_dmn: bool, problems: list[Problem]
) -> None:
    try:
        if is_dmn:
            parser.add_dmn_xml(tree.getroot(), filename=name)
        else:
            parser.add_bpmn_xml(tree, filename=name)
    except Exception as err:  # SpiffWorkflow raises plain exceptions too; all are a designer's problem
        problems.append(_parse_problem(err, name, tree))


def _parse_problem(err: Exception, name: str, tree: etree._ElementTree | None) -> Problem:
    file_name, element, line, message = spiff.validation_details(err)
    file_name = file_name or name
    if line is None and element and tree is not None:
        found = tree.getroot().xpath("//*[@id=$id]", id=element)
        if isinstance(found, list) and found and isinstance(found[0], etree._Element):
            line = bpmn_checks.line_of(found[0])
    rule = "spiff"
    if "no support implemented for this task type" in message:
        tag = getattr(err, "tag", "") or "element"
        message = f"SpiffWorkflow cannot run a {tag} element"
        rule = "unsupported-element"
    elif message.startswith("NotImplementedError('Unsupported Catch Event"):
        message = (
            "SpiffWorkflow cannot run this event: a boundary or intermediate catch event must say what "
            "it waits for (a timer, message, signal, error or escalation definition)"
        )
        rule = "unsupported-element"
    elif message.startswith("Multiple outgoing flows are not supported"):
        message = (
            "SpiffWorkflow cannot run a task or event with more than one outgoing sequence flow; "
            "put an exclusive gateway (one way) or a parallel gateway (all ways) after it"
        )
        rule = "unsupported-element"
    return Problem(file_name, line, element, message, rule)


def _build_specs(parser: Any, bundle: Bundle, trees: dict[str, etree._ElementTree]) -> None:
    """The specs of the processes the checked files define (with the processes they call)."""
    defined = set().union(*(_defined_ids(t) for n, t in trees.items() if n.endswith(".bpmn")))
    for process_id in parser.get_process_ids():
        if process_id not in defined:
            continue
        try:
            bundle.specs[process_id] = spiff.parse_spec(parser, process_id)
        except Exception as err:  # a designer's problem, reported with its place
            file_name = getattr(err, "file_name", "") or ""
            bundle.problems.append(_parse_problem(err, file_name, trees.get(file_name)))


def files_of(spec: spiff.Spec) -> set[str]:
    return {s.file for s in spiff.all_specs(spec) if getattr(s, "file", None)}


def forms_of(spec: spiff.Spec) -> set[str]:
    found = set()
    for process in spiff.all_specs(spec):
        for task_spec in process.task_specs.values():
            form = spiff.form_of(task_spec)
            if form:
                found.add(form)
    return found
