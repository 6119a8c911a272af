"""Every task form of every program, drawn as its task page draws it, fits a phone: Debian's Chromium
at 360 and 390 px wide opens each one (filled with the program package's example answers and the
earlier data its task sees, the earlier data unfolded too) and the page is no wider than the screen.

The pages come from the app itself (templates, CSS, the task page's own `_page`) served over HTTP;
each task's view is made from its form and example data, as the designer's preview does, because
no village reaches every task at once. Screenshots of the widest forms go to test-output/."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, g
from werkzeug.serving import make_server

from engine.core import Engine
from engine.definitions import forms, registry
from engine.store.db import Database
from engine.views.task import TaskView
from tests.model_desa_program import FORM_EXAMPLES, context_for
from tests.web.test_browser import NEEDS_CHROMIUM, OUTPUT, ROOT, _launch
from web import create_app, formdata, tasks

pytestmark = NEEDS_CHROMIUM
FORMS = sorted((ROOT / "forms").glob("*/*.json"))
WIDTHS = (360, 390)


def _example(program: str, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The example answer of a form and the task data its task sees (empty where none is written)."""
    if program == "model_desa" and name in FORM_EXAMPLES:
        return FORM_EXAMPLES[name], context_for(name)
    return {}, {}


def _view(program: str, name: str) -> tuple[TaskView, formdata.Raw]:
    schema = json.loads((ROOT / "forms" / program / name).read_text())
    data, context = _example(program, name)
    resolved = forms.resolve(schema, context)
    view = TaskView(
        id="00000000-0000-0000-0000-000000000000",
        instance=1,
        revision=1,
        village="15.01.01.2003",
        village_name="Lempur Mudik",
        process_id="",
        bpmn_id=name.removesuffix(".json"),
        name=str(schema.get("title") or name),
        role="Pengurus Pokja",
        documentation="",
        claimed_by=None,
        due_at=None,
        created_at=None,
        form=name,
        schema=resolved,
        data=data,
        context=context,
        may_act=True,
    )
    return view, formdata.to_raw(resolved, formdata.initial(resolved, data))


def _preview_app(engine: Engine) -> Flask:
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "t"}, engine=engine)

    @app.get("/uji/formulir/<program>/<name>")
    def drawn(program: str, name: str) -> Any:  # the task page of a task with this form
        g.user = "pokja"
        view, raw = _view(program, name)
        return tasks._page(view, raw, None)

    return app


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("forms-fit")
    database = Database(f"sqlite:///{folder / 'test.sqlite'}")
    database.upgrade()
    engine = Engine(database)
    registry.deploy(engine.db, [ROOT / "processes"])
    server = make_server("127.0.0.1", 0, _preview_app(engine), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        database.dispose()


WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"
WIDEST = """() => Array.from(document.querySelectorAll('main *'))
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 3).map((e) => e.tagName + '#' + e.id + '.' + e.className)"""


def test_every_task_form_fits_a_phone(site: str) -> None:
    from playwright.sync_api import sync_playwright

    assert len(FORMS) >= 36  # forms/model_desa and forms/siaga_bencana
    too_wide: list[str] = []
    with sync_playwright() as p:
        browser: Any = _launch(p)
        for width in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": 800})
            for path in FORMS:
                page.goto(f"{site}/uji/formulir/{path.parent.name}/{path.name}")
                assert page.locator("form.task-form").count() == 1, path.name
                page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
                scroll, inner = page.evaluate(WIDTH)
                if scroll > inner:
                    OUTPUT.mkdir(exist_ok=True)
                    page.screenshot(
                        path=str(OUTPUT / f"form-too-wide-{width}-{path.stem}.png"), full_page=True
                    )
                    too_wide.append(
                        f"{path.parent.name}/{path.name} at {width}: {scroll} px {page.evaluate(WIDEST)}"
                    )
            page.close()
        browser.close()
    assert too_wide == []
