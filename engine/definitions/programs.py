"""A program is a folder: its BPMN, DMN, roles and `program.toml`, the one interface the engine
reads a program through.

`program.toml` says what no BPMN file says: the program's name and title, the process started for a
village, its steps in order (the processes that process calls), what a village page shows of the
data and how (sections of kind "table", "scores" or "fields"), which timers and messages the
dashboard counts, and where the optional program package lives: Python the program truly needs
(the demo's villages, people and answers), imported by file path with `module()`. The README's
"Menambah program / Adding a program" shows a complete example.

Every text a person reads is an inline table `{ id = "...", en = "..." }` (Indonesian first; English
when given), read with `text(value, lang)`.

Which program an instance belongs to is derived, not stored: the village process it runs is some
installed program's `process` (`of_process`), the programs being the folders under `processes/`
read when their program.toml changes (`installed`). A process outside any program (a BPMN file
deployed on its own) still runs; its village page and dashboard board show it without steps.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock
from types import ModuleType
from typing import Any

from engine.definitions import folder as definitions
from engine.definitions.folder import Bundle
from engine.definitions.roles import ROLES_FILE
from engine.errors import Problem

PROGRAM_FILE = "program.toml"
SECTION_KINDS = ("table", "scores", "fields")


def text(value: Any, lang: str = "id") -> str:
    """A label in the reader's language: `{id, en}` (English falls back to Indonesian), or a string."""
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("id") or "")
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Step:
    process: str
    label: dict[str, str]


@dataclass
class Program:
    """One program as `program.toml` describes it (`description` is the file's content)."""

    name: str
    description: dict[str, Any]
    folder: Path | None = None  # None when read back from the database
    _module: ModuleType | None = field(default=None, repr=False)

    @property
    def title(self) -> dict[str, str]:
        return dict(self.description.get("title") or {"id": self.name})

    @property
    def process(self) -> str:
        """The process started for a village; its call activities are the steps."""
        return str(self.description.get("process", ""))

    @property
    def steps(self) -> list[Step]:
        return [
            Step(str(s["process"]), dict(s.get("label") or {})) for s in self.description.get("steps", [])
        ]

    @property
    def sections(self) -> list[dict[str, Any]]:
        return list((self.description.get("village") or {}).get("sections", []))

    @property
    def names(self) -> dict[str, dict[str, Any]]:
        """Named label sets (e.g. the dimensions), for columns and scores that show keys."""
        return dict(self.description.get("names") or {})

    @property
    def dashboard(self) -> dict[str, Any]:
        return dict(self.description.get("dashboard") or {})

    @property
    def villages_file(self) -> Path | None:
        """The villages the demo runs in (a CSV beside program.toml), if the program names one."""
        name = (self.description.get("demo") or {}).get("villages")
        return self.folder / str(name) if self.folder is not None and name else None

    def module(self) -> ModuleType | None:
        """The program package (`[demo] package`), imported by file path once; None without one."""
        name = (self.description.get("demo") or {}).get("package")
        if not name or self.folder is None:
            return None
        if self._module is None:
            self._module = _import(self.name, self.folder / str(name))
        return self._module


def _import(program: str, path: Path) -> ModuleType:
    """A program's package (a folder with __init__.py) or module (a .py file), by its path."""
    module_name = f"desa_program_{program}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    if path.is_dir():
        spec = importlib.util.spec_from_file_location(
            module_name, path / "__init__.py", submodule_search_locations=[str(path)]
        )
    else:
        spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"the program package {path} cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


def is_program(folder: Path) -> bool:
    return folder.is_dir() and ((folder / PROGRAM_FILE).exists() or (folder / ROLES_FILE).exists())


def folders(paths: list[Path]) -> list[Path] | None:
    """The program folders a deploy or validate of `paths` means: a single folder that holds
    program folders (`processes/`) means each of them; None when `paths` name one bundle."""
    if len(paths) != 1 or not paths[0].is_dir() or is_program(paths[0]):
        return None
    found = sorted(p for p in paths[0].iterdir() if is_program(p))
    return found or None


def load(folder: Path) -> tuple[Program | None, list[Problem]]:
    """The program described by `folder/program.toml` (None, with no problem, when there is none)."""
    path = folder / PROGRAM_FILE
    if not path.exists():
        return None, []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        return None, [Problem.unreadable_toml(str(path), err, "program-invalid")]
    problems = check(data, str(path))
    if problems:
        return None, problems
    return Program(str(data["name"]), data, folder.resolve()), []


