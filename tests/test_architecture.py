"""The engine's packages import one way, never Flask, never another module's private names.

Every module of engine/ is parsed with `ast` (imports inside functions and under TYPE_CHECKING
count too) and checked against the layering below: a package may import the ones before it and
itself, never one after it, and the packages that share a layer do not import each other. The
web app sits above all of them.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "engine"

# Lowest first. A name is a top-level module (errors, config, ...) or a package (store, ...).
LAYERS: list[set[str]] = [
    {"errors"},
    {"config"},
    {"store", "sandbox", "gc_settings"},
    {"clock"},
    {"spiff"},
    {"core"},
    {"definitions"},
    {"directory"},
    {"runtime"},
    {"history"},
    {"views"},
    {"worker"},
    {"demo"},
    {"cli"},
]
RANK = {name: rank for rank, layer in enumerate(LAYERS) for name in layer}
MAX_TOP_LEVEL_MODULES = 6
WEB_FRAMEWORKS = ("flask", "werkzeug", "jinja2")
# `desa serve` starts the web app: the one place the engine's command line reaches up to web/, inside
# that command only (the engine's modules never load Flask otherwise).
SERVES_THE_WEB_APP = ("engine.cli.work", "web")


@dataclass(frozen=True)
class Import:
    importer: str  # dotted name of the importing module
    target: str  # dotted name of the imported module (or package)
    names: tuple[str, ...]  # for `from target import a, b`: a, b
    line: int


def modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "migrations" not in p.relative_to(ROOT).parts)


def dotted(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imports(path: Path) -> list[Import]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [Import(dotted(path), a.name, (), node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = tuple(a.name for a in node.names)
            found.append(Import(dotted(path), node.module, names, node.lineno))
            # `from engine.runtime import actions`: the module imported is engine.runtime.actions
            found += [
                Import(dotted(path), f"{node.module}.{n}", (), node.lineno)
                for n in names
                if is_module(f"{node.module}.{n}")
            ]
    return found


def part_of(name: str) -> str | None:
    """`engine.runtime.actions` -> `runtime`; None outside engine/."""
    parts = name.split(".")
    return parts[1] if parts[0] == "engine" and len(parts) > 1 else None


def layering_violations() -> list[str]:
    found = []
    for path in modules(ENGINE):
        for imp in imports(path):
            source, target = part_of(imp.importer), part_of(imp.target)
            if source is None or target is None or source == target:
                continue
            where = f"{path.relative_to(ROOT)}:{imp.line} imports {imp.target}"
            if source not in RANK or target not in RANK:
                found.append(f"{where}: {source if source not in RANK else target} is in no layer")
            elif RANK[target] >= RANK[source]:
                found.append(f"{where}: {target} is not below {source}")
    return found


def private_violations(folder: Path) -> list[str]:
    """`from engine.x import _name`, and `module._name` on an engine module imported under a name."""
    found = []
    for path in modules(folder):
        tree = ast.parse(path.read_text(), str(path))
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("engine"):
                for a in node.names:
                    if a.name.startswith("_") and not a.name.startswith("__"):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {node.module}.{a.name}")
                    if is_module(f"{node.module}.{a.name}"):
                        aliases[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith("engine") and a.asname:
                        aliases[a.asname] = a.name
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.append(f"{where} uses {aliases[node.value.id]}.{node.attr}")
    return found


def test_every_package_of_the_engine_has_a_layer() -> None:
    parts = {p.stem if p.is_file() else p.name for p in ENGINE.iterdir() if p.suffix == ".py" or p.is_dir()}
    parts -= {"__init__", "__pycache__"}
    assert sorted(parts - set(RANK)) == []


def test_imports_run_one_way() -> None:
    assert layering_violations() == []


def test_the_engine_never_imports_the_web_framework() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{imp.line} imports {imp.target}"
        for path in modules(ENGINE)
        for imp in imports(path)
        if imp.target.split(".")[0] in (*WEB_FRAMEWORKS, "web")
        and (imp.importer, imp.target) != SERVES_THE_WEB_APP
    ]
    assert found == []


@pytest.mark.parametrize("folder", ["engine", "web"])
def test_no_module_uses_another_modules_private_names(folder: str) -> None:
    assert private_violations(ROOT / folder) == []


RULE_ONLY_IN_ACCESS = {"covers", "allows", "audit_scope", "may_see_village", "may_change_village"}
SCOPES = {"national", "kabupaten", "village"}


def rule_copies(path: Path) -> list[str]:
    """Where a module asks a grant what it covers or allows, or compares a `.scope` with a scope's
    name: the signs of a copy of the rule of who may see or act where."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr in RULE_ONLY_IN_ACCESS:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            scoped = any(  # a grant's scope; a model's column (RoleAssignment.scope) is SQL that moves grants
                isinstance(n, ast.Attribute)
                and n.attr == "scope"
                and not (isinstance(n.value, ast.Name) and n.value.id[:1].isupper())
                for n in sides
            )
            named = any(isinstance(n, ast.Constant) and n.value in SCOPES for n in sides)
            if scoped and named:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} compares a scope")
    return found


def test_who_may_see_or_act_is_decided_in_one_place() -> None:
    """Only engine/directory/access.py reads what a grant covers: everyone else asks `access.may`."""
    access = ENGINE / "directory" / "access.py"
    found = [
        copy
        for folder in (ENGINE, ROOT / "web")
        for path in modules(folder)
        if path != access
        for copy in rule_copies(path)
    ]
    assert found == []


# The processes that run scripts read their own two settings (engine/sandbox/pool.py), at import,
# falling back to the defaults on a value that is no number.
READ_BY_THEIR_OWN_MODULE = {"engine/sandbox/pool.py"}


def environment_reads(folder: Path) -> list[str]:
    """Where a module other than engine/config.py names a DESA_ variable in code (not in its docs)."""
    found = []
    for path in modules(folder):
        if path == ENGINE / "config.py":
            continue
        tree = ast.parse(path.read_text())
        docs = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and n.body
            and isinstance(n.body[0], ast.Expr)
        }
        found += [
            f"{path.relative_to(ROOT)}:{node.lineno} {node.value}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and re.fullmatch(r"DESA_[A-Z0-9_]+", node.value)
            and id(node) not in docs
            and str(path.relative_to(ROOT)) not in READ_BY_THEIR_OWN_MODULE
        ]
    return found


@pytest.mark.parametrize("folder", ["engine", "web"])
def test_the_environment_is_read_in_engine_config_only(folder: str) -> None:
    assert environment_reads(ROOT / folder) == []


def test_the_engine_keeps_few_modules_at_its_top_level() -> None:
    top = sorted(p.name for p in ENGINE.glob("*.py") if p.name != "__init__.py")
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top
