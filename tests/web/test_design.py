"""The program designer's pages and hot reload: versions, where villages are, validation, a diff;
every program folder under processes/, each validated and reloaded on its own."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from lxml import html

from engine.core import Engine
from engine.definitions import registry
from engine.definitions.reload import Reloader, program_folders
from engine.directory import access, users
from tests.engine.program_change import MONEV, add_month_4_visit, copy_program
from tests.test_program import LEMPUR, Village, program  # noqa: F401  (the fixture)
from tests.web.test_village import signed_in, svgs
from web import create_app


@pytest.fixture
def designed(program: Engine) -> Engine:  # noqa: F811
    Village(program)
    with program.db.transaction() as s:
        users.add(s, "perancang", password="rahasia")
        access.assign(s, "perancang", "Perancang Program", None, None)
    return program


def _marks(page: str) -> dict[str, str]:
    return {
        g.get("data-element") or "": g.get("data-state") or ""
        for svg in svgs(page)
        for g in svg.iter("{http://www.w3.org/2000/svg}g")
        if g.get("data-element")
    }


def test_a_designer_sees_processes_versions_and_where_villages_are(designed: Engine) -> None:
    c = signed_in(designed, "perancang")
    index = c.get("/perancangan/").get_data(as_text=True)
    assert 'href="/perancangan/"' in index  # the header offers the page
    assert "program_desa" in index and "versi 1" in index and "running: 1" in index
    assert "Tanpa masalah" in index  # processes/ validates clean
    page = c.get("/perancangan/program_desa/1").get_data(as_text=True)  # the villages run the program
    assert "Menyiapkan Petugas" in page  # the element the village is at, with a count
    assert _marks(page)["tetapkan_petugas"] == "active"
    called = c.get("/perancangan/persiapan/1").get_data(as_text=True)  # no village runs it on its own
    assert "Tidak ada desa yang sedang berjalan pada versi ini." in called
    assert c.get("/perancangan/persiapan/9").status_code == 404


def test_a_designer_sees_no_village_and_staff_see_no_design_page(designed: Engine) -> None:
    designer = signed_in(designed, "perancang")
    assert designer.get(f"/desa/{LEMPUR}").status_code == 404
    assert designer.get("/audit/").status_code == 403
    assert designer.get("/dasbor").status_code == 403
    staff = signed_in(designed, "pendamping1")
    assert staff.get("/perancangan/").status_code == 403
    assert 'href="/perancangan/"' not in staff.get("/").get_data(as_text=True)


def test_two_versions_compared_with_the_changes_marked(designed: Engine, tmp_path: Path) -> None:
    processes = copy_program(tmp_path)
    add_month_4_visit(processes)
    registry.deploy(designed.db, [processes])
    page = signed_in(designed, "perancang").get("/perancangan/program_desa/beda/1/2").get_data(as_text=True)
    assert "Kunjungan Bulan ke-4" in page and "ditambah" in page
    drawn = svgs(page)
    assert len(drawn) == 2  # monitoring, before and after
    after = {
        g.get("data-element"): g.get("data-state") for g in drawn[1].iter("{http://www.w3.org/2000/svg}g")
    }
    before = {
        g.get("data-element"): g.get("data-state") for g in drawn[0].iter("{http://www.w3.org/2000/svg}g")
    }
    assert after["kunjungan_bulan_4"] == "active" and "kunjungan_bulan_4" not in before
    assert after["gabung_revisi"] == "completed" == before["gabung_revisi"]  # changed: its way out
    assert after["monitoring_bulan_3"] == "plain"


def test_hot_reload_redeploys_and_shows_a_broken_file_instead_of_crashing(
    designed: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    processes = copy_program(tmp_path)
    monkeypatch.setenv("DESA_PROCESSES_DIR", str(processes))
    reloader = Reloader(designed, processes)
    assert reloader.check() and reloader.state.ok and reloader.state.deployed == []  # same as deployed
    assert not reloader.check()  # nothing changed since

    add_month_4_visit(processes)
    assert reloader.check()
    assert "monitoring_evaluasi_pelaporan version 2" in reloader.state.deployed

    monev = processes / MONEV
    good = monev.read_text(encoding="utf-8")
    monev.write_text(good.replace('"P14D"', "P14D", 1), encoding="utf-8")
    os.utime(monev, (monev.stat().st_atime, monev.stat().st_mtime + 5))
    assert reloader.check()
    assert not reloader.state.ok and reloader.state.deployed == []
    [problem] = [p for p in reloader.state.problems if p.severity == "error"]
    assert (Path(problem.file).name, problem.rule) == (MONEV, "timer-expression")

    app = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False}, engine=designed)
    app.extensions["desa_reload"] = reloader
    c = app.test_client()
    c.post("/masuk", data={"username": "perancang", "password": "rahasia"})
    page = c.get("/perancangan/").get_data(as_text=True)
    assert "belum dapat dipasang" in page and "timer-expression" in page and f"baris {problem.line}" in page

    monev.write_text(good, encoding="utf-8")
    os.utime(monev, (monev.stat().st_atime, monev.stat().st_mtime + 10))
    assert reloader.check() and reloader.state.ok  # fixed: the version already deployed is kept
    assert c.get("/perancangan/").status_code == 200


PROGRAMS = Path(__file__).resolve().parents[2] / "processes"
FORM_OF_KAJIAN = 'value="kajian_risiko_desa.json"'


def _copy_programs(tmp_path: Path) -> Path:
    """Both programs, each with its forms (processes/NAME, forms/NAME), as a designer's checkout."""
    for name in ("model_desa", "siaga_bencana"):
        shutil.copytree(PROGRAMS / name, tmp_path / "processes" / name)
        shutil.copytree(PROGRAMS.parent / "forms" / name, tmp_path / "forms" / name)
    return tmp_path / "processes"


