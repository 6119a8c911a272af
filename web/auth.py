"""Signing in and out, and choosing the language.

The session cookie (signed by Flask) carries the person's name and the secret of their session
on the server (`engine/directory/web_sessions.py`); every request checks that session is still
live, so signing out, an admin ending it or disabling the account, or a new password ends it
wherever the cookie was copied to.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from engine.core import Engine
from engine.directory import access, accounts, signin, users, web_sessions
from engine.errors import NotFound

from .i18n import LANGUAGES
from .redirects import same_site_path

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])


def engine() -> Engine:
    found: Engine = current_app.extensions["desa"]
    return found


def principal() -> access.Principal | None:
    """The signed-in person with their grants, read once per request: the page's view may have
    read it already (`g.principal`), and the header's menus ask again."""
    if "principal" not in g:
        username = session.get("user")
        who = None
        if username:
            try:
                with engine().db.sessions() as s:
                    who = access.principal(s, username)
            except NotFound:  # an account closed meanwhile: no menus
                who = None
        g.principal = who
    found: access.Principal | None = g.principal
    return found


@bp.before_app_request
def live_session() -> None:
    """A cookie whose session has ended on the server (or one from before sessions were kept
    there) signs nobody in: it is cleared but for the language and the CSRF token. One indexed
    read per request."""
    if request.endpoint == "static" or request.blueprint == "api" or "user" not in session:
        return
    if web_sessions.user_of(engine(), session.get("sid")) != session["user"]:
        _forget()


def _forget() -> None:
    """Sign the cookie's person out, keeping the language and the CSRF token: a page loaded
    meanwhile (the sign-in page a reload shows while an earlier request of the same browser is
    still on its way back) keeps a token the next response's cookie still holds."""
    kept = {key: session[key] for key in ("language", "csrf_token") if key in session}
    session.clear()
    session.update(kept)


def login_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        username = session.get("user")
        if not username:
            return redirect(url_for("auth.login", next=request.full_path))
        g.user = username
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _local(target: str | None) -> str:
    """Only a path on this site: a `next` pointing elsewhere would make login an open redirect."""
    return same_site_path(target) or url_for("inbox.index")


@bp.route("/masuk", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        address = request.remote_addr or ""
        attempt = signin.sign_in(engine(), username, request.form.get("password", ""), address)
        if attempt.retry_after is not None:
            return _throttled(attempt.retry_after)
        who = attempt.user
        if who is not None:
            session.clear()
            session["user"] = who
            session["sid"] = web_sessions.begin(engine(), who)
            session["language"] = accounts.language(engine(), who)
            session.permanent = True
            # A new form token now, in the cookie this answer sets: the pages that load next (the
            # inbox and those the offline layer keeps, at once) then find it there and none of
            # them writes the cookie again with a token of its own.
            generate_csrf()
            return redirect(_local(request.args.get("next")))
        error = _("Nama pengguna atau kata sandi salah.")
    return render_template("auth/login.html", error=error), 401 if error else 200


def _throttled(seconds: int) -> ResponseReturnValue:
    """Too many failed sign-ins for this name or address: 429, and when to try again."""
    minutes = max(1, -(-seconds // 60))
    error = _(
        "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam %(minutes)s menit.", minutes=minutes
    )
    return render_template("auth/login.html", error=error), 429, {"Retry-After": str(seconds)}


@bp.post("/keluar")
def logout() -> ResponseReturnValue:
    web_sessions.end(engine(), session.get("sid"))
    _forget()
    flash(_("Anda sudah keluar."))
    return redirect(url_for("auth.login"))


@bp.post("/bahasa")
def language() -> ResponseReturnValue:
    chosen = request.form.get("language", "id")
    session["language"] = chosen if chosen in LANGUAGES else "id"
    if session.get("user"):  # kept with the account, for the next sign-in on any device
        accounts.set_language(engine(), session["user"], session["language"])
    return redirect(_local(request.form.get("next")))


@bp.route("/akun/kata-sandi", methods=["GET", "POST"])
@login_required
def password() -> ResponseReturnValue:
    """The person changes their own password; their other sessions end, this one stays."""
    if request.method == "GET":
        return render_template("auth/password.html", error=None)
    error, status = _change_password(g.user)
    if error is None:
        flash(_("Kata sandi Anda sudah diganti. Sesi Anda di perangkat lain sudah diakhiri."))
        return redirect(url_for("inbox.index"))
    return render_template("auth/password.html", error=error), status


def _change_password(username: str) -> tuple[str | None, int]:
    """Why the new password was not set (and the status to answer), or (None, 302) once set. The
    current password is checked as a sign-in is: throttled, and recorded."""
    current, new = request.form.get("sekarang", ""), request.form.get("baru", "")
    if not current or not new:
        return _("Isi kata sandi sekarang dan kata sandi baru."), 400
    if new != request.form.get("ulangi", ""):
        return _("Kata sandi baru dan ulangannya tidak sama."), 400
    if len(new) < users.MIN_PASSWORD:
        return _("Kata sandi baru paling sedikit %(count)s karakter.", count=users.MIN_PASSWORD), 400
    attempt = signin.sign_in(engine(), username, current, request.remote_addr or "")
    if attempt.retry_after is not None:
        minutes = max(1, -(-attempt.retry_after // 60))
        return _(
            "Terlalu banyak percobaan yang gagal. Coba lagi dalam %(minutes)s menit.", minutes=minutes
        ), 429
    if attempt.user is None:
        return _("Kata sandi sekarang salah."), 400
    with engine().db.transaction() as s:
        users.set_password(s, username, new, keep_session=session.get("sid"))
    return None, 302
