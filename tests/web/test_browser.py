"""A person in a real browser (Debian's Chromium driven by Playwright) against `desa serve`."""

from __future__ import annotations

import copy
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.core import Engine
from engine.definitions import registry
from engine.directory import access, users, villages
from engine.runtime import actions as runtime
from tests.model_desa_program import FORM_EXAMPLES
from web import formdata

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = "/usr/bin/chromium"
LEMPUR = "15.01.01.2003"

# Every browser test module is marked with it (`pytestmark = NEEDS_CHROMIUM`).
NEEDS_CHROMIUM = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"),
    reason="Debian's chromium is not installed here (.ci/run installs it)",
)
pytestmark = NEEDS_CHROMIUM


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(engine: Engine, tmp_path: Path) -> Iterator[str]:
    registry.deploy(engine.db, [ROOT / "processes" / "model_desa"])
    with engine.db.transaction() as s:
        villages.upsert(s, LEMPUR, "Lempur Mudik", "Gunung Raya", "Kab. Kerinci", "Jambi")
        users.add(s, "pusat", password="kata-sandi-pusat")
        access.assign(s, "pusat", "Fasilitator Pusat", None, None)
    runtime.start(engine, "program_desa", LEMPUR, "pusat")
    process, url = _serve(engine, tmp_path)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _fill(page: object, schema: dict[str, object], data: dict[str, object]) -> None:
    raw = formdata.to_raw(schema, data)
    for name, values in raw.items():
        if name.endswith("-n"):
            continue
        field = page.locator(f'[name="{name}"]')  # type: ignore[attr-defined]
        kind = field.first.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if kind.startswith("select"):
            field.first.select_option(values[0])
        elif kind.endswith(":radio") or kind.endswith(":checkbox"):
            for value in values:
                page.locator(f'[name="{name}"][value="{value}"]').check()  # type: ignore[attr-defined]
        else:
            field.first.fill(values[0])


