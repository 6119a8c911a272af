"""Hot reload for designers working on the programs (`desa serve --reload-processes`).

A thread looks at every program folder (each folder under `processes/` with a program.toml or a
roles file, see `program_folders`) and its forms folder every `interval` seconds; when a file of a
program was added, changed or removed, it validates that program and deploys it (a new version for
each changed process, nothing for the others). A program with errors is not deployed: its problems
are kept, its running versions stay, and the designer's page shows them under that program; the
other programs are looked at and deployed as before. The server never stops for a broken file.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from engine import clock, config
from engine.core import Engine
from engine.definitions import folder as definitions
from engine.definitions import programs, registry
from engine.errors import DefinitionError, Problem

log = logging.getLogger("desa.reload")
WATCHED = (".bpmn", ".dmn", ".json", ".toml")
Fingerprint = tuple[tuple[str, int, int], ...]


@dataclass
class ReloadState:
    """The last look at a program's folders: when, what was deployed, and what is wrong."""

    checked_at: datetime | None = None
    deployed: list[str] = field(default_factory=list)  # "process_id version N"
    problems: list[Problem] = field(default_factory=list)  # errors and warnings of the files on disk
    ok: bool = True


def combined(states: list[ReloadState]) -> ReloadState:
    """Several programs' last looks as one: the latest time, every deployment and problem."""
    times = [s.checked_at for s in states if s.checked_at is not None]
    return ReloadState(
        checked_at=max(times) if times else None,
        deployed=[d for s in states for d in s.deployed],
        problems=[p for s in states for p in s.problems],
        ok=all(s.ok for s in states),
    )


def fingerprint(folders: list[Path]) -> Fingerprint:
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


def program_folders(root: Path | None = None) -> list[Path]:
    """The program folders a designer works on: each program folder under `root` (default:
    `DESA_PROCESSES_DIR`, else the checkout's `processes/`), or `root` alone when it is one
    program's folder or holds none."""
    base = root or config.settings().processes_dir or definitions.PROGRAMS_DIR
    if root is None and not base.exists():  # run from elsewhere than the checkout
        base = Path(__file__).resolve().parents[2] / "processes"
    return programs.folders([base]) or [base]


class Reloader:
    def __init__(self, engine: Engine, folders: list[Path] | Path, interval: float = 1.0) -> None:
        self.engine = engine
        self.folders = [folders] if isinstance(folders, Path) else list(folders)
        self.interval = interval
        self.states: dict[Path, ReloadState] = {f: ReloadState() for f in self.folders}
        self._seen: dict[Path, Fingerprint] = {}
        self._defines: dict[Path, set[str]] = {}  # the processes each program defined at its last look
        self.stopping = threading.Event()

    @property
    def state(self) -> ReloadState:
        """Every program's last look, as one."""
        return combined(list(self.states.values()))

    def watched(self, folder: Path) -> list[Path]:
        return [folder, definitions.forms_dir_for(folder)]

    def check(self) -> bool:
        """Look once at each program; redeploy those that changed. True when one was looked at again."""
        looked = False
        for folder in self.folders:
            try:
                looked = self._check(folder) or looked
            except Exception as err:  # one program's failure must not keep the others from reloading
                log.exception("could not look at %s", folder)
                message = f"could not be read: {type(err).__name__}: {err}"
                problem = Problem(str(folder), None, None, message, "reload-failed")
                self.states[folder] = ReloadState(checked_at=clock.real_now(), problems=[problem], ok=False)
                looked = True
        return looked

    def _check(self, folder: Path) -> bool:
        now = fingerprint(self.watched(folder))
        if now == self._seen.get(folder):
            return False
        self._seen[folder] = now
        state = ReloadState(checked_at=clock.real_now())
        bundle = programs.merged(programs.load_bundles([folder]))
        self._defines[folder] = set(bundle.specs)
        state.problems = [*bundle.problems, *self._clashes(folder)]
        state.ok = not any(p.severity == "error" for p in state.problems)
        if state.ok:
            try:
                results = registry.deploy(self.engine.db, [folder], actor="reload")
                state.deployed = [f"{r.process_id} version {r.version}" for r in results if r.created]
            except DefinitionError as err:  # changed again between the check and the deploy
                state.ok, state.problems = False, list(err.problems)
        if state.deployed:
            log.info("redeployed %s", ", ".join(state.deployed))
        elif not state.ok:
            log.warning("not redeployed: %d problem(s) in %s", len(state.problems), folder)
        self.states[folder] = state
        return True

    def _clashes(self, folder: Path) -> list[Problem]:
        """A process this program defines that another watched program defines too: versions are
        kept per process id, so deploying it would mix the two programs' versions."""
        problems = []
        for other, ids in self._defines.items():
            if other == folder:
                continue
            for process_id in sorted(ids & self._defines[folder]):
                message = (
                    f"process '{process_id}' is defined by the program in {other} too; "
                    "a process id must be unique"
                )
                problems.append(Problem(str(folder), None, process_id, message, "program-invalid"))
        return problems

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.check()
            except Exception:  # a reload must never take the server down
                log.exception("could not look at %s", ", ".join(map(str, self.folders)))
            self.stopping.wait(self.interval)

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="desa-reload", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stopping.set()
