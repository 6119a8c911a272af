"""Each role's journey through the demo in Debian's Chromium, on a 360 px phone and a 1366 px screen
(issue 14, "What must be true when this is done").

Every page a role reaches from its start page (tests/web/journeys_site.py finds them by following the
links) must fit the screen, log no console error, fail no request (a missing favicon included), be in
one language on either side, and show axe-core no serious or critical accessibility violation;
diagram text is drawn at 12 px or more. The main pages also work without JavaScript, a task form
included. With DESA_SCREENSHOTS=1 the run redraws the README's screenshots in docs/screenshots/."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.model_desa_program import FORM_EXAMPLES
from tests.web import journeys_checks as checks
from tests.web import journeys_site as site_
from tests.web.test_browser import _fill
from web import formdata

pytestmark = [
    pytest.mark.skipif(
        not Path(site_.CHROMIUM).exists() and not os.environ.get("CI"),
        reason="Debian's chromium is not installed here (.ci/run installs it)",
    ),
    pytest.mark.skipif(
        bool(os.environ.get("DESA_TEST_DATABASE_URL")),
        reason="the journeys load the demo into a SQLite database of their own: once per CI run is enough",
    ),
]
SHOTS = site_.ROOT / "docs" / "screenshots"
WIDTHS = {"360": site_.PHONE, "1366": site_.DESKTOP}
DIAGRAM_TEXT = """() => [...document.querySelectorAll('svg text')]
  .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
  .map(t => { const m = t.getScreenCTM();
    return [parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b), t.textContent.trim()]; })
  .filter(([size]) => size < 11.95).slice(0, 3)"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[site_.Site]:
    running = site_.start(tmp_path_factory.mktemp("jelajah"))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=site_.CHROMIUM, args=site_.ARGS)
        yield launched
        launched.close()


class Watched:
    """A page whose console errors and failed requests are noted as they happen."""

    def __init__(self, context: Any) -> None:
        self.page = context.new_page()
        self.noted: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.noted.append(f"script error: {e}"))
        self.page.on("response", self._response)
        self.page.on("requestfailed", lambda r: self.noted.append(f"failed: {r.url} {r.failure}"))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.noted.append(f"console: {message.text}")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.noted.append(f"{response.status} {response.url}")

    def visit(self, url: str) -> list[str]:
        # Let the page before finish loading first: leaving it mid-load cancels its requests
        # (net::ERR_ABORTED), which is the test's doing, not the page's.
        self.page.wait_for_load_state("networkidle")
        self.noted.clear()
        self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        return list(self.noted)


def _problems(watched: Watched, url: str, language: str, axe: bool) -> list[str]:
    found = watched.visit(url)
    page = watched.page
    found += checks.width_problem(page) + checks.language_problems(page, language)
    found += [f"diagram text {size:.1f} px: {text!r}" for size, text in page.evaluate(DIAGRAM_TEXT)]
    if axe:
        found += checks.axe_problems(page)
    return found


def _shoot(page: Any, name: str, width: str) -> None:
    if os.environ.get("DESA_SCREENSHOTS") == "1":
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"))


# The README's screenshots: which role's page of which kind.
SCREENSHOTS = {
    ("pendamping", "/"): "inbox",
    ("fasilitator_pusat", "/dasbor"): "dashboard",
    ("pendamping", "/desa/*"): "village",
    ("auditor", "/audit/desa/*/*/*"): "audit-step",
    ("perancang", "/perancangan/*/*"): "design",
}


