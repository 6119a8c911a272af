"""Numbers as people type them in a form: "1.500.000", "Rp 1.500.000,00", "2,5". Pure, no Flask.

What is no number anyone means (letters, NaN, infinity, thousands of digits) comes back as the
text it was, for the engine to refuse with a message beside the field.
"""

from __future__ import annotations

import math
import re
from typing import Any

_GROUPED = re.compile(r"^-?\d{1,3}([.,]\d{3})+$")
_PLAIN = re.compile(r"^-?\d+$")
_DOTTED = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
_MAX_DIGITS = 4000  # below Python's limit for reading a whole number from text (4300)


def parse_integer(text: str, money: bool = False) -> Any:
    """A whole number as typed: "1500000", "1.500.000" (and for Rupiah "Rp 1.500.000", "1,500,000",
    "1.500.000,00"). Anything else is returned as it is, for the engine to refuse."""
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    if money:
        cleaned = re.sub(r"^rp\.?", "", cleaned, flags=re.IGNORECASE)
        cleaned = re.sub(r",0{1,2}$", "", cleaned)
        if _GROUPED.match(cleaned):
            cleaned = cleaned.replace(".", "").replace(",", "")
    elif _DOTTED.match(cleaned):
        cleaned = cleaned.replace(".", "")
    if not _PLAIN.match(cleaned) or len(cleaned) > _MAX_DIGITS:
        return text  # past Python's limit on digits it is no amount anyone means: the engine refuses the text
    return int(cleaned)


def parse_number(text: str) -> Any:
    cleaned = text.replace(" ", "")
    if _DOTTED.match(cleaned):
        return parse_integer(cleaned)
    try:
        number = float(cleaned.replace(",", "."))
    except ValueError:
        return text
    if not math.isfinite(number):  # "NaN", "inf", "1e999": no JSON number
        return text
    return int(number) if number.is_integer() and "." not in cleaned and "," not in cleaned else number
