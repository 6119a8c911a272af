"""Messages for form problems, in Bahasa Indonesia first and English, keyed by JSON Schema keyword."""

from __future__ import annotations

from typing import Any

# code -> (Bahasa Indonesia, English); {limit} is the keyword's value, {value} the submitted one.
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("Wajib diisi.", "Required."),
    "type": ("Jenis isian tidak sesuai (harus {limit}).", "Wrong kind of value (must be {limit})."),
    "minimum": ("Paling kecil {limit}.", "Must be at least {limit}."),
    "exclusiveMinimum": ("Harus lebih dari {limit}.", "Must be more than {limit}."),
    "maximum": ("Paling besar {limit}.", "Must be at most {limit}."),
    "exclusiveMaximum": ("Harus kurang dari {limit}.", "Must be less than {limit}."),
    "minLength": ("Paling sedikit {limit} karakter.", "At least {limit} characters."),
    "maxLength": ("Paling banyak {limit} karakter.", "At most {limit} characters."),
    "minItems": ("Paling sedikit {limit} butir.", "At least {limit} entries."),
    "maxItems": ("Paling banyak {limit} butir.", "At most {limit} entries."),
    "uniqueItems": ("Ada isian yang sama lebih dari sekali.", "An entry appears more than once."),
    "enum": ("Pilih salah satu pilihan yang tersedia.", "Choose one of the options."),
    "const": ("Nilai tidak sesuai.", "Wrong value."),
    "pattern": ("Bentuk isian tidak sesuai.", "Wrong format."),
    "additionalProperties": ("Ada isian yang tidak dikenal formulir ini.", "This form has no such field."),
    "choice": ("'{value}' tidak ada dalam daftar {from}.", "'{value}' is not in the list {from}."),
    "distinct": ("'{value}' sudah dipilih untuk {other}.", "'{value}' is already chosen as {other}."),
    "format:date": ("Tanggal harus berbentuk TTTT-BB-HH.", "Dates are written YYYY-MM-DD."),
    "format:email": ("Alamat surel tidak sah.", "Not a valid e-mail address."),
    "format:time": ("Jam harus berbentuk JJ:MM:DD.", "Times are written HH:MM:SS."),
}
TYPES = {
    "integer": ("bilangan bulat", "a whole number"),
    "number": ("angka", "a number"),
    "string": ("teks", "text"),
    "boolean": ("ya/tidak", "yes/no"),
    "array": ("daftar", "a list"),
    "object": ("kelompok isian", "a group of fields"),
}


def describe(code: str, params: dict[str, Any], fallback: str = "") -> tuple[str, str]:
    """(Bahasa Indonesia, English) for a problem; the validator's own words when there is none."""
    if code == "format" and params.get("format"):
        code = f"format:{params['format']}"
    if code not in MESSAGES:
        return fallback, fallback
    values = dict(params)
    indonesian, english = MESSAGES[code]
    if code == "type" and isinstance(params.get("limit"), str):
        id_word, en_word = TYPES.get(params["limit"], (params["limit"], params["limit"]))
        return indonesian.format(limit=id_word), english.format(limit=en_word)
    try:
        return indonesian.format(**values), english.format(**values)
    except (KeyError, IndexError, ValueError):
        return fallback, fallback