@pytest.fixture(scope="module")
def axe_ready() -> None:
    if not checks.AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"axe-core is not installed ({checks.AXE}): make test-deps installs it")
        pytest.skip("axe-core is not installed here: `make test-deps` installs it (npm ci in tests/web/axe)")


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("role", list(site_.ROLES))
def test_every_page_of_a_role_fits_speaks_one_language_and_passes_axe(
    site: site_.Site, browser: Any, axe_ready: None, role: str, width: str
) -> None:
    context = browser.new_context(viewport=WIDTHS[width], locale="id-ID")
    watched = Watched(context)
    site_.sign_in(watched.page, site.url, site.logins[role])
    assert "/masuk" not in watched.page.url, f"{site.logins[role]} could not sign in"
    pages = site_.journey(watched.page, site.url)
    problems = []
    for path in pages:
        problems += [f"{path}: {p}" for p in _problems(watched, site.url + path, "id", axe=True)]
        name = SCREENSHOTS.get((role, site_.kind(path.split("?")[0])))
        if name:
            _shoot(watched.page, name, width)
    site_.choose_language(watched.page, "en")
    for path in pages:
        problems += [f"{path} (en): {p}" for p in _problems(watched, site.url + path, "en", axe=False)]
    context.close()
    assert problems == [], f"{role} at {width} px, pages {pages}:\n" + "\n".join(problems)


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(site: site_.Site, browser: Any) -> None:
    context = browser.new_context(viewport=site_.PHONE, locale="id-ID")
    page = context.new_page()
    site_.sign_in(page, site.url, site.logins["pendamping"])
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.textContent.trim(), document.activeElement.hash]")
    assert focused == ["Lewati ke isi utama", "#isi"]
    assert page.evaluate("getComputedStyle(document.activeElement).position") != "absolute" or page.evaluate(
        "document.activeElement.getBoundingClientRect().width > 1"
    )  # seen when reached
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#isi"
    assert page.evaluate("document.getElementById('isi').tagName") == "MAIN"
    context.close()


def _schema(task: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads((site_.ROOT / "forms" / "model_desa" / task["form"]).read_text(encoding="utf-8")))


def _pusat_task(site: site_.Site) -> dict[str, Any]:
    """An open task of the fasilitator pusat whose form has example data."""
    for task in site.tasks:
        if task["lane"] == "Fasilitator Pusat" and task["form"] in FORM_EXAMPLES:
            return task
    pytest.fail("the demo has no open task of the fasilitator pusat with a form today")


def _add_rows(page: Any, task: dict[str, Any]) -> None:
    """Without a script, *Tambah baris* asks the server for each row the example needs."""
    raw = formdata.to_raw(_schema(task), copy.deepcopy(FORM_EXAMPLES[task["form"]]))
    for name, values in raw.items():
        if name.endswith("-n"):
            rows = name[:-2]
            for _ in range(60):
                last = f"{rows}-{int(values[0]) - 1}"
                if page.locator(f'[name="{last}"], [name^="{last}-"]').count():
                    break
                page.locator(f'button[name="_tambah"][value="{rows}"]').click()
                page.wait_for_load_state()


def test_a_refused_form_keeps_what_was_typed(site: site_.Site, browser: Any) -> None:
    """The README's "a refused field" screenshot, at both widths."""
    task = _pusat_task(site)
    for width, viewport in WIDTHS.items():
        context = browser.new_context(viewport=viewport, locale="id-ID")
        page = context.new_page()
        site_.sign_in(page, site.url, site.logins["fasilitator_pusat"])
        page.goto(f"{site.url}/tugas/{task['id']}")
        page.evaluate("document.querySelector('form.task-form').noValidate = true")
        page.get_by_role("button", name="Selesaikan tugas").click()
        page.wait_for_selector(".field-error")
        assert "Wajib diisi." in page.content()
        page.locator(".field-error").first.scroll_into_view_if_needed()
        _shoot(page, "task-form-error", width)
        context.close()


def test_main_pages_work_without_javascript_and_a_task_is_completed(site: site_.Site, browser: Any) -> None:
    context = browser.new_context(viewport=site_.PHONE, java_script_enabled=False, locale="id-ID")
    watched = Watched(context)
    page = watched.page
    site_.sign_in(page, site.url, site.logins["fasilitator_pusat"])
    assert page.locator("h1").first.inner_text() != "Masuk", "signing in needs no script"
    task = _pusat_task(site)
    for path in ("/", f"/desa/{task['village']}", "/dasbor", f"/tugas/{task['id']}"):
        assert watched.visit(site.url + path) == [], path
        assert checks.width_problem(page) == [], path
        assert page.locator("main h1").count() >= 1, f"{path} shows its content without a script"
    _add_rows(page, task)
    _fill(page, _schema(task), copy.deepcopy(FORM_EXAMPLES[task["form"]]))
    page.get_by_role("button", name="Selesaikan tugas").click()
    page.wait_for_load_state()
    assert f"Tugas selesai: {task['name']}" in page.content()
    context.close()
