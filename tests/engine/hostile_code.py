"""Processes whose scripts, conditions and timer expressions cannot finish: one process per case, so
each test starts the case it needs from one deployment. Written into a folder by `write_processes`.

Every process: start -> (with `lewat` 'mulai', straight on to the gateway on `tempat`, so the start
runs the code) Isi Data (user task) -> a gateway on `lewat` ('pekerja': first a one-hour timer, so
the timer worker runs what follows) -> a gateway on `tempat`: 'skrip' runs the case's
script (task "Hitung Berat", id berat), 'syarat' the case's condition (gateway "Cek Berat"),
'timer' the case's timer expression (event "Tunggu Berat"); anything else ends at once.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from xml.sax.saxutils import escape

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"

# The script of issue 15, finding 1, as it was reported: it switches a trace-based budget off.
GENERATOR_TRICK = """def gen():
    try:
        yield 1
    except Exception:
        pass
holder = []
for i in range(150):
    g = gen()
    for x in g:
        break
    holder.append(g)
g = None
def dive(n):
    if holder:
        holder.pop()
    if n > 0:
        dive(n - 1)
dive(140)
while True:
    pass"""

# Work done inside one call into C, which no trace budget interrupts (finding 2).
IN_C = {
    "sum": "sum([[0]] * 10**6, [])",
    "pow": "pow(3, 10**100000, 10**4000 + 1)",
    "prod": "math.prod([2**999 - 1] * 100000)",
    "eq": "[[0] * 10**6] * 10**6 == [[0] * 10**6] * 10**6",
}
# case -> (script, condition, timer expression); None where the case has no expression form
CASES: dict[str, tuple[str, str | None, str | None]] = {
    "trik": (GENERATOR_TRICK, None, None),
    **{
        name: (f"r = {code}", f"({code}) == 1", f"'PT1H' if ({code}) == 1 else 'PT2H'")
        for name, code in IN_C.items()
    },
    "bertumpuk": ("r = [[0] * 10**6] * 10**6", None, None),  # finding 3: shared, not built
    "generator": ("def gen():\n    yield 1\nr = gen()", None, None),
    "diri": ("r = []\nr.append(r)", None, None),
    "dalam": (
        "r = []\nfor i in range(400):\n    for j in range(500):\n        r = [r]",
        None,
        None,
    ),  # 200,000
}

TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="Definitions_{pid}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="Collab_{pid}">
    <bpmn:participant id="Participant_{pid}" name="Berat {case}" processRef="{pid}" />
  </bpmn:collaboration>
  <bpmn:process id="{pid}" name="Berat {case}" isExecutable="true">
    <bpmn:laneSet id="LaneSet_{pid}">
      <bpmn:lane id="Lane_pendamping" name="Pendamping">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>mulai</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>isi_data</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>lewat</bpmn:flowNodeRef><bpmn:flowNodeRef>jeda</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>tempat</bpmn:flowNodeRef><bpmn:flowNodeRef>berat</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>cek</bpmn:flowNodeRef><bpmn:flowNodeRef>tunggu</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>periksa</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="mulai" name="Langsung Mulai?" default="f1">
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing><bpmn:outgoing>f_mulai</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:userTask id="isi_data" name="Isi Data">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="isian.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="lewat" name="Lewat Pekerja?" default="f_langsung">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f_pekerja</bpmn:outgoing>
      <bpmn:outgoing>f_langsung</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:intermediateCatchEvent id="jeda" name="Jeda Satu Jam">
      <bpmn:incoming>f_pekerja</bpmn:incoming><bpmn:outgoing>f_jeda</bpmn:outgoing>
      <bpmn:timerEventDefinition id="jeda_def"><bpmn:timeDuration>"PT1H"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:exclusiveGateway id="tempat" name="Tempat Kode" default="f_lain">
      <bpmn:incoming>f_langsung</bpmn:incoming><bpmn:incoming>f_jeda</bpmn:incoming>
      <bpmn:incoming>f_mulai</bpmn:incoming>
      <bpmn:outgoing>f_skrip</bpmn:outgoing><bpmn:outgoing>f_syarat</bpmn:outgoing>
      <bpmn:outgoing>f_timer</bpmn:outgoing><bpmn:outgoing>f_lain</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:scriptTask id="berat" name="Hitung Berat">
      <bpmn:incoming>f_skrip</bpmn:incoming><bpmn:outgoing>f_skrip_selesai</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="cek" name="Cek Berat" default="f_cek_biasa">
      <bpmn:incoming>f_syarat</bpmn:incoming>
      <bpmn:outgoing>f_cek_berat</bpmn:outgoing><bpmn:outgoing>f_cek_biasa</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:intermediateCatchEvent id="tunggu" name="Tunggu Berat">
      <bpmn:incoming>f_timer</bpmn:incoming><bpmn:outgoing>f_tunggu</bpmn:outgoing>
      <bpmn:timerEventDefinition id="tunggu_def"><bpmn:timeDuration>{timer}</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="periksa" name="Periksa Hasil">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="isian.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f_skrip_selesai</bpmn:incoming><bpmn:incoming>f_cek_berat</bpmn:incoming>
      <bpmn:incoming>f_cek_biasa</bpmn:incoming><bpmn:incoming>f_tunggu</bpmn:incoming>
      <bpmn:incoming>f_lain</bpmn:incoming><bpmn:outgoing>f_end</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f_end</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="mulai" />
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="isi_data" />
    <bpmn:sequenceFlow id="f_mulai" sourceRef="mulai" targetRef="tempat">
      <bpmn:conditionExpression>lewat == 'mulai'</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f2" sourceRef="isi_data" targetRef="lewat" />
    <bpmn:sequenceFlow id="f_pekerja" sourceRef="lewat" targetRef="jeda">
      <bpmn:conditionExpression>lewat == 'pekerja'</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_langsung" sourceRef="lewat" targetRef="tempat" />
    <bpmn:sequenceFlow id="f_jeda" sourceRef="jeda" targetRef="tempat" />
    <bpmn:sequenceFlow id="f_skrip" sourceRef="tempat" targetRef="berat">
      <bpmn:conditionExpression>tempat == 'skrip'</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_syarat" sourceRef="tempat" targetRef="cek">
      <bpmn:conditionExpression>tempat == 'syarat'</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_timer" sourceRef="tempat" targetRef="tunggu">
      <bpmn:conditionExpression>tempat == 'timer'</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_lain" sourceRef="tempat" targetRef="periksa" />
    <bpmn:sequenceFlow id="f_skrip_selesai" sourceRef="berat" targetRef="periksa" />
    <bpmn:sequenceFlow id="f_cek_berat" sourceRef="cek" targetRef="periksa">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_cek_biasa" sourceRef="cek" targetRef="periksa" />
    <bpmn:sequenceFlow id="f_tunggu" sourceRef="tunggu" targetRef="periksa" />
    <bpmn:sequenceFlow id="f_end" sourceRef="periksa" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def process_id(case: str) -> str:
    return f"berat_{case}"


def write_processes(folder: Path) -> Path:
    """The processes folder (one file per case, the hostile fixture's roles and forms); its path."""
    processes = folder / "processes"
    processes.mkdir(parents=True, exist_ok=True)
    shutil.copy(HOSTILE / "processes" / "roles.toml", processes / "roles.toml")
    shutil.copytree(HOSTILE / "forms", folder / "forms", dirs_exist_ok=True)
    for case, (script, condition, timer) in CASES.items():
        text = TEMPLATE.format(
            pid=process_id(case),
            case=case,
            script=escape(script),
            condition=escape(condition or "jumlah == -1"),
            timer=escape(timer or '"PT1H"'),
        )
        (processes / f"{process_id(case)}.bpmn").write_text(text, encoding="utf-8")
    return processes


def start_data(tempat: str, lewat: str = "langsung") -> dict[str, str]:
    return {"tempat": tempat, "lewat": lewat}
