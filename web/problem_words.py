"""How the design pages tell a problem of a program's files: the file's path relative to the
program folder (never the server's own path), the severity in the person's language, and beside
the checker's message (written in English for designers who read the engine's logs too) what the
rule checks, in Bahasa Indonesia or English (the rules of engine/definitions/lint/rules.py)."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask_babel import gettext as _

from engine.definitions.lint.rules import RULES

from .i18n import select_locale

# What each rule checks, in Bahasa Indonesia (the English is the rule's own `checks`).
RULES_ID = {
    "too-large": "berkas proses lebih besar daripada yang dibaca mesin",
    "xml-syntax": "berkas bukan XML yang tersusun benar",
    "doctype-refused": "berkas menyatakan DOCTYPE atau entitas",
    "xsd": "berkas melanggar skema BPMN 2.0 atau DMN",
    "duplicate-id": "dua elemen dalam satu berkas memakai id yang sama",
    "invalid-id": "id bukan id XML yang sah",
    "unsupported-element": "elemen yang tidak dapat dijalankan SpiffWorkflow 3.2",
    "spiff": "SpiffWorkflow menolak berkas karena alasan lain",
    "interrupting-event-subprocess": "subproses peristiwa yang dimaksudkan menyela, padahal tidak menyela",
    "link-event": "peristiwa tautan, yang tidak diikuti SpiffWorkflow 3.2",
    "conditional-event": "peristiwa bersyarat, yang tidak pernah dipicu SpiffWorkflow 3.2 setelah menunggu",
    "timer-event-subprocess": "subproses peristiwa yang dimulai timer, sehingga instans tetap terbuka",
    "unreachable": "elemen yang tidak dicapai dari peristiwa awal mana pun",
    "implicit-end": "tugas atau peristiwa tanpa alur keluar, yang mengakhiri jalurnya tanpa peristiwa akhir",
    "dead-end": "putaran yang tidak dapat mencapai akhir, atau gerbang tanpa jalan keluar",
    "gateway-without-default": "gerbang yang setiap jalan keluarnya bersyarat, tanpa jalan bawaan",
    "script": "skrip atau syarat yang ditolak kotak pasir",
    "timer-expression": "ungkapan timer yang tidak menghasilkan waktu ISO 8601 yang sah",
    "unknown-role": "lajur yang namanya bukan peran yang dinyatakan",
    "default-role": "tugas di luar lajur mana pun, yang jatuh ke peran bawaan",
    "read-only-role": "lajur yang menamai peran baca-saja (auditor), yang tidak boleh mengerjakan tugas",
    "no-form": "tugas pengguna tanpa formulir",
    "separate-from": "separate_from suatu tugas tidak menamai tugas orang sebelumnya",
    "form": "berkas formulir yang tidak ada atau bukan JSON Schema yang sah",
    "form-ref-cycle": "formulir yang $ref-nya kembali ke dirinya: formulir memuat dirinya sendiri",
    "unknown-field": "nama yang dibaca dari data tugas tetapi tidak pernah ditulis",
    "unknown-process": "aktivitas panggilan yang menamai proses yang tidak ada",
    "unknown-decision": "tugas aturan bisnis yang menamai keputusan yang tidak ada",
    "missing-di": "elemen tanpa bentuk dalam diagram",
    "dmn-decisions-per-file": "berkas DMN yang tidak memuat tepat satu keputusan",
    "dmn-decision-table": "keputusan yang bukan tabel keputusan",
    "dmn-hit-policy": "kebijakan hit yang tidak dijalankan SpiffWorkflow 3.2",
    "dmn-aggregation": "agregasi COLLECT yang tidak dihitung SpiffWorkflow 3.2",
    "dmn-expression": "isian atau masukan tabel keputusan yang tidak dapat dijalankan sebagai Python",
    "dmn-rule-entries": "aturan yang jumlah isiannya tidak sama dengan jumlah kolom tabel",
    "roles-syntax": "roles.toml bukan TOML yang sah",
    "roles-invalid": "peran dalam roles.toml tidak lengkap atau dinyatakan dua kali",
    "no-files": "tidak ada yang diperiksa",
    "program-invalid": (
        "program.toml bukan TOML yang sah atau tidak memuat yang diperlukan program, "
        "atau dua program menetapkan satu proses"
    ),
    "english-syntax": "english.toml bukan TOML yang sah",
    "english-unknown-element": "teks bahasa Inggris untuk elemen yang tidak ada dalam berkas BPMN program",
    "english-entry": (
        "teks bahasa Inggris yang bukan name, documentation atau display_name yang dapat ditampilkan"
    ),
}


def rule_text(rule: str) -> str:
    """What `rule` checks, in the page's language ("" for a rule without a description)."""
    if select_locale() == "en":
        found = RULES.get(rule)
        return found.checks if found is not None else ""
    return RULES_ID.get(rule, "")


def severity(level: str) -> str:
    return str(_("kesalahan") if level == "error" else _("peringatan"))


def program_path(path: str, folder: Path | None = None) -> str:
    """`path` as the designer knows it: from the program folder (or the forms folder) down, never the
    server's own folders above it."""
    parts = Path(path).parts
    for anchor in ("processes", "forms"):
        if anchor in parts:
            return "/".join(parts[len(parts) - parts[::-1].index(anchor) :])
    if folder is not None:
        try:
            return Path(path).resolve().relative_to(folder.resolve()).as_posix()
        except ValueError:
            pass
    return Path(path).name if Path(path).is_absolute() else path


_SERVER_FOLDERS = re.compile(r"(?:[A-Za-z]:)?[/\\][^\s'\"]*?[/\\](?:processes|forms)[/\\]")


def program_message(message: str) -> str:
    """A checker's message without the server's folders: ".../processes/model_desa/x.bpmn" is told
    as "model_desa/x.bpmn"."""
    return _SERVER_FOLDERS.sub("", message)


def init_app(app: Flask) -> None:
    app.add_template_filter(rule_text, "aturan")
    app.add_template_filter(severity, "tingkat_masalah")
    app.add_template_filter(program_path, "berkas_program")
    app.add_template_filter(program_message, "pesan_masalah")
