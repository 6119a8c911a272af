"""`desa validate` and deploy on broken and hostile definition files: every file in
tests/fixtures/broken/ is refused with a message that names the file, the line, the element and
what is wrong, and nothing of a refused change is deployed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from engine.cli import main
from engine.core import Engine
from engine.definitions import folder as definitions
from engine.definitions import registry
from engine.errors import DefinitionError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BASIC = FIXTURES / "basic" / "processes"
BROKEN = FIXTURES / "broken"


def validate(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["validate", "--processes", str(BASIC), *args], env=env)


def json_problems(path: Path, env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    result = validate("--format", "json", str(path), env=env)
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["processes"] == []
    problems: list[dict[str, Any]] = report["problems"]
    return problems


# --- the command ---------------------------------------------------------------------------------


def test_validate_accepts_good_files_and_exits_zero() -> None:
    result = CliRunner().invoke(main, ["validate", str(FIXTURES / "lint" / "processes")])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "ok: 2 process(es): anak, induk"
    assert result.stderr == ""


def test_validate_prints_file_line_element_and_problem_and_exits_non_zero() -> None:
    path = BROKEN / "lane_unknown_role.bpmn"
    result = validate(str(path))
    assert result.exit_code == 1
    assert "ok:" not in result.stdout
    assert result.stderr.splitlines() == [
        f"error: {path}:10: [Lane_pendamping] lane 'Pendamping2' names no declared role "
        "(known roles: Fasilitator Daerah, Fasilitator Pusat, Pendamping); fix the lane name or declare "
        "the role in roles.toml (unknown-role)"
    ]


def test_validate_json_lists_problems_with_file_line_element_message_and_rule() -> None:
    path = BROKEN / "timer_unquoted.bpmn"
    assert json_problems(path) == [
        {
            "file": str(path),
            "line": 9,
            "element": "tunggu",
            "message": "timer expressions are Python expressions: P3M is read as a variable name; "
            'write it with quotes, "P3M"',
            "rule": "timer-expression",
            "severity": "error",
        }
    ]


def test_validate_through_the_installed_command() -> None:
    desa = Path(sys.executable).parent / "desa"
    if not desa.exists():
        pytest.skip("the desa command is not installed next to this Python")
    path = BROKEN / "complex_gateway.bpmn"
    done = subprocess.run(
        [str(desa), "validate", "--processes", str(BASIC), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": str(desa.parent)},
    )
    assert done.returncode == 1
    assert f"{path}:7: [gerbang] SpiffWorkflow cannot run complex gateways" in done.stderr
    assert "Traceback" not in done.stderr


def test_validate_reports_every_broken_file_of_a_folder_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "processes"
    folder.mkdir()
    shutil.copy(BASIC / "roles.toml", folder)
    shutil.copy(BASIC / "simple.bpmn", folder)
    for name in ("timer_unquoted.bpmn", "script_open.bpmn", "truncated.bpmn"):
        shutil.copy(BROKEN / name, folder)
    (tmp_path / "forms").mkdir()
    shutil.copy(BASIC.parent / "forms" / "isian.json", tmp_path / "forms")
    result = CliRunner().invoke(main, ["validate", "--format", "json", str(folder)])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    errors = [p for p in problems if p["severity"] == "error"]  # simple.bpmn has no diagram: a warning
    assert sorted((p["file"], p["line"], p["element"]) for p in errors) == [
        ("script_open.bpmn", 9, "hitung"),
        ("timer_unquoted.bpmn", 9, "tunggu"),
        ("truncated.bpmn", 9, None),
    ]


# --- the broken corpus ---------------------------------------------------------------------------

# file, line, element id, rule, words the message must hold
CORPUS = [
    ("xsd_unknown_attribute.bpmn", 7, "isi_data", "xsd", ["bpmn:userTask", "'petugas'", "not allowed"]),
    ("xsd_unknown_child.bpmn", 9, "isi_data", "xsd", ["bpmn:formulir", "not expected"]),
    ("truncated.bpmn", 9, None, "xml-syntax", ["not well-formed XML", "cut off"]),
    (
        "wrong_namespace.bpmn",
        3,
        "Definitions_old",
        "xsd",
        [
            "not a BPMN 2.0 document",
            "http://www.omg.org/spec/BPMN/20100524/MODEL",
            "http://www.omg.org/spec/BPMN/20100501/MODEL",
        ],
    ),
    ("duplicate_ids.bpmn", 10, "isi_data", "duplicate-id", ["duplicate id 'isi_data'", "(line 7)", "unique"]),
    ("timer_unquoted.bpmn", 9, "tunggu", "timer-expression", ['write it with quotes, "P3M"']),
    ("timer_bad_duration.bpmn", 9, "tunggu", "timer-expression", ["'P3X'", "not a valid ISO 8601 duration"]),
    ("lane_unknown_role.bpmn", 10, "Lane_pendamping", "unknown-role", ["'Pendamping2'", "no declared role"]),
    ("form_missing.bpmn", 10, "isi_data", "form", ["'tidak_ada.json'", "does not exist"]),
    ("complex_gateway.bpmn", 7, "gerbang", "unsupported-element", ["cannot run complex gateways"]),
    (
        "call_missing.bpmn",
        7,
        "panggil",
        "unknown-process",
        ["'Panggil Survei'", "'survei_tidak_ada'", "no loaded file defines"],
    ),
    # the refused call is on the script's second line, the line after <bpmn:script>
    ("script_import.bpmn", 10, "hitung", "script", ["script refused: script line 2", "__import__"]),
    ("script_open.bpmn", 9, "hitung", "script", ["script refused", "open() is not available"]),
    ("condition_syntax.bpmn", 11, "f2", "script", ["'jumlah >'", "SyntaxError"]),
    ("xxe.bpmn", 2, None, "doctype-refused", ["DOCTYPE or ENTITY declaration is not allowed"]),
    ("billion_laughs.bpmn", 2, None, "doctype-refused", ["DOCTYPE or ENTITY declaration is not allowed"]),
    (
        "event_subprocess_interrupting.bpmn",
        12,
        "batal_masuk",
        "interrupting-event-subprocess",
        ["'Batal Masuk'", "'Pembatalan'", "ignores isInterrupting", 'set isInterrupting="false"'],
    ),
    (
        "dmn_hit_policy.dmn",
        5,
        "tabel_prioritas",
        "dmn-hit-policy",
        ["'Prioritas Bantuan'", "hit policy PRIORITY", "runs only UNIQUE and COLLECT", "first matching rule"],
    ),
    (
        "dmn_aggregation.dmn",
        5,
        "tabel_kriteria",
        "dmn-aggregation",
        ["aggregation COUNT", "does not support", "list", "kriteria = len(kriteria)"],
    ),
    (
        "dmn_feel_entry.dmn",
        20,
        "r2_kk",
        "dmn-expression",
        ["rule 2, input 'Jumlah KK'", "'[100..500]'", "not as FEEL", "'100 <= ? <= 500'"],
    ),
    (
        "dmn_two_decisions.dmn",
        16,
        "paket",
        "dmn-decisions-per-file",
        ["2 decisions ('Kategori', 'Paket')", "only one decision per DMN file", "its own .dmn file"],
    ),
]


@pytest.mark.parametrize(("name", "line", "element", "rule", "words"), CORPUS, ids=[c[0] for c in CORPUS])
def test_broken_file_is_refused_with_a_clear_message(
    name: str, line: int, element: str | None, rule: str, words: list[str]
) -> None:
    path = BROKEN / name
    [problem] = json_problems(path)
    assert (problem["file"], problem["line"], problem["element"], problem["rule"]) == (
        str(path),
        line,
        element,
        rule,
    )
    for word in words:
        assert word in problem["message"]
    assert problem["severity"] == "error"

    text = validate(str(path))
    assert text.exit_code == 1
    where = f"{path}:{line}:" + (f" [{element}]" if element else "")
    assert text.stderr.startswith(f"error: {where} ")
    assert "Traceback" not in text.output


def test_form_that_is_no_json_schema_is_refused() -> None:
    path = BROKEN / "form_invalid_schema.bpmn"
    [problem] = json_problems(path, env={"DESA_FORMS_DIR": str(BROKEN / "forms")})
    assert (problem["line"], problem["element"], problem["rule"]) == (10, "isi_data", "form")
    assert "form file 'nonsense.json' is not a valid JSON Schema" in problem["message"]
    assert "'nonsense'" in problem["message"]


@pytest.mark.parametrize("name", ["script_import.bpmn", "script_open.bpmn"])
def test_deploy_refuses_hostile_scripts_without_running_them(
    name: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESA_PROCESSES_DIR", str(BASIC))
    marker = Path("/tmp/desa-pwned")  # what script_import.bpmn would create if it ran
    marker.unlink(missing_ok=True)
    with pytest.raises(DefinitionError) as refused:
        registry.deploy(engine.db, [BROKEN / name])
    assert [(p.element, p.rule) for p in refused.value.problems] == [("hitung", "script")]
    with engine.db.sessions() as session:
        assert registry.versions(session) == []
    assert not marker.exists()


# --- XML attacks ---------------------------------------------------------------------------------

ATTACKS = ["xxe.bpmn", "billion_laughs.bpmn"]


def _as_utf16(name: str, folder: Path) -> Path:
    text = (BROKEN / name).read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    path = folder / name
    path.write_bytes(text.encode("utf-16"))
    return path


@pytest.mark.parametrize("utf16", [False, True], ids=["utf-8", "utf-16"])
@pytest.mark.parametrize("name", ATTACKS)
def test_load_refuses_entity_declarations(name: str, utf16: bool, tmp_path: Path) -> None:
    path = _as_utf16(name, tmp_path) if utf16 else BROKEN / name
    bundle = definitions.load([path], BASIC)
    assert not bundle.ok
    assert bundle.specs == {}
    [problem] = bundle.problems
    assert (problem.line, problem.rule) == (2, "doctype-refused")
    assert "a DOCTYPE or ENTITY declaration is not allowed in process files" in problem.message
    assert "root:" not in str(problem)  # nothing of /etc/passwd


@pytest.mark.parametrize("utf16", [False, True], ids=["utf-8", "utf-16"])
@pytest.mark.parametrize("name", ATTACKS)
def test_deploy_refuses_entity_declarations_and_deploys_nothing(
    name: str, utf16: bool, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESA_PROCESSES_DIR", str(BASIC))
    path = _as_utf16(name, tmp_path) if utf16 else BROKEN / name
    with pytest.raises(DefinitionError) as refused:
        registry.deploy(engine.db, [path])
    assert [p.rule for p in refused.value.problems] == ["doctype-refused"]
    assert "DOCTYPE or ENTITY declaration is not allowed" in str(refused.value)
    with engine.db.sessions() as session:
        assert registry.versions(session) == []


def test_deploy_of_a_folder_with_one_hostile_file_deploys_none_of_it(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "processes"
    folder.mkdir()
    for name in ("roles.toml", "simple.bpmn", "timers.bpmn"):
        shutil.copy(BASIC / name, folder)
    shutil.copy(BROKEN / "xxe.bpmn", folder)
    (tmp_path / "forms").mkdir()
    shutil.copy(BASIC.parent / "forms" / "isian.json", tmp_path / "forms")
    with pytest.raises(DefinitionError) as refused:
        registry.deploy(engine.db, [folder])
    assert [(p.file, p.line, p.rule) for p in refused.value.problems] == [("xxe.bpmn", 2, "doctype-refused")]
    with engine.db.sessions() as session:
        assert registry.versions(session) == []
    (folder / "xxe.bpmn").unlink()
    deployed = registry.deploy(engine.db, [folder])
    assert sorted(v.process_id for v in deployed) == ["simple", "timers"]


# --- what SpiffWorkflow 3.2 runs otherwise than BPMN and DMN say -----------------------------------

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "folder",
    [BASIC, FIXTURES / "scope" / "processes", ROOT / "bench" / "fixtures" / "processes"],
    ids=["basic", "scope", "bench"],
)
def test_the_fixture_processes_raise_no_problem(folder: Path) -> None:
    bundle = definitions.load([folder], folder)
    # Written by hand for the engine's tests: no diagrams, tasks without forms, data given at start;
    # the scope fixtures run a timer event subprocess on purpose (test_scope_events.py).
    accepted = {"missing-di", "no-form", "unknown-field", "timer-event-subprocess"}
    assert [str(p) for p in bundle.problems if p.rule not in accepted] == []
    assert bundle.specs


EVENT_SUBPROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:error id="err_habis" name="habis" errorCode="habis" />
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
    <bpmn:subProcess id="sub" triggeredByEvent="true">
      <bpmn:startEvent id="sub_start"{attribute}>
        <bpmn:outgoing>s1</bpmn:outgoing>
        {definition}
      </bpmn:startEvent>
      <bpmn:endEvent id="sub_end"><bpmn:incoming>s1</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="s1" sourceRef="sub_start" targetRef="sub_end" />
    </bpmn:subProcess>
  </bpmn:process>
</bpmn:definitions>
"""
TIMER = (
    '<bpmn:timerEventDefinition id="td"><bpmn:timeDuration>"P1D"</bpmn:timeDuration>'
    "</bpmn:timerEventDefinition>"
)
ERROR = '<bpmn:errorEventDefinition id="ed" errorRef="err_habis" />'