def check(data: dict[str, Any], file: str) -> list[Problem]:
    """What makes a program description unusable, one problem each."""

    def problem(element: str | None, message: str) -> Problem:
        return Problem(file, None, element, message, "program-invalid")

    found = []
    for key in ("name", "process"):
        if not isinstance(data.get(key), str) or not data[key]:
            found.append(problem(key, f"'{key}' is required (a text)"))
    steps = data.get("steps", [])
    if not isinstance(steps, list) or not all(isinstance(s, dict) and s.get("process") for s in steps):
        found.append(problem("steps", "each [[steps]] needs a 'process' (a process id)"))
    sections = (data.get("village") or {}).get("sections", [])
    for index, section in enumerate(sections if isinstance(sections, list) else [], start=1):
        kind = section.get("kind") if isinstance(section, dict) else None
        if kind not in SECTION_KINDS:
            found.append(
                problem(f"section #{index}", f"kind '{kind}' is not one of {', '.join(SECTION_KINDS)}")
            )
    return found


def load_bundles(paths: list[Path], processes_dir: Path | None = None) -> list[Bundle]:
    """The bundles `paths` name: one per program folder when they name a folder of programs
    (`processes/`), else one; each with the problems of its `program.toml` too."""
    found = folders(paths)
    chosen = [([p], p) for p in found] if found is not None else [(paths, processes_dir)]
    bundles = []
    for files, base in chosen:
        bundle = definitions.load(files, base)
        bundle.problems.extend(load(bundle.processes_dir)[1])
        bundles.append(bundle)
    return bundles


def merged(bundles: list[Bundle]) -> Bundle:
    """One bundle with every bundle's processes and problems (a process id two programs define is
    an error: versions are kept per process id)."""
    if len(bundles) == 1:
        return bundles[0]
    whole = Bundle(processes_dir=bundles[0].processes_dir.parent, forms_dir=bundles[0].forms_dir.parent)
    for bundle in bundles:
        whole.problems.extend(bundle.problems)
        for process_id, spec in bundle.specs.items():
            if process_id in whole.specs:
                message = f"process '{process_id}' is defined by two programs; a process id must be unique"
                whole.problems.append(
                    Problem(str(bundle.processes_dir), None, process_id, message, "program-invalid")
                )
            whole.specs[process_id] = spec
        whole.sources.update(bundle.sources)
        whole.forms.update(bundle.forms)
    return whole


def installed(root: Path | None = None) -> list[Program]:
    """The programs whose folders sit under `root` (default: the folder of programs holding the
    default processes folder, `processes/`), read again when a program.toml changes (looked at no
    more than once every RECHECK_SECONDS: a village page asks on every request)."""
    folder = root or _root()
    key = str(folder)
    with _LOCK:
        cached = _INSTALLED.get(key)
        if cached is not None and time.monotonic() - cached[0] < RECHECK_SECONDS:
            return cached[2]
    chosen = [folder] if is_program(folder) else _program_folders(folder)
    stamp = tuple(
        (str(p), (p / PROGRAM_FILE).stat().st_mtime_ns if (p / PROGRAM_FILE).exists() else 0) for p in chosen
    )
    if cached is not None and cached[1] == stamp:
        found = cached[2]
    else:
        found = [program for program in (load(p)[0] for p in chosen) if program is not None]
    with _LOCK:
        _INSTALLED[key] = (time.monotonic(), stamp, found)
    return found


def _program_folders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if is_program(p)) if folder.is_dir() else []


def _root() -> Path:
    folder = definitions.default_processes_dir()
    if not folder.exists():  # run from elsewhere than the checkout: the checkout's own programs
        return Path(__file__).resolve().parents[2] / "processes"
    return folder.parent if is_program(folder) else folder


def of_process(process_id: str, root: Path | None = None) -> Program | None:
    """The installed program a village runs when it runs `process_id`, if any."""
    return next((p for p in installed(root) if p.process == process_id), None)


RECHECK_SECONDS = 1.0
_LOCK = Lock()
_INSTALLED: dict[str, tuple[float, tuple[tuple[str, int], ...], list[Program]]] = {}
