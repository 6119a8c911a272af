"""Issue 14, items 9-12 in a real browser (Debian's Chromium driven by Playwright, against `desa
serve` on the demo data): diagrams that fit the screen, zoom and open on the village's open task;
"Desa Saya"; the dashboard's charts and links; several tasks taken at once and a saved filter.

Screenshots go to test-output/overview-*.png (a phone at 390 px and a desktop at 1366 px)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from engine.core import Engine
from engine.definitions import registry
from engine.store.db import Database
from tests.web.test_browser import CHROMIUM, LEMPUR, NEEDS_CHROMIUM, OUTPUT, ROOT, _serve

pytestmark = NEEDS_CHROMIUM
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
PASSWORD = "demo-overview"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """`desa serve` on the demo's villages; the logins by what they are for."""
    from engine.demo import runner
    from tests.model_desa_program import PROGRAM

    folder = tmp_path_factory.mktemp("overview")
    db = Database(f"sqlite:///{folder / 'demo.sqlite'}")
    db.upgrade()
    engine = Engine(db)
    registry.deploy(engine.db, [ROOT / "processes" / "model_desa"])
    loaded = runner.run(engine, PROGRAM, password=PASSWORD)
    logins = {what: username for username, _, what in loaded.logins}
    process, url = _serve(engine, folder)
    try:
        yield url, logins
    finally:
        process.terminate()
        process.wait(timeout=10)
        db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def _page(browser: Any, url: str, username: str, viewport: dict[str, int]) -> Any:
    page = browser.new_page(viewport=viewport, locale="id-ID")
    page.goto(url + "/masuk")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda u: "/masuk" not in u)  # the sign-in page has an h1 too
    page.wait_for_selector("h1")
    return page


def _shot(page: Any, name: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"overview-{name}.png"), full_page=False)


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width} px wide"


def _login(logins: dict[str, str], start: str) -> str:
    return next(user for what, user in logins.items() if what.startswith(start))


def _visible_in(page: Any, box: str, element: str) -> bool:
    """Whether `element`'s middle is inside `box` on the screen."""
    return bool(
        page.evaluate(
            """([box, element]) => {
                const b = document.querySelector(box).getBoundingClientRect();
                const e = document.querySelector(element).getBoundingClientRect();
                const x = e.left + e.width / 2, y = e.top + e.height / 2;
                return x >= b.left && x <= b.right && y >= b.top && y <= b.bottom;
            }""",
            [box, element],
        )
    )


def test_a_diagram_fits_the_screen_opens_on_the_open_task_and_zooms(
    demo: tuple[str, dict[str, str]], browser: Any
) -> None:
    url, logins = demo
    pendamping = _login(logins, "Pendamping, Lempur Mudik")
    phone = _page(browser, url, pendamping, PHONE)
    phone.goto(f"{url}/desa/{LEMPUR}")
    phone.wait_for_selector(".diagram-tools")
    _fits(phone)
    # On a phone, "where we are" comes right after the step bar, before the whole diagrams, and its
    # text is at least 12 px tall on the screen.
    order = phone.evaluate(
        """() => [...document.querySelectorAll('ol.steps, figure.where-now, section.diagram')]
              .map(e => e.tagName.toLowerCase())"""
    )
    assert order[:3] == ["ol", "figure", "section"], order
    smallest = phone.evaluate(
        """() => Math.min(...[...document.querySelectorAll('figure.where-now svg text')]
              .filter(t => t.getBoundingClientRect().width > 0)
              .map(t => t.getBoundingClientRect().height))"""
    )
    assert smallest >= 12, smallest
    assert phone.locator("figure.where-now svg .node.active").count() >= 1
    _shot(phone, "diagram-phone")
    # The step's diagram opens on its open task, inside the box, and the buttons zoom.
    box = "section.diagram .diagram-box"
    active = f"{box} svg.bpmn .node.active"
    assert _visible_in(phone, box, active)
    before = phone.evaluate(f"document.querySelector('{box} svg').getAttribute('viewBox')")
    phone.get_by_role("button", name="Perkecil").first.click()
    after = phone.evaluate(f"document.querySelector('{box} svg').getAttribute('viewBox')")
    assert float(after.split()[2]) > float(before.split()[2])
    phone.close()

    desktop = _page(browser, url, pendamping, DESKTOP)
    desktop.goto(f"{url}/desa/{LEMPUR}")
    desktop.wait_for_selector(".diagram-tools")
    _fits(desktop)
    assert _visible_in(desktop, box, active)
    desktop.locator(box).first.scroll_into_view_if_needed()
    _shot(desktop, "diagram-desktop")
    desktop.close()


