"""The Flask app: thin views over engine calls, Bahasa Indonesia first.

Blueprints: `auth` (sign in/out, language), `inbox` (Tugas Saya), `tasks` (one task and its form),
`status` (service status and health). Every view calls the engine; nothing here touches tables
or SpiffWorkflow objects.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Response, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect

from engine import config, gc_settings
from engine.core import Engine
from engine.directory import access
from engine.store.db import Database

from . import i18n, problem_words, program_english, timezones

csrf = CSRFProtect()
CSP = "default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"


def _secret_key() -> str:
    """DESA_SECRET_KEY, or a key kept in instance/secret_key (made on first start)."""
    if config.settings().secret_key:
        return config.settings().secret_key
    path = Path("instance") / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(test_config: dict[str, Any] | None = None, engine: Engine | None = None) -> Flask:
    app = Flask(__name__)
    production = config.settings().production
    app.config.from_mapping(
        DATABASE_URL=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,  # behind HTTPS in production; `make run` serves plain HTTP
        # The cookie is written only when its content changes (signing in, the language, the
        # form token), never by a plain page load: a slow answer to a request sent before a
        # change (a page the offline layer keeps, say) would otherwise put the old content back.
        # How long a session lasts is the server's to say (web_sessions: 12 hours unused ends
        # it); the cookie only outlives that.
        SESSION_REFRESH_EACH_REQUEST=False,
        PERMANENT_SESSION_LIFETIME=30 * 24 * 3600,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
    )
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key()
    app.extensions["desa"] = engine or Engine(Database(app.config["DATABASE_URL"]))
    csrf.init_app(app)
    i18n.init_app(app)
    timezones.init_app(app)  # each village's times in its own zone (WIB, WITA, WIT)
    program_english.init_app(app)  # program texts in English from each program's english.toml
    problem_words.init_app(app)  # the design pages' problems: paths from the program folder, rules in words

    from . import (
        api,
        audit,
        auth,
        dashboard,
        design,
        design_forms,
        diagrams,
        errors,
        inbox,
        my_villages,
        notifications,
        offline,
        offline_sync,
        status,
        tasks,
        village,
    )

    app.register_blueprint(auth.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(tasks.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(status.bp)
    app.register_blueprint(village.bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(design.bp)
    app.register_blueprint(design_forms.bp)  # a designer's preview of each form
    app.register_blueprint(diagrams.bp)  # the diagrams' "where we are" crop
    app.register_blueprint(my_villages.bp)  # Desa Saya
    app.register_blueprint(offline.bp)  # the service worker, manifest and offline queue's key
    app.register_blueprint(offline_sync.bp)
    app.register_blueprint(csrf.exempt(api.bp))  # bearer tokens only: no cookie, so no CSRF
    errors.init_app(app)  # 403, 404 and 405 as styled pages in the person's language (JSON under /api/)

    @app.context_processor
    def dashboard_menu() -> dict[str, Any]:
        """Whether the header shows "Dasbor": for those whose grants cover every village."""
        who = auth.principal()
        return {"may_see_dashboard": bool(who is not None and access.may(who, "see"))}

    @app.errorhandler(CSRFError)
    def csrf_refused(_error: CSRFError) -> ResponseReturnValue:
        """A form without this session's token (sent from elsewhere, or from before a sign-in)."""
        message = _(
            "Formulir ini tidak dapat diterima: tidak berasal dari halaman yang Anda buka di situs ini, "
            "atau sesi Anda sudah berganti. Buka halamannya lagi, lalu kirim ulang."
        )
        return render_template("tasks/message.html", title=_("Formulir ditolak"), message=message), 400

    @app.get("/favicon.ico")
    def favicon() -> ResponseReturnValue:
        """The app's icon where a browser looks for it first (pages link ikon.svg too)."""
        return app.send_static_file("ikon.svg")

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    if not app.testing:
        gc_settings.tune_for_server()
    return app
