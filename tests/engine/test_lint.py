"""`desa validate`'s named rules: each fires on its small broken fixture in tests/fixtures/broken/
with its rule name, file, line, element id and severity; errors exit 1 and warnings alone exit 0;
every rule is documented in docs/validation.md. (The first rules' corpus is in test_definitions.py.)
The fixtures are drafts outside the processes folder, checked against tests/fixtures/basic."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from engine.cli import main
from engine.definitions import folder as definitions
from engine.definitions.lint.rules import RULES

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
BASIC = FIXTURES / "basic" / "processes"
BROKEN = FIXTURES / "broken"
DOCS = ROOT / "docs" / "validation.md"


def validate(*args: str) -> Result:
    return CliRunner().invoke(main, ["validate", "--processes", str(BASIC), *args])


def report(path: Path) -> tuple[int, dict[str, Any]]:
    result = validate("--format", "json", str(path))
    return result.exit_code, json.loads(result.stdout)


# file, line, element id, rule, words the message must hold
ERRORS = [
    ("unreachable.bpmn", 16, "arsip", "unreachable", ["task 'Arsipkan' can never run", "(end_arsip)"]),
    ("no_start.bpmn", 5, "no_start", "unreachable", ["process 'Tanpa Awal' has no start event"]),
    (
        "dead_end_loop.bpmn",
        7,
        "isi_data",
        "dead-end",
        ["task 'Isi Data' is in a loop with no way out (isi_data, cek)", "never finishes"],
    ),
    ("two_ways_out.bpmn", 7, "isi_data", "unsupported-element", ["more than one outgoing sequence flow"]),
    ("boundary_plain.bpmn", 15, "batas", "unsupported-element", ["must say what it waits for"]),
    ("pre_script.bpmn", 12, "isi_data", "script", ["pre-script refused", "open() is not available"]),
    ("timer_empty.bpmn", 15, "batas", "timer-expression", ["neither how long nor until when"]),
    ("invalid_id.bpmn", 6, "1_catatan", "invalid-id", ["'1_catatan' is not a valid XML id"]),
    (
        "decision_missing.bpmn",
        9,
        "tentukan",
        "unknown-decision",
        ["'Tentukan Kategori'", "'kategori_tidak_ada'", "no loaded DMN file defines"],
    ),
    ("multi_instance_both.bpmn", 7, "isi_data", "spiff", ["exactly one of cardinality or loop input"]),
    ("dmn_rule_entries.dmn", 13, "r2", "dmn-rule-entries", ["rule 2 has 0 input entries for 1 input"]),
    ("dmn_literal.dmn", 3, "batas_kk", "dmn-decision-table", ["'Batas KK' is not a decision table"]),
]

# file, line, element id, rule, words the message must hold, the process that still deploys
WARNINGS = [
    (
        "gateway_no_default.bpmn",
        15,
        "cek",
        "gateway-without-default",
        ["gateway 'Berapa?' has no default flow", "f_banyak: jumlah > 5; f_sedikit: jumlah < 5"],
        "gateway_no_default",
    ),
    ("task_no_form.bpmn", 7, "periksa", "no-form", ["task 'Periksa Berkas' has no form"], "task_no_form"),
    (
        "field_unknown.bpmn",
        23,
        "f_banyak",
        "unknown-field",
        ["condition of sequence flow 'f_banyak' reads 'jumlah_kk'", "process 'field_unknown'"],
        "field_unknown",
    ),
    ("di_missing.bpmn", 17, "f2", "missing-di", ["sequence flow 'f2'", "has no edge"], "di_missing"),
    ("di_none.bpmn", 4, "di_none", "missing-di", ["this file has no diagram"], "di_none"),
    (
        "dead_end.bpmn",
        15,
        "catat",
        "implicit-end",
        ["task 'Catat Jumlah' has no outgoing sequence flow", "an implicit end, which BPMN allows"],
        "dead_end",
    ),
]


@pytest.mark.parametrize(("name", "line", "element", "rule", "words"), ERRORS, ids=[c[0] for c in ERRORS])
def test_each_error_rule_fires_on_its_fixture_and_exits_1(
    name: str, line: int, element: str, rule: str, words: list[str]
) -> None:
    path = BROKEN / name
    code, found = report(path)
    assert code == 1
    assert found["ok"] is False
    [problem] = found["problems"]
    assert (problem["file"], problem["line"], problem["element"], problem["rule"]) == (
        str(path),
        line,
        element,
        rule,
    )
    assert problem["severity"] == "error"
    for word in words:
        assert word in problem["message"]
    text = validate(str(path))
    assert text.exit_code == 1
    assert text.stderr.startswith(f"error: {path}:{line}: [{element}] ")
    assert text.stderr.rstrip().endswith(f"({rule})")


@pytest.mark.parametrize(
    ("name", "line", "element", "rule", "words", "process"), WARNINGS, ids=[c[0] for c in WARNINGS]
)
def test_each_warning_rule_fires_on_its_fixture_and_exits_0(
    name: str, line: int, element: str, rule: str, words: list[str], process: str
) -> None:
    path = BROKEN / name
    code, found = report(path)
    assert code == 0
    assert (found["ok"], found["processes"]) == (True, [process])
    [problem] = found["problems"]
    assert (problem["file"], problem["line"], problem["element"], problem["rule"]) == (
        str(path),
        line,
        element,
        rule,
    )
    assert problem["severity"] == "warning"
    for word in words:
        assert word in problem["message"]
    text = validate(str(path))
    assert text.exit_code == 0
    assert text.stderr.startswith(f"warning: {path}:{line}: [{element}] ")
    assert text.stdout.strip() == f"ok: 1 process(es): {process}"


def test_errors_exit_1_even_beside_warnings() -> None:
    result = validate(
        "--format", "json", str(BROKEN / "task_no_form.bpmn"), str(BROKEN / "dead_end_loop.bpmn")
    )
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert [(Path(p["file"]).name, p["severity"]) for p in found["problems"]] == [
        ("dead_end_loop.bpmn", "error"),
        ("task_no_form.bpmn", "warning"),
    ]


def _folder(tmp_path: Path, roles: str | None) -> Path:
    folder = tmp_path / "processes"
    folder.mkdir()
    if roles is not None:
        (folder / "roles.toml").write_text(roles, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("roles", "rule", "element"),
    [
        ("[[role]\nname = ", "roles-syntax", None),
        (
            '[[role]]\nname = "Pendamping"\nscope = "village"\n[[role]]\nname = "Camat"\nscope = "desa"\n',
            "roles-invalid",
            "Camat",
        ),
    ],
)
def test_a_roles_file_that_is_wrong_is_an_error(
    roles: str | None, rule: str, element: str | None, tmp_path: Path
) -> None:
    folder = _folder(tmp_path, roles)
    problems = definitions.load([folder], folder).problems
    assert [(p.file, p.element, p.rule, p.severity) for p in problems if p.rule != "no-files"] == [
        (str(folder / "roles.toml"), element, rule, "error")
    ]
    if rule == "roles-syntax":
        assert [p.line for p in problems if p.rule == rule] == [1]  # where tomllib found it


def test_an_empty_folder_is_a_warning(tmp_path: Path) -> None:
    folder = _folder(tmp_path, (BASIC / "roles.toml").read_text(encoding="utf-8"))
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 0
    assert result.stderr == f"warning: {folder}: no .bpmn or .dmn file found (no-files)\n"


def test_a_file_too_large_to_read_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "besar.bpmn"
    path.write_bytes(b"<x>" + b" " * (10 * 1024 * 1024) + b"</x>")
    code, found = report(path)
    assert code == 1
    assert [(p["file"], p["rule"]) for p in found["problems"]] == [(str(path), "too-large")]


# --- the catalogue and its documentation ----------------------------------------------------------


def _fired() -> set[str]:
    from tests.engine.test_definitions import CORPUS

    covered = {c[3] for c in CORPUS} | {c[3] for c in ERRORS} | {c[3] for c in WARNINGS}
    # These fire in tests of their own: the roles files (default-role: tests/engine/test_any_bpmn.py),
    # an empty folder, a huge file, a lane naming the read-only Auditor role
    # (test_a_lane_naming_the_read_only_auditor_role_is_refused), a form containing itself
    # (tests/engine/test_form_ref_cycle.py).
    extra = {"default-role", "roles-syntax", "roles-invalid", "no-files", "too-large", "read-only-role"}
    extra.add("form-ref-cycle")
    extra.add("form-pattern-backtracking")  # tests/engine/test_form_patterns_lint.py
    # tests/engine/test_any_bpmn.py: what SpiffWorkflow 3.2 runs otherwise than BPMN says
    extra |= {"link-event", "conditional-event", "timer-event-subprocess"}
    extra.add("separate-from")  # tests/engine/test_duties.py
    extra.add("program-invalid")  # tests/engine/test_programs.py
    extra |= {"english-syntax", "english-unknown-element", "english-entry"}  # test_english_lint.py
    return covered | extra


def test_every_rule_fires_on_a_fixture() -> None:
    assert set(RULES) - _fired() == set()
    assert _fired() - set(RULES) == set()


def test_every_problem_carries_the_severity_of_its_rule() -> None:
    checked = [BROKEN / p for p in sorted(n.name for n in BROKEN.iterdir() if n.suffix in (".bpmn", ".dmn"))]
    problems = definitions.load(checked, BASIC).problems
    for folder in (BASIC, FIXTURES / "scope" / "processes", FIXTURES / "scope" / "unsupported"):
        problems += definitions.load([folder], folder).problems
    assert {p.rule for p in problems} <= set(RULES)
    assert [str(p) for p in problems if p.severity != RULES[p.rule].severity] == []


def test_every_rule_is_documented_with_its_severity_an_example_and_a_fix() -> None:
    text = DOCS.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### `([a-z-]+)`\n(.*?)(?=^### |\Z)", text, flags=re.M | re.S))
    assert sorted(sections) == sorted(RULES)
    for rule, body in sections.items():
        assert f"Severity: **{RULES[rule].severity}**" in body, rule
        assert "Fix:" in body, rule
        assert "```" in body or "Example:" in body, rule


def test_a_lane_naming_the_read_only_auditor_role_is_refused() -> None:
    path = BROKEN / "lane_read_only_role.bpmn"
    result = CliRunner().invoke(
        main,
        ["validate", "--format", "json", "--processes", str(ROOT / "processes" / "model_desa"), str(path)],
        env={"DESA_FORMS_DIR": str(FIXTURES / "basic" / "forms")},
    )
    assert result.exit_code == 1, result.output
    [problem] = json.loads(result.stdout)["problems"]
    assert (problem["line"], problem["element"], problem["rule"], problem["severity"]) == (
        10,
        "Lane_pendamping",
        "read-only-role",
        "error",
    )
    assert "lane 'Auditor' names a read-only role" in problem["message"]
