"""Hot reload for designers working on the program (`desa serve --reload-processes`).

A thread looks at the processes folder and the forms folder every `interval` seconds; when a file
was added, changed or removed, it validates the whole folder and deploys it (a new version for each
changed process, nothing for the others). A folder with errors is not deployed: the problems are
kept, the running version stays, and the designer's page shows them. The server never stops for a
broken file.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from engine import clock
from engine.core import Engine
from engine.definitions import folder as definitions
from engine.definitions import registry
from engine.errors import DefinitionError, Problem

log = logging.getLogger("desa.reload")
WATCHED = (".bpmn", ".dmn", ".json", ".toml")


@dataclass
class ReloadState:
    """The last look at the folders: when, what was deployed, and what is wrong."""

    checked_at: datetime | None = None
    deployed: list[str] = field(default_factory=list)  # "process_id version N"
    problems: list[Problem] = field(default_factory=list)  # errors and warnings of the files on disk
    ok: bool = True


def fingerprint(folders: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """What the folders hold, as (path, size, mtime) of every watched file."""
    found = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix in WATCHED and path.is_file():
                stat = path.stat()
                found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


class Reloader:
    def __init__(self, engine: Engine, processes: Path, interval: float = 1.0) -> None:
        self.engine = engine
        self.processes = processes
        self.forms = definitions.forms_dir_for(processes)
        self.interval = interval
        self.state = ReloadState()
        self._seen: tuple[tuple[str, int, int], ...] | None = None
        self.stopping = threading.Event()

    def check(self) -> bool:
        """Look once; redeploy when something changed. True when it did look again."""
        now = fingerprint([self.processes, self.forms])
        if now == self._seen:
            return False
        self._seen = now
        state = ReloadState(checked_at=clock.real_now())
        bundle = definitions.load([self.processes])
        state.problems = list(bundle.problems)
        state.ok = bundle.ok
        if bundle.ok:
            try:
                results = registry.deploy(self.engine.db, [self.processes], actor="reload")
                state.deployed = [f"{r.process_id} version {r.version}" for r in results if r.created]
            except DefinitionError as err:  # changed again between the check and the deploy
                state.ok, state.problems = False, list(err.problems)
        if state.deployed:
            log.info("redeployed %s", ", ".join(state.deployed))
        elif not state.ok:
            log.warning("not redeployed: %d problem(s) in %s", len(state.problems), self.processes)
        self.state = state
        return True

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.check()
            except Exception:  # a reload must never take the server down
                log.exception("could not look at %s", self.processes)
            self.stopping.wait(self.interval)

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="desa-reload", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stopping.set()
