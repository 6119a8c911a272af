"""Which expressions the engine evaluates itself (engine.sandbox.fastpath): only those whose syntax
bounds their cost by the data they read; every other one goes to a sandbox process. Both ways give
the same values and the same errors."""

from __future__ import annotations

from typing import Any

import pytest

from engine.sandbox import fastpath, guard, isolation, pool

ADMITTED = [
    "skor >= 10",
    "kategori == 'tangguh'",
    "kategori in ('a', 'b') and not selesai",
    "jadwal[hari_ke - 1]",
    "alamat['rt'] != ''",
    "len(peserta) > 0",
    "-a + b - 1 <= 3",
]
REFUSED = [
    "sum([[0]] * 10**6, [])",  # a call, and `*`
    "pow(3, 10**100000, 7)",
    "math.prod(x)",  # an attribute
    "[a] * 10**6 == [b] * 10**6",
    "'%0100000000d' % 1",  # `%` formats text
    "x[1:]",  # a slice copies
    "k in x",  # a substring search is not linear in every case
    "[y for y in x]",
    "len(*x)",
    "x.upper()",
    " + ".join(["x"] * 10),  # nine additions
    " and ".join(["a == 1"] * 40),  # more than 100 nodes
]
DATA: dict[str, Any] = {
    "skor": 12,
    "kategori": "tangguh",
    "selesai": False,
    "jadwal": ["2025-01-01", "2025-01-08"],
    "hari_ke": 2,
    "alamat": {"rt": "03"},
    "peserta": [{"nama": "Ani"}],
    "a": 1,
    "b": 3,
}


@pytest.mark.parametrize("source", ADMITTED)
def test_bounded_expressions_are_admitted(source: str) -> None:
    assert fastpath.admits(source)


@pytest.mark.parametrize("source", REFUSED)
def test_anything_else_goes_to_a_sandbox_process(source: str) -> None:
    assert not fastpath.admits(source)


@pytest.mark.parametrize("source", ADMITTED)
def test_both_ways_give_the_same_value(source: str) -> None:
    assert isolation.evaluate(source, dict(DATA), {}) == pool.run("eval", source, dict(DATA), {})


def test_both_ways_give_the_same_error() -> None:
    with pytest.raises(NameError, match="name 'tidak_ada' is not defined"):
        isolation.evaluate("tidak_ada > 1", {}, {})
    with pytest.raises(NameError, match="name 'tidak_ada' is not defined"):
        pool.run("eval", "tidak_ada > 1", {}, {})
    with pytest.raises(guard.SandboxError):
        isolation.evaluate("__class__ == 1", {}, {})
