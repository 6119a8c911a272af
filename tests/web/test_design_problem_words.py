"""The design pages tell a broken file's problems as a designer knows them: paths from the program
folder (never the server's folders), the severity and what the rule checks in the person's language
(issue 14, item 6), on the design page and beside the form in its preview (item 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.core import Engine
from engine.directory import access, users
from tests.engine.program_change import copy_program
from tests.test_program import program  # noqa: F401  (the fixture)
from web import create_app


@pytest.fixture
def broken(program: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    """A copy of the program on disk with a lane naming no role and a form that is no JSON."""
    with program.db.transaction() as s:
        users.add(s, "perancang", password="rahasia")
        access.assign(s, "perancang", "Perancang Program", None, None)
    processes = copy_program(tmp_path)
    bpmn = processes / "persiapan.bpmn"
    bpmn.write_text(
        bpmn.read_text(encoding="utf-8").replace(
            'name="Fasilitator Daerah">', 'name="Fasilitator Kabupaten">', 1
        ),
        encoding="utf-8",
    )
    (tmp_path / "forms" / "siapkan_lokasi.json").write_text("{ bukan json", encoding="utf-8")
    monkeypatch.setenv("DESA_PROCESSES_DIR", str(processes))
    return tmp_path


def _client(engine: Engine, language: str = "id"):  # type: ignore[no-untyped-def]
    client = create_app(
        {"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False}, engine=engine
    ).test_client()
    assert client.post("/masuk", data={"username": "perancang", "password": "rahasia"}).status_code == 302
    if language != "id":
        client.post("/bahasa", data={"language": language, "next": "/"})
    return client


def test_the_design_page_tells_problems_without_server_paths_in_indonesian(
    program: Engine,  # noqa: F811
    broken: Path,
) -> None:
    page = _client(program).get("/perancangan/").get_data(as_text=True)
    assert "Fasilitator Kabupaten" in page  # the broken lane is reported
    assert str(broken) not in page  # no server folder anywhere
    assert "lajur yang namanya bukan peran yang dinyatakan" in page
    assert "<strong>kesalahan</strong>" in page and "<strong>error</strong>" not in page


def test_in_english_the_rules_are_told_in_english(program: Engine, broken: Path) -> None:  # noqa: F811
    page = _client(program, "en").get("/perancangan/").get_data(as_text=True)
    assert "a lane whose name is no declared role" in page and "<strong>error</strong>" in page
    assert "lajur yang namanya" not in page and str(broken) not in page


def test_a_broken_form_shows_its_problem_in_the_preview(program: Engine, broken: Path) -> None:  # noqa: F811
    answer = _client(program).get("/perancangan/formulir/model_desa/siapkan_lokasi.json")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "bukan JSON Schema yang dapat dibaca" in page
    assert "berkas formulir yang tidak ada atau bukan JSON Schema yang sah" in page
    assert str(broken) not in page


def test_a_mistyped_english_text_shows_on_the_design_page_with_its_line(
    program: Engine,  # noqa: F811
    broken: Path,
) -> None:
    english = broken / "processes" / "english.toml"
    text = english.read_text(encoding="utf-8")
    line = text[: text.index("[program_mulai]")].count("\n") + 1
    english.write_text(text.replace("[program_mulai]", "[program_mulia]", 1), encoding="utf-8")
    page = _client(program).get("/perancangan/").get_data(as_text=True)
    assert "teks bahasa Inggris untuk elemen yang tidak ada dalam berkas BPMN program" in page
    assert (
        "english.toml" in page
        and f"<strong>peringatan</strong> baris {line} [<code>program_mulia</code>]" in page
    )
    assert "did you mean &#39;program_mulai&#39;?" in page
    assert "<strong>peringatan</strong>" in page
