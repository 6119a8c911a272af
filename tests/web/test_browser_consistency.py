"""Issue 14, items 6, 7, 8 and 13 in a real browser (Debian's Chromium) against `desa serve`:
refusals and missing pages as the app's own pages, each village's times in its own zone, English
throughout in English mode, and a designer's preview of each form."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine.core import Engine
from engine.definitions import registry
from engine.directory import access, users, villages
from engine.runtime import actions as runtime
from engine.store.db import Database
from engine.store.models import HumanTask
from tests.web.test_browser import NEEDS_CHROMIUM, ROOT, _launch, _serve

pytestmark = NEEDS_CHROMIUM

LEMPUR = "15.01.01.2003"  # Jambi: WIB
PALU = "72.71.01.1001"  # Sulawesi Tengah: WITA
JAYAPURA = "91.71.01.1001"  # Papua: WIT
DUE = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
SHOTS = Path(os.environ.get("DESA_SHOTS", "/work/tmp/shots/i14b"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
STAFF = [
    ("pusat", "Fasilitator Pusat", None, None),
    ("pendamping.palu", "Pendamping", PALU, None),
    ("perancang", "Perancang Program", None, None),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("site")
    db = Database(f"sqlite:///{folder / 'site.sqlite'}")
    db.upgrade()
    engine = Engine(db)
    registry.deploy(db, [ROOT / "processes" / "model_desa"])
    with db.transaction() as s:
        villages.upsert(s, LEMPUR, "Lempur Mudik", "Gunung Raya", "Kab. Kerinci", "Jambi")
        villages.upsert(s, PALU, "Lere", "Palu Barat", "Kota Palu", "Sulawesi Tengah")
        villages.upsert(s, JAYAPURA, "Gurabesi", "Jayapura Utara", "Kota Jayapura", "Papua")
        for name, role, village, kabupaten in STAFF:
            users.add(s, name, password="kata-sandi-" + name)
            access.assign(s, name, role, village, kabupaten)
        users.add(s, "admin", password="kata-sandi-admin", admin=True)
    for code in (LEMPUR, PALU, JAYAPURA):
        runtime.start(engine, "program_desa", code, "pusat")
    # every first task due at one moment: 17:00 UTC, the next day already in every zone
    with db.transaction() as s:
        for task in s.scalars(select(HumanTask)):
            task.due_at = DUE
    process, url = _serve(engine, folder)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium: Any = _launch(p)
        yield chromium
        chromium.close()


def _page(
    browser: Any, url: str, who: str | None, viewport: dict[str, int] = PHONE, english: bool = False
) -> Any:
    page = browser.new_context(viewport=viewport).new_page()
    if who:
        page.goto(url + "/masuk")
        page.fill("#username", who)
        page.fill("#password", "kata-sandi-" + who)
        page.click("main button[type=submit]")
        page.wait_for_url(lambda u: "/masuk" not in u)  # the sign-in page has an h1 too
        page.wait_for_selector("h1")
    # the language is kept with the account: chosen each time, in the page's own form
    language = "en" if english else "id"
    page.goto(url + "/status")
    if page.evaluate("document.documentElement.lang") != language:
        page.select_option("select[name=language]", language)
        page.click("form.lang button")
        page.wait_for_selector(f"html[lang={language}]")
    if who:
        page.goto(url + "/")
    return page


def _main_text(page: Any) -> str:
    return str(page.inner_text("main"))


# --- Item 6: refusals, missing pages and the status page


def test_a_pendamping_has_no_dashboard_link_and_a_refusal_is_a_page_of_the_app(
    browser: Any, site: str
) -> None:
    page = _page(browser, site, "pendamping.palu")
    assert page.locator("header a", has_text="Dasbor").count() == 0
    answer = page.goto(site + "/dasbor")
    assert answer.status == 403
    assert page.locator("header a.brand").count() == 1  # the header and its navigation
    assert "Tidak diizinkan" in page.inner_text("h1")
    assert "Forbidden" not in page.content()
    assert page.evaluate("getComputedStyle(document.querySelector('.error')).borderLeftStyle") == "solid"
    page.screenshot(path=str(SHOTS / "403-phone-id.png"), full_page=True)
    page.goto(site + "/")
    page.select_option("select[name=language]", "en")
    page.click("form.lang button")
    page.wait_for_selector("html[lang=en]")
    assert page.goto(site + "/dasbor").status == 403
    assert page.inner_text("h1") == "Not allowed"
    assert "Halaman" not in _main_text(page) and "Tugas" not in _main_text(page)
    page.context.close()
    central = _page(browser, site, "pusat")
    assert central.locator("header a", has_text="Dasbor").count() == 1
    central.context.close()


def test_a_missing_page_has_the_header_in_the_persons_language_and_the_api_stays_json(
    browser: Any, site: str
) -> None:
    page = _page(browser, site, "pusat", DESKTOP)
    answer = page.goto(site + "/tidak-ada")
    assert answer.status == 404
    assert page.inner_text("h1") == "Halaman tidak ditemukan"
    assert page.locator("header a", has_text="Tugas Saya").count() == 1
    assert "Not Found" not in page.content()
    page.screenshot(path=str(SHOTS / "404-desktop-id.png"), full_page=True)
    api = page.goto(site + "/api/v1/tidak-ada")
    assert api.status == 404 and api.headers["content-type"].startswith("application/json")
    page.context.close()


def test_status_is_styled_by_the_css_file_and_names_the_database_only_to_admins(
    browser: Any, site: str
) -> None:
    page = _page(browser, site, None)
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(site + "/status")
    assert "sqlite" not in page.content() and "site.sqlite" not in page.content()
    assert not [m for m in messages if "Content Security Policy" in m]
    assert page.locator("header a.brand").count() == 1
    # styled: the app's stylesheet applies (its header bar has a background)
    header = page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor")
    assert header != "rgba(0, 0, 0, 0)"
    assert "Tugas terbuka" in _main_text(page) and "open tasks" not in _main_text(page)
    page.screenshot(path=str(SHOTS / "status-phone.png"), full_page=True)
    page.context.close()
    admin = _page(browser, site, "admin")
    admin.goto(site + "/status")
    assert "site.sqlite" in _main_text(admin)
    admin.context.close()


# --- Item 7: each village's times in its own zone


def test_the_inbox_task_and_village_pages_show_each_villages_time_in_its_zone(
    browser: Any, site: str
) -> None:
    page = _page(browser, site, "pusat", DESKTOP)
    inbox = _main_text(page)
    assert "2026-12-08 00.00 WIB" in inbox  # Lempur Mudik, Jambi
    assert "2026-12-08 01.00 WITA" in inbox  # Lere, Palu
    assert "2026-12-08 02.00 WIT" in inbox  # Gurabesi, Jayapura
    page.screenshot(path=str(SHOTS / "inbox-zones-desktop.png"), full_page=True)
    page.goto(site + f"/desa/{PALU}")
    times = page.locator(".timeline time").all_inner_texts()
    assert times and all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d\.\d\d WITA", t) for t in times), times
    page.goto(site + "/")
    page.click("li.task:has-text('Gurabesi') a.name")
    page.wait_for_url("**/tugas/*")
    assert "2026-12-08 02.00 WIT" in page.inner_text("p.meta")
    page.context.close()


# --- Item 13: a designer sees each form as staff will


def test_a_designer_sees_a_form_filled_with_the_examples_in_both_languages(browser: Any, site: str) -> None:
    page = _page(browser, site, "perancang", DESKTOP)
    page.goto(site + "/perancangan/")
    page.click("text=Pratinjau formulir")
    page.click("a:has-text('rencana_aksi.json')")
    page.wait_for_selector(".design-form-preview")
    assert "Masalah berkas ini" in _main_text(page)
    activities = page.locator(".design-form-preview input[name$='-kegiatan']")
    assert activities.count() == 6 and activities.first.input_value()  # the example's six activities
    page.screenshot(path=str(SHOTS / "form-preview-desktop-id.png"), full_page=True)
    page.click(".design-form-languages a[lang=en]")
    page.wait_for_selector(".design-form-preview[lang=en]")
    preview = page.inner_text(".design-form-preview")
    assert "Activity" in preview and "Kegiatan" not in preview
    page.goto(site + "/perancangan/formulir/model_desa/tetapkan_petugas.json")
    assert page.locator("input[name='fasilitator_daerah-nama']").input_value() == "Budi Santoso"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.context.close()
    refused = _page(browser, site, "pendamping.palu")
    assert refused.goto(site + "/perancangan/formulir/model_desa/tetapkan_petugas.json").status == 403
    refused.context.close()


# --- Item 8: English throughout in English mode, and the app's icon


def test_in_english_task_names_documentation_and_diagrams_are_english(browser: Any, site: str) -> None:
    page = _page(browser, site, "pusat", DESKTOP, english=True)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status == 404 else None)
    inbox = _main_text(page)
    assert "Preparing the officers" in inbox and "Menyiapkan Petugas" not in inbox
    page.click("li.task:has-text('Lere') a.name")
    page.wait_for_url("**/tugas/*")
    page.wait_for_selector("h1:text-is('Preparing the officers')", timeout=10_000)
    assert "appoints the regional facilitator" in page.inner_text(".documentation")
    page.screenshot(path=str(SHOTS / "task-desktop-en.png"), full_page=True)
    page.goto(site + f"/desa/{PALU}")
    labels = " ".join(page.eval_on_selector_all("svg text", "els => els.map(e => e.textContent)"))
    assert "Preparing" in labels and "Menyiapkan" not in labels and "Persiapan Dimulai" not in labels
    page.screenshot(path=str(SHOTS / "village-desktop-en.png"), full_page=True)
    favicon = page.goto(site + "/favicon.ico")
    assert favicon.status == 200 and "svg" in favicon.headers["content-type"]
    assert not failed, failed
    page.context.close()


# --- No untranslated text on the pages of these items, in either language


def _catalog() -> list[tuple[str, str]]:
    """(Indonesian, English) UI texts of the catalog worth looking for: whole phrases that differ
    between the languages (their literal parts, without the placeholders)."""
    from babel.messages.pofile import read_po

    with (ROOT / "web" / "translations" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    pairs = []
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or not message.string:
            continue
        source = max(re.split(r"%\(\w+\)s", message.id), key=len).strip(" .:·←→")
        target = max(re.split(r"%\(\w+\)s", str(message.string)), key=len).strip(" .:·←→")
        if len(source.split()) >= 2 and len(target.split()) >= 2 and source.lower() != target.lower():
            pairs.append((source, target))
    return pairs


def _untranslated(text: str, language: str, pairs: list[tuple[str, str]]) -> list[str]:
    wrong = [english for _, english in pairs] if language == "id" else [indonesian for indonesian, _ in pairs]
    return [phrase for phrase in wrong if phrase in text]


PAGES = [
    (None, "/status"),
    ("pusat", "/tidak-ada"),
    ("pendamping.palu", "/dasbor"),
    ("pusat", "/"),
    ("pusat", f"/desa/{PALU}"),
    ("perancang", "/perancangan/formulir/"),
    ("perancang", "/perancangan/formulir/model_desa/tetapkan_petugas.json"),
]


@pytest.mark.parametrize("language", ["id", "en"])
def test_no_text_of_the_other_language_on_these_pages(browser: Any, site: str, language: str) -> None:
    pairs = _catalog()
    pages: dict[str | None, Any] = {}
    found: dict[str, list[str]] = {}
    for who, path in PAGES:
        if who not in pages:
            pages[who] = _page(browser, site, who, PHONE, english=language == "en")
        page = pages[who]
        page.goto(site + path)
        assert page.evaluate("document.documentElement.lang") == language
        wrong = _untranslated(page.inner_text("body"), language, pairs)
        if wrong:
            found[path] = wrong
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
    for page in pages.values():
        page.context.close()
    assert not found, found
