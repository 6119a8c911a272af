"""The stored state is read back as `json.loads` reads it, whichever parser reads it: a whole number
too long for 64 bits stays whole, NaN and Infinity are still read, and a malformed text still
fails as before."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from engine.spiff import json_read

TEXTS = [
    '{"n": "tugas", "s": 64, "p": 3, "c": [4, 5], "t": 1733568000.123456, "d": {"skor": 12}}',
    '{"nik": "3201234567890123", "catatan": "Rapat \\u00e9t\\u00e9 \\ud83d\\ude00", "nol": -0.0}',
    '{"besar": 123456789012345678901234567890, "negatif": -98765432109876543210}',
    '{"batas": 9223372036854775807, "lewat": 18446744073709551616}',
    '{"x": NaN, "y": Infinity, "z": -Infinity}',
    '{"ganjil": "\\ud800"}',
    '{"kunci": 1, "kunci": 2}',
    "[" * 200 + "]" * 200,
    '{"pecahan": 0.1234567890123456789012, "kecil": 1e-320, "besar": 1e308}',
]


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and (a == b or a is b) and repr(a) == repr(b)


@pytest.mark.parametrize("text", TEXTS)
def test_a_text_reads_as_the_standard_library_reads_it(text: str) -> None:
    assert same(json_read.loads(text), json.loads(text))
    assert same(json_read.loads(text.encode()), json.loads(text.encode()))


def test_a_long_whole_number_stays_whole() -> None:
    value = json_read.loads('{"besar": 123456789012345678901234567890}')["besar"]
    assert value == 123456789012345678901234567890 and isinstance(value, int)


@pytest.mark.parametrize("text", ['{"a": 1', '{"a": 01}', '{"a": "\x01"}', ""])
def test_a_malformed_text_fails_as_before(text: str) -> None:
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    with pytest.raises(json.JSONDecodeError):
        json_read.loads(text)


def test_a_lone_surrogate_in_the_text_itself_reads_as_before() -> None:
    text = '{"ganjil": "\ud800"}'
    assert json_read.loads(text) == json.loads(text)
