"""`desa validate` in a designer's day: the real program is completely silent, folder or file by
file; a draft outside the processes folder is checked against that folder's roles, forms and
processes (the ones it calls and the ones calling it); and `unknown-field` knows every way a
process writes data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from engine.cli import main
from engine.definitions import folder as definitions

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "processes" / "model_desa"
LINT = ROOT / "tests" / "fixtures" / "lint"
BASIC = ROOT / "tests" / "fixtures" / "basic" / "processes"


def validate(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["validate", *args], env=env)


def test_the_program_raises_no_error_and_no_warning() -> None:
    result = validate("--format", "json", str(PROGRAM))
    assert result.exit_code == 0
    found = json.loads(result.stdout)
    assert found["problems"] == []
    assert found["processes"] == [
        "monitoring_evaluasi_pelaporan",
        "pelaksanaan_pengembangan",
        "persiapan",
        "program_desa",
        "refleksi",
        "terminasi",
    ]
    text = validate(str(PROGRAM))
    assert (text.exit_code, text.stderr) == (0, "")


@pytest.mark.parametrize("name", sorted(p.name for p in PROGRAM.iterdir() if p.suffix in (".bpmn", ".dmn")))
def test_each_program_file_alone_is_silent(name: str) -> None:
    """One file of the folder, or a copy being edited elsewhere: the rest of the program is its context."""
    bundle = definitions.load([PROGRAM / name], PROGRAM)
    assert [str(p) for p in bundle.problems] == []


def test_a_draft_of_a_program_process_outside_the_folder_is_silent(tmp_path: Path) -> None:
    draft = tmp_path / "program_desa_baru.bpmn"
    shutil.copy(PROGRAM / "program_desa.bpmn", draft)  # calls the five steps of processes/
    result = validate("--processes", str(PROGRAM), str(draft))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.strip() == "ok: 1 process(es): program_desa"


def test_a_draft_reads_what_the_process_calling_it_writes() -> None:
    """anak_draft.bpmn replaces `anak`, which induk.bpmn calls after its form wrote jumlah and
    catatan: the draft's script reads both (no warning), its condition reads jumlah_warga (a typo)."""
    draft = LINT / "anak_draft.bpmn"
    for args, env in (
        (["--processes", str(LINT / "processes")], None),
        ([], {"DESA_PROCESSES_DIR": str(LINT / "processes")}),
    ):
        result = validate("--format", "json", *args, str(draft), env=env)
        assert result.exit_code == 0
        found = json.loads(result.stdout)
        assert found["processes"] == ["anak"]  # the draft's, not the folder's
        assert [
            (p["file"], p["line"], p["element"], p["rule"], p["severity"]) for p in found["problems"]
        ] == [(str(draft), 17, "f_banyak", "unknown-field", "warning")]
        assert "reads 'jumlah_warga'" in found["problems"][0]["message"]


def test_without_its_caller_a_process_reads_unknown_fields() -> None:
    """The same anak.bpmn checked against a folder where nobody calls it: jumlah and catatan come
    from nowhere."""
    bundle = definitions.load([LINT / "processes" / "anak.bpmn"], BASIC)
    assert sorted({(p.rule, p.message.split("reads ")[1].split(",")[0]) for p in bundle.problems}) == [
        ("unknown-field", "'catatan'"),
        ("unknown-field", "'jumlah'"),
    ]


def test_a_draft_is_checked_against_the_roles_and_forms_of_the_processes_folder(tmp_path: Path) -> None:
    draft = tmp_path / "induk.bpmn"
    shutil.copy(LINT / "processes" / "induk.bpmn", draft)
    assert [str(p) for p in definitions.load([draft], LINT / "processes").problems] == []
    # against the basic folder: its roles have a Pendamping too, but no process 'anak'
    problems = definitions.load([draft], BASIC).problems
    assert [(p.element, p.rule) for p in problems] == [("tindak_lanjut", "unknown-process")]
    text = draft.read_text(encoding="utf-8").replace('name="Pendamping"', 'name="Pendamping Desa"')
    draft.write_text(text, encoding="utf-8")
    problems = definitions.load([draft], LINT / "processes").problems
    assert [(p.element, p.rule) for p in problems] == [("Lane_pendamping", "unknown-role")]


# --- unknown-field: every way of writing data ---------------------------------------------------

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:message id="pesan" name="pesan" />
  <bpmn:process id="p" isExecutable="true">{io}
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    {writer}
    <bpmn:scriptTask id="baca" name="Baca">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>hasil = {reads}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="tulis" />
    <bpmn:sequenceFlow id="f2" sourceRef="tulis" targetRef="baca" />
    <bpmn:sequenceFlow id="f3" sourceRef="baca" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""
