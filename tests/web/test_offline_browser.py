"""Working without a signal, in a real browser: Debian's Chromium driven by Playwright against
`desa serve`, with the network switched off and on (`context.set_offline`).

Screenshots go to test-output/offline-*.png (a phone at 390 px and a desktop at 1280 px)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from engine.core import Engine
from engine.directory import access, users
from engine.runtime import actions as runtime
from engine.runtime import drafts
from engine.views import queries
from tests.model_desa_program import FORM_EXAMPLES
from tests.web.offline_site import (  # noqa: F401  (the fixtures)
    ARGS,
    CHROMIUM,
    DESKTOP,
    PHONE,
    SCHEMA,
    TASK,
    _context,
    _fill,
    _fill_offline_and_finish,
    _open_task,
    _ready,
    _shot,
    _sign_in,
    chromium_fixture,
    completions,
    site_fixture,
)
from tests.web.test_browser import NEEDS_CHROMIUM

pytestmark = NEEDS_CHROMIUM


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


def test_the_task_pages_kept_for_offline_follow_a_change_of_language(
    site: tuple[str, Engine], chromium: Any, tmp_path: Path
) -> None:
    url, _ = site
    context = _context(chromium, tmp_path / "profil")
    page = context.new_page()
    _sign_in(page, url, "pusat")  # its task page is kept, in Bahasa Indonesia
    page.select_option("form.lang select[name=language]", "en")
    page.click("form.lang button[type=submit]")
    page.wait_for_selector("h1:has-text('My tasks')")
    page.wait_for_selector("html[data-luring-tersimpan]")  # kept again, now in English
    context.set_offline(True)
    page.click("text=Preparing the officers")
    page.wait_for_selector("form.task-form")
    _ready(page)
    assert page.get_attribute("html", "data-disimpan")  # the kept copy, not the network's
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("h1").inner_text() == "Preparing the officers"
    _shot(page, "task-offline-english")
    context.close()
