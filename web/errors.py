"""Refusals and missing pages as the app's own pages: styled, with the header, in the person's
language. Under /api/ the API's JSON answers stay (web/api.py)."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from . import api


def _page(err: HTTPException) -> ResponseReturnValue:
    if api._is_api():
        return api._http_error(err)
    code = err.code or 500
    if code == 403:
        title = _("Tidak diizinkan")
        message = _("Halaman ini tidak terbuka untuk peran Anda. Bila Anda memerlukannya, hubungi admin.")
    elif code == 404:
        title = _("Halaman tidak ditemukan")
        message = _(
            "Alamat %(path)s tidak ada. Periksa tautannya, atau mulai lagi dari Tugas Saya.",
            path=request.path,
        )
    else:
        title = _("Permintaan tidak dapat dilayani")
        message = _("Permintaan ini tidak dapat dilayani. Buka halamannya lagi, lalu coba sekali lagi.")
    return render_template("errors/error.html", title=title, message=message, code=code), code


def init_app(app: Flask) -> None:
    for code in (403, 404, 405):
        app.register_error_handler(code, _page)
