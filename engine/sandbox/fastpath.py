"""Expressions that cannot run long, so the engine evaluates them itself instead of in a sandbox process.

Most of a process's expressions are conditions such as `skor >= 10` or `kategori == 'tangguh'`:
sending each one to another process would cost more than evaluating it. An expression is admitted
here only when its syntax alone shows that its cost is bounded by the size of the data it reads,
which the engine has already bounded (`engine.sandbox.shape`, `engine.sandbox.json_input`):

- names, constants, subscripts by a constant (`alamat['rt']`, `peserta[0]`);
- comparisons (`==`, `!=`, `<`, `<=`, `>`, `>=`, `is`, `is not`), with `in`/`not in` only against
  a written list of constants (`kategori in ('a', 'b')`; a substring search in long text is not
  linear in every case);
- `and`, `or`, `not`, unary `-` and `+`.

No calls, no attributes, no arithmetic (`*`, `**`, `<<` build values), no comprehensions, no
slices: everything else runs in a sandbox process under the operating system's limits. An
admitted expression is compiled and guarded by `engine.sandbox.guard` like any other.
"""

from __future__ import annotations

import ast
from functools import lru_cache

_NODES = (
    ast.Expression,
    ast.Compare,
    ast.BoolOp,
    ast.UnaryOp,
    ast.Name,
    ast.Constant,
    ast.Subscript,
    ast.Load,
    ast.And,
    ast.Or,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.Is,
    ast.IsNot,
    ast.In,
    ast.NotIn,
)
_DISPLAYS = (ast.Tuple, ast.List, ast.Set)


def _constants(node: ast.AST) -> bool:
    return isinstance(node, _DISPLAYS) and all(isinstance(e, ast.Constant) for e in node.elts)


def _admitted(node: ast.AST) -> bool:
    if isinstance(node, ast.Compare):
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn) and not _constants(right):
                return False
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant)
    if isinstance(node, _DISPLAYS):
        return _constants(node)
    return isinstance(node, _NODES)


@lru_cache(maxsize=4096)
def admits(source: str) -> bool:
    """True when `source` is an expression the engine may evaluate itself (see above)."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return False
    return all(_admitted(node) for node in ast.walk(tree))