def test_sign_in_fix_a_refused_form_and_complete_the_task(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        page.goto(server + "/")
        assert "/masuk" in page.url
        page.fill("#username", "pusat")
        page.fill("#password", "kata-sandi-pusat")
        page.click("main button[type=submit]")
        page.wait_for_selector("h1:has-text('Tugas Saya')")
        assert page.locator(".task").count() == 1
        page.click("text=Menyiapkan Petugas")
        page.wait_for_selector("form.task-form")
        page.screenshot(path=str(tmp_path / "task.png"), full_page=True)

        # The browser's own checks stop an empty form; switch them off to see the server's answer.
        page.evaluate("document.querySelector('form.task-form').noValidate = true")
        page.get_by_role("button", name="Selesaikan tugas").click()
        page.wait_for_selector(".field-error")
        assert "Wajib diisi." in page.content()  # one message beside each missing field

        schema = json.loads((ROOT / "forms" / "model_desa" / "tetapkan_petugas.json").read_text())
        _fill(page, schema, copy.deepcopy(FORM_EXAMPLES["tetapkan_petugas.json"]))
        page.get_by_role("button", name="Selesaikan tugas").click()
        page.wait_for_selector("text=Tugas selesai: Menyiapkan Petugas")
        # no horizontal scrolling on a phone
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        browser.close()


OUTPUT = ROOT / "test-output"


def _launch(p: object) -> object:
    return p.chromium.launch(  # type: ignore[attr-defined]
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )


def _serve(engine: Engine, cwd: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = dict(os.environ, DESA_DATABASE_URL=engine.db.engine.url.render_as_string(hide_password=False))
    env["DESA_SECRET_KEY"] = "browser-test"
    process = subprocess.Popen(
        [sys.executable, "-m", "engine.cli.main", "serve", "--port", str(port), "--no-worker"],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    return process, url


def _sign_in(page: object, url: str, username: str, password: str) -> None:
    page.goto(url + "/masuk")  # type: ignore[attr-defined]
    page.fill("#username", username)  # type: ignore[attr-defined]
    page.fill("#password", password)  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(lambda u: "/masuk" not in u)  # type: ignore[attr-defined]  # the sign-in page has an h1 too
    page.wait_for_selector("h1")  # type: ignore[attr-defined]


def test_demo_day_of_a_pendamping_and_a_central_facilitator(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the demo data: a pendamping fixes a refused participant list and sees what comes next; a
    central facilitator reads the dashboard and a village's diagram. Screenshots go to test-output/."""
    from playwright.sync_api import sync_playwright

    from engine.demo import runner as demo
    from engine.views import queries
    from tests.model_desa_program import PROGRAM

    monkeypatch.delenv("DESA_VERIFY_STATE", raising=False)  # see tests/test_demo.py
    registry.deploy(engine.db, [ROOT / "processes" / "model_desa"])
    loaded = demo.run(engine, PROGRAM, password="demo-browser")
    # A village of the 2009 cohort still in preparation; the admin brings it to the registration of
    # participants (the demo's story puts each year's cohort at its own point).
    preparing = {code: name for code, name, where in loaded.villages if where.startswith("Persiapan")}
    assert preparing, loaded.villages
    instance = next(i for i in queries.instances(engine) if i.village in preparing)
    code, name = instance.village, preparing[instance.village]
    for _ in range(10):
        open_tasks = queries.tasks(engine, instance_id=instance.id)
        if any(t.bpmn_id == "registrasi_peserta" for t in open_tasks):
            break
        task = open_tasks[0]
        runtime.complete(engine, task.id, "admin", copy.deepcopy(FORM_EXAMPLES[f"{task.bpmn_id}.json"]))
    pendamping = next(u for u, _, what in loaded.logins if what == f"Pendamping, {name}")
    finished = next(name for _, name, where in loaded.villages if where.startswith("program selesai"))
    OUTPUT.mkdir(exist_ok=True)
    process, url = _serve(engine, tmp_path)
    try:
        with sync_playwright() as p:
            browser = _launch(p)
            page = browser.new_page(viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
            _sign_in(page, url, pendamping, "demo-browser")
            page.screenshot(path=str(OUTPUT / "inbox.png"))
            page.click("text=Registrasi Peserta Bimbingan Sosial")
            page.wait_for_selector("form.task-form")
            assert page.input_value('[name="peserta-29-nama"]')  # started from the 30 candidates
            page.fill('[name="peserta-3-umur"]', "12")
            page.evaluate("document.querySelector('form.task-form').noValidate = true")
            page.get_by_role("button", name="Selesaikan tugas").click()
            page.wait_for_selector(".field-error")
            assert "Paling kecil 17." in page.content()
            assert page.input_value('[name="peserta-3-umur"]') == "12"  # the input is kept
            page.evaluate(
                "document.querySelector('[name=\"peserta-3-umur\"]').scrollIntoView({block: 'center'})"
            )
            page.screenshot(path=str(OUTPUT / "task-form-error.png"))
            page.fill('[name="peserta-3-umur"]', "30")
            page.get_by_role("button", name="Selesaikan tugas").click()
            page.wait_for_selector("text=Tugas selesai: Registrasi Peserta Bimbingan Sosial")
            assert "Berikutnya: Menyusun Kontrak Belajar (Fasilitator Pusat)" in page.content()

            central = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
            _sign_in(central, url, "pusat.andi", "demo-browser")
            central.goto(url + "/dasbor")
            central.wait_for_selector("text=Desa per provinsi dan tahap")
            central.screenshot(path=str(OUTPUT / "dashboard.png"), full_page=True)
            central.goto(url + f"/desa/{code}")
            central.wait_for_selector("svg")
            assert central.locator('[data-state="active"]').count() >= 1
            assert central.locator('[data-state="completed"]').count() >= 1
            central.screenshot(path=str(OUTPUT / "village.png"))

            # An inspector verifies a finished village and steps to the transfer of its fund.
            inspector = browser.new_page(viewport={"width": 1100, "height": 1000})  # type: ignore[attr-defined]
            _sign_in(inspector, url, "auditor.itjen", "demo-browser")
            inspector.click("text=Audit")
            inspector.click(f"text={finished}")
            inspector.get_by_role("button", name="Verifikasi sekarang").click()
            inspector.wait_for_selector("text=Verifikasi berhasil")
            assert inspector.locator(".badge.verified").count() == 1
            inspector.locator("tr", has_text="Transfer Dana Stimulan").locator("a").first.click()
            inspector.wait_for_selector("text=Yang berubah sejak langkah sebelumnya")
            assert "dana_stimulan.jumlah" in inspector.content()
            assert inspector.locator('[data-state="completed"]').count() >= 3
            inspector.screenshot(path=str(OUTPUT / "audit-step.png"))
            inspector.get_by_role("link", name="Sebelumnya").first.click()
            inspector.wait_for_selector("text=Yang berubah sejak langkah sebelumnya")
            browser.close()  # type: ignore[attr-defined]
    finally:
        process.terminate()
        process.wait(timeout=10)
    for name in ("inbox", "task-form-error", "dashboard", "village", "audit-step"):
        assert (OUTPUT / f"{name}.png").stat().st_size > 10_000
