"""A designer's preview of a program's forms: each form drawn from its JSON Schema as staff will
see it on a task page, filled with the program package's example answers (a form without examples
is drawn empty), in Bahasa Indonesia or English, beside the problems found in its file.

Admins and holders of a designer role only; the preview sends nothing (it has no submit button).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, g, render_template, request
from flask.typing import ResponseReturnValue

from engine.definitions import folder as definitions
from engine.definitions import forms, programs
from engine.errors import Forbidden, Problem
from engine.views import design as design_view

from . import formdata, formrender
from .auth import engine, login_required
from .i18n import LANGUAGES, select_locale

bp = Blueprint("design_forms", __name__, url_prefix="/perancangan/formulir")

YES_NO = {"id": ("Ya", "Tidak"), "en": ("Yes", "No")}


def _allowed() -> bool:
    with engine().db.sessions() as session:
        try:
            design_view.designer(session, g.user)
        except Forbidden:
            return False
    return True


def _program(name: str) -> programs.Program:
    for program in programs.installed():
        if program.name == name and program.folder is not None:
            return program
    abort(404)


def _forms_dir(program: programs.Program) -> Path:
    assert program.folder is not None
    return definitions.forms_dir_for(program.folder)


def _examples(program: programs.Program, form: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The example answers of `form` and the task data it sees, from the program package."""
    module = program.module()
    examples = dict(getattr(module, "FORM_EXAMPLES", {}) or {})
    context_for = getattr(module, "context_for", None)
    context = context_for(form) if callable(context_for) and form in examples else {}
    return dict(examples.get(form) or {}), dict(context or {})


def _problems(program: programs.Program, form_file: Path) -> list[Problem]:
    assert program.folder is not None
    reloaded = getattr(current_app.extensions.get("desa_reload"), "state", None)
    state = design_view.validation(program.folder, reloaded)
    # a form's problems are told against the form, or against the BPMN file that names it
    return [
        p
        for p in state.problems
        if form_file.name in (Path(p.file).name, *p.message.replace("'", " ").split())
    ]


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    """Every installed program's forms, each marked when the program package has no example."""
    if not _allowed():
        abort(403)
    listed = []
    for program in programs.installed():
        if program.folder is None:
            continue
        examples = getattr(program.module(), "FORM_EXAMPLES", {}) or {}
        names = sorted(p.name for p in _forms_dir(program).glob("*.json"))
        listed.append((program, [(name, name in examples) for name in names]))
    return render_template("design/forms.html", listed=listed)


@bp.get("/<program>/<form>")
@login_required
def show(program: str, form: str) -> ResponseReturnValue:
    if not _allowed():
        abort(403)
    found = _program(program)
    path = _forms_dir(found) / form
    if path.suffix != ".json" or path.name != form or not path.is_file():
        abort(404)
    language = request.args.get("bahasa", select_locale())
    language = language if language in LANGUAGES else "id"
    problems = _problems(found, path)
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        schema = None
    example, context = _examples(found, form)
    built = None
    if isinstance(schema, dict):
        resolved = forms.resolve(schema, context)
        built = formrender.build(resolved, formdata.to_raw(resolved, example), language, (), YES_NO[language])
    return render_template(
        "design/form.html",
        program=found,
        form_name=form,
        language=language,
        form=built,
        form_title=formrender.label(schema, language) if isinstance(schema, dict) else "",
        form_help=formrender.help_text(schema, language) if isinstance(schema, dict) else "",
        has_example=bool(example),
        problems=problems,
        view={"id": "pratinjau"},
    )
