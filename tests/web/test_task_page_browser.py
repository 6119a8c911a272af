"""The task page in a pendamping's hand, in a real browser (Debian's Chromium against `desa serve`,
at 390 px): a draft saves with required fields empty and says so as a success, Ambil keeps what
was typed, Tambah baris comes back at the new row, the error summary names the row, the form comes
before the earlier data, and Alihkan is a list whose refusals stay on the page (issue 14, items
1, 2, 4, 5). Screenshots go to test-output/task-*.png."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from engine.core import Engine
from engine.definitions import registry
from engine.directory import access, users, villages
from engine.runtime import actions as runtime
from engine.store.db import Database
from engine.views import queries
from tests.model_desa_program import FORM_EXAMPLES
from tests.web.test_browser import LEMPUR, NEEDS_CHROMIUM, OUTPUT, ROOT, _launch, _serve, _sign_in

pytestmark = NEEDS_CHROMIUM
SIULAK = "15.01.02.2001"  # a second village of Kab. Kerinci
PHONE = {"width": 390, "height": 844}
STAFF = [
    ("pusat", "Fasilitator Pusat", None, None),
    ("pusat.dua", "Fasilitator Pusat", None, None),
    ("daerah", "Fasilitator Daerah", None, "15.01"),
    ("pendamping1", "Pendamping", LEMPUR, None),
]


def _done(engine: Engine, instance: int, bpmn_id: str, user: str) -> None:
    task = next(t for t in queries.tasks(engine, instance_id=instance) if t.bpmn_id == bpmn_id)
    runtime.complete(engine, task.id, user, copy.deepcopy(FORM_EXAMPLES[f"{bpmn_id}.json"]))


def _task(engine: Engine, instance: int, bpmn_id: str) -> str:
    return next(t.id for t in queries.tasks(engine, instance_id=instance) if t.bpmn_id == bpmn_id)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine, dict[str, str]]]:
    """Lempur Mudik at the registration of participants, Siulak at its first task, a third village
    at the list of candidates; the app served by `desa serve`."""
    folder = tmp_path_factory.mktemp("task-page")
    database = Database(f"sqlite:///{folder / 'test.sqlite'}")
    database.upgrade()
    engine = Engine(database)
    registry.deploy(engine.db, [ROOT / "processes" / "model_desa"])
    with engine.db.transaction() as s:
        villages.upsert(s, LEMPUR, "Lempur Mudik", "Gunung Raya", "Kab. Kerinci", "Jambi")
        villages.upsert(s, SIULAK, "Siulak Deras", "Gunung Kerinci", "Kab. Kerinci", "Jambi")
        for name, role, village, kabupaten in STAFF:
            users.add(s, name, password="kata-sandi-" + name)
            access.assign(s, name, role, village, kabupaten)
    lempur = runtime.start(engine, "program_desa", LEMPUR, "pusat").instance_id
    for bpmn_id, user in (
        ("tetapkan_petugas", "pusat"),
        ("koordinasi_dinas_sosial", "daerah"),
        ("siapkan_lokasi", "daerah"),
        ("siapkan_calon_peserta", "daerah"),
        ("pemetaan_kondisi_awal", "daerah"),
        ("pembekalan", "pusat"),
    ):
        _done(engine, lempur, bpmn_id, user)
    siulak = runtime.start(engine, "program_desa", SIULAK, "pusat").instance_id
    for bpmn_id, user in (("tetapkan_petugas", "pusat"), ("koordinasi_dinas_sosial", "daerah")):
        _done(engine, siulak, bpmn_id, user)
    tasks = {
        "registrasi": _task(engine, lempur, "registrasi_peserta"),
        "lokasi": _task(engine, siulak, "siapkan_lokasi"),
    }
    process, url = _serve(engine, folder)
    try:
        yield url, engine, tasks
    finally:
        process.terminate()
        process.wait(timeout=10)
        database.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched: Any = _launch(p)
        yield launched
        launched.close()


def _page(browser: Any, url: str, user: str) -> Any:
    page = browser.new_page(viewport=PHONE, locale="id-ID")
    _sign_in(page, url, user, "kata-sandi-" + user)
    return page


def _shot(page: Any, name: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"task-{name}.png"))


def _in_view(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and -2 <= box["y"] < PHONE["height"]


def test_a_draft_saves_with_required_fields_empty(
    site: tuple[str, Engine, dict[str, str]], browser: Any
) -> None:
    url, _, tasks = site
    page = _page(browser, url, "daerah")
    page.goto(f"{url}/tugas/{tasks['lokasi']}")
    page.locator("form.task-form input[type=text]").first.fill("Balai desa")
    page.get_by_role("button", name="Simpan Draf").click()
    page.wait_for_selector("main p.flash", timeout=5000)  # the browser's own check did not stop it
    assert page.locator("main p.flash").inner_text() == "Draf disimpan."
    assert page.locator("main .error", has_text="Draf disimpan.").count() == 0
    page.close()


def test_taking_a_task_keeps_what_was_typed(site: tuple[str, Engine, dict[str, str]], browser: Any) -> None:
    url, engine, tasks = site
    page = _page(browser, url, "pendamping1")
    page.goto(f"{url}/tugas/{tasks['registrasi']}")
    page.fill('[name="peserta-0-peran"]', "Ketua RT 02 Dusun Baru")
    page.get_by_role("button", name="Ambil").click()
    page.wait_for_selector("text=Tugas ini sekarang Anda ambil.")
    assert page.input_value('[name="peserta-0-peran"]') == "Ketua RT 02 Dusun Baru"
    assert next(t for t in queries.tasks(engine) if t.id == tasks["registrasi"]).claimed_by == "pendamping1"
    page.close()


def test_the_form_comes_first_and_the_earlier_data_is_folded(
    site: tuple[str, Engine, dict[str, str]], browser: Any
) -> None:
    url, _, tasks = site
    page = _page(browser, url, "pendamping1")
    page.goto(f"{url}/tugas/{tasks['registrasi']}")
    first = page.locator("form.task-form input:not([type=hidden])").first.bounding_box()
    assert first is not None and first["y"] < PHONE["height"]  # on the first screen
    earlier = page.locator("details.shown")
    assert earlier.count() == 1 and not earlier.evaluate("d => d.open")
    assert earlier.bounding_box()["y"] > first["y"]  # after the form
    earlier.locator("summary").click()
    assert page.locator("details.shown h3", has_text="Calon peserta").count() == 1
    _shot(page, "earlier-data")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    page.close()


def test_a_new_row_is_where_the_page_comes_back(
    site: tuple[str, Engine, dict[str, str]], browser: Any
) -> None:
    url, _, tasks = site
    page = _page(browser, url, "pendamping1")
    page.goto(f"{url}/tugas/{tasks['registrasi']}")
    rows = int(page.input_value('[name="peserta-n"]'))
    page.locator('button[name="_tambah"][value="peserta"]').click()
    page.wait_for_selector(f'[name="peserta-{rows}-nama"]')
    assert page.url.endswith(f"#f-peserta-{rows}")
    assert _in_view(page, f"#f-peserta-{rows}")  # not the top of a page of 31 rows
    focused = page.evaluate("document.activeElement.name")
    assert focused.startswith(f"peserta-{rows}-")  # typing goes on in the new row
    _shot(page, "new-row")
    page.close()


def test_the_error_summary_names_the_row_and_leads_to_the_field(
    site: tuple[str, Engine, dict[str, str]], browser: Any
) -> None:
    url, _, tasks = site
    page = _page(browser, url, "pendamping1")
    page.goto(f"{url}/tugas/{tasks['registrasi']}")
    page.fill('[name="peserta-2-umur"]', "12")
    page.evaluate("document.querySelector('form.task-form').noValidate = true")
    page.get_by_role("button", name="Selesaikan tugas").click()
    link = page.locator("div.error li a", has_text="Peserta 3: Umur (tahun)")
    link.wait_for()
    link.click()
    assert page.evaluate("document.activeElement.name") == "peserta-2-umur"
    assert _in_view(page, '[name="peserta-2-umur"]')
    page.close()


def test_reassign_is_a_list_and_a_refusal_stays_on_the_page(
    site: tuple[str, Engine, dict[str, str]], browser: Any
) -> None:
    url, engine, tasks = site
    page = _page(browser, url, "pusat")
    page.goto(f"{url}/tugas/{tasks['lokasi']}")
    choices = page.locator("select#kepada option").all_inner_texts()
    assert "daerah" in choices and "pendamping1" not in choices and "pusat.dua" not in choices
    form = page.locator("form.task-form").bounding_box()
    reassign = page.get_by_role("button", name="Alihkan").bounding_box()
    assert reassign["y"] > form["y"] + form["height"]  # apart from the form and its submit buttons
    with engine.db.transaction() as s:  # the list was drawn; meanwhile the account is disabled
        users.disable(s, "daerah")
    try:
        page.select_option("select#kepada", "daerah")
        page.get_by_role("button", name="Alihkan").click()
        refusal = page.locator("#alihkan-galat")
        refusal.wait_for()
        assert refusal.inner_text() == "Tidak ada pengguna aktif bernama daerah."
        assert "error" in (refusal.get_attribute("class") or "")
        assert page.locator("h1").inner_text() == "Menyiapkan Lokasi/Lapangan"  # the page is kept
        _shot(page, "reassign-refused")
    finally:
        with engine.db.transaction() as s:
            users.enable(s, "daerah")
    page.close()


def test_offline_ambil_says_it_needs_a_connection(
    site: tuple[str, Engine, dict[str, str]], browser: Any
) -> None:
    """Ambil is a button of the task form: offline, the page's offline layer must not keep it as a
    submission to send later, but say that taking a task needs a connection."""
    url, engine, tasks = site
    context = browser.new_context(viewport=PHONE, locale="id-ID")
    page = context.new_page()
    _sign_in(page, url, "daerah", "kata-sandi-daerah")
    page.goto(f"{url}/tugas/{tasks['lokasi']}")
    page.wait_for_selector("html[data-luring=siap]")
    context.set_offline(True)
    page.get_by_role("button", name="Ambil").click()
    page.wait_for_selector("main p.error:has-text('Ini perlu koneksi; coba lagi saat online.')")
    assert page.url.endswith(f"/tugas/{tasks['lokasi']}")  # still the task, nothing kept to send
    assert page.locator("#luring-kiriman li").count() == 0
    context.set_offline(False)
    assert next(t for t in queries.tasks(engine) if t.id == tasks["lokasi"]).claimed_by is None
    context.close()
