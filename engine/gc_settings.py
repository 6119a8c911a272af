"""Python's cyclic garbage collector, set for a long-running server or worker process.

Restoring an instance builds thousands of objects (SpiffWorkflow tasks refer to their workflow
and back), and the live workflows kept between steps stay in memory. With Python's default
thresholds (700, 10, 10) a request that restores one instance sets off several collections, and
every tenth of those walks every object the process holds: the cache of live workflows included.
Measured on a completion through the API (`docs/performance.md`) that was a third of its time.

`tune_for_server()` collects once, moves what the process holds after start-up (modules, parsed
specs) out of the collector's view (`gc.freeze`), and raises the thresholds so that a collection
runs every `DESA_GC_THRESHOLD` new container objects (default 50,000) and the oldest generation
rarely. Memory is still freed: reference counting frees all non-cyclic garbage at once, and
cycles are collected, only less often.
"""

from __future__ import annotations

import gc

from engine import config


def tune_for_server() -> tuple[int, int, int]:
    """Set the collector for a server process; returns the thresholds now in force."""
    first = config.settings().gc_threshold
    gc.collect()
    gc.freeze()
    gc.set_threshold(first, 20, 100)
    return gc.get_threshold()
