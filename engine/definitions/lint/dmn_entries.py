"""How SpiffWorkflow 3.2 runs one entry of a decision table, and what to tell the designer when it
cannot run or means something else than the FEEL it looks like.

An input entry holding `?` is an expression with the input's value in place of `?`; an entry that is
Python on its own is compared with `==` to the input expression (`(expr) == (entry)`); anything else
(`> 5`, `in [1, 2]`) is appended to the input expression as it is; `-` (or nothing) matches any value.
An output entry is a Python expression; empty gives "".
"""

from __future__ import annotations

import ast
import re

from engine.sandbox import guard as sandbox

# DMNEngine.evaluate: a `?` outside quotes stands for the input's value, named `dmninputexpr`.
_QUESTION_MARK = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")
_INPUT_NAME = "dmninputexpr"
_FEEL_RANGE = re.compile(r"^\s*([\[\(\]])\s*(.+?)\s*\.\.\s*(.+?)\s*([\]\)\[])\s*$", re.DOTALL)
_FEEL_WORDS = {"true": "True", "false": "False", "null": "None"}
_CODE_LINE = re.compile(r"\bLine \d+:\s*")
_AT_STATEMENT = re.compile(r" at statement: .*$", re.DOTALL)
_INPUT_ENTRY_FORMS = (
    'write a value to compare the input with (e.g. "kecil" or 5), an operator and a value '
    "(e.g. >= 100), an expression with ? for the input (e.g. 0 <= ? < 100), or - for any value"
)
_NOT_FEEL = "DMN entries run as Python in the sandbox, not as FEEL"


def _parses(text: str) -> bool:
    """Whether SpiffWorkflow's `script_engine.validate` (a plain `ast.parse`) accepts `text`."""
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _syntax_error(text: str) -> str:
    try:
        ast.parse(text)
    except SyntaxError as err:
        return f"SyntaxError: {err.msg}"
    except (ValueError, RecursionError, MemoryError) as err:
        return type(err).__name__
    return "SyntaxError"


def _refusal(source: str) -> str | None:
    """Why the sandbox refuses `source` as an expression, without "Line 1:" and the echoed source."""
    why = sandbox.check(source, expression=True)
    if why is None:
        return None
    return _AT_STATEMENT.sub("", _CODE_LINE.sub("", why)).strip()


def spiff_input_expression(expression: str, entry: str) -> str | None:
    """The expression DMNEngine.evaluate runs for input entry `entry` of a column with `expression`,
    or None where it fails before running anything (the entry is Python neither alone nor after a name).
    """
    replaced = _QUESTION_MARK.sub(_INPUT_NAME, entry)
    if _INPUT_NAME in replaced:
        return replaced
    if _parses(entry):
        return f"({expression}) == ({entry})"
    if _parses(f"v {entry}"):
        return expression + entry
    return None


def input_entry_message(expression: str, text: str | None) -> str | None:
    if text is None or text == "-":
        return None  # any value
    shown = text.strip()
    if shown == "-":
        return "write the entry '-' (any value) with nothing around it; with spaces it is not read as '-'"
    if not shown:
        return "the entry is blank, which SpiffWorkflow compares with the empty tuple; write - for any value"
    spiff_expression = spiff_input_expression(expression, text)
    if spiff_expression is None:
        why = _syntax_error(f"v {text}")
    elif spiff_expression == expression + text and re.search(r"\w$", expression) and re.match(r"\w", text):
        return (
            f"SpiffWorkflow writes this entry right after the input expression, so '{expression}' and "
            f"'{shown}' run together as '{spiff_expression.strip()}'; write it with ? for the input, "
            f"e.g. '? {shown}'"
        )
    else:
        compared = spiff_expression.startswith(f"({expression}) == (")
        why = (_refusal(text) if compared else None) or _refusal(spiff_expression) or ""
        if not why:
            return _feel_lookalike(text, in_input=True)
        if compared and "#" in text and _refusal(text) is None:
            why += "; a # comment hides the parenthesis SpiffWorkflow puts after the entry: remove it"
    range_hint = _python_range(text)
    hint = f"write '{range_hint}'" if range_hint else _hint(why, _INPUT_ENTRY_FORMS)
    return f"entry '{shown}' cannot run as Python ({why}); {_NOT_FEEL}: {hint}"


def cannot_run(text: str, forms: str) -> str | None:
    """Why `text` cannot run as a Python expression and what to write instead (`forms`), or None."""
    why = _refusal(text) or (None if _parses(text) else _syntax_error(text))
    if why is None:
        return None
    return f"cannot run as Python ({why}); {_NOT_FEEL}: " + _hint(why, forms)


def _hint(why: str, forms: str) -> str:
    if "indent" in why:
        return "write it on one line, with no line break or spaces before it"
    return forms


def output_entry_message(text: str | None) -> str | None:
    if not text:
        return None  # SpiffWorkflow gives "" for an empty output entry
    cannot = cannot_run(text, 'write a Python value or expression, e.g. "kecil", 5 or jumlah_kk // 100')
    if cannot:
        return f"entry '{text.strip()}' {cannot}"
    return _feel_lookalike(text, in_input=False)


def _python_range(text: str) -> str | None:
    """A FEEL range such as [0..100) as the Python chained comparison meaning the same."""
    found = _FEEL_RANGE.match(text)
    if not found:
        return None
    opening, low, high, closing = found.groups()
    above = "<=" if opening == "[" else "<"
    below = "<=" if closing == "]" else "<"
    return f"{low} {above} ? {below} {high}"


def _feel_lookalike(text: str, in_input: bool) -> str | None:
    """An entry that runs as Python but means something else than the FEEL it looks like."""
    shown = text.strip()
    if shown in _FEEL_WORDS:
        return (
            f"'{shown}' is FEEL; in Python it is the name of a variable, which the task data will not have: "
            f"write {_FEEL_WORDS[shown]}"
        )
    if not in_input:
        return None
    try:
        body = ast.parse(shown, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if isinstance(body, ast.Tuple) and not shown.startswith("("):
        return (
            f"'{shown}' is a FEEL list of values to match; in Python the input is compared with the tuple "
            f"({shown}) and never equals it: write '? in ({shown})'"
        )
    if isinstance(body, ast.UnaryOp) and isinstance(body.op, ast.Not):
        return (
            f"'{shown}' is a FEEL negation; in Python the input is compared with True or False: write "
            'e.g. \'? != "a"\' or \'? not in ("a", "b")\''
        )
    return None