IO = """
    <bpmn:ioSpecification id="io"><bpmn:dataInput id="nilai" name="nilai" />
      <bpmn:inputSet id="masuk"><bpmn:dataInputRefs>nilai</bpmn:dataInputRefs></bpmn:inputSet>
      <bpmn:outputSet id="keluar" /></bpmn:ioSpecification>"""
SCRIPT = '<bpmn:scriptTask id="tulis"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>'
WRITERS = {
    "script": SCRIPT + "<bpmn:script>nilai = 1</bpmn:script></bpmn:scriptTask>",
    "loop variable": SCRIPT + "<bpmn:script>for nilai in range(3):\n    pass</bpmn:script></bpmn:scriptTask>",
    "form": '<bpmn:userTask id="tulis"><bpmn:extensionElements><spiffworkflow:properties>'
    '<spiffworkflow:property name="formJsonSchemaFilename" value="isian.json" /></spiffworkflow:properties>'
    "</bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>",
    "message": '<bpmn:intermediateCatchEvent id="tulis"><bpmn:incoming>f1</bpmn:incoming>'
    '<bpmn:outgoing>f2</bpmn:outgoing><bpmn:messageEventDefinition id="m" messageRef="pesan">'
    "<bpmn:extensionElements><spiffworkflow:messageVariable>nilai</spiffworkflow:messageVariable>"
    "</bpmn:extensionElements></bpmn:messageEventDefinition></bpmn:intermediateCatchEvent>",
    "multi-instance item": SCRIPT + '<bpmn:multiInstanceLoopCharacteristics isSequential="true">'
    "<bpmn:loopCardinality>3</bpmn:loopCardinality><bpmn:loopDataOutputRef>daftar</bpmn:loopDataOutputRef>"
    '<bpmn:outputDataItem id="nilai" name="nilai" /></bpmn:multiInstanceLoopCharacteristics>'
    "<bpmn:script>nilai = 1</bpmn:script></bpmn:scriptTask>",
    "decision output": '<bpmn:businessRuleTask id="tulis"><bpmn:extensionElements>'
    "<spiffworkflow:calledDecisionId>keputusan</spiffworkflow:calledDecisionId></bpmn:extensionElements>"
    "<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:businessRuleTask>",
}
DECISION = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dd" name="D" namespace="n">
<decision id="keputusan" name="Keputusan"><decisionTable id="tabel">
<input id="in" label="Jumlah"><inputExpression id="ie"><text>{dmn_input}</text></inputExpression></input>
<output id="out" label="Nilai" name="nilai" />
<rule id="r1"><inputEntry id="r1i"><text>-</text></inputEntry>
<outputEntry id="r1o"><text>1</text></outputEntry></rule>
</decisionTable></decision></definitions>
"""


def _unknown_fields(
    tmp_path: Path, writer: str, reads: str, io: str = "", dmn_input: str = "1"
) -> list[tuple[str | None, str]]:
    folder = tmp_path / "processes"
    folder.mkdir()
    shutil.copy(BASIC / "roles.toml", folder)
    (tmp_path / "forms").mkdir()
    shutil.copy(BASIC.parent / "forms" / "isian.json", tmp_path / "forms")
    (folder / "p.bpmn").write_text(PROCESS.format(io=io, writer=writer, reads=reads), encoding="utf-8")
    (folder / "keputusan.dmn").write_text(DECISION.format(dmn_input=dmn_input), encoding="utf-8")
    problems = definitions.load([folder], folder).problems
    assert [str(p) for p in problems if p.severity == "error"] == []
    return [
        (p.element, p.message.split(" reads ")[1].split(",")[0])
        for p in problems
        if p.rule == "unknown-field"
    ]


@pytest.mark.parametrize("how", sorted(WRITERS))
def test_a_name_some_step_writes_raises_no_unknown_field(how: str, tmp_path: Path) -> None:
    reads = "jumlah + len(catatan)" if how == "form" else "nilai"
    assert _unknown_fields(tmp_path, WRITERS[how], reads) == []


def test_a_name_declared_as_start_data_raises_no_unknown_field(tmp_path: Path) -> None:
    assert _unknown_fields(tmp_path, WRITERS["script"].replace("nilai = 1", "x = 1"), "nilai", io=IO) == []


def test_a_name_nothing_writes_is_an_unknown_field(tmp_path: Path) -> None:
    assert _unknown_fields(tmp_path, WRITERS["script"], "nilai + nilia") == [("baca", "'nilia'")]


def test_a_decision_input_reading_a_name_nothing_writes_is_an_unknown_field(tmp_path: Path) -> None:
    found = _unknown_fields(tmp_path, WRITERS["decision output"], "nilai", dmn_input="jumlah_kk")
    assert found == [("tulis", "'jumlah_kk'")]
