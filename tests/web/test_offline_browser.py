"""Working without a signal, in a real browser: Debian's Chromium driven by Playwright against
`desa serve`, with the network switched off and on (`context.set_offline`).

Screenshots go to test-output/offline-*.png (a phone at 390 px and a desktop at 1280 px)."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.core import Engine
from engine.definitions import registry
from engine.directory import access, users, villages, web_sessions
from engine.runtime import actions as runtime
from engine.runtime import audit, drafts
from engine.store.models import AuditEvent
from engine.views import queries
from tests.model_desa_program import FORM_EXAMPLES
from tests.web.test_browser import CHROMIUM, LEMPUR, OUTPUT, ROOT, _fill, _serve

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"),
    reason="Debian's chromium is not installed here (.ci/run installs it)",
)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
TASK = "Menyiapkan Petugas"
SCHEMA = json.loads((ROOT / "forms" / "model_desa" / "tetapkan_petugas.json").read_text())


@pytest.fixture
def site(engine: Engine, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """The program deployed, Lempur Mudik running it, and two people who may do its first task."""
    registry.deploy(engine.db, [ROOT / "processes" / "model_desa"])
    with engine.db.transaction() as s:
        villages.upsert(s, LEMPUR, "Lempur Mudik", "Gunung Raya", "Kab. Kerinci", "Jambi")
        for name in ("pusat", "pusat.dua"):
            users.add(s, name, password="kata-sandi-" + name)
            access.assign(s, name, "Fasilitator Pusat", None, None)
    runtime.start(engine, "program_desa", LEMPUR, "pusat")
    process, url = _serve(engine, tmp_path)
    try:
        yield url, engine
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p.chromium


def _context(chromium: Any, profile: Path, viewport: dict[str, int] = PHONE) -> Any:
    """A browser with its own profile folder: what it keeps survives closing it."""
    return chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=ARGS, viewport=viewport, locale="id-ID"
    )


def _sign_in(page: Any, url: str, username: str) -> None:
    page.goto(url + "/masuk")
    page.fill("#username", username)
    page.fill("#password", "kata-sandi-" + username)
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Tugas Saya')")
    page.wait_for_selector("html[data-luring-tersimpan]")  # the inbox's task pages are kept


def _ready(page: Any) -> None:
    page.wait_for_selector("html[data-luring=siap]")


def _open_task(page: Any) -> None:
    page.click(f"text={TASK}")
    page.wait_for_selector("form.task-form")
    _ready(page)


def _fill_offline_and_finish(page: Any, data: dict[str, Any] | None = None) -> None:
    _open_task(page)
    _fill(page, SCHEMA, copy.deepcopy(data or FORM_EXAMPLES["tetapkan_petugas.json"]))
    page.get_by_role("button", name="Selesaikan tugas").click()
    page.wait_for_selector("#luring-kiriman :text('Menunggu koneksi')")


STORED = """async () => {
  const db = await new Promise((ok) => {
    const r = indexedDB.open('desa-luring'); r.onsuccess = () => ok(r.result); });
  const count = (name) => new Promise((ok) => {
    const g = db.transaction(name).objectStore(name).count(); g.onsuccess = () => ok(g.result); });
  return {caches: await caches.keys(), queued: await count('antrean'), drafts: await count('draf')};
}"""  # what this browser keeps: the cache names, and the submissions and drafts in IndexedDB


def completions(engine: Engine) -> int:
    with engine.db.sessions() as s:
        count = s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.type == audit.TASK_COMPLETED)
        )
    return int(count or 0)


def _shot(page: Any, name: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"offline-{name}.png"), full_page=True)


def test_filled_offline_kept_through_a_restart_and_sent_once(
    site: tuple[str, Engine], chromium: Any, tmp_path: Path
) -> None:
    url, engine = site
    profile = tmp_path / "profil"
    context = _context(chromium, profile)
    page = context.new_page()
    _sign_in(page, url, "pusat")
    context.set_offline(True)
    page.reload()  # the inbox as last synced
    _ready(page)
    status = page.locator("#luring-status").inner_text()
    assert status.startswith("Offline: terakhir disinkronkan")
    assert page.locator("li.task").count() == 1
    _shot(page, "inbox-offline")
    _fill_offline_and_finish(page)
    assert "Tersimpan di perangkat ini: Menyiapkan Petugas" in page.content()
    assert page.locator("li.task .luring-mark").inner_text() == "Menunggu koneksi"
    _shot(page, "queued")
    context.close()  # the phone is switched off
    assert completions(engine) == 0

    context = _context(chromium, profile)
    context.set_offline(True)
    page = context.new_page()
    page.goto(url + "/")
    _ready(page)
    assert page.locator("#luring-kiriman .luring-list-menunggu li").count() == 1
    context.set_offline(False)  # the connection returns: sent on its own
    page.wait_for_selector("#luring-kiriman :text('Tugas selesai: Menyiapkan Petugas')")
    _shot(page, "sent")
    assert completions(engine) == 1
    instance = queries.instances(engine)[0].id
    assert [t.bpmn_id for t in queries.tasks(engine, instance_id=instance)] == ["koordinasi_dinas_sosial"]
    page.reload()  # sent is sent: nothing goes twice
    _ready(page)
    page.get_by_role("button", name="Tutup").click()
    page.wait_for_selector("#luring-kiriman", state="detached")
    assert completions(engine) == 1
    context.close()


def test_two_tabs_syncing_one_queue_send_it_once(
    site: tuple[str, Engine], chromium: Any, tmp_path: Path
) -> None:
    url, engine = site
    context = _context(chromium, tmp_path / "profil", DESKTOP)
    first = context.new_page()
    _sign_in(first, url, "pusat")
    context.set_offline(True)
    _fill_offline_and_finish(first)
    second = context.new_page()
    second.goto(url + "/")
    _ready(second)
    assert second.locator("#luring-kiriman .luring-list-menunggu li").count() == 1
    context.set_offline(False)  # both tabs see the connection return and sync the same queue
    for page in (first, second):
        page.wait_for_selector("#luring-kiriman :text('Tugas selesai: Menyiapkan Petugas')")
    _shot(second, "two-tabs-desktop")
    assert completions(engine) == 1
    context.close()


def test_completed_by_someone_else_meanwhile_lands_in_review_with_the_input(
    site: tuple[str, Engine], chromium: Any, tmp_path: Path
) -> None:
    url, engine = site
    context = _context(chromium, tmp_path / "profil")
    page = context.new_page()
    _sign_in(page, url, "pusat")
    context.set_offline(True)
    _fill_offline_and_finish(page)
    task = queries.tasks(engine)[0]
    runtime.complete(engine, task.id, "pusat.dua", copy.deepcopy(FORM_EXAMPLES["tetapkan_petugas.json"]))
    context.set_offline(False)
    page.wait_for_selector("#luring-kiriman :text('Perlu ditinjau')")
    review = page.locator("#luring-kiriman .luring-list-ditinjau").inner_text()
    assert "sudah diselesaikan oleh pusat.dua" in review
    petugas = FORM_EXAMPLES["tetapkan_petugas.json"]
    assert petugas["fasilitator_daerah"]["nama"] in review  # the input is kept, readable
    _shot(page, "review")
    assert completions(engine) == 1  # the other person's only
    page.get_by_role("button", name="Isi ulang").click()  # the task is gone: nowhere to put it
    page.wait_for_selector("h1:has-text('Tugas sudah selesai')")
    _ready(page)
    assert page.locator("#luring-kiriman .luring-list-ditinjau li").count() == 1  # still kept
    page.get_by_role("button", name="Hapus").click()
    page.wait_for_selector("#luring-kiriman", state="detached")
    context.close()


def test_a_field_the_server_refuses_reopens_the_form_with_the_input_and_the_messages(
    site: tuple[str, Engine], chromium: Any, tmp_path: Path
) -> None:
    url, engine = site
    context = _context(chromium, tmp_path / "profil")
    page = context.new_page()
    _sign_in(page, url, "pusat")
    context.set_offline(True)
    _open_task(page)
    data = copy.deepcopy(FORM_EXAMPLES["tetapkan_petugas.json"])
    data["pendamping"][0]["nama"] = ""  # the browser's checks are off: only the server checks
    page.evaluate("document.querySelector('form.task-form').noValidate = true")
    _fill(page, SCHEMA, data)
    page.get_by_role("button", name="Selesaikan tugas").click()
    page.wait_for_selector("#luring-kiriman :text('Menunggu koneksi')")
    context.set_offline(False)
    page.wait_for_selector("#luring-kiriman :text('Perlu ditinjau')")
    assert "Wajib diisi." in page.locator("#luring-kiriman").inner_text()
    page.get_by_role("button", name="Isi ulang").click()
    page.wait_for_selector("form.task-form")
    _ready(page)
    assert "Isian Anda dari perangkat ini dimuat" in page.content()
    assert page.locator(".field-error", has_text="Wajib diisi.").count() >= 1
    kept = data["fasilitator_daerah"]["nama"]
    assert page.input_value('[name="fasilitator_daerah-nama"]') == kept
    _shot(page, "refused")
    page.fill('[name="pendamping-0-nama"]', "Rina Marlina")
    page.get_by_role("button", name="Selesaikan tugas").click()
    page.wait_for_selector("text=Tugas selesai: Menyiapkan Petugas")
    assert completions(engine) == 1
    context.close()


def test_signing_out_clears_this_persons_pages_and_queue_after_a_warning(
    site: tuple[str, Engine], chromium: Any, tmp_path: Path
) -> None:
    url, engine = site
    context = _context(chromium, tmp_path / "profil")
    page = context.new_page()
    _sign_in(page, url, "pusat")
    context.set_offline(True)
    _fill_offline_and_finish(page)
    page.get_by_role("button", name="Keluar").click()  # offline: the session cannot end, nothing goes
    page.wait_for_selector("text=Keluar perlu koneksi")
    task = queries.tasks(engine)[0]
    runtime.complete(engine, task.id, "pusat.dua", copy.deepcopy(FORM_EXAMPLES["tetapkan_petugas.json"]))
    context.set_offline(False)
    page.wait_for_selector("#luring-kiriman :text('Perlu ditinjau')")  # unsent: only on this phone
    warned: list[str] = []

    def decline(dialog: Any) -> None:
        warned.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_timeout(300)
    assert len(warned) == 1 and "Ada 1 kiriman yang belum terkirim" in warned[0]
    assert "/masuk" not in page.url
    assert page.locator("#luring-kiriman .luring-list-ditinjau li").count() == 1  # nothing cleared
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_selector("text=Anda sudah keluar.")
    _ready(page)
    left = page.evaluate(STORED)
    assert left["queued"] == 0 and left["drafts"] == 0 and "desa-halaman" not in left["caches"]
    context.set_offline(True)
    page.goto(url + "/")  # nothing of theirs is readable offline any more
    assert "Halaman ini belum tersimpan di perangkat ini" in page.content()
    context.close()


def test_a_queue_outliving_the_sign_in_waits_for_its_person_only(
    site: tuple[str, Engine], chromium: Any, tmp_path: Path
) -> None:
    url, engine = site
    context = _context(chromium, tmp_path / "profil")
    page = context.new_page()
    _sign_in(page, url, "pusat")
    context.set_offline(True)
    _fill_offline_and_finish(page)
    with engine.db.transaction() as s:  # an admin ends pusat's sessions meanwhile
        web_sessions.end_all(s, "pusat")
    context.set_offline(False)
    page.reload()
    page.wait_for_selector("h1:has-text('Masuk')")
    _ready(page)
    assert "1 kiriman dari pusat menunggu di perangkat ini" in page.content()
    _sign_in(page, url, "pusat.dua")  # someone else on the same phone: not theirs, not sent
    _ready(page)
    assert page.locator("#luring-kiriman").count() == 0
    assert completions(engine) == 0
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_selector("text=Anda sudah keluar.")
    _sign_in(page, url, "pusat")  # the same person again: sent
    page.wait_for_selector("#luring-kiriman :text('Tugas selesai: Menyiapkan Petugas')")
    assert completions(engine) == 1
    context.close()


def test_a_disabled_accounts_queue_is_refused_with_a_clear_message(
    site: tuple[str, Engine], chromium: Any, tmp_path: Path
) -> None:
    url, engine = site
    context = _context(chromium, tmp_path / "profil")
    page = context.new_page()
    _sign_in(page, url, "pusat")
    context.set_offline(True)
    _fill_offline_and_finish(page)
    with engine.db.transaction() as s:
        users.disable(s, "pusat")
    context.set_offline(False)
    page.reload()
    page.wait_for_selector("h1:has-text('Masuk')")
    page.wait_for_selector("text=Akun pusat dinonaktifkan")
    _shot(page, "disabled")
    page.get_by_role("button", name="Hapus").click()
    page.wait_for_selector("text=Akun pusat dinonaktifkan", state="detached")
    assert completions(engine) == 0
    context.close()


COPY_ROW = """([list, from, to]) => {
  for (const field of document.querySelectorAll(`[name^="${list}-${from}-"]`)) {
    const name = field.name.replace(`${list}-${from}-`, `${list}-${to}-`);
    for (const target of document.querySelectorAll(`[name="${name}"]`)) {
      if (field.type === 'radio' || field.type === 'checkbox') {
        if (field.checked && target.value === field.value) target.checked = true;
      } else {
        target.value = field.value;
      }
    }
  }
}"""  # what a person would type: the values of one row into another


def test_rows_are_added_and_removed_offline_as_the_server_would(
    site: tuple[str, Engine], chromium: Any, tmp_path: Path
) -> None:
    url, engine = site
    with engine.db.transaction() as s:
        users.add(s, "daerah", password="kata-sandi-daerah")
        access.assign(s, "daerah", "Fasilitator Daerah", None, "15.01")
        users.add(s, "admin", password="kata-sandi-admin", admin=True)
    instance = queries.instances(engine)[0].id
    while (task := queries.tasks(engine, instance_id=instance)[0]).bpmn_id != "siapkan_calon_peserta":
        runtime.complete(engine, task.id, "admin", copy.deepcopy(FORM_EXAMPLES[f"{task.bpmn_id}.json"]))
    candidates = copy.deepcopy(FORM_EXAMPLES["siapkan_calon_peserta.json"])
    drafts.save(engine, task.id, "daerah", candidates)  # the page opens with every row filled
    names = [p["nama"] for p in candidates["calon_peserta"]]
    context = _context(chromium, tmp_path / "profil")
    page = context.new_page()
    _sign_in(page, url, "daerah")
    context.set_offline(True)
    page.click(f"text={task.name}")
    page.wait_for_selector("form.task-form")
    _ready(page)
    last = len(names) - 1
    page.locator('button[name="_hapus"][value="calon_peserta-0"]').click()  # the first row goes
    assert page.input_value('[name="calon_peserta-0-nama"]') == names[1]  # the others move up
    assert page.locator(f'[name="calon_peserta-{last}-nama"]').count() == 0
    page.locator('button[name="_tambah"][value="calon_peserta"]').click()  # an empty row at the end
    assert page.input_value(f'[name="calon_peserta-{last}-nama"]') == ""
    assert page.input_value('[name="calon_peserta-n"]') == str(len(names))
    page.evaluate(COPY_ROW, ["calon_peserta", last - 1, last])
    page.get_by_role("button", name="Simpan Draf").click()  # kept on the phone, rows and all
    page.wait_for_selector("text=Draf disimpan di perangkat ini.")
    page.goto(url + "/")
    _ready(page)
    page.click(f"text={task.name}")
    page.wait_for_selector("text=Draf dari perangkat ini")
    assert page.input_value(f'[name="calon_peserta-{last}-nama"]') == names[-1]
    assert page.input_value('[name="calon_peserta-0-nama"]') == names[1]
    page.get_by_role("button", name="Selesaikan tugas").click()
    page.wait_for_selector("#luring-kiriman :text('Menunggu koneksi')")
    context.set_offline(False)
    page.wait_for_selector(f"#luring-kiriman :text('Tugas selesai: {task.name}')")
    kept = queries.instance_data(engine, instance)["calon_peserta"]
    assert [p["nama"] for p in kept] == [*names[1:], names[-1]]
    context.close()


def test_without_javascript_the_task_form_works_as_before(
    site: tuple[str, Engine], chromium: Any, tmp_path: Path
) -> None:
    url, engine = site
    browser = chromium.launch(executable_path=CHROMIUM, args=ARGS)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(url + "/masuk")
    page.fill("#username", "pusat")
    page.fill("#password", "kata-sandi-pusat")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Tugas Saya')")
    _open_task_plain(page)
    _fill(page, SCHEMA, copy.deepcopy(FORM_EXAMPLES["tetapkan_petugas.json"]))
    page.get_by_role("button", name="Selesaikan tugas").click()
    page.wait_for_selector("text=Tugas selesai: Menyiapkan Petugas")
    assert page.locator("#luring-kiriman, #luring-status").count() == 0
    assert completions(engine) == 1
    browser.close()


def _open_task_plain(page: Any) -> None:
    page.click(f"text={TASK}")
    page.wait_for_selector("form.task-form")


def test_the_offline_layer_runs_under_the_csp_and_its_worker_controls_the_pages(
    site: tuple[str, Engine], chromium: Any, tmp_path: Path
) -> None:
    url, _ = site
    context = _context(chromium, tmp_path / "profil", DESKTOP)
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    _sign_in(page, url, "pusat")
    _open_task(page)
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("/sw.js")
    assert page.evaluate("document.documentElement.dataset.luring") == "siap"
    assert refused == []
    context.set_offline(True)
    page.reload()
    _ready(page)
    assert page.locator("#luring-status").inner_text().startswith("Offline: terakhir disinkronkan")
    _shot(page, "task-offline-desktop")
    context.close()


def test_a_draft_saved_offline_is_kept_on_the_device_and_comes_back(
    site: tuple[str, Engine], chromium: Any, tmp_path: Path
) -> None:
    url, engine = site
    context = _context(chromium, tmp_path / "profil")
    page = context.new_page()
    _sign_in(page, url, "pusat")
    context.set_offline(True)
    _open_task(page)
    page.fill('[name="fasilitator_daerah-nama"]', "Budi Santoso")
    page.locator('[name="pendamping-0-jenis_kelamin"][value="P"]').check()
    page.evaluate("document.querySelector('form.task-form').noValidate = true")  # a draft may be partial
    page.get_by_role("button", name="Simpan Draf").click()
    page.wait_for_selector("text=Draf disimpan di perangkat ini.")
    page.goto(url + "/")
    _ready(page)
    _open_task(page)  # the kept page, with the draft from this device
    assert "Draf dari perangkat ini" in page.content()
    assert page.input_value('[name="fasilitator_daerah-nama"]') == "Budi Santoso"
    assert page.locator('[name="pendamping-0-jenis_kelamin"][value="P"]').is_checked()
    assert completions(engine) == 0
    context.close()
