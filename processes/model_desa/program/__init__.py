"""Model Desa Berketahanan Sosial's own code: the demo's villages, people and answers.

Loaded by the engine through `engine.definitions.programs` (program.toml names this package in
`[demo] package`); `staff` and `story` are what `desa demo` asks of a program (engine/demo/runner.py).
`FORM_EXAMPLES` and `context_for` are one village's complete, valid answers to every form.
"""

from .data import FORM_EXAMPLES, context_for, examples_for
from .people import KETUA, NAMA_PESERTA, PESERTA
from .story import COHORTS, RECEIVERS, Story, staff, story

__all__ = [
    "COHORTS",
    "FORM_EXAMPLES",
    "KETUA",
    "NAMA_PESERTA",
    "PESERTA",
    "RECEIVERS",
    "Story",
    "context_for",
    "examples_for",
    "staff",
    "story",
]
