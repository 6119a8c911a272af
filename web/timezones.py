"""Each village's times in its own zone: WIB (UTC+7), WITA (UTC+8) or WIT (UTC+9), told by its
province, the first two digits of its Kemendagri code. One Jinja filter, `waktu_desa`, shows every
time the pages give (due dates, history, the village page, the inbox) with the zone named:
"2026-12-07 14.00 WITA". The engine keeps every time in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from flask import Flask

from .i18n import select_locale

# Provinces by Kemendagri code: central Indonesia (WITA) and eastern Indonesia (WIT); the rest WIB.
_WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT = {"81", "82", "91", "92", "93", "94", "95", "96"}
ZONES = {
    "WIB": timezone(timedelta(hours=7)),
    "WITA": timezone(timedelta(hours=8)),
    "WIT": timezone(timedelta(hours=9)),
}


def zone_of(village_code: str | None) -> str:
    """The zone's name for a village (WIB when the code is unknown)."""
    province = (village_code or "")[:2]
    if province in _WIT:
        return "WIT"
    if province in _WITA:
        return "WITA"
    return "WIB"


def _as_datetime(value: datetime | str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def village_time(value: datetime | str | None, village_code: str | None, seconds: bool = False) -> str:
    """`value` (UTC, aware or naive, or its ISO text) in the village's zone, the zone named."""
    if value is None or value == "":
        return ""
    name = zone_of(village_code)
    local = _as_datetime(value).astimezone(ZONES[name])
    separator = "." if select_locale() == "id" else ":"
    clock = ["%H", "%M", "%S"] if seconds else ["%H", "%M"]
    return f"{local.strftime('%Y-%m-%d')} {local.strftime(separator.join(clock))} {name}"


def init_app(app: Flask) -> None:
    app.add_template_filter(village_time, "waktu_desa")
    app.add_template_global(zone_of, "zona_desa")
