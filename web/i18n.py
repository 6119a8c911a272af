"""Languages: Bahasa Indonesia by default, English on request, per user (kept in the session).

Message ids are the Indonesian texts; web/translations/en holds the English catalog, compiled to
a .mo file beside it when the app starts (so no build step is needed)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, session
from flask_babel import Babel

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
TRANSLATIONS = Path(__file__).parent / "translations"


def compile_catalogs() -> None:
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as handle:
                catalog = read_po(handle)
            try:
                with mo.open("wb") as handle:
                    write_mo(handle, catalog)
            except OSError:  # a read-only install: the pages stay in Bahasa Indonesia
                continue


def select_locale() -> str:
    language = session.get("language")
    return language if language in LANGUAGES else "id"


def init_app(app: Flask) -> None:
    compile_catalogs()
    Babel(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS))
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["current_language"] = select_locale
