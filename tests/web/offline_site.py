"""What the offline browser tests share: the served program with Lempur Mudik running it, Chromium
with a profile of its own, signing in, and reading what the browser keeps."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.core import Engine
from engine.definitions import registry
from engine.directory import access, users, villages
from engine.runtime import actions as runtime
from engine.runtime import audit
from engine.store.models import AuditEvent
from tests.model_desa_program import FORM_EXAMPLES
from tests.web.test_browser import CHROMIUM, LEMPUR, OUTPUT, ROOT, _fill, _serve

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
TASK = "Menyiapkan Petugas"
SCHEMA = json.loads((ROOT / "forms" / "model_desa" / "tetapkan_petugas.json").read_text())


@pytest.fixture(name="site")
def site_fixture(engine: Engine, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
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


@pytest.fixture(name="chromium")
def chromium_fixture() -> Iterator[Any]:
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
