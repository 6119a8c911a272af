"""A script run in a sandbox process hands back only what it changed in the task data: the names it
assigned, those whose values it changed in place, and those it deleted. Everything else stays the
very objects the engine had (other tasks' data shares them), and a refused value is refused."""

from __future__ import annotations

from typing import Any

import pytest

from engine.sandbox import guard, isolation, pool


def data() -> dict[str, Any]:
    return {
        "peserta": [{"nama": "Ani"}, {"nama": "Budi"}],
        "alamat": {"rt": "03", "rw": "01"},
        "skor": 12,
        "catatan": "awal",
        "sementara": [1, 2, 3],
    }


def test_a_script_changes_only_what_it_touched_and_the_rest_stays_the_same_objects() -> None:
    context = data()
    untouched_peserta, untouched_alamat = context["peserta"], context["alamat"]
    isolation.execute(
        "skor = skor + 1\n"
        "catatan += ' lalu akhir'\n"
        "alamat_baru = dict(alamat, rt='04')\n"
        "del sementara\n"
        "jumlah = len(peserta)\n",
        context,
        {},
    )
    assert context == {
        "peserta": [{"nama": "Ani"}, {"nama": "Budi"}],
        "alamat": {"rt": "03", "rw": "01"},
        "alamat_baru": {"rt": "04", "rw": "01"},
        "skor": 13,
        "catatan": "awal lalu akhir",
        "jumlah": 2,
    }
    assert context["peserta"] is untouched_peserta and context["alamat"] is untouched_alamat


def test_a_value_changed_in_place_comes_back_changed() -> None:
    context = data()
    isolation.execute("peserta.append({'nama': 'Citra'})\nalamat['rw'] = '02'\n", context, {})
    assert [p["nama"] for p in context["peserta"]] == ["Ani", "Budi", "Citra"]
    assert context["alamat"] == {"rt": "03", "rw": "02"}


def test_a_name_assigned_an_equal_value_of_another_type_is_changed() -> None:
    context = data()
    isolation.execute("skor = 12.0\nsementara = (1, 2, 3)\n", context, {})
    assert type(context["skor"]) is float and type(context["sementara"]) is tuple


def test_the_sandbox_process_sends_back_the_changes_alone() -> None:
    changed, deleted = pool.run("exec", "skor = 0\ndel catatan\n", data(), {})
    assert changed == {"skor": 0} and deleted == ["catatan"]


def test_a_changed_value_the_engine_cannot_keep_is_still_refused() -> None:
    context = data()
    with pytest.raises(guard.SandboxError, match="nested deeper"):
        isolation.execute("x = []\nfor _ in range(40):\n    x = [x]\nskor = x\n", context, {})
    assert context == data()


def test_the_limits_still_count_all_the_data_the_task_keeps() -> None:
    """Each name within the limit, together over it: refused, as when the whole data came back."""
    context = {"a": [0] * 900_000}
    with pytest.raises(guard.SandboxError, match="too large to keep"):
        isolation.execute("b = [0] * 900000\n", context, {})
    assert set(context) == {"a"}
