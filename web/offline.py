"""The offline layer's server side: the service worker, the web app manifest, and the per-person key.

`/sw.js` is served from the site's root so its scope is the whole site (`Service-Worker-Allowed: /`
says so explicitly); `/manifest.webmanifest` lets a phone install the app. Both are files in
web/static, our own code, under the same CSP as every page.

What a person fills offline is kept in the browser's IndexedDB encrypted (AES-GCM) with a key the
server derives for that person alone from the app's secret (`queue_key`) and gives only in pages
of their own signed-in session (a `<meta>` in base.html); the queue is labelled with a tag derived
the same way (`queue_tag`), so a page lists and sends only its own person's submissions. When the
sign-in ends the cached pages (which hold the key) are deleted: the queue stays, unreadable, until
the same person signs in again. `/luring/pemilik` tells a page with no one signed in whether the
owner of a waiting queue can still sign in (it needs the queue's tag, which only that device has).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, send_from_directory, session
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from engine.store.models import User

from .auth import engine

bp = Blueprint("offline", __name__)
STATIC = Path(__file__).parent / "static"


def _derive(purpose: str, username: str) -> bytes:
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    return hmac.new(secret, f"desa-luring-{purpose}\0{username}".encode(), hashlib.sha256).digest()


def queue_key(username: str) -> str:
    """The AES-256 key of `username`'s offline queue (base64url): the same in each of their sessions."""
    return base64.urlsafe_b64encode(_derive("kunci", username)).decode("ascii").rstrip("=")


def queue_tag(username: str) -> str:
    """The label of `username`'s queue entries: proves whose they are without the key."""
    return _derive("tanda", username).hex()[:32]


def texts() -> dict[str, str]:
    """What offline.js says, in the person's language ({name} is filled in by the script)."""
    return {
        "offline": _(
            "Anda sedang offline. Tugas yang Anda selesaikan disimpan di perangkat ini dan dikirim "
            "sendiri saat koneksi kembali."
        ),
        "offline_disimpan": _(
            "Offline: terakhir disinkronkan {waktu}. Tugas yang Anda selesaikan disimpan di "
            "perangkat ini dan dikirim sendiri saat koneksi kembali."
        ),
        "salinan": _("Koneksi kembali. Halaman ini salinan dari {waktu}; muat ulang untuk yang terbaru."),
        "judul": _("Kiriman dari perangkat ini"),
        "menunggu": _("Menunggu koneksi"),
        "perlu_ditinjau": _("Perlu ditinjau"),
        "terkirim": _("Terkirim"),
        "disimpan_pada": _("disimpan {waktu}"),
        "tersimpan": _(
            "Tersimpan di perangkat ini: {tugas}. Menunggu koneksi; dikirim sendiri saat koneksi kembali."
        ),
        "draf_disimpan": _("Draf disimpan di perangkat ini."),
        "draf_dimuat": _("Draf dari perangkat ini ({waktu}) dimuat; kirim bila sudah lengkap."),
        "baris": _(
            "Menambah atau menghapus baris perlu koneksi. Isi baris yang ada, atau simpan draf dan "
            "lanjutkan saat online."
        ),
        "gagal": _("Belum terkirim (jawaban server: {status}); dicoba lagi nanti."),
        "sesi_berakhir": _("Sesi Anda berakhir. Masuk lagi untuk mengirim kiriman yang menunggu."),
        "isian_ditolak": _("Server menolak isian berikut:"),
        "isian_anda": _("Isian Anda"),
        "isi_ulang": _("Isi ulang"),
        "hapus": _("Hapus"),
        "tutup": _("Tutup"),
        "perlu_koneksi": _("Mengisi ulang perlu koneksi; coba lagi saat online."),
        "dimuat_ulang": _(
            "Isian Anda dari perangkat ini dimuat ke formulir sebagai draf. Periksa, lalu kirim lagi."
        ),
        "peringatan_keluar": _(
            "Ada {n} kiriman yang belum terkirim. Jika Anda keluar sekarang, kiriman itu "
            "dihapus dari perangkat ini dan tidak akan terkirim. Tetap keluar?"
        ),
        "menunggu_akun": _("{n} kiriman dari {pengguna} menunggu di perangkat ini."),
        "galat": _("Lapisan offline tidak dapat berjalan:"),
        "keluar_perlu_koneksi": _(
            "Keluar perlu koneksi: sesi Anda diakhiri di server. Coba lagi saat online; "
            "tidak ada yang dihapus."
        ),
        "perlu_koneksi_aksi": _("Ini perlu koneksi; coba lagi saat online."),
    }


@bp.app_context_processor
def offline_values() -> dict[str, Any]:
    user = session.get("user")
    if not user:
        return {"offline_key": "", "offline_tag": "", "offline_texts": texts}
    return {"offline_key": queue_key(user), "offline_tag": queue_tag(user), "offline_texts": texts}


def _static(name: str, mimetype: str) -> Response:
    response = send_from_directory(STATIC, name, mimetype=mimetype, max_age=0)
    response.headers["Cache-Control"] = "no-cache"  # a new version is picked up on the next visit
    return response


@bp.get("/sw.js")
def service_worker() -> ResponseReturnValue:
    response = _static("sw.js", "text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
def manifest() -> ResponseReturnValue:
    return _static("manifest.webmanifest", "application/manifest+json")


@bp.post("/luring/pemilik")
def owner() -> ResponseReturnValue:
    """Whether the owner of a queue waiting on this device may still sign in: asked with the
    queue's username and tag (which only a device that person signed in on holds)."""
    body = request.get_json(silent=True) or {}
    username, tag = str(body.get("pengguna", "")), str(body.get("tanda", ""))
    if not username or not hmac.compare_digest(tag.encode(), queue_tag(username).encode()):
        return jsonify({"pesan": _("Antrean ini tidak dikenal.")}), 404
    with engine().db.sessions() as s:
        active = s.scalar(select(User.active).where(User.username == username))
    if active:
        message = _("Masuk sebagai %(who)s untuk mengirim kiriman yang menunggu.", who=username)
        return jsonify({"aktif": True, "pesan": message})
    message = _(
        "Akun %(who)s dinonaktifkan: kiriman yang menunggu dari akun ini tidak akan diterima. "
        "Catat isiannya bila perlu dan hubungi admin, lalu hapus dari perangkat ini.",
        who=username,
    )
    return jsonify({"aktif": False, "pesan": message})