@pytest.mark.parametrize(
    ("attribute", "definition", "reported"),
    [
        ("", TIMER, True),
        (' isInterrupting="true"', TIMER, True),
        (' isInterrupting="1"', TIMER, True),
        (' isInterrupting="false"', TIMER, False),
        (' isInterrupting="0"', TIMER, False),
        ("", ERROR, False),  # error start events interrupt by nature; BPMN allows no other
    ],
)
def test_interrupting_event_subprocess_start_is_named(
    attribute: str, definition: str, reported: bool, tmp_path: Path
) -> None:
    path = tmp_path / "p.bpmn"
    path.write_text(EVENT_SUBPROCESS.format(attribute=attribute, definition=definition), encoding="utf-8")
    ignored = ("missing-di", "timer-event-subprocess")  # the latter: tests/engine/test_any_bpmn.py
    problems = [p for p in definitions.load([path], BASIC).problems if p.rule not in ignored]
    if reported:
        assert [(p.line, p.element, p.rule) for p in problems] == [
            (9, "sub_start", "interrupting-event-subprocess")
        ]
    else:
        assert problems == []


# --- encodings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "codec"),
    [
        ("UTF-16", "utf-16"),
        ("UTF-16", "utf-16-be"),
        ("UTF-16", "utf-16-le"),
        ("UTF-8", "utf-8-sig"),
        ("UTF-32", "utf-32"),
        ("windows-1252", "cp1252"),
        ("ISO-8859-1", "latin-1"),
    ],
)
def test_sources_are_decoded_by_the_declared_encoding(
    declared: str, codec: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESA_FORMS_DIR", str(BASIC.parent / "forms"))
    text = (
        (BASIC / "simple.bpmn")
        .read_text(encoding="utf-8")
        .replace('encoding="UTF-8"', f'encoding="{declared}"')
    )
    name = "Pendataan Warga \u00e9" if codec == "latin-1" else "Pendataan Warga \u00e9 \u20ac"
    text = text.replace('name="Proses Sederhana"', f'name="{name}"', 1)
    assert name in text
    (tmp_path / "simple.bpmn").write_bytes(text.encode(codec))
    shutil.copy(BASIC / "roles.toml", tmp_path)
    bundle = definitions.load([tmp_path / "simple.bpmn"], tmp_path)
    assert bundle.ok, bundle.problems
    assert bundle.sources["simple.bpmn"] == text