def test_without_javascript_a_diagram_fits_the_width_and_links_to_full_size(
    demo: tuple[str, dict[str, str]], browser: Any
) -> None:
    url, logins = demo
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="id-ID")
    page = context.new_page()
    page.goto(url + "/masuk")
    page.fill("#username", _login(logins, "Pendamping, Lempur Mudik"))
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{url}/desa/{LEMPUR}")
    _fits(page)
    width = page.evaluate("document.querySelector('section.diagram svg.bpmn').getBoundingClientRect().width")
    assert width <= PHONE["width"]
    page.get_by_role("link", name="Lihat ukuran penuh").first.click()
    full = page.evaluate("document.querySelector('section.diagram svg.bpmn').getBoundingClientRect().width")
    assert full > 1000  # the drawing at its own size, in a box that scrolls
    _fits(page)
    context.close()


def test_a_gateways_yes_and_no_stand_beside_the_flows_not_on_the_gateway(
    demo: tuple[str, dict[str, str]], browser: Any
) -> None:
    url, logins = demo
    page = _page(browser, url, _login(logins, "Pendamping, Lempur Mudik"), DESKTOP)
    page.goto(f"{url}/desa/{LEMPUR}")
    overlaps = page.evaluate(
        """() => {
            const found = [];
            for (const svg of document.querySelectorAll('section.diagram svg.bpmn')) {
                const gateways = [...svg.querySelectorAll('.node[class*=Gateway] polygon')]
                    .map(p => p.getBBox());
                for (const t of svg.querySelectorAll('.flows text')) {
                    const b = t.getBBox();
                    for (const g of gateways) {
                        if (b.x < g.x + g.width && b.x + b.width > g.x &&
                            b.y < g.y + g.height && b.y + b.height > g.y) found.push(t.textContent);
                    }
                }
            }
            return found;
        }"""
    )
    assert overlaps == []
    page.close()


def test_the_auditors_replay_step_shows_the_open_task(demo: tuple[str, dict[str, str]], browser: Any) -> None:
    url, logins = demo
    page = _page(browser, url, _login(logins, "Auditor"), DESKTOP)
    page.goto(f"{url}/audit/desa/{LEMPUR}")
    page.locator(f"a[href^='/audit/desa/{LEMPUR}/']").last.click()
    page.wait_for_selector(".diagram-tools")
    shown = page.evaluate(
        """() => [...document.querySelectorAll('section.diagram .diagram-box')]
              .filter(b => b.querySelector('.node.active')).map(b => {
                const r = b.getBoundingClientRect();
                const open = b.querySelector('.node.active[class*=Task], .node.active[class*=Activity]');
                const e = (open || b.querySelector('.node.active')).getBoundingClientRect();
                const x = e.left + e.width / 2, y = e.top + e.height / 2;
                return x >= r.left && x <= r.right && y >= r.top && y <= r.bottom;
              })"""
    )
    assert shown and all(shown), shown  # each diagram with an open element opens on it
    assert page.locator("figure.where-now svg .node.active").count() >= 1
    _shot(page, "audit-step-desktop")
    page.close()


def test_a_regional_facilitator_lists_the_villages_of_their_kabupaten(
    demo: tuple[str, dict[str, str]], browser: Any
) -> None:
    url, logins = demo
    daerah = _login(logins, "Fasilitator Daerah")
    for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = _page(browser, url, daerah, viewport)
        page.get_by_role("link", name="Desa Saya").click()
        page.wait_for_selector("h1:has-text('Desa Saya')")
        _fits(page)
        rows = page.locator("li.my-village")
        assert rows.count() >= 1
        assert "Tahap: " in page.content() or "Program selesai" in page.content()
        assert "Batas berikutnya" in page.content()
        kabupaten = {m.split(" · ")[0] for m in page.locator("li.my-village .meta").all_inner_texts()[::2]}
        assert len(kabupaten) == 1, kabupaten  # their own kabupaten only
        _shot(page, f"desa-saya-{name}")
        page.fill("input[name=nama]", "tidak ada di sini")
        page.get_by_role("button", name="Saring").click()
        page.wait_for_selector("text=Tidak ada desa.")  # the filtered page, once it has loaded
        assert page.locator("li.my-village").count() == 0
        page.close()
    # A national facilitator sees every village of the demo, in every province.
    pusat = _page(browser, url, _login(logins, "Fasilitator Pusat"), PHONE)
    pusat.goto(url + "/desa-saya")
    provinces = {m.split(" · ")[-1] for m in pusat.locator("li.my-village .meta").all_inner_texts()[::2]}
    assert pusat.locator("li.my-village").count() >= 20 and len(provinces) >= 3, provinces
    _fits(pusat)
    pusat.close()


