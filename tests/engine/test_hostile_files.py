"""Malformed and hostile definition files, refused by `desa validate` and by `desa deploy` alike:
one clear error naming the file (and the line and element where there is one), exit 1, no
traceback, and nothing deployed. The corpus reuses tests/fixtures/broken/ (truncated XML, a wrong
namespace, duplicate ids, a loop with no way out, XXE, an entity bomb, broken DMN) and makes the
rest in a temporary folder: a 50 MB file, 100,000 nested elements, DMN and JSON Schema forms that
are broken in the ways files get broken. (test_definitions.py checks the messages of the fixtures
word for word; here every one goes through both commands.)"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.core import Engine
from engine.definitions import registry

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BASIC = FIXTURES / "basic"
BROKEN = FIXTURES / "broken"
SIMPLE = (BASIC / "processes" / "simple.bpmn").read_text(encoding="utf-8")
MB = 1024 * 1024

# --- the files -------------------------------------------------------------------------------------

DMN_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="D" namespace="x">\n'
)
BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE lol [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(9)
    )
    + "]>\n"
)


def _fifty_mb(suffix: str) -> Callable[[Path], str]:
    def make(folder: Path) -> str:
        name = f"besar{suffix}"
        with (folder / name).open("wb") as out:
            out.write(SIMPLE.encode("utf-8").replace(b"</bpmn:definitions>", b""))
            chunk = b"<!-- " + b"x" * (MB - 9) + b" -->\n"
            for _ in range(50):
                out.write(chunk)
            out.write(b"</bpmn:definitions>\n")
        return name

    return make


def _nested(folder: Path) -> str:
    depth = 100_000
    text = SIMPLE.replace(
        "<bpmn:documentation>The companion fills in the count.</bpmn:documentation>",
        "<bpmn:documentation>" + "<b>" * depth + "</b>" * depth + "</bpmn:documentation>",
    )
    (folder / "bersarang.bpmn").write_text(text, encoding="utf-8")
    return "bersarang.bpmn"


def _text(name: str, content: str | bytes) -> Callable[[Path], str]:
    def make(folder: Path) -> str:
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
        return name

    return make


def _fixture(name: str) -> Callable[[Path], str]:
    def make(folder: Path) -> str:
        shutil.copy(BROKEN / name, folder / name)
        return name

    return make


def _form(content: str | bytes | None, form_name: str = "rusak.json") -> Callable[[Path], str]:
    """simple.bpmn with a form named `form_name` whose file holds `content` (None: no file)."""

    def make(folder: Path) -> str:
        text = SIMPLE.replace('value="isian.json"', f'value="{form_name}"').replace(
            "Proses Sederhana", "Formulir"
        )
        (folder / "formulir.bpmn").write_text(text, encoding="utf-8")
        if content is not None:
            data = content.encode("utf-8") if isinstance(content, str) else content
            (folder.parent / "forms" / form_name).write_bytes(data)
        return "formulir.bpmn"

    return make


def _fifty_mb_form(folder: Path) -> str:
    name = _form(None, "besar.json")(folder)
    with (folder.parent / "forms" / "besar.json").open("wb") as out:
        out.write(b'{"type": "object", "description": "')
        for _ in range(50):
            out.write(b"x" * MB)
        out.write(b'"}')
    return name


# (name, what makes the file, the rule, whether the problem has a line, words the message holds)
CORPUS: list[tuple[str, Callable[[Path], str], str, bool, str]] = [
    ("truncated XML", _fixture("truncated.bpmn"), "xml-syntax", True, "cut off"),
    ("wrong namespace", _fixture("wrong_namespace.bpmn"), "xsd", True, "not a BPMN 2.0 document"),
    ("duplicate ids", _fixture("duplicate_ids.bpmn"), "duplicate-id", True, "duplicate id 'isi_data'"),
    ("a loop with no way out", _fixture("dead_end_loop.bpmn"), "dead-end", True, "loop with no way out"),
    ("XXE", _fixture("xxe.bpmn"), "doctype-refused", True, "DOCTYPE or ENTITY declaration"),
    ("billion laughs", _fixture("billion_laughs.bpmn"), "doctype-refused", True, "DOCTYPE or ENTITY"),
    (
        "billion laughs, generated",
        _text("bom.bpmn", BOMB + "<a>&lol8;</a>"),
        "doctype-refused",
        True,
        "DOCTYPE",
    ),
    ("a 50 MB file", _fifty_mb(".bpmn"), "too-large", False, "larger than 10 MB"),
    ("100,000 nested elements", _nested, "xml-syntax", True, "Excessive depth"),
    ("an empty file", _text("kosong.bpmn", b""), "xml-syntax", True, "Document is empty"),
    ("binary garbage", _text("sampah.bpmn", bytes(range(256)) * 4), "xml-syntax", True, "not well-formed"),
    ("not XML at all", _text("json.bpmn", '{"process": "x"}'), "xml-syntax", True, "not well-formed XML"),
    (
        "DMN: a hit policy SpiffWorkflow does not run",
        _fixture("dmn_hit_policy.dmn"),
        "dmn-hit-policy",
        True,
        "",
    ),
    ("DMN: a FEEL range", _fixture("dmn_feel_entry.dmn"), "dmn-expression", True, "'[100..500]'"),
    ("DMN: a rule missing entries", _fixture("dmn_rule_entries.dmn"), "dmn-rule-entries", True, "0 input"),
    ("DMN: two decisions", _fixture("dmn_two_decisions.dmn"), "dmn-decisions-per-file", True, ""),
    ("DMN: truncated", _text("potong.dmn", DMN_HEAD + '<decision id="x"'), "xml-syntax", True, "cut off"),
    (
        "DMN: an entity bomb",
        _text("bom.dmn", BOMB + DMN_HEAD + "</definitions>"),
        "doctype-refused",
        True,
        "",
    ),
    ("DMN: wrong namespace", _text("ns.dmn", '<definitions xmlns="urn:x"/>'), "xsd", True, "not a DMN 1.x"),
    ("DMN: a 50 MB file", _fifty_mb(".dmn"), "too-large", False, "larger than 10 MB"),
    ("form: truncated JSON", _form('{"type": "object", "properties": {'), "form", True, "is not valid JSON"),
    ("form: not UTF-8", _form(b'{"title": "\xff\xfe"}'), "form", True, "is not valid JSON"),
    ("form: 100,000 nested arrays", _form("[" * 100_000 + "]" * 100_000), "form", True, "nested too deeply"),
    ("form: a list, not a schema", _form("[1, 2, 3]"), "form", True, "is not a valid JSON Schema"),
    ("form: an unknown type", _form('{"type": "tanggal"}'), "form", True, "is not a valid JSON Schema"),
    ("form: a remote $ref", _form('{"$ref": "https://example.invalid/f.json"}'), "form", True, "$ref"),
    ("form: a $ref to nowhere", _form('{"$ref": "#/$defs/tidak_ada"}'), "form", True, "not in the file"),
    (
        "form: a path out of the forms folder",
        _form(None, "../../../etc/passwd"),
        "form",
        True,
        "without a folder",
    ),
    ("form: a 50 MB file", _fifty_mb_form, "form", True, "larger than 1 MB"),
]


def _folder(tmp_path: Path, make: Callable[[Path], str]) -> tuple[Path, str]:
    folder = tmp_path / "processes"
    folder.mkdir()
    shutil.copy(BASIC / "processes" / "roles.toml", folder)
    (tmp_path / "forms").mkdir()
    shutil.copy(BASIC / "forms" / "isian.json", tmp_path / "forms")
    return folder, make(folder)


def _errors(output: str) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = json.loads(output)["problems"]
    return [p for p in problems if p["severity"] == "error"]


@pytest.mark.parametrize(("what", "make", "rule", "has_line", "words"), CORPUS, ids=[c[0] for c in CORPUS])
def test_validate_and_deploy_refuse_the_file_and_deploy_nothing(
    what: str,
    make: Callable[[Path], str],
    rule: str,
    has_line: bool,
    words: str,
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DESA_FORMS_DIR", raising=False)
    folder, name = _folder(tmp_path, make)
    runner = CliRunner()

    checked = runner.invoke(main, ["validate", "--format", "json", str(folder)])
    assert checked.exit_code == 1, checked.output
    [problem] = _errors(checked.stdout)
    assert (problem["file"], problem["rule"]) == (name, rule), problem
    assert isinstance(problem["line"], int) if has_line else problem["line"] is None, problem
    assert words in problem["message"]

    text = runner.invoke(main, ["validate", str(folder)])
    deployed = runner.invoke(main, ["deploy", str(folder)])
    for result in (text, deployed):
        assert result.exit_code == 1
        where = name + (f":{problem['line']}:" if problem["line"] else ":")
        assert f"error: {where}" in result.stderr, result.stderr
        assert "Traceback" not in result.output
    with engine.db.sessions() as session:
        assert registry.versions(session) == []


def test_the_folder_deploys_once_the_hostile_file_is_gone(engine: Engine, tmp_path: Path) -> None:
    folder, name = _folder(tmp_path, _nested)
    assert CliRunner().invoke(main, ["deploy", str(folder)]).exit_code == 1
    (folder / name).write_text(SIMPLE, encoding="utf-8")
    done = CliRunner().invoke(main, ["deploy", str(folder)])
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("simple: deployed as version 1")
