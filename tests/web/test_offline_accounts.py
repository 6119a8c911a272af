"""Working without a signal, in a real browser, across people: signing out clears what this person
kept, a queue outliving the sign-in waits for its person, and a disabled account's queue is
refused in words (Chromium driven by Playwright against `desa serve`)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from engine.core import Engine
from engine.directory import users, web_sessions
from engine.runtime import actions as runtime
from engine.views import queries
from tests.model_desa_program import FORM_EXAMPLES
from tests.web.offline_site import (  # noqa: F401  (the fixtures)
    STORED,
    _context,
    _fill_offline_and_finish,
    _ready,
    _shot,
    _sign_in,
    chromium_fixture,
    completions,
    site_fixture,
)
from tests.web.test_browser import NEEDS_CHROMIUM

pytestmark = NEEDS_CHROMIUM


def _queued_offline(chromium: Any, tmp_path: Path, url: str) -> tuple[Any, Any]:
    """pusat signed in on a phone, then offline, with a task finished and waiting to be sent."""
    context = _context(chromium, tmp_path / "profil")
    page = context.new_page()
    _sign_in(page, url, "pusat")
    context.set_offline(True)
    _fill_offline_and_finish(page)
    return context, page


def test_signing_out_clears_this_persons_pages_and_queue_after_a_warning(
    site: tuple[str, Engine], chromium: Any, tmp_path: Path
) -> None:
    url, engine = site
    context, page = _queued_offline(chromium, tmp_path, url)
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
    context, page = _queued_offline(chromium, tmp_path, url)
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
    context, page = _queued_offline(chromium, tmp_path, url)
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