def test_auditors_and_designers_land_on_their_own_start_page(
    demo: tuple[str, dict[str, str]], browser: Any
) -> None:
    url, logins = demo
    auditor = _page(browser, url, _login(logins, "Auditor"), PHONE)
    assert "/audit" in auditor.url
    auditor.close()
    designer = _page(browser, url, _login(logins, "Perancang"), PHONE)
    assert "/perancangan" in designer.url
    designer.close()


def test_the_dashboard_draws_its_figures_and_each_count_opens_its_villages(
    demo: tuple[str, dict[str, str]], browser: Any
) -> None:
    url, logins = demo
    pusat = _login(logins, "Fasilitator Pusat")
    for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = _page(browser, url, pusat, viewport)
        page.goto(url + "/dasbor")
        _fits(page)
        charts = page.locator("svg.chart")
        assert charts.count() >= 2
        smallest = page.evaluate(
            """() => Math.min(...[...document.querySelectorAll('svg.chart text')]
                  .map(t => t.getBoundingClientRect().height))"""
        )
        assert smallest >= 12, smallest
        _shot(page, f"dasbor-{name}")
        page.close()
    page = _page(browser, url, pusat, PHONE)
    page.goto(url + "/dasbor")
    # A bar of "villages per province" opens Desa Saya filtered to that province, as many villages.
    bar = page.locator("svg.chart").nth(1).locator("a").first
    province = bar.locator("text").first.text_content() or ""
    count = int(bar.locator("text").nth(1).text_content() or 0)
    bar.locator("rect").click()
    page.wait_for_selector("h1:has-text('Desa Saya')")
    assert page.locator("li.my-village").count() == count
    places = set(page.locator("li.my-village .meta").all_inner_texts()[::2])
    assert {p.split(" · ")[-1] for p in places} == {province}
    # A count of the table opens the villages at that step in that province.
    page.goto(url + "/dasbor")
    cell = page.locator("section.program-board tbody td a").filter(has_text="1").first
    cell.click()
    page.wait_for_selector("h1:has-text('Desa Saya')")
    assert page.locator("li.my-village").count() == 1
    page.close()


def test_a_facilitator_takes_and_gives_several_tasks_at_once_and_keeps_a_filter(
    demo: tuple[str, dict[str, str]], browser: Any
) -> None:
    url, logins = demo
    pusat = logins["admin"]  # who may act on and give every village's tasks
    page = _page(browser, url, pusat, PHONE)
    page.goto(url + "/?status=belum")
    _fits(page)
    boxes = page.locator("input[name=tugas]")
    assert boxes.count() >= 3
    boxes.nth(0).check()
    boxes.nth(1).check()
    _shot(page, "massal-phone")
    page.get_by_role("button", name="Ambil yang dicentang").click()
    page.wait_for_selector("p.flash")
    assert "2 tugas Anda ambil." in page.locator("p.flash").all_inner_texts()
    # Given to someone who does not hold the role: each refusal is counted, with why.
    page.goto(url + "/?status=saya")
    mine = page.locator("input[name=tugas]")
    assert mine.count() >= 2
    mine.nth(0).check()
    mine.nth(1).check()
    page.fill("input[name=kepada]", _login(logins, "Pendamping"))
    page.get_by_role("button", name="Alihkan yang dicentang").click()
    page.wait_for_selector("p.flash")
    flashes = page.locator("p.flash").all_inner_texts()
    assert any(f.startswith("0 tugas dialihkan") for f in flashes), flashes
    assert "2 tugas ditolak: penerima tidak memegang peran tugas itu di desanya." in flashes
    # The filter of every morning, kept under a name, comes back as a link on the next visit.
    page.goto(url + "/?status=terlambat")
    page.locator("details.save-filter summary").click()
    page.fill("input[name=nama]", "Pagi: terlambat")
    page.get_by_role("button", name="Simpan", exact=True).click()
    page.wait_for_selector("p.flash:has-text('disimpan')")  # saved: only then away from the page
    page.goto(url + "/")
    page.get_by_role("link", name="Pagi: terlambat").click()
    assert page.locator("select[name=status]").input_value() == "terlambat"
    _fits(page)
    page.close()
    desktop = _page(browser, url, pusat, DESKTOP)
    assert desktop.get_by_role("link", name="Pagi: terlambat").count() == 1
    _shot(desktop, "massal-desktop")
    remove = desktop.get_by_role("button", name="Hapus saringan Pagi: terlambat")
    assert remove.is_visible()
    remove.click()
    assert desktop.get_by_role("link", name="Pagi: terlambat").count() == 0
    desktop.close()