def _break_kajian(root: Path) -> str:
    """Kampung Siaga Bencana's risk assessment names a form that does not exist; the good text."""
    kajian = root / "siaga_bencana" / "kajian_risiko.bpmn"
    good = kajian.read_text(encoding="utf-8")
    _write(kajian, good.replace(FORM_OF_KAJIAN, 'value="tidak_ada.json"'))
    return good


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))


def _rename(path: Path, name: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert f'name="{name}"' in text
    _write(path, text.replace(f'name="{name}"', f'name="{new}"'))


def _sections(page: str) -> dict[str, str]:
    """The text of each program's part of the design page, by its folder's name."""
    tree = html.fromstring(page)
    return {
        str(s.get("data-program")): " ".join(str(s.xpath("string()")).split())
        for s in tree.iter("section")
        if s.get("data-program") is not None
    }


def test_the_design_page_shows_every_program_with_its_own_problems_and_processes(
    designed: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry.deploy(designed.db, [PROGRAMS / "siaga_bencana"])
    root = _copy_programs(tmp_path)
    _break_kajian(root)
    monkeypatch.setenv("DESA_PROCESSES_DIR", str(root))
    sections = _sections(signed_in(designed, "perancang").get("/perancangan/").get_data(as_text=True))

    assert set(sections) == {"model_desa", "siaga_bencana"}
    model, siaga = sections["model_desa"], sections["siaga_bencana"]
    assert "Model Desa Berketahanan Sosial" in model and "Kampung Siaga Bencana" in siaga
    assert "Tanpa masalah" in model and "belum dapat dipasang" not in model  # its files are fine
    assert "belum dapat dipasang" in siaga and "kajian_risiko.bpmn" in siaga and "tidak_ada.json" in siaga
    assert "program_desa" in model and "running: 1" in model and "kajian_risiko" not in model
    assert "kajian_risiko" in siaga and "versi 1" in siaga and "program_desa" not in siaga


def test_hot_reload_deploys_each_changed_program_and_a_broken_one_blocks_no_other(
    designed: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy_programs(tmp_path)
    monkeypatch.setenv("DESA_PROCESSES_DIR", str(root))
    model, siaga = root / "model_desa", root / "siaga_bencana"
    reloader = Reloader(designed, program_folders())
    assert reloader.folders == [model, siaga]
    assert reloader.check() and reloader.state.ok
    assert reloader.states[model].deployed == []  # as deployed already
    assert "siaga_bencana version 1" in reloader.states[siaga].deployed  # new: deployed on first look

    good = _break_kajian(root)
    _rename(model / MONEV, "Mencatat Kemajuan Rencana Aksi", "Mencatat Kemajuan Bulanan")
    assert reloader.check()
    assert "monitoring_evaluasi_pelaporan version 2" in reloader.states[model].deployed
    assert not reloader.states[siaga].ok and reloader.states[siaga].deployed == []
    assert {(p.file, p.rule) for p in reloader.states[siaga].problems if p.severity == "error"} == {
        ("kajian_risiko.bpmn", "form")
    }
    with designed.db.sessions() as s:
        assert registry.latest(s, "kajian_risiko").version == 1  # the running version stays

    app = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False}, engine=designed)
    app.extensions["desa_reload"] = reloader
    c = app.test_client()
    c.post("/masuk", data={"username": "perancang", "password": "rahasia"})
    sections = _sections(c.get("/perancangan/").get_data(as_text=True))
    assert "monitoring_evaluasi_pelaporan version 2" in sections["model_desa"]
    assert "Tanpa masalah" in sections["model_desa"]
    assert (
        "belum dapat dipasang" in sections["siaga_bencana"] and "tidak_ada.json" in sections["siaga_bencana"]
    )

    looked_at = reloader.states[model].checked_at
    _write(
        siaga / "kajian_risiko.bpmn", good.replace('name="Meninjau Kajian Risiko"', 'name="Meninjau Kajian"')
    )
    assert reloader.check()
    assert reloader.states[siaga].ok and "kajian_risiko version 2" in reloader.states[siaga].deployed
    assert reloader.states[model].checked_at == looked_at  # unchanged: not looked at again
