"""Languages: Bahasa Indonesia by default, English on request, per user (kept in the session).

Message ids are the Indonesian texts; web/translations/en holds the English catalog, compiled to
a .mo file beside it when the app starts (so no build step is needed)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations
from flask import Flask, g, session
from flask_babel import Babel, get_translations

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


def translations() -> NullTranslations:
    """The request's catalog, looked up once per request: the templates translate a hundred or more
    texts per page (an inbox page, 130), and flask_babel looks the catalog up again for each
    (about 20 µs: a fifth of the page's drawing). A page is drawn in one language."""
    found: NullTranslations | None = g.get("_translations")
    if found is None:
        found = g._translations = get_translations()
    return found


def init_app(app: Flask) -> None:
    compile_catalogs()
    Babel(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS))
    # The i18n extension (added by flask_babel) gives the environment this method.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["current_language"] = select_locale
