"""One village's program in data: a complete, valid submission for every form in forms/.

`FORM_EXAMPLES` maps a form file name to what its task submits, for Lempur Mudik (Kecamatan
Gunung Raya, Kabupaten Kerinci, Jambi), in process order. The examples agree with each other: the
30 participants are generated deterministically, the Pokja board, the commitments, the attendance
and the FGD participants are names from that list, progress reports name action-plan activities,
and the report's authors are the board and the two pendamping.

`context_for(form)` is the task data a form sees: every earlier example merged, plus the item of a
multi-instance task (`pendamping_ini`, `tingkat_ini`).

The examples are kept in `answers/`, one module per program step; `FORM_EXAMPLES` joins them in
process order.
"""

from __future__ import annotations

import copy
from typing import Any

from .answers.monitoring_evaluasi_pelaporan import MONITORING_EVALUASI_PELAPORAN
from .answers.pelaksanaan_pengembangan import PELAKSANAAN_PENGEMBANGAN
from .answers.persiapan import PERSIAPAN
from .answers.refleksi import REFLEKSI
from .answers.terminasi import TERMINASI
from .localise import retell
from .people import PENDAMPING

FORM_EXAMPLES: dict[str, dict[str, Any]] = {
    **PERSIAPAN,
    **PELAKSANAAN_PENGEMBANGAN,
    **MONITORING_EVALUASI_PELAPORAN,
    **TERMINASI,
    **REFLEKSI,
}

# The item a multi-instance task is working on, as its task data carries it.
_INSTANCE_ITEM: dict[str, dict[str, Any]] = {
    "setujui_laporan.json": {"pendamping_ini": PENDAMPING[0]},
    "berita_acara_serah_terima.json": {"tingkat_ini": "Desa/Kelurahan"},
}


def context_for(form: str, examples: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The task data the form's task sees: every earlier example merged in process order."""
    examples = FORM_EXAMPLES if examples is None else examples
    data: dict[str, Any] = {}
    for name, example in examples.items():
        if name == form:
            break
        data.update(copy.deepcopy(example))
    data.update(copy.deepcopy(_INSTANCE_ITEM.get(form, {})))
    return data


_RETOLD: dict[str, dict[str, dict[str, Any]]] = {}


def examples_for(village: Any) -> dict[str, dict[str, Any]]:
    """The example answers as `village` gives them: its own people, places and activities
    (`localise.retell`); Lempur Mudik's own for Lempur Mudik, or for no village."""
    if village is None:
        return FORM_EXAMPLES
    if village.code not in _RETOLD:
        _RETOLD[village.code] = retell(FORM_EXAMPLES, village)
    return _RETOLD[village.code]
