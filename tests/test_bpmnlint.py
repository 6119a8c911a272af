"""Every BPMN file of processes/ opens clean in the bpmn.io tools and Camunda Modeler: bpmnlint
(the bpmn.io linter, pinned in tools/bpmnlint/package.json) with its recommended rules reports
nothing, neither errors (an unresolved reference of a multi-instance task's data) nor warnings
(a loop that joins at a task instead of a gateway)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINTER = ROOT / "tools" / "bpmnlint"
BIN = LINTER / "node_modules" / ".bin" / "bpmnlint"


@pytest.fixture(scope="module")
def bpmnlint() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed: bpmnlint cannot run")
    if not BIN.exists():  # a clean clone: install the pinned version from the lock file
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(LINTER)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return BIN


def lint(bpmnlint: Path, files: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bpmnlint), "--config", str(LINTER / ".bpmnlintrc"), *files],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_process_file_opens_without_errors(bpmnlint: Path) -> None:
    files = sorted(str(p) for p in (ROOT / "processes").glob("**/*.bpmn"))
    assert files
    result = lint(bpmnlint, files)
    assert result.returncode == 0 and " error " not in result.stdout, result.stdout + result.stderr


def test_the_model_desa_files_pass_every_recommended_rule(bpmnlint: Path) -> None:
    files = sorted(str(p) for p in (ROOT / "processes" / "model_desa").glob("*.bpmn"))
    result = lint(bpmnlint, files)
    assert (result.returncode, result.stdout.strip()) == (0, ""), result.stdout + result.stderr


def test_bpmnlint_reports_an_unresolved_multi_instance_reference(bpmnlint: Path, tmp_path: Path) -> None:
    # The check is real: the same file without its declared data is refused.
    source = (ROOT / "processes" / "model_desa" / "terminasi.bpmn").read_text(encoding="utf-8")
    broken = tmp_path / "terminasi.bpmn"
    broken.write_text(
        source.replace('<bpmn:property id="tingkat_serah_terima" name="tingkat_serah_terima"/>', ""),
        encoding="utf-8",
    )
    assert broken.read_text(encoding="utf-8") != source
    result = lint(bpmnlint, [str(broken)])
    assert result.returncode != 0
    assert "unresolved reference <tingkat_serah_terima>" in result.stdout
